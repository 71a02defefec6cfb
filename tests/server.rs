//! `wslint server` over real stdio: the built binary, driven as an editor
//! drives it (JSON-RPC frames with Content-Length headers).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::sources::{NGINX_SHORT, SOCKET, hook};

const WAIT: Duration = Duration::from_secs(20);

/// A client speaking to one `wslint server` process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    /// Every message received so far, in order.
    seen: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(cwd: &Path, env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wslint"));
        cmd.arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start wslint server");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_frame(&mut r) {
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming: rx,
            seen: Vec::new(),
            next_id: 0,
        }
    }

    /// Started and initialized, with `options` as initializationOptions.
    fn initialized(cwd: &Path, env: &[(&str, &str)], options: Value) -> Client {
        let mut c = Client::start(cwd, env);
        let id = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(cwd),
                "capabilities": {
                    "workspace": {
                        "workspaceEdit": { "documentChanges": true },
                        "didChangeWatchedFiles": { "dynamicRegistration": true }
                    }
                },
                "initializationOptions": options,
            }),
        );
        let init = c.response(id);
        assert_eq!(init["result"]["serverInfo"]["name"], "wslint", "{init}");
        let caps = &init["result"]["capabilities"];
        assert_eq!(caps["textDocumentSync"]["change"], 1, "{caps}");
        assert_eq!(caps["hoverProvider"], true, "{caps}");
        assert_eq!(caps["positionEncoding"], "utf-16", "{caps}");
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_vec(&msg).unwrap();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// A message received so far, or the next one, that satisfies `pred`.
    fn seen_or_wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        match self.seen.iter().find(|m| pred(m)) {
            Some(m) => m.clone(),
            None => self.wait_for(what, pred),
        }
    }

    /// The next message received that satisfies `pred` (messages before it
    /// are kept in `seen`).
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) => {
                    self.seen.push(msg.clone());
                    if pred(&msg) {
                        return msg;
                    }
                }
                Err(_) => panic!(
                    "timed out waiting for {what}; received:\n{}",
                    self.seen
                        .iter()
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("the response to request {id}"), |m| {
            m["id"] == id && m.get("method").is_none()
        })
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    /// The next publication of no diagnostics for `uri`.
    fn clean(&mut self, uri: &str, what: &str) -> Value {
        self.wait_for(what, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["diagnostics"].as_array().unwrap().is_empty()
        })["params"]
            .clone()
    }

    /// The next diagnostics published for `uri` at `version`.
    fn diagnostics_at(&mut self, uri: &str, version: i64) -> Value {
        self.wait_for(
            &format!("diagnostics for {uri} at version {version}"),
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && m["params"]["version"] == version
            },
        )["params"]
            .clone()
    }

    fn open(&mut self, uri: &str, lang: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": lang, "version": version, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown`, then `exit`: the process ends with status 0.
    fn shutdown(mut self) {
        let id = self.request("shutdown", Value::Null);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{r}");
        assert_eq!(r["result"], Value::Null);
        self.notify("exit", Value::Null);
        let status = self.wait_exit();
        assert_eq!(
            status.code(),
            Some(0),
            "exit after shutdown is a clean exit"
        );
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A project folder with `files`, canonical.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("wslint.toml"), "").unwrap();
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

/// A project with `socket.ts` (a 30 s heartbeat) open in a started server,
/// its WS101 published: the folder guard, the root, the URI, the text.
fn open_hook() -> (tempfile::TempDir, PathBuf, String, String, Client) {
    let (t, root) = project(&[]);
    let file = root.join("socket.ts");
    let text = hook("30_000");
    std::fs::write(&file, &text).unwrap();
    let u = uri(&file);
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.open(&u, "typescript", 1, &text);
    assert_eq!(codes(&c.diagnostics_at(&u, 1)), ["WS101"]);
    (t, root, u, text, c)
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// Where `needle` starts in `text`: LSP's line and UTF-16 column.
fn utf16_position(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count();
    (
        line as u64,
        text[line_start..at].encode_utf16().count() as u64,
    )
}

#[test]
fn diagnostics_on_open_change_and_save_are_of_the_unsaved_text_in_utf16() {
    // On disk the heartbeat is fine; the editor's text is what counts.
    let (_t, root) = project(&[("src/socket.ts", &hook("20_000"))]);
    let file = root.join("src/socket.ts");
    let u = uri(&file);
    let mut c = Client::initialized(&root, &[], Value::Null);

    let bad = hook("30_000");
    c.open(&u, "typescript", 1, &bad);
    let d = c.diagnostics_at(&u, 1);
    assert_eq!(codes(&d), ["WS101"], "{d}");
    let diag = &d["diagnostics"][0];
    assert_eq!(diag["source"], "wslint");
    assert_eq!(diag["severity"], 1, "an error");
    // The reported use of HEARTBEAT_MS follows an emoji (two UTF-16 units,
    // one Unicode scalar, four bytes) and an `é` on its line.
    let (line, col) = utf16_position(&bad, "HEARTBEAT_MS);");
    assert_eq!(diag["range"]["start"]["line"], line, "{diag}");
    assert_eq!(diag["range"]["start"]["character"], col, "{diag}");
    assert_eq!(
        diag["range"]["end"]["character"],
        col + "HEARTBEAT_MS".len() as u64
    );
    // Where the value came from, as related information in the same file.
    let related = &diag["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], u.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 0);

    c.change(&u, 2, &hook("20_000"));
    let d = c.diagnostics_at(&u, 2);
    assert_eq!(codes(&d), Vec::<String>::new(), "{d}");

    c.change(&u, 3, &bad);
    assert_eq!(codes(&c.diagnostics_at(&u, 3)), ["WS101"]);
    // Saving checks again (the file on disk is unchanged here: the editor's
    // text still counts).
    c.notify("textDocument/didSave", json!({"textDocument": {"uri": u}}));
    assert_eq!(codes(&c.diagnostics_at(&u, 3)), ["WS101"]);

    // Closing clears them.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let d = c.diagnostics(&u);
    assert_eq!(codes(&d), Vec::<String>::new());
    c.shutdown();
}

#[test]
fn an_unsaved_constant_in_another_buffer_counts() {
    let (_t, root) = project(&[
        ("src/constants.ts", "export const HEARTBEAT_MS = 20_000;\n"),
        ("src/socket.ts", SOCKET),
    ]);
    let socket = uri(&root.join("src/socket.ts"));
    let constants = uri(&root.join("src/constants.ts"));
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.open(&socket, "typescript", 1, SOCKET);
    assert_eq!(codes(&c.diagnostics_at(&socket, 1)), Vec::<String>::new());

    // The constant, changed in the editor and not saved: the module that
    // imports it is checked again, with the unsaved value.
    c.open(
        &constants,
        "typescript",
        1,
        "export const HEARTBEAT_MS = 20_000;\n",
    );
    c.change(&constants, 2, "export const HEARTBEAT_MS = 45_000;\n");
    let d = c.diagnostics_at(&socket, 1);
    let d = if codes(&d).is_empty() {
        // The first re-check may have read version 1 of the constant.
        c.diagnostics_at(&socket, 1)
    } else {
        d
    };
    assert_eq!(codes(&d), ["WS101"], "{d}");
    let diag = &d["diagnostics"][0];
    assert!(diag["message"].as_str().unwrap().contains("45"), "{diag}");
    // The label points into the other buffer, by the editor's URI.
    let related = diag["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"] == constants.as_str()),
        "{diag}"
    );

    // Closed without saving: the file on disk counts again.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": constants}}),
    );
    let d = c.clean(&socket, "the importer checked against the disk");
    assert_eq!(d["version"], 1);
    c.shutdown();
}

#[test]
fn hover_shows_the_rule_doc_as_explain_prints_it() {
    let (_t, _, u, text, mut c) = open_hook();
    let (line, col) = utf16_position(&text, "HEARTBEAT_MS);");
    let id = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": line, "character": col + 3}}),
    );
    let r = c.response(id);
    let explain = Command::new(env!("CARGO_BIN_EXE_wslint"))
        .args(["explain", "WS101"])
        .output()
        .unwrap();
    let doc = String::from_utf8(explain.stdout).unwrap();
    assert_eq!(r["result"]["contents"]["kind"], "markdown");
    assert_eq!(r["result"]["contents"]["value"].as_str().unwrap(), doc);
    assert_eq!(r["result"]["range"]["start"]["character"], col);

    // Nothing under the cursor: no hover.
    let id = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 0}}),
    );
    assert_eq!(c.response(id)["result"], Value::Null);
    c.shutdown();
}

#[test]
fn a_newer_change_cancels_the_stale_check_and_cancel_request_is_honoured() {
    let (_t, root) = project(&[]);
    let file = root.join("socket.ts");
    std::fs::write(&file, hook("20_000")).unwrap();
    let u = uri(&file);
    // Each check waits 1 s before it starts: the messages below arrive
    // while the first one is still running.
    let mut c = Client::initialized(
        &root,
        &[("WSLINT_DEBUG_CHECK_DELAY_MS", "1000")],
        Value::Null,
    );
    c.open(&u, "typescript", 1, &hook("30_000"));
    c.change(&u, 2, &hook("20_000"));
    let first = c.diagnostics(&u);
    assert_eq!(
        first["version"], 2,
        "the check of version 1 was dropped: {first}"
    );
    assert_eq!(codes(&first), Vec::<String>::new());

    // A code action asked while its document's check runs waits for it;
    // the editor cancels it.
    c.change(&u, 3, &hook("30_000"));
    let id = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": u},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 20, "character": 0}},
            "context": {"diagnostics": []}
        }),
    );
    c.notify("$/cancelRequest", json!({"id": id}));
    let r = c.response(id);
    assert_eq!(r["error"]["code"], -32800, "RequestCancelled: {r}");
    assert_eq!(codes(&c.diagnostics_at(&u, 3)), ["WS101"]);
    c.shutdown();
}

#[test]
fn configuration_changes_apply_without_a_restart() {
    let (_t, root, u, _, mut c) = open_hook();

    // The configuration file changed on disk: the editor's file watcher
    // says so.
    let config = root.join("wslint.toml");
    std::fs::write(&config, "[client]\nheartbeat_max_ms = 40000\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    let d = c.diagnostics_at(&u, 1);
    assert_eq!(codes(&d), Vec::<String>::new(), "{d}");

    // The editor's own settings.
    std::fs::write(&config, "").unwrap();
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"wslint": {"ignore": ["WS101"]}}}),
    );
    assert_eq!(codes(&c.diagnostics_at(&u, 1)), Vec::<String>::new());
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"wslint": {"select": "WS1"}}}),
    );
    assert_eq!(codes(&c.diagnostics_at(&u, 1)), ["WS101"]);

    // The configuration file open in the editor: its problems as typed,
    // and once saved broken, the others say why their findings are gone.
    let bad = "[client]\nheartbeat_max = 1\n";
    c.open(&uri(&config), "toml", 1, bad);
    let d = c.diagnostics_at(&uri(&config), 1);
    assert_eq!(d["diagnostics"][0]["range"]["start"]["line"], 1, "{d}");
    std::fs::write(&config, bad).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let shown = c.wait_for("a message about the configuration", |m| {
        m["method"] == "window/showMessage"
    });
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("wslint.toml"),
        "{shown}"
    );
    c.shutdown();
}

#[test]
fn a_panic_in_a_check_is_logged_and_the_server_goes_on() {
    let (_t, root) = project(&[]);
    let text = hook("30_000");
    for name in ["boom.ts", "crash.ts", "fine.ts"] {
        std::fs::write(root.join(name), &text).unwrap();
    }
    let mut c = Client::initialized(
        &root,
        &[
            // In the server's check, outside the pipeline's guards.
            ("WSLINT_DEBUG_SERVER_PANIC_ON", "boom.ts"),
            // Inside the pipeline's per-file guard.
            ("WSLINT_DEBUG_PANIC_ON", "crash.ts"),
        ],
        Value::Null,
    );
    c.open(&uri(&root.join("boom.ts")), "typescript", 1, &text);
    let log = c.wait_for("the panic logged", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("internal error") && s.contains("boom.ts"))
    });
    assert_eq!(log["params"]["type"], 1, "an error: {log}");
    let boom = uri(&root.join("boom.ts"));
    let d = c.diagnostics_at(&boom, 1);
    assert_eq!(codes(&d), ["WS002"], "not an empty list: {d}");

    let crash = uri(&root.join("crash.ts"));
    c.open(&crash, "typescript", 1, &text);
    let d = c.diagnostics_at(&crash, 1);
    assert_eq!(codes(&d), ["WS002"], "{d}");
    c.seen_or_wait("the run's error logged", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("internal error while checking"))
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("crash.ts"))
    });

    // Still serving.
    let fine = uri(&root.join("fine.ts"));
    c.open(&fine, "typescript", 1, &text);
    assert_eq!(codes(&c.diagnostics_at(&fine, 1)), ["WS101"]);
    c.shutdown();
}

#[test]
fn shutdown_and_exit_follow_the_protocol() {
    let (_t, root) = project(&[]);
    // Unknown requests are refused; after shutdown every request is.
    let mut c = Client::initialized(&root, &[], Value::Null);
    let id = c.request("textDocument/definition", json!({}));
    assert_eq!(c.response(id)["error"]["code"], -32601);
    let id = c.request("shutdown", Value::Null);
    assert_eq!(c.response(id)["result"], Value::Null);
    let id = c.request("textDocument/hover", json!({}));
    assert_eq!(c.response(id)["error"]["code"], -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(0));

    // `exit` without `shutdown`: exit code 1, as the protocol asks.
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));

    // The editor closing the pipe ends the server too.
    let mut c = Client::initialized(&root, &[], Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

/// `text` with LSP text edits applied (positions in UTF-16 code units).
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = pos["line"].as_u64().unwrap() as usize;
        let character = pos["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, ch) in text[start..].char_indices() {
            if units >= character || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

fn code_actions(c: &mut Client, u: &str, line: u64, only: Option<&str>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(kind) = only {
        context["only"] = json!([kind]);
    }
    let id = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": u},
            "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": context
        }),
    );
    let r = c.response(id);
    r["result"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("{r}"))
}

#[test]
fn the_ignore_action_inserts_a_comment_that_silences_the_finding() {
    let (_t, _, u, text, mut c) = open_hook();
    let (line, _) = utf16_position(&text, "HEARTBEAT_MS);");

    // Nothing for kinds it does not offer; nothing away from a finding.
    assert!(code_actions(&mut c, &u, line, Some("refactor")).is_empty());
    assert!(code_actions(&mut c, &u, 2, None).is_empty());

    let actions = code_actions(&mut c, &u, line, Some("quickfix"));
    let ignore = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Ignore WS101"))
        .unwrap_or_else(|| panic!("{actions:?}"));
    assert_eq!(ignore["kind"], "quickfix");
    assert_eq!(ignore["isPreferred"], false);
    assert_eq!(ignore["diagnostics"][0]["code"], "WS101");
    let change = &ignore["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["uri"], u.as_str());
    assert_eq!(change["textDocument"]["version"], 1);
    let fixed = apply_edits(&text, change["edits"].as_array().unwrap());
    assert!(fixed.contains("// wslint-ignore WS101"), "{fixed}");

    c.change(&u, 2, &fixed);
    let d = c.diagnostics_at(&u, 2);
    assert_eq!(
        codes(&d),
        Vec::<String>::new(),
        "silenced, and the comment is used: {d}"
    );
    c.shutdown();
}

#[test]
fn fix_actions_apply_safe_fixes_preferred_and_mark_unsafe_ones() {
    let (_t, root) = project(&[]);
    let file = root.join("nginx/site.conf");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, NGINX_SHORT).unwrap();
    let u = uri(&file);
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.open(&u, "nginx", 1, NGINX_SHORT);
    let d = c.diagnostics_at(&u, 1);
    assert_eq!(codes(&d), ["WS301"], "{d}");
    let line = d["diagnostics"][0]["range"]["start"]["line"]
        .as_u64()
        .unwrap();

    let actions = code_actions(&mut c, &u, line, None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles[0].starts_with("Fix WS301: "), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("Ignore WS301")),
        "{titles:?}"
    );
    let fix = &actions[0];
    assert_eq!(
        fix["isPreferred"], true,
        "a safe fix is the preferred action"
    );
    let edits = fix["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    let fixed = apply_edits(NGINX_SHORT, edits);
    assert!(fixed.contains("proxy_read_timeout 60s;"), "{fixed}");
    c.change(&u, 2, &fixed);
    assert_eq!(codes(&c.diagnostics_at(&u, 2)), Vec::<String>::new());

    // No read timeout on the hop: the fix adds one, which changes what
    // the proxy does beyond the finding.
    let unset = NGINX_SHORT.replace("        proxy_read_timeout 30s;\n", "");
    c.change(&u, 3, &unset);
    let d = c.diagnostics_at(&u, 3);
    assert_eq!(codes(&d), ["WS302"], "{d}");
    let line = d["diagnostics"][0]["range"]["start"]["line"]
        .as_u64()
        .unwrap();
    let actions = code_actions(&mut c, &u, line, Some("quickfix"));
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Fix WS302"))
        .unwrap_or_else(|| panic!("{actions:?}"));
    assert!(
        fix["title"].as_str().unwrap().contains("(unsafe"),
        "an unsafe fix says so: {fix}"
    );
    assert_eq!(fix["isPreferred"], false);
    let edits = fix["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    c.change(&u, 4, &apply_edits(&unset, edits));
    assert_eq!(codes(&c.diagnostics_at(&u, 4)), Vec::<String>::new());
    c.shutdown();
}

#[test]
fn a_proxy_file_is_checked_again_when_the_client_heartbeat_changes_in_another_buffer() {
    let client = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/projects/ws303-fires/web/src/jobsSocket.ts"),
    )
    .unwrap();
    let vhost = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/projects/ws303-fires/deploy/apache2/jobs.conf"),
    )
    .unwrap();
    // On disk, the client module does not open its socket yet.
    let (_t, root) = project(&[
        (
            "web/src/jobsSocket.ts",
            "export const HEARTBEAT_MS = 25_000;\n",
        ),
        ("deploy/apache2/jobs.conf", &vhost),
    ]);
    std::fs::write(
        root.join("wslint.toml"),
        "[client]\nheartbeat_max_ms = 30000\n",
    )
    .unwrap();
    let proxy = uri(&root.join("deploy/apache2/jobs.conf"));
    let socket = uri(&root.join("web/src/jobsSocket.ts"));
    let mut c = Client::initialized(&root, &[], Value::Null);
    // No heartbeat in the project: nothing for WS303 to compare with.
    c.open(&proxy, "apache", 1, &vhost);
    assert_eq!(codes(&c.diagnostics_at(&proxy, 1)), Vec::<String>::new());

    // The client module written in the editor, unsaved, with a 25 s
    // heartbeat: the vhost's 60 s is not 3 x 25 s. The vhost is checked
    // again without being touched.
    c.open(&socket, "typescript", 1, &client);
    c.wait_for("the vhost checked again, with WS303", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == proxy.as_str()
            && m["params"]["diagnostics"][0]["code"] == "WS303"
    });

    // Edited to a 15 s heartbeat: 60 s is enough.
    c.change(&socket, 2, &client.replace("25_000", "15_000"));
    let d = c.clean(&proxy, "the vhost checked again, clean");
    assert_eq!(d["version"], 1);
    c.shutdown();
}

#[test]
fn a_buffer_not_saved_yet_is_checked_on_its_own() {
    let (_t, root) = project(&[]);
    let u = uri(&root.join("src/new.ts"));
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.open(&u, "typescript", 1, &hook("30_000"));
    let d = c.diagnostics_at(&u, 1);
    assert_eq!(codes(&d), ["WS101"], "not an I/O error: {d}");
    c.shutdown();
}

#[test]
fn a_fix_in_another_file_is_one_workspace_edit_naming_the_open_buffer() {
    let constants = "export const HEARTBEAT_MS = 30_000;\n";
    let (_t, root) = project(&[("src/constants.ts", constants), ("src/socket.ts", SOCKET)]);
    let socket = uri(&root.join("src/socket.ts"));
    let defining = uri(&root.join("src/constants.ts"));
    let mut c = Client::initialized(&root, &[], Value::Null);
    c.open(&defining, "typescript", 4, constants);
    c.open(&socket, "typescript", 1, SOCKET);
    let d = c.diagnostics_at(&socket, 1);
    assert_eq!(codes(&d), ["WS101"], "{d}");
    let line = d["diagnostics"][0]["range"]["start"]["line"]
        .as_u64()
        .unwrap();
    let actions = code_actions(&mut c, &socket, line, None);
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Fix WS101"))
        .unwrap_or_else(|| panic!("{actions:?}"));
    let changes = fix["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{fix}");
    // The value is set where it is defined: the other module, by the URI
    // and version of its open buffer.
    assert_eq!(changes[0]["textDocument"]["uri"], defining.as_str());
    assert_eq!(changes[0]["textDocument"]["version"], 4);
    let fixed = apply_edits(constants, changes[0]["edits"].as_array().unwrap());
    assert_eq!(fixed, "export const HEARTBEAT_MS = 20_000;\n");
    c.change(&defining, 5, &fixed);
    let d = c.clean(&socket, "the importer checked again, clean");
    assert_eq!(d["version"], 1);
    c.shutdown();
}
