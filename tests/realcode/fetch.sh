#!/bin/sh
# Bring the public files of tests/realcode/FILES.tsv into target/realcode/
# (git-ignored, never committed), at the commits listed there:
#
#     tests/realcode/fetch.sh [DEST]          # default target/realcode
#
# Each repository is fetched once, shallow, at its commit (GitHub serves a
# public commit by its id), and only the listed paths are written, under
# DEST/<owner>+<repo>/<path>. With REALCODE_MIRRORS=DIR, repositories are read
# from DIR/<owner>+<repo>/repo (a local bare or non-bare clone that has the
# commit) instead of the network. Then: python3 scripts/realcode.py DEST
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-target/realcode}
list="$here/FILES.tsv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dest"

tail -n +2 "$list" | cut -f1,2 | sort -u | while IFS="$(printf '\t')" read -r repo commit; do
    folder=$(printf '%s' "$repo" | sed 's#/#+#')
    if [ -n "${REALCODE_MIRRORS:-}" ]; then
        gitdir="$REALCODE_MIRRORS/$folder/repo"
        [ -d "$gitdir/.git" ] && gitdir="$gitdir/.git"
    else
        gitdir="$tmp/$folder.git"
        git init -q --bare "$gitdir"
        git --git-dir="$gitdir" fetch -q --depth 1 "https://github.com/$repo.git" "$commit"
    fi
    tail -n +2 "$list" | awk -F '\t' -v r="$repo" '$1 == r { print $3 }' | while IFS= read -r path; do
        mkdir -p "$dest/$folder/$(dirname "$path")"
        git --git-dir="$gitdir" show "$commit:$path" > "$dest/$folder/$path"
    done
    echo "$repo@$commit"
done
