#!/usr/bin/env bash
# Step 1 of action.yml: where the action keeps its wslint build, and the cache
# key for it. The key hashes everything the binary is built from (manifest,
# lock file, sources, rule docs), so a cached build is reused exactly while
# that source is unchanged. The build's bin/ goes on PATH for the steps after.
set -euo pipefail

cd "${GITHUB_ACTION_PATH:?}"
if command -v sha256sum >/dev/null 2>&1; then
  sum=(sha256sum)
else
  sum=(shasum -a 256) # macOS
fi
hash=$(find Cargo.toml Cargo.lock src rules -type f -print0 |
  LC_ALL=C sort -z | xargs -0 "${sum[@]}" | "${sum[@]}" | cut -c1-32)
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?}}/wslint/$version-$hash"
# ImageOS (ubuntu22, ubuntu24, ...) keeps a build off an image with an older C library.
key="wslint-$version-${RUNNER_OS:-}-${RUNNER_ARCH:-}-${ImageOS:-}-$hash"

{
  echo "root=$root"
  echo "key=$key"
} >>"${GITHUB_OUTPUT:?}"
echo "$root/bin" >>"${GITHUB_PATH:?}"
echo "wslint $version, source $hash, build in $root"
