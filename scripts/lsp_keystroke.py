#!/usr/bin/env python3
"""How long `wslint server` takes from a keystroke to the diagnostics of it.

A scripted LSP session over stdio, as an editor drives it: a 500-line React
client hook (a socket with a heartbeat imported from another module, and the
rest of a real hook's code around it) is opened, then typed into one
character at a time; each change is sent as the editor sends it (the whole
text, version + 1) and timed until `textDocument/publishDiagnostics` for
that version arrives. Then a burst: 20 changes sent back to back, timed
until the last version's diagnostics (the stale checks are cancelled).

    scripts/lsp_keystroke.py                       # builds the release binary
    scripts/lsp_keystroke.py --wslint target/release/wslint --keystrokes 200
    # instructions per keystroke, whatever the load: the difference of two
    # sessions under callgrind, divided by the difference in keystrokes
    scripts/lsp_keystroke.py --no-burst --keystrokes 1 --wrap 'valgrind --tool=callgrind --trace-children=no'
    scripts/lsp_keystroke.py --no-burst --keystrokes 21 --wrap 'valgrind --tool=callgrind --trace-children=no'

Prints the median, 90th percentile and maximum; BENCHMARKS.md has the
numbers. Standard library only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import queue
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hook_text(lines=500):
    head = '''import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { HEARTBEAT_MS } from "./constants";

type JobStatus = "queued" | "running" | "done" | "failed" | "cancelled";

interface JobEvent {
  type: string;
  jobId: string;
  status?: JobStatus;
  progress?: number;
  message?: string;
}

interface JobState {
  id: string;
  status: JobStatus;
  progress: number;
  log: string[];
}

const TERMINAL_CLOSE_CODES = new Set([1000, 1008, 4001, 4003, 4004, 4403]);
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

export function useJobsSocket(url: string, token: string | null) {
  const [jobs, setJobs] = useState<Record<string, JobState>>({});
  const [connected, setConnected] = useState(false);
  const attempts = useRef(0);
  const socketRef = useRef<WebSocket | null>(null);

  useEffect(() => {
    if (!token) return;
    let stopped = false;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const connect = () => {
      const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
      socketRef.current = ws;
      ws.onopen = () => {
        attempts.current = 0;
        setConnected(true);
        heartbeat = setInterval(() => ws.send(JSON.stringify({ type: "ping" })), HEARTBEAT_MS);
      };
      ws.onmessage = (event) => {
        const data: JobEvent = JSON.parse(event.data);
        handleEvent(data);
      };
      ws.onclose = (event) => {
        clearInterval(heartbeat);
        setConnected(false);
        if (stopped || TERMINAL_CLOSE_CODES.has(event.code)) return;
        const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** attempts.current);
        attempts.current += 1;
        retry = setTimeout(connect, delay);
      };
    };

    const handleEvent = (data: JobEvent) => {
      switch (data.type) {
'''
    out = head.splitlines()
    n = 0
    # One case per event kind, until the switch is about half the file.
    while len(out) < lines // 2:
        out += [
            f'        case "job.step{n}":',
            "          setJobs((prev) => ({",
            "            ...prev,",
            f"            [data.jobId]: {{ ...(prev[data.jobId] ?? emptyJob(data.jobId)), progress: data.progress ?? {n} }},",
            "          }));",
            "          break;",
        ]
        n += 1
    out += [
        "        default:",
        "          break;",
        "      }",
        "    };",
        "",
        "    connect();",
        "    return () => {",
        "      stopped = true;",
        "      clearInterval(heartbeat);",
        "      clearTimeout(retry);",
        "      socketRef.current?.close(1000);",
        "    };",
        "  }, [url, token]);",
        "",
        "  const running = useMemo(() => Object.values(jobs).filter((j) => j.status === \"running\"), [jobs]);",
        "  const cancel = useCallback((id: string) => {",
        "    socketRef.current?.send(JSON.stringify({ type: \"cancel\", jobId: id }));",
        "  }, []);",
        "  return { jobs, running, connected, cancel };",
        "}",
        "",
        "function emptyJob(id: string): JobState {",
        '  return { id, status: "queued", progress: 0, log: [] };',
        "}",
        "",
    ]
    k = 0
    while len(out) < lines - 1:
        out += [
            f"export function formatStep{k}(job: JobState): string {{",
            "  const pct = Math.round(job.progress * 100);",
            f'  return `${{job.id}} step {k}: ${{pct}}% (${{job.status}})`;',
            "}",
            "",
        ]
        k += 1
    return "\n".join(out[:lines]) + "\n"


class Server:
    def __init__(self, exe, cwd, wrap=()):
        self.p = subprocess.Popen(
            [*wrap, exe, "server"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.q = queue.Queue()
        self.next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        f = self.p.stdout
        while True:
            length = None
            while True:
                line = f.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.q.put((time.perf_counter(), json.loads(f.read(length))))

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def request(self, method, params):
        self.next += 1
        self.send({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params})
        return self.next

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, pred, timeout=30):
        deadline = time.perf_counter() + timeout
        while True:
            at, msg = self.q.get(timeout=max(0.0, deadline - time.perf_counter()))
            if pred(msg):
                return at, msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wslint", help="the binary (default: build target/release/wslint)")
    ap.add_argument("--keystrokes", type=int, default=100)
    ap.add_argument("--lines", type=int, default=500)
    ap.add_argument("--no-burst", action="store_true", help="skip the burst")
    ap.add_argument("--wrap", default="", help="run the server under this command "
                    "(e.g. 'valgrind --tool=callgrind' to count instructions)")
    args = ap.parse_args()
    exe = args.wslint
    if not exe:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "release", "wslint")
    exe = os.path.abspath(exe)

    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.realpath(tmp)
        os.makedirs(os.path.join(root, "src"))
        open(os.path.join(root, "wslint.toml"), "w").close()
        with open(os.path.join(root, "src", "constants.ts"), "w") as f:
            f.write("export const HEARTBEAT_MS = 30_000;\n")
        path = os.path.join(root, "src", "useJobsSocket.ts")
        text = hook_text(args.lines)
        with open(path, "w") as f:
            f.write(text)
        uri = "file://" + path
        s = Server(exe, root, args.wrap.split())
        s.request("initialize", {"processId": None, "rootUri": "file://" + root, "capabilities": {}})
        s.wait(lambda m: m.get("id") == 1)
        s.notify("initialized", {})

        def published(version):
            return lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and m["params"].get("version") == version
            )

        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "typescript", "version": 1, "text": text}})
        _, first = s.wait(published(1))
        codes = [d["code"] for d in first["params"]["diagnostics"]]

        # Type into the comment-free middle of the file: a character added
        # to a string, one per keystroke.
        anchor = text.index("step 0:")
        times = []
        version = 1
        typed = ""
        for i in range(args.keystrokes):
            typed += "abcdefghij"[i % 10]
            version += 1
            new = text[:anchor] + typed + text[anchor:]
            t0 = time.perf_counter()
            s.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": new}]})
            at, msg = s.wait(published(version))
            times.append((at - t0) * 1000)
            assert [d["code"] for d in msg["params"]["diagnostics"]] == codes

        # A burst: 20 keystrokes with no wait; the last one's diagnostics.
        t0 = time.perf_counter()
        for i in range(0 if args.no_burst else 20):
            typed += "x"
            version += 1
            s.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text[:anchor] + typed + text[anchor:]}]})
        if not args.no_burst:
            at, _ = s.wait(published(version))
        burst = (at - t0) * 1000

        s.request("shutdown", None)
        s.wait(lambda m: m.get("id") == s.next)
        s.notify("exit", None)
        s.p.wait(timeout=10)

    times.sort()
    p90 = times[max(0, int(len(times) * 0.9) - 1)]
    print(f"file: {args.lines} lines, findings {codes}")
    print(f"keystroke -> diagnostics, {len(times)} keystrokes: "
          f"median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, max {times[-1]:.1f} ms")
    if not args.no_burst:
        print(f"burst of 20 keystrokes -> diagnostics of the last: {burst:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
