#!/usr/bin/env bash
# Runs one cargo-fuzz target for a while, with a seed corpus made from the
# fixtures. Usage: scripts/fuzz.sh TARGET [SECONDS]
#   TARGET: apache | nginx | haproxy | kubernetes | terraform | typescript | component | python | config
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP=1
# enables them. Crashes land in fuzz/artifacts/TARGET/; turn each into a
# regression fixture (fixtures/ or tests/hostile.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh apache|nginx|haproxy|kubernetes|terraform|typescript|component|python|config [SECONDS]}
seconds=${2:-300}
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
seeds="target/fuzz-seeds/$target"
rm -rf "$seeds"
mkdir -p "$seeds"
case $target in
  apache) pattern='\.(conf|vhost)$|\.htaccess$' ;;
  nginx) pattern='fixtures/(nginx|demo)/.*\.(conf|j2|erb|template)$' ;;
  haproxy) pattern='fixtures/haproxy/.*\.cfg$' ;;
  kubernetes) pattern='fixtures/kubernetes/.*\.ya?ml$' ;;
  terraform) pattern='fixtures/terraform/.*\.tf$' ;;
  typescript) pattern='\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$' ;;
  component) pattern='\.(vue|svelte)$' ;;
  python) pattern='\.pyi?$' ;;
  config) pattern='(wslint|pyproject)\.toml$' ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
i=0
while IFS= read -r f; do
  i=$((i + 1))
  if [[ $target == typescript ]]; then
    # The first byte picks the grammar: 0 TypeScript, 1 TSX.
    case $f in *.ts|*.mts|*.cts) printf '\0' ;; *) printf '\1' ;; esac >"$seeds/$i"
    cat "$f" >>"$seeds/$i"
  elif [[ $target == component ]]; then
    # The first byte picks the framework: 0 Vue, 1 Svelte.
    case $f in *.vue) printf '\0' ;; *) printf '\1' ;; esac >"$seeds/$i"
    cat "$f" >>"$seeds/$i"
  else
    cp "$f" "$seeds/$i"
  fi
done < <(find fixtures tests/data -type f | grep -E "$pattern" | sort)
echo "seed corpus: $i files from fixtures/ in $seeds"
mkdir -p "fuzz/corpus/$target"
RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" "$seeds" -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
