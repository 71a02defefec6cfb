//! Whether a mention of a WebSocket in a TypeScript/JavaScript file can
//! matter to a rule, told from the bytes before any parse: the second half
//! of the client prefilter.
//!
//! A file passes the first half by containing the word "websocket" (any
//! case). Some files contain it only where no rule looks: a comment, or
//! an `import type` statement. Such a file is as relevant as the same file
//! without the word, which the prefilter never reads.
//!
//! A type annotation does count: it is how the model tells a browser
//! socket handed in as a parameter (`function leave(ws: WebSocket) {
//! ws.close(1001) }`, WS109's own example) from a Node one. So does every
//! other mention: `new WebSocket(`, `useWebSocket(`, `WebSocket.OPEN`, a
//! string (`transports: ["websocket"]`), an import of the value, JSX text.
//! When unsure, a mention counts.

/// Whether the mention of "websocket" at `at` (a range of `text`, which is
/// ASCII-lowercased) counts.
pub fn counts(text: &[u8], at: std::ops::Range<usize>) -> bool {
    let line_start = text[..at.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = &text[line_start..at.start];
    let trimmed = trim_start(line);
    // A comment: a line comment before it on the line, or a line of a
    // block comment (` * ...`, `/* ...`).
    if trimmed.starts_with(b"//") || trimmed.starts_with(b"/*") || trimmed.starts_with(b"*") {
        return false;
    }
    if line_comment_before(line) {
        return false;
    }
    // `import type { WebSocket } from "ws"`, `export type { ... } from`.
    if trimmed.starts_with(b"import type ") || trimmed.starts_with(b"export type {") {
        return false;
    }
    // `import { type WebSocket } from "ws"` (one line).
    if trimmed.starts_with(b"import") && trimmed.ends_with(b"type ") {
        return false;
    }
    true
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

/// A `//` that starts a comment before the mention on its line: after a
/// space, `;`, `,`, `{`, `}` or `)` (never `:`, so `ws://` is a URL), with
/// no quote or backtick before it on the line (it is then likely inside a
/// string).
fn line_comment_before(line: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < line.len() {
        match line[i] {
            b'"' | b'\'' | b'`' => return false,
            b'/' if line[i + 1] == b'/' => {
                return i == 0
                    || matches!(line[i - 1], b' ' | b'\t' | b';' | b',' | b'{' | b'}' | b')');
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relevant(src: &str) -> bool {
        let text = src.to_ascii_lowercase();
        let bytes = text.as_bytes();
        memchr::memmem::find_iter(bytes, b"websocket").any(|i| counts(bytes, i..i + 9))
    }

    #[test]
    fn mentions_that_count() {
        for src in [
            "const ws = new WebSocket(url);",
            "const ws: WebSocket = new WebSocket(url);",
            "const { sendMessage } = useWebSocket(url, { heartbeat: true });",
            "if (ws.readyState === WebSocket.OPEN) ws.send(x);",
            "if (s instanceof WebSocket) s.close();",
            "io(url, { transports: [\"websocket\"] });",
            "import WebSocket from \"ws\";",
            "import { WebSocket } from \"ws\";",
            "import ReconnectingWebSocket from \"reconnecting-websocket\";",
            "const rws = new ReconnectingWebSocket(url);",
            "const url = \"wss://api.example.com/websocket\";",
            "return <p>WebSocket closed</p>;",
            "const s = ok ? socket : WebSocket;",
            "const sockets = new Map<string, WebSocket>();",
            "export function leave(ws: WebSocket): void { ws.close(1001); }",
            "const ref = useRef<WebSocket | null>(null);",
        ] {
            assert!(relevant(src), "{src}");
        }
    }

    #[test]
    fn mentions_no_rule_reads() {
        for src in [
            "// reconnects the WebSocket after a drop\nexport const x = 1;",
            "/**\n * Wraps a WebSocket.\n */\nexport function f() {}",
            "const x = 1; // not a websocket",
            "import type { WebSocket } from \"ws\";",
            "import { type WebSocket, other } from \"ws\";",
        ] {
            assert!(!relevant(src), "{src}");
        }
    }
}
