#!/usr/bin/env python3
"""Measure wslint's proxy rules on real configuration judged by hand.

    scripts/realcode.py CORPUS [--wslint PATH] [--show all|miss|false]

CORPUS holds one folder per repository (`owner+repo/...`, as fetched, never
committed here) and a JUDGED.md table whose rows are

    | `repo/path:line` | product | route | verdict | note |

with verdict one of ok, default-timeout, short-timeout,
missing-upgrade-headers, headers-dropped-by-level, http1.0, other. Each
repository folder is checked as a project of its own (a `wslint.toml` with
every key at its default is written into it when it has none). A verdict
expects: default-timeout -> WS302, short-timeout -> WS301 (or WS303),
missing-upgrade-headers / headers-dropped-by-level / http1.0 -> WS307, ok ->
none of them; `other` rows are not scored. A finding belongs to a row when
it points at the row's line or labels it (WS301 points at the directive
that sets the timeout and labels the routes it governs).

Prints one line per row (with --show) and the totals: hits, misses, false
reports (a finding on an `ok` row, or a wrong code).
"""
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

EXPECT = {
    "default-timeout": {"WS302"},
    "short-timeout": {"WS301", "WS303"},
    "missing-upgrade-headers": {"WS307"},
    "headers-dropped-by-level": {"WS307"},
    "http1.0": {"WS307"},
    "ok": set(),
}
ROUTE_CODES = {"WS301", "WS302", "WS303", "WS307"}


def rows(corpus):
    out = []
    for line in open(os.path.join(corpus, "JUDGED.md"), encoding="utf-8"):
        m = re.match(r"\|\s*`([^`]+):(\d+)`\s*\|\s*(\w+)\s*\|(.*?)\|\s*([\w.-]+)\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        path, ln, product, route, verdict, note = m.groups()
        out.append((path, int(ln), product, route.strip(), verdict, note.strip()))
    return out


def run(wslint, repo_dir):
    toml = os.path.join(repo_dir, "wslint.toml")
    made = False
    if not os.path.exists(toml):
        open(toml, "w").write("# measured by scripts/realcode.py\n")
        made = True
    try:
        p = subprocess.run(
            [wslint, "check", "--format", "json", "."],
            cwd=repo_dir, capture_output=True, text=True, timeout=120,
        )
    finally:
        if made:
            os.remove(toml)
    if p.returncode not in (0, 1):
        print(f"{repo_dir}: exit {p.returncode}: {p.stderr.strip()[:300]}", file=sys.stderr)
        return []
    return json.loads(p.stdout or "[]")


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    corpus = args[0]
    wslint = "target/release/wslint"
    show = "miss"
    if "--wslint" in args:
        wslint = args[args.index("--wslint") + 1]
    if "--show" in args:
        show = args[args.index("--show") + 1]
    wslint = os.path.abspath(wslint)
    judged = rows(corpus)
    by_repo = defaultdict(list)
    for r in judged:
        by_repo[r[0].split("/", 1)[0]].append(r)
    found = {}
    for repo in sorted(by_repo):
        found[repo] = run(wslint, os.path.join(corpus, repo))
    totals = defaultdict(int)
    for repo, rs in sorted(by_repo.items()):
        diags = found[repo]
        for path, ln, product, route, verdict, note in rs:
            rel = path.split("/", 1)[1]
            codes = set()
            for d in diags:
                if d["code"] not in ROUTE_CODES:
                    continue
                # Apache rows name the RewriteCond or vhost line near the
                # rule the finding points at.
                slack = 3 if product == "apache" else 0
                here = d["path"] == rel and abs(d["line"] - ln) <= slack
                labelled = any(
                    l["path"] == rel and abs(l["line"] - ln) <= slack
                    for l in d.get("labels", [])
                )
                if here or labelled:
                    codes.add(d["code"])
            if verdict not in EXPECT:
                totals["unscored"] += 1
                continue
            want = EXPECT[verdict]
            if want:
                status = "hit" if codes & want else "miss"
            else:
                status = "false" if codes else "ok"
            extra = codes - want - ({"WS303"} if want else set())
            if status == "hit" and extra:
                status = "hit+extra"
            totals[status] += 1
            totals[f"{product}:{status}"] += 1
            if show == "all" or (show == "miss" and status != "ok" and status != "hit") or (show == status):
                print(f"{status:9} {product:7} {path}:{ln} [{verdict}] got {sorted(codes) or '-'}  {route}")
    # Findings on files no row judges: printed for review.
    print()
    for k in sorted(totals):
        print(f"{k}: {totals[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
