#!/usr/bin/env bash
# The benchmark harness (BENCHMARKS.md): wslint against the read floor
# (`rg -l -i websocket`) on a generated tree, cold and with a warm cache,
# pre-commit style runs on ten named files and on one proxy file, the dense
# corpus (every file websocket code) per language against the parse alone
# of the same files, peak memory, and scaling with the tree's size.
#
# Every cold row passes --no-cache; rows with a warm cache say so.
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
out=$(cd "$out" && pwd)

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

dense_corpus() { # dense MB -> the folder
  local mb=$1 dir=$out/dense-$1
  if [[ ! -f $dir/.complete ]]; then
    "$gen" --dense --mb "$mb" --out "$dir" >&2
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
apache_one=$(cd "$dir" && find deploy/apache2 -name '*.conf' | sort | head -n 1)

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
  # The cache: cold, then warm, and the same output.
  rm -rf "$dir/.wslint_cache"
  for _ in 1 2 3; do
    (cd "$dir" && "$wslint" check -q --format concise . >"$out/cached.txt") || [[ $? == 1 ]]
  done
  (cd "$dir" && "$wslint" check -q --format concise --no-cache . >"$out/uncached.txt") || [[ $? == 1 ]]
  cmp -s "$out/cached.txt" "$out/uncached.txt" || { echo "bench smoke: cached output differs" >&2; exit 1; }
  # The dense corpus, each language, whole and parse alone.
  dense=$(dense_corpus 1)
  for lang in clients servers deploy; do
    for extra in "" --parse-only; do
      set +e
      "$wslint" check "$dense/$lang" -q --format concise --no-cache --jobs 1 $extra >/dev/null
      rc=$?
      set -e
      [[ $rc == 0 || $rc == 1 ]] || { echo "bench smoke: dense $lang $extra exited with $rc" >&2; exit 1; }
    done
  done
  echo "bench smoke: ok ($files files, ${#named[@]} named, dense $(find "$dense" -type f | wc -l) files)"
  exit 0
fi

need hyperfine hyperfine
need rg ripgrep

if $fix; then
  # Every command runs on a fresh copy of the tree with no cache (the copy
  # is not timed): `--fix` rewrites it, and the others must read what it
  # read. The plain run keeps no cache; `--diff` and `--fix` use theirs, as
  # they do by default (their later rounds take the unchanged modules'
  # results from the first).
  copy=$out/fix-copy-$files
  hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$out/fix.md" \
    --prepare "rm -rf $copy && cp -a $dir $copy && rm -rf $copy/.wslint_cache" \
    -n "wslint" "$wslint check $copy -q --no-cache --format concise" \
    -n "wslint --diff" "$wslint check $copy -q --diff" \
    -n "wslint --fix" "$wslint check $copy -q --fix --format concise" \
    -n "wslint --fix --no-cache" "$wslint check $copy -q --fix --no-cache --format concise"
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

cold="-q --format concise --no-cache"
warm="-q --format concise"
hyperfine --warmup 2 --runs "$runs" -i --export-markdown "$out/tree.md" \
  -n "rg -l -i websocket" "rg -l -i websocket $dir" \
  -n "wslint" "$wslint check $dir $cold" \
  -n "wslint, warm cache" "$wslint check $dir $warm" \
  -n "rg -l -i websocket -j1" "rg -l -i websocket -j1 $dir" \
  -n "wslint --jobs 1" "$wslint check $dir $cold --jobs 1" \
  -n "wslint --jobs 1, warm cache" "$wslint check $dir $warm --jobs 1"
# The first run with an empty cache (it writes its entries) against the
# second.
hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$out/cache.md" \
  -n "wslint, first run (empty cache)" --prepare "rm -rf $dir/.wslint_cache" "$wslint check $dir $warm" \
  -n "wslint, second run" --prepare "rm -rf $dir/.wslint_cache; $wslint check $dir $warm >/dev/null; true" "$wslint check $dir $warm"
# What Kubernetes manifests and Terraform cost the whole-tree run: the
# same tree with every .yaml, .yml and .tf excluded.
printf '[files]\nexclude = ["*.yaml", "*.yml", "*.tf"]\n' >"$dir/wslint-no-manifests.toml"
hyperfine --warmup 2 --runs "$runs" -i --export-markdown "$out/manifests.md" \
  -n "wslint" "$wslint check $dir $cold" \
  -n "wslint, YAML and Terraform excluded" "$wslint check $dir $cold --config $dir/wslint-no-manifests.toml"
# The same ten files with the heartbeat pinned in the configuration: WS303
# then needs no search of the project's clients. With the websocket paths
# pinned too, WS307 needs no search of the project's endpoints and socket
# URLs for the Apache vhosts' routes.
printf '[client]\nheartbeat_ms = 20000\n' >"$dir/wslint-pinned.toml"
printf '[client]\nheartbeat_ms = 20000\n\n[proxy]\nwebsocket_paths = ["/ws"]\n' >"$dir/wslint-pinned-paths.toml"
# Written well before the timed runs: a configuration changed in the same
# instant as a run keeps that run from storing its cache entry.
touch -d '-1 minute' "$dir"/wslint-pinned*.toml "$dir"
hyperfine --warmup 3 --runs "$((runs * 3))" -i --export-markdown "$out/precommit.md" \
  -n "wslint, 10 named files" "cd $dir && $wslint check $cold ${named[*]}" \
  -n "wslint, 10 named files, heartbeat pinned" "cd $dir && $wslint check $cold --config wslint-pinned.toml ${named[*]}" \
  -n "wslint, 10 named files, heartbeat and websocket paths pinned" "cd $dir && $wslint check $cold --config wslint-pinned-paths.toml ${named[*]}" \
  -n "wslint, 8 named files, no Apache file" "cd $dir && $wslint check $cold ${named[*]:0:6} ${named[*]:8}" \
  -n "wslint, 1 nginx file, heartbeat pinned" "cd $dir && $wslint check $cold --config wslint-pinned.toml $nginx_one" \
  -n "wslint, 1 HAProxy file, heartbeat pinned" "cd $dir && $wslint check $cold --config wslint-pinned.toml $haproxy_one" \
  -n "wslint, 1 Apache file, nothing pinned" "cd $dir && $wslint check $cold $apache_one" \
  -n "wslint, 1 Apache file, nothing pinned, warm cache" "cd $dir && $wslint check $warm $apache_one" \
  -n "wslint, 1 nginx file, nothing pinned, warm cache" "cd $dir && $wslint check $warm $nginx_one" \
  -n "wslint, 10 named files, warm cache" "cd $dir && $wslint check $warm ${named[*]}"

# The dense corpus: every file websocket code. Each language's project
# checked whole against the parse alone of the same files (--parse-only
# reads, prefilters and parses, then stops), at one thread and at the
# default.
dense=$(dense_corpus "${DENSE_MB:-40}")
rg -l -i websocket "$dense" >/dev/null || true
for lang in clients servers deploy; do
  hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$out/dense-$lang.md" \
    -n "parse only, $lang, --jobs 1" "$wslint check $dense/$lang $cold --jobs 1 --parse-only" \
    -n "wslint, $lang, --jobs 1" "$wslint check $dense/$lang $cold --jobs 1" \
    -n "parse only, $lang" "$wslint check $dense/$lang $cold --parse-only" \
    -n "wslint, $lang" "$wslint check $dense/$lang $cold"
done
hyperfine --warmup 1 --runs "$runs" -i --export-markdown "$out/dense-all.md" \
  -n "rg -l -i websocket, dense" "rg -l -i websocket $dense" \
  -n "wslint, dense" "$wslint check $dense $cold" \
  -n "wslint, dense, warm cache" "$wslint check $dense $warm"

half=$(corpus "$((files / 2))")
hyperfine --warmup 2 --runs "$runs" -i --export-markdown "$out/scaling.md" \
  -n "wslint, $((files / 2)) files" "$wslint check $half $cold" \
  -n "wslint, $files files" "$wslint check $dir $cold"

rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1; }
{
  echo "## Whole tree"; echo; cat "$out/tree.md"; echo
  echo "## Cache: first and second run"; echo; cat "$out/cache.md"; echo
  echo "## Kubernetes manifests and Terraform"; echo; cat "$out/manifests.md"; echo
  echo "## Pre-commit: ten named files"; echo; cat "$out/precommit.md"; echo
  echo "Files: ${named[*]}; nginx: $nginx_one; HAProxy: $haproxy_one; Apache: $apache_one"; echo
  echo "## Dense corpus ($(du -sm "$dense" | cut -f1) MB, $(find "$dense" -type f | wc -l) files)"; echo
  for lang in clients servers deploy all; do cat "$out/dense-$lang.md"; echo; done
  echo "## Scaling"; echo; cat "$out/scaling.md"; echo
  echo "## Peak memory (max RSS)"; echo
  echo "| command | KiB |"
  echo "|---|---|"
  echo "| wslint, $files files | $(rss "$wslint" check "$dir" $cold) |"
  echo "| wslint --jobs 1, $files files | $(rss "$wslint" check "$dir" $cold --jobs 1) |"
  echo "| wslint, dense | $(rss "$wslint" check "$dense" $cold) |"
  echo "| wslint --jobs 1, dense | $(rss "$wslint" check "$dense" $cold --jobs 1) |"
  for lang in clients servers deploy; do
    echo "| wslint, dense $lang | $(rss "$wslint" check "$dense/$lang" $cold) |"
  done
  echo "| rg -l -i websocket | $(rss rg -l -i websocket "$dir") |"
} >>"$results"
cat "$results"
