#!/usr/bin/env bash
# The benchmark harness (BENCHMARKS.md): wslint against the read floor
# (`rg -l -i websocket`) on a generated tree, pre-commit style runs on ten
# named files and on one nginx or HAProxy file, peak memory, and scaling
# with the tree's size.
#
#   scripts/bench.sh [FILES] [RUNS]     default: 50000 files, 10 runs
#   scripts/bench.sh --fix [FILES] [RUNS]
#                                       `--fix` and `--diff` against a plain
#                                       run, each on a fresh copy of the tree
#   scripts/bench.sh --smoke            a few hundred files, a debug build,
#                                        no timing: proves the harness works
#                                        (tests/bench_smoke.rs runs it)
#
# Needs hyperfine and ripgrep (Debian packages; installed when missing and
# running as root). Results: target/bench/results-FILES.md.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
fix=false
if [[ ${1:-} == --fix ]]; then
  fix=true
  shift
fi
if [[ ${1:-} == --smoke ]]; then
  smoke=true
  files=300
  runs=1
else
  files=${1:-50000}
  runs=${2:-10}
fi
out=${BENCH_OUT:-target/bench}
mkdir -p "$out"

need() {
  command -v "$1" >/dev/null 2>&1 && return
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    { apt-get install -y -qq "$2" || { apt-get update -qq && apt-get install -y -qq "$2"; }; } >/dev/null
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is needed (Debian package $2)" >&2; exit 2; }
}

if $smoke; then
  profile=debug
  cargo build --quiet --bin wslint --example gen_corpus
else
  profile=release
  cargo build --release --quiet --bin wslint --example gen_corpus
fi
wslint=$PWD/target/$profile/wslint
gen=$PWD/target/$profile/examples/gen_corpus

corpus() { # corpus N -> the folder, generated once per size
  local n=$1 dir=$out/corpus-$1
  if [[ ! -f $dir/.complete ]]; then
    "$gen" --files "$n" --out "$dir" >&2
    # The corpus is its own project (a wslint.toml at its root).
    printf '[files]\nexclude = []\n' >"$dir/wslint.toml"
    touch "$dir/.complete"
  fi
  echo "$dir"
}

dir=$(corpus "$files")
# Ten files as pre-commit would name them: clients, endpoints, Apache
# vhosts, and ordinary modules, relative to the project root.
mapfile -t named < <(cd "$dir" && {
  find apps -name 'use*Socket*.ts' | sort | head -n 3
  find services -name 'ws_*.py' | sort | head -n 3
  find deploy/apache2 -name '*.conf' | sort | head -n 2
  find apps -name '*.tsx' | sort | head -n 2
})
# One nginx conf.d file and one HAProxy file, as a commit that touches only
# the proxy would name them.
nginx_one=$(cd "$dir" && find deploy -path '*nginx/conf.d/*.conf' | sort | head -n 1)
haproxy_one=$(cd "$dir" && find deploy/haproxy -name '*.cfg' | sort | head -n 1)

if $smoke; then
  # No timing: every command the benchmark times must run and end well.
  for jobs in 0 1; do
    args=(check "$dir" -q --format concise)
    [[ $jobs == 1 ]] && args+=(--jobs 1)
    set +e
    "$wslint" "${args[@]}" >/dev/null
    rc=$?
    set -e
    [[ $rc == 0 || $rc == 1 ]] || { echo "bench smoke: wslint exited with $rc" >&2; exit 1; }
  done
  (cd "$dir" && "$wslint" check -q --format concise "${named[@]}" >/dev/null) || [[ $? == 1 ]]
  (cd "$dir" && "$wslint" check -q --format concise "$nginx_one" "$haproxy_one" >/dev/null) || [[ $? == 1 ]]
  rm -rf "$out/fix-copy" && cp -a "$dir" "$out/fix-copy"
  "$wslint" check "$out/fix-copy" -q --diff >/dev/null || [[ $? == 1 ]]
  "$wslint" check "$out/fix-copy" -q --fix --format concise >/dev/null || [[ $? == 1 ]]
  echo "bench smoke: ok ($files files, ${#named[@]} named)"
  exit 0
fi

need hyperfine hyperfine
need rg ripgrep

if $fix; then
  # Every command runs on a fresh copy of the tree (the copy is not timed):
  # `--fix` rewrites it, and the others must read what it read.
  copy=$out/fix-copy-$files
  hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$out/fix.md" \
    --prepare "rm -rf $copy && cp -a $dir $copy" \
    -n "wslint" "$wslint check $copy -q --format concise" \
    -n "wslint --diff" "$wslint check $copy -q --diff" \
    -n "wslint --fix" "$wslint check $copy -q --fix --format concise"
  rm -rf "$copy" && cp -a "$dir" "$copy"
  "$wslint" check "$copy" -q --fix --format concise >/dev/null 2>"$out/fix-stderr.txt" || true
  { echo "## --fix, $files files"; echo; cat "$out/fix.md"; echo; tail -n 1 "$out/fix-stderr.txt"; } | tee "$out/results-fix-$files.md"
  exit 0
fi
results=$out/results-$files.md
{
  echo "# wslint benchmark, $files files ($(date -u +%Y-%m-%d))"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
  echo "wslint: $("$wslint" --version); rg: $(rg --version | head -n 1); hyperfine: $(hyperfine --version)"
  echo
} >"$results"

# A warm page cache for everyone.
rg -l -i websocket "$dir" >/dev/null || true

hyperfine --warmup 2 --runs "$runs" -i --export-markdown "$out/tree.md" \
  -n "rg -l -i websocket" "rg -l -i websocket $dir" \
  -n "wslint" "$wslint check $dir -q --format concise" \
  -n "rg -l -i websocket -j1" "rg -l -i websocket -j1 $dir" \
  -n "wslint --jobs 1" "$wslint check $dir -q --format concise --jobs 1"
# The same ten files with the heartbeat pinned in the configuration: WS303
# then needs no search of the project's clients. With the websocket paths
# pinned too, WS307 needs no search of the project's endpoints and socket
# URLs for the Apache vhosts' routes.
printf '[client]\nheartbeat_ms = 20000\n' >"$dir/wslint-pinned.toml"
printf '[client]\nheartbeat_ms = 20000\n\n[proxy]\nwebsocket_paths = ["/ws"]\n' >"$dir/wslint-pinned-paths.toml"
hyperfine --warmup 3 --runs "$((runs * 3))" -i --export-markdown "$out/precommit.md" \
  -n "wslint, 10 named files" "cd $dir && $wslint check -q --format concise ${named[*]}" \
  -n "wslint, 10 named files, heartbeat pinned" "cd $dir && $wslint check -q --format concise --config wslint-pinned.toml ${named[*]}" \
  -n "wslint, 10 named files, heartbeat and websocket paths pinned" "cd $dir && $wslint check -q --format concise --config wslint-pinned-paths.toml ${named[*]}" \
  -n "wslint, 8 named files, no Apache file" "cd $dir && $wslint check -q --format concise ${named[*]:0:6} ${named[*]:8}" \
  -n "wslint, 1 nginx file, heartbeat pinned" "cd $dir && $wslint check -q --format concise --config wslint-pinned.toml $nginx_one" \
  -n "wslint, 1 HAProxy file, heartbeat pinned" "cd $dir && $wslint check -q --format concise --config wslint-pinned.toml $haproxy_one"

half=$(corpus "$((files / 2))")
hyperfine --warmup 2 --runs "$runs" -i --export-markdown "$out/scaling.md" \
  -n "wslint, $((files / 2)) files" "$wslint check $half -q --format concise" \
  -n "wslint, $files files" "$wslint check $dir -q --format concise"

rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }
{
  echo "## Whole tree"; echo; cat "$out/tree.md"; echo
  echo "## Pre-commit: ten named files"; echo; cat "$out/precommit.md"; echo
  echo "Files: ${named[*]}; nginx: $nginx_one; HAProxy: $haproxy_one"; echo
  echo "## Scaling"; echo; cat "$out/scaling.md"; echo
  echo "## Peak memory (max RSS)"; echo
  echo "| command | KiB |"
  echo "|---|---|"
  echo "| wslint, $files files | $(rss "$wslint" check "$dir" -q --format concise) |"
  echo "| wslint --jobs 1, $files files | $(rss "$wslint" check "$dir" -q --format concise --jobs 1) |"
  echo "| rg -l -i websocket | $(rss rg -l -i websocket "$dir") |"
} >>"$results"
cat "$results"
