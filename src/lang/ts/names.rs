//! What names say in client code: socket-like receivers, reconnect-like
//! calls, terminal-set names, calls that surface nothing to the user.
//!
//! Every heuristic here errs on the side of silence: a name that might be
//! something else is not taken as the thing a rule reports about.

/// The words of an identifier, lower-cased: `wsRef` -> [ws, ref],
/// `HEARTBEAT_MS` -> [heartbeat, ms], `_socket2` -> [socket].
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && !cur.is_empty()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The name a member path is known by: its last segment, skipping React's
/// `.current` (`wsRef.current` -> `wsRef`).
pub fn base_name(path: &str) -> &str {
    let mut segs = path.rsplit('.');
    let last = segs.next().unwrap_or(path);
    if last == "current" {
        segs.next().unwrap_or(last)
    } else {
        last
    }
}

/// Whether a receiver named so is a WebSocket: `ws`, `wsRef.current`,
/// `this.socket`, `webSocket`, `rws`. Not `client`, `channel` or
/// `connection`, which are as often HTTP clients, BroadcastChannels or
/// WebRTC connections.
pub fn is_socket_name(path: &str) -> bool {
    let mut w = words(base_name(path));
    // `wsRef`, `socketInstance`, `rawSocket`: the socket word is the last
    // one once such suffixes are dropped (`wsUrl`, `socketId` are not sockets).
    while w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("ref" | "instance" | "client" | "conn" | "connection" | "obj" | "current")
        )
    {
        w.pop();
    }
    w.last().is_some_and(|l| {
        matches!(
            l.as_str(),
            "ws" | "wss" | "websocket" | "socket" | "sock" | "rws"
        )
    })
}

/// A call that (re)opens a connection by its name: `reconnect`,
/// `scheduleReconnect`, `connect`, `connectSocket`, `retry`,
/// `openSocket`. Not `disconnect`, `onReconnect` (a callback), `setReconnecting`
/// (React state), `isConnected`, `shouldReconnect` (a predicate).
pub fn is_reconnect_name(name: &str) -> bool {
    let w = words(name);
    let Some(first) = w.first() else {
        return false;
    };
    if matches!(
        first.as_str(),
        "on" | "set"
            | "is"
            | "has"
            | "should"
            | "can"
            | "get"
            | "emit"
            | "handle"
            | "clear"
            | "cancel"
            | "stop"
            | "disconnect"
            | "log"
            | "notify"
            | "track"
            | "report"
    ) {
        return false;
    }
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "reconnect" | "connect" | "retry" | "reopen" | "resubscribe"
        )
    }) || (first == "open"
        && w.iter()
            .skip(1)
            .any(|x| matches!(x.as_str(), "socket" | "ws" | "websocket" | "connection")))
}

/// A set named as the codes after which a client stops:
/// `TERMINAL_CLOSE_CODES`, `FATAL_CODES`, `NO_RECONNECT_CODES`,
/// `nonRetryableCloseCodes`.
pub fn is_terminal_set_name(name: &str) -> bool {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    if !(has("codes") || has("code")) {
        return false;
    }
    if negated_retry(&w) {
        return true;
    }
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "terminal" | "fatal" | "permanent" | "final" | "unrecoverable" | "stop"
        )
    })
}

/// A set named as the codes after which a client does reconnect:
/// `RETRYABLE_CODES`, `RECONNECT_CODES`, `transientCloseCodes`.
pub fn is_retry_set_name(name: &str) -> bool {
    let w = words(name);
    if negated_retry(&w) {
        return false;
    }
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "retry"
                | "retryable"
                | "retriable"
                | "reconnect"
                | "reconnectable"
                | "transient"
                | "recoverable"
                | "temporary"
        )
    })
}

fn negated_retry(w: &[String]) -> bool {
    w.windows(2).any(|p| {
        matches!(p[0].as_str(), "no" | "non" | "not" | "dont" | "never")
            && (p[1].starts_with("retr") || p[1].starts_with("reconnect"))
    }) || w.iter().any(|x| x == "nonretryable" || x == "unretryable")
}

/// A callee that surfaces nothing to the user: logging, timers, socket
/// teardown, collection methods, connection-flag state setters. Anything
/// not listed (a toast, a callback, a redirect, an unknown function)
/// counts as surfacing.
pub fn is_silent_call(callee: &str) -> bool {
    let root = callee.split('.').next().unwrap_or(callee);
    if matches!(
        root,
        "console"
            | "logger"
            | "log"
            | "Logger"
            | "Math"
            | "JSON"
            | "Date"
            | "Number"
            | "String"
            | "Object"
            | "Array"
            | "Promise"
            | "performance"
            | "Reflect"
            | "Sentry"
            | "debug"
    ) {
        return true;
    }
    let last = callee.rsplit('.').next().unwrap_or(callee);
    if matches!(
        last,
        "clearInterval"
            | "clearTimeout"
            | "setTimeout"
            | "setInterval"
            | "close"
            | "terminate"
            | "removeEventListener"
            | "removeAllListeners"
            | "off"
            | "abort"
            | "preventDefault"
            | "stopPropagation"
            | "push"
            | "pop"
            | "shift"
            | "unshift"
            | "splice"
            | "get"
            | "set"
            | "has"
            | "delete"
            | "clear"
            | "includes"
            | "indexOf"
            | "toString"
            | "parseInt"
            | "parseFloat"
            | "isNaN"
            | "captureException"
            | "captureMessage"
            | "addBreadcrumb"
    ) {
        return true;
    }
    let w = words(last);
    let Some(first) = w.first() else {
        return false;
    };
    if matches!(
        first.as_str(),
        "stop"
            | "clear"
            | "cleanup"
            | "clean"
            | "reset"
            | "teardown"
            | "dispose"
            | "unsubscribe"
            | "remove"
            | "destroy"
            | "cancel"
            | "abort"
            | "invalidate"
            | "release"
            | "detach"
            | "log"
            | "debug"
            | "trace"
    ) {
        return true;
    }
    // React state setters for connection flags: `setConnected(false)`,
    // `setIsConnecting(false)`, `setSocket(null)`, `setRetryCount(0)`; not
    // `setState(...)`, which renders whatever it is given.
    let connection_word = |x: &String| {
        matches!(
            x.as_str(),
            "connected"
                | "connecting"
                | "open"
                | "ready"
                | "socket"
                | "ws"
                | "websocket"
                | "reconnect"
                | "reconnecting"
                | "retry"
                | "retries"
                | "attempt"
                | "attempts"
                | "online"
        )
    };
    let filler = |x: &String| matches!(x.as_str(), "is" | "state" | "web" | "count");
    first == "set"
        && w[1..].iter().any(connection_word)
        && w[1..].iter().all(|x| connection_word(x) || filler(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_words() {
        assert_eq!(words("wsRef"), ["ws", "ref"]);
        assert_eq!(words("HEARTBEAT_MS"), ["heartbeat", "ms"]);
        assert_eq!(words("_socket2"), ["socket"]);
        assert_eq!(words("getWebSocket"), ["get", "web", "socket"]);
        assert_eq!(words("JSONParser"), ["json", "parser"]);
    }

    #[test]
    fn socket_names() {
        for yes in [
            "ws",
            "wsRef.current",
            "this.socket",
            "this._ws",
            "webSocket",
            "rws",
            "socketRef.current",
            "conn.ws",
        ] {
            assert!(is_socket_name(yes), "{yes}");
        }
        for no in [
            "client",
            "channel",
            "this.connection",
            "wsUrl.current",
            "news",
            "sender",
            "socketId",
        ] {
            assert!(!is_socket_name(no), "{no}");
        }
    }

    #[test]
    fn reconnect_names() {
        for yes in [
            "reconnect",
            "scheduleReconnect",
            "connect",
            "connectWebSocket",
            "retry",
            "openSocket",
            "tryReconnect",
        ] {
            assert!(is_reconnect_name(yes), "{yes}");
        }
        for no in [
            "disconnect",
            "onReconnect",
            "setReconnecting",
            "isConnected",
            "shouldReconnect",
            "open",
            "clearReconnectTimer",
            "handleClose",
        ] {
            assert!(!is_reconnect_name(no), "{no}");
        }
    }

    #[test]
    fn set_names() {
        assert!(is_terminal_set_name("TERMINAL_CLOSE_CODES"));
        assert!(is_terminal_set_name("NO_RECONNECT_CODES"));
        assert!(is_terminal_set_name("nonRetryableCloseCodes"));
        assert!(!is_terminal_set_name("RETRYABLE_CODES"));
        assert!(!is_terminal_set_name("TERMINAL"));
        assert!(is_retry_set_name("RETRYABLE_CODES"));
        assert!(is_retry_set_name("reconnectCodes"));
        assert!(!is_retry_set_name("NO_RECONNECT_CODES"));
    }

    #[test]
    fn silent_calls() {
        for yes in [
            "console.warn",
            "clearInterval",
            "stopHeartbeat",
            "this.cleanup",
            "setIsConnected",
            "setSocket",
            "setReadyState",
            "wsRef.current.close",
            "logger.info",
        ] {
            assert!(is_silent_call(yes), "{yes}");
        }
        for no in [
            "toast.error",
            "onTerminalClose",
            "setError",
            "navigate",
            "this.emit",
            "notify",
            "setStatus",
            "this.setState",
        ] {
            assert!(!is_silent_call(no), "{no}");
        }
    }
}
