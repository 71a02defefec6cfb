//! A library's own source is not a call site of it: a `node_modules/` or
//! vendored copy, or the library's own package, named on the command line,
//! is read and reported clean, while the same code in the application is
//! reported.

mod common;

use common::{json_in, tree};

/// The shape of a client library's own source: it opens the browser's
/// socket, pings every 30 s and reconnects after every close.
const LIBRARY: &str = r#"export class Socket {
  constructor(url, opts = {}) { this.url = url; this.ms = opts.heartbeatIntervalMs || 30000; }
  connect() {
    this.conn = new WebSocket(this.url);
    this.conn.onclose = () => { console.log("closed"); setTimeout(() => this.connect(), 1000); };
    this.timer = setInterval(() => this.conn.send("hb"), 30000);
  }
}
"#;

fn codes_for(files: &[(&str, &str)], named: &str) -> Vec<String> {
    let dir = tree(files);
    let (items, out) = json_in(dir.path(), &[named]);
    assert!(out.status.code() != Some(2), "{}", common::stderr(&out));
    items
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_same_code_in_the_application_is_reported() {
    let codes = codes_for(&[("src/socket.js", LIBRARY)], "src/socket.js");
    assert!(codes.contains(&"WS101".to_string()), "{codes:?}");
}

#[test]
fn named_dependency_and_vendored_copies_are_silent() {
    for path in [
        "node_modules/socketish/dist/index.js",
        "web/node_modules/socketish/index.mjs",
        "assets/vendor/socketish.js",
        "third_party/socketish/index.js",
    ] {
        let codes = codes_for(&[(path, LIBRARY)], path);
        assert!(codes.is_empty(), "{path}: {codes:?}");
    }
}

#[test]
fn a_library_package_of_its_own_is_silent() {
    let codes = codes_for(
        &[
            (
                "package.json",
                r#"{ "name": "phoenix", "version": "1.8.17" }"#,
            ),
            ("assets/js/phoenix/socket.js", LIBRARY),
        ],
        "assets/js/phoenix/socket.js",
    );
    assert!(codes.is_empty(), "{codes:?}");
    // Another package's name: the application's code.
    let codes = codes_for(
        &[
            ("package.json", r#"{ "name": "my-app" }"#),
            ("assets/js/socket.js", LIBRARY),
        ],
        "assets/js/socket.js",
    );
    assert!(codes.contains(&"WS101".to_string()), "{codes:?}");
}

#[test]
fn python_servers_in_site_packages_are_silent() {
    let server = "import socketio\nsio = socketio.AsyncServer(async_mode=\"asgi\")\n";
    let codes = codes_for(&[("app/realtime.py", server)], "app/realtime.py");
    assert_eq!(codes, ["WS201"]);
    let path = ".venv/lib/python3.12/site-packages/socketio/example.py";
    let codes = codes_for(&[(path, server)], path);
    assert!(codes.is_empty(), "{codes:?}");
}
