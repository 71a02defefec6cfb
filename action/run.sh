#!/usr/bin/env bash
# Step 5 of action.yml: one wslint run prints the requested format to the log
# (annotations by default) and writes a JSON report, from which the step
# summary and the errors/warnings outputs are made, and SARIF when asked.
#
# Inputs arrive as environment variables and are only ever used as data:
# split on whitespace with `read` (no eval, no globbing), passed to wslint as
# separate arguments. The step exits with wslint's own exit code: 0 pass,
# 1 findings at or above fail-on, 2 usage, configuration or internal error.
set -euo pipefail
set -f

# A value inside a workflow command (`::error::...`) cannot start a new one.
command_data() {
  local s=${1//%/%25}
  s=${s//$'\r'/%0D}
  printf '%s' "${s//$'\n'/%0A}"
}

fail() {
  echo "::error title=wslint::$(command_data "$1")"
  exit 2
}

is_absolute() {
  [[ $1 == /* || $1 =~ ^[A-Za-z]:[\\/] ]]
}

# A path as an absolute one, without `.` or `..` segments where its folder
# exists.
absolute() {
  if [[ -d $1 ]]; then
    (cd -- "$1" && pwd)
  elif [[ -d $(dirname -- "$1") ]]; then
    printf '%s/%s\n' "$(cd -- "$(dirname -- "$1")" && pwd)" "$(basename -- "$1")"
  elif is_absolute "$1"; then
    printf '%s\n' "$1"
  else
    printf '%s/%s\n' "$PWD" "$1"
  fi
}

workspace=$(cd "${GITHUB_WORKSPACE:?}" && pwd)
wd=${WSLINT_WORKING_DIRECTORY:-.}
cd -- "$wd" 2>/dev/null || fail "working-directory '$wd' is not a directory"
here=$(pwd)

# paths: one per line when there are several lines, else whitespace-separated.
paths=()
if [[ ${WSLINT_PATHS:-} == *$'\n'* ]]; then
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    line=${line#"${line%%[![:space:]]*}"}
    line=${line%"${line##*[![:space:]]}"}
    if [[ -n $line ]]; then paths+=("$line"); fi
  done <<<"$WSLINT_PATHS"
else
  read -r -a paths <<<"${WSLINT_PATHS:-}" || true
fi
if ((${#paths[@]} == 0)); then paths=(.); fi
# Outside the workspace root, report absolute paths: the runner and
# upload-sarif make those relative to the repository, while a path relative
# to working-directory would point at the wrong file.
if [[ $here != "$workspace" ]]; then
  for i in "${!paths[@]}"; do
    paths[i]=$(absolute "${paths[i]}")
  done
fi

extra=()
read -r -d '' -a extra <<<"${WSLINT_ARGS:-}" || true

format=${WSLINT_FORMAT:-github}
tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/wslint.XXXXXX")
json="$tmp/report.json"

sarif=${WSLINT_SARIF_FILE:-}
if [[ -n $sarif ]]; then
  mkdir -p -- "$(dirname -- "$sarif")"
  sarif=$(absolute "$sarif")
fi

cmd=(wslint check --format "$format" --report "json=$json")
if [[ -n ${WSLINT_FAIL_ON:-} ]]; then cmd+=(--fail-on "$WSLINT_FAIL_ON"); fi
if [[ -n $sarif ]]; then cmd+=(--report "sarif=$sarif"); fi
cmd+=(${extra[@]+"${extra[@]}"} -- "${paths[@]}")

printf 'Running:'
printf ' %q' "${cmd[@]}"
printf '\n'

# Only the github format is meant to issue workflow commands; any other
# report is printed with command processing stopped.
token=
if [[ $format != github ]]; then
  token="wslint-$RANDOM$RANDOM$RANDOM$RANDOM"
  echo "::stop-commands::$token"
fi
set +e
"${cmd[@]}"
rc=$?
set -e
if [[ -n $token ]]; then echo "::$token::"; fi

errors=
warnings=
summary=
if [[ -s $json ]]; then
  if ! command -v jq >/dev/null 2>&1; then
    echo "::warning title=wslint::jq not found: no counts and no step summary (GitHub-hosted runners have jq)"
  elif counts=$(jq -r '[(map(select(.severity == "error")) | length), (map(select(.severity == "warning")) | length)] | @tsv' "$json") &&
    summary=$(jq -r --arg workspace "$workspace/" --argjson max 500 --argjson rc "$rc" \
      -f "${GITHUB_ACTION_PATH:?}/action/summary.jq" "$json"); then
    IFS=$'\t' read -r errors warnings <<<"$counts"
  else
    echo "::warning title=wslint::could not read wslint's JSON report"
  fi
else
  summary=$(printf '### wslint\n\nwslint stopped with exit code %s before writing a report: see the step log.\n' "$rc")
fi
if [[ -n $summary && -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  printf '%s\n' "$summary" >>"$GITHUB_STEP_SUMMARY"
fi

if [[ -n $sarif && ! -f $sarif ]]; then sarif=; fi
delimiter="wslint_$RANDOM$RANDOM$RANDOM$RANDOM"
{
  echo "errors=$errors"
  echo "warnings=$warnings"
  printf 'sarif-file<<%s\n%s\n%s\n' "$delimiter" "$sarif" "$delimiter"
} >>"${GITHUB_OUTPUT:?}"
rm -rf -- "$tmp"
exit "$rc"
