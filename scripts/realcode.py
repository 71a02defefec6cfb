#!/usr/bin/env python3
"""Measure wslint on real code judged by hand (issue 13; results in ACCURACY.md).

    scripts/realcode.py [CORPUS] [--manifest FILE] [--wslint PATH]
                        [--tolerance N] [--show all|disagree|none] [--json FILE]

CORPUS (default target/realcode) holds one folder per repository,
`owner+repo/<repo-relative path>`, fetched at the commits the manifest lists
and never committed here. This script fetches nothing and changes nothing
but a temporary `wslint.toml` (below).

The manifest (default tests/realcode/MANIFEST.tsv) is a TSV with the header

    repo  commit  path  family  rule  line  verdict  reason

one row per (file, checklist item) judged by reading the code: `family` is
client, server or proxy; `rule` the WS code of the item; `verdict` `defect`
(with the `line` a finding should point at) or `ok` (with `line` `-`).

Each repository folder present under CORPUS is checked once, as a project of
its own: `wslint check --format json --no-gitignore --exit-zero .` run in
the folder (`--no-gitignore` because CORPUS lives under this repository's
git-ignored `target/`). When the folder has no `wslint.toml`, one with every
key at its default is written for the run and removed after, so that this
repository's configuration is never the one found.

Scoring, per (file, rule) the manifest judges:

- a `defect` row is a hit when a finding of that rule on that file points at
  the row's line, or labels it, within TOLERANCE lines (default 3: a finding
  may sit on the `useWebSocket(` call or on its `shouldReconnect:` option,
  on a `location` or on the directive inside it); otherwise a miss;
- a finding of a rule the file has rows for that matches no `defect` row of
  it is a false report (on an `ok` row, or at another place than the one
  judged); several findings on one hit row count once;
- a finding of a rule the file has no row for, or on a file without rows,
  is "unjudged": listed for a human to review, never scored.

precision = hits / (hits + false reports), recall = hits / defect rows,
per family. Rows whose file is not present under CORPUS are reported as
skipped. The exit status is always 0: this is a measurement, not a test.
"""
import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict

FAMILIES = ("client", "server", "proxy")
DEFAULT_TOML = "# written by scripts/realcode.py for one run: every key at its default\n"


def read_manifest(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        want = ["repo", "commit", "path", "family", "rule", "line", "verdict", "reason"]
        if header != want:
            sys.exit(f"{path}: header must be {' '.join(want)}, got {' '.join(header)}")
        for n, line in enumerate(f, start=2):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != len(want):
                print(f"{path}:{n}: {len(cols)} columns, expected {len(want)}: skipped", file=sys.stderr)
                continue
            row = dict(zip(want, cols))
            row["n"] = n
            if row["verdict"] not in ("defect", "ok") or row["family"] not in FAMILIES:
                print(f"{path}:{n}: bad verdict or family: skipped", file=sys.stderr)
                continue
            row["line"] = int(row["line"]) if row["verdict"] == "defect" else None
            row["folder"] = row["repo"].replace("/", "+", 1)
            rows.append(row)
    return rows


def run_wslint(wslint, folder):
    toml = os.path.join(folder, "wslint.toml")
    made = not any(os.path.exists(os.path.join(folder, n)) for n in ("wslint.toml", ".wslint.toml"))
    if made:
        with open(toml, "w") as f:
            f.write(DEFAULT_TOML)
    try:
        p = subprocess.run(
            [wslint, "check", "--format", "json", "--no-gitignore", "--exit-zero", "."],
            cwd=folder, capture_output=True, text=True, timeout=300,
        )
    finally:
        if made:
            os.remove(toml)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.strip()[:300]}"
    try:
        return json.loads(p.stdout or "[]"), None
    except json.JSONDecodeError as e:
        return None, f"output is not JSON: {e}"


def norm(path):
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def places(diag):
    """(path, line) pairs a finding points at or labels."""
    out = [(norm(diag["path"]), diag["line"])]
    for label in diag.get("labels") or []:
        if "path" in label and "line" in label:
            out.append((norm(label["path"]), label["line"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default="target/realcode")
    ap.add_argument("--manifest", default="tests/realcode/MANIFEST.tsv")
    ap.add_argument("--wslint", default="target/release/wslint")
    ap.add_argument("--tolerance", type=int, default=3)
    ap.add_argument("--show", choices=("all", "disagree", "none"), default="disagree")
    ap.add_argument("--json", help="also write every row's outcome and every finding to this file")
    args = ap.parse_args()

    wslint = os.path.abspath(args.wslint)
    if not os.access(wslint, os.X_OK):
        print(f"no wslint binary at {wslint} (cargo build --release)", file=sys.stderr)
        return 0
    rows = read_manifest(args.manifest)
    by_folder = defaultdict(list)
    for r in rows:
        by_folder[r["folder"]].append(r)

    skipped, errors, findings = [], [], {}
    for folder in sorted(by_folder):
        full = os.path.join(args.corpus, folder)
        present = [r for r in by_folder[folder] if os.path.isfile(os.path.join(full, r["path"]))]
        skipped += [r for r in by_folder[folder] if r not in present]
        if not present:
            continue
        diags, err = run_wslint(wslint, full)
        if err:
            errors.append((folder, err))
            skipped += present
            continue
        findings[folder] = diags
    skip_ids = {id(r) for r in skipped}

    # Judged (file, rule) pairs, with their rows.
    judged = defaultdict(list)
    for r in rows:
        if id(r) not in skip_ids:
            judged[(r["folder"], r["path"], r["rule"])].append(r)

    hit_rows = set()
    false_reports, unjudged = [], []
    for folder, diags in findings.items():
        for d in diags:
            path = norm(d["path"])
            key = (folder, path, d["code"])
            if key not in judged:
                unjudged.append((folder, path, d))
                continue
            matched = False
            for r in judged[key]:
                if r["verdict"] != "defect":
                    continue
                if any(p == r["path"] and abs(l - r["line"]) <= args.tolerance for p, l in places(d)):
                    hit_rows.add(id(r))
                    matched = True
            if not matched:
                ok_rows = [r for r in judged[key] if r["verdict"] == "ok"]
                why = ok_rows[0] if ok_rows else judged[key][0]
                false_reports.append((why, path, d))

    outcome = {}
    for r in rows:
        if id(r) in skip_ids:
            outcome[id(r)] = "skipped"
        elif r["verdict"] == "defect":
            outcome[id(r)] = "hit" if id(r) in hit_rows else "miss"
        else:
            flagged = any(fr[0] is r for fr in false_reports)
            outcome[id(r)] = "false" if flagged else "ok"

    print(f"wslint: {wslint}")
    print(f"manifest: {args.manifest} ({len(rows)} rows), corpus: {args.corpus}, tolerance: ±{args.tolerance} lines")
    for folder, err in errors:
        print(f"error: {folder}: {err}")
    print()
    print(f"{'family':8} {'rows':>5} {'defect':>7} {'hit':>5} {'miss':>5} {'false':>6} {'skip':>5} {'precision':>10} {'recall':>7}")
    totals = {}
    for fam in FAMILIES + ("all",):
        fr = [r for r in rows if fam == "all" or r["family"] == fam]
        live = [r for r in fr if id(r) not in skip_ids]
        defects = [r for r in live if r["verdict"] == "defect"]
        hits = sum(1 for r in defects if id(r) in hit_rows)
        falses = sum(1 for f in false_reports if fam == "all" or f[0]["family"] == fam)
        prec = hits / (hits + falses) if hits + falses else None
        rec = hits / len(defects) if defects else None
        totals[fam] = dict(rows=len(fr), defect=len(defects), hit=hits, miss=len(defects) - hits,
                           false=falses, skipped=len(fr) - len(live), precision=prec, recall=rec)
        fmt = lambda x: "-" if x is None else f"{x:.2f}"
        print(f"{fam:8} {len(fr):>5} {len(defects):>7} {hits:>5} {len(defects) - hits:>5} {falses:>6} "
              f"{len(fr) - len(live):>5} {fmt(prec):>10} {fmt(rec):>7}")

    if args.show != "none":
        for fam in FAMILIES:
            misses = [r for r in rows if r["family"] == fam and outcome[id(r)] == "miss"]
            falses = [f for f in false_reports if f[0]["family"] == fam]
            if not misses and not falses and args.show != "all":
                continue
            print(f"\n== {fam}")
            for r in misses:
                print(f"miss   {r['rule']} {r['repo']}/{r['path']}:{r['line']}  -- {r['reason']}")
            for row, path, d in falses:
                print(f"false  {d['code']} {row['repo']}/{path}:{d['line']}  {d['message'][:160]}")
                print(f"         judged: [{row['verdict']}{'' if row['line'] is None else ' line ' + str(row['line'])}] {row['reason']}")
            if args.show == "all":
                for r in rows:
                    if r["family"] == fam and outcome[id(r)] in ("hit", "ok"):
                        loc = "" if r["line"] is None else f":{r['line']}"
                        print(f"{outcome[id(r)]:6} {r['rule']} {r['repo']}/{r['path']}{loc}")
        if unjudged:
            print("\n== unjudged (a code the manifest has no row for on that file): review by hand")
            for folder, path, d in sorted(unjudged, key=lambda u: (u[0], u[1], u[2]["line"], u[2]["code"])):
                print(f"{d['code']} {folder.replace('+', '/', 1)}/{path}:{d['line']}  {d['message'][:160]}")
        if skipped:
            print("\n== skipped (file not present under the corpus)")
            for r in skipped:
                print(f"{r['rule']} {r['repo']}/{r['path']} (fetch {r['commit']})")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({
                "totals": totals,
                "rows": [{k: r[k] for k in ("repo", "commit", "path", "family", "rule", "line", "verdict", "reason")}
                         | {"outcome": outcome[id(r)]} for r in rows],
                "false_reports": [{"repo": row["repo"], "path": p, "code": d["code"], "line": d["line"],
                                   "message": d["message"], "judged": row["reason"]} for row, p, d in false_reports],
                "unjudged": [{"repo": fo.replace("+", "/", 1), "path": p, "code": d["code"], "line": d["line"],
                              "message": d["message"]} for fo, p, d in unjudged],
                "errors": errors,
            }, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
