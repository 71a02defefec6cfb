//! Client libraries at their call sites: the sockets they open
//! (`io(...)`, `createClient(...)`, `usePartySocket(...)`), the handlers
//! they take (socket.io's `disconnect` and `connect_error`, centrifuge's
//! `disconnected`, phoenix's `onClose`, graphql-ws's `shouldRetry`,
//! robust-websocket's `shouldReconnect`, partysocket's `onClose`), their
//! reconnect policies with their own terminal sets, their heartbeat
//! options with their defaults, and the socket.io servers a module starts.
//! The defaults and their sources are in [`crate::lang::ts::libs`].

use crate::lang::kind::Kind;
use tree_sitter::Node;

use super::{Module, Opt, Registration, SiteRec, option, options_object, span, storage};
use crate::lang::ts::flow::{Cond, Guard, SetTable};
use crate::lang::ts::index::{NodeExt, string_content, unwrap};
use crate::lang::ts::libs::{self, LibHeartbeat};
use crate::lang::ts::{
    Builtin, CloseHandler, CodeCheck, CodeSet, HandlerKind, Heartbeat, HeartbeatKind, SetRole,
    SocketIoServer, SocketKind, TerminalEvent,
};
use crate::values::{Resolved, Scope as _, Value};

/// Sites opened by calls: `io(url, opts)`, graphql-ws's `createClient`,
/// Supabase's `createClient(url, key, { realtime })`, partysocket's hooks,
/// and `manager.socket(nsp, opts)` on a socket.io `Manager` of the module.
pub(super) fn call_sites<'t>(m: &mut Module<'_, '_, 't>) {
    let ix = m.ix;
    let mut managers: Vec<String> = m
        .sites
        .iter()
        .filter(|s| s.kind == SocketKind::SocketIo)
        .filter_map(|s| s.key.clone())
        .collect();
    for c in &ix.calls {
        let node = c.node;
        let lib = match m.call_site(node) {
            Some(l) => l,
            None => {
                // `manager.socket("/admin", opts)`
                let Some(obj) = (c.name == Some("socket"))
                    .then(|| node.f("function").map(unwrap).and_then(|f| f.f("object")))
                    .flatten()
                else {
                    continue;
                };
                if !m.key(obj).is_some_and(|k| managers.contains(&k)) {
                    continue;
                }
                libs::LibSite {
                    kind: SocketKind::SocketIo,
                    options: 1,
                    under: None,
                }
            }
        };
        let mut options = node.f("arguments").and_then(|a| a.named_child(lib.options));
        if let Some(key) = lib.under {
            // Supabase's client is a realtime site only when the
            // application configures realtime.
            match options.map(|o| option(m, o, key, 0)) {
                // `realtime: { transport: ws }` only gives a Node script the
                // socket class, and says nothing of using realtime.
                Some(Opt::Found(_, v)) if !only_transport(m, v) => options = Some(v),
                _ => continue,
            }
        }
        let head = node.f("function").map_or(span(node), span);
        let (binding, key) = storage(m, node).unzip();
        if lib.kind == SocketKind::SocketIo
            && let Some(k) = &key
        {
            managers.push(k.clone());
        }
        m.sites.push(SiteRec {
            node,
            head,
            kind: lib.kind,
            binding,
            key,
            func: c.func,
            options,
        });
    }
}

/// The path a site's socket connects to, as far as it resolves, with the
/// argument it comes from and whether it is anchored: the URL argument of
/// a plain socket; socket.io's `path` option (default `/socket.io/`, the
/// namespace in the URL is no path); phoenix's endpoint plus `/websocket`;
/// none for the libraries whose URL is elsewhere (graphql-ws, Supabase).
pub(super) fn url_path(
    m: &Module<'_, '_, '_>,
    s: &SiteRec<'_>,
    own: &crate::lang::ts::scope::ModuleScope<'_, '_>,
) -> Option<(String, crate::source::Span, bool)> {
    let first = s.node.f("arguments").and_then(|a| a.named_child(0));
    let from =
        |arg: Node<'_>| crate::lang::ts::url::socket_path(arg, own).map(|(p, a)| (p, span(arg), a));
    match s.kind {
        SocketKind::SocketIo => {
            // socket.io-client 4.8.4 `build/cjs/index.js`:
            // `url(uri, opts.path || "/socket.io")`.
            let at = s.options.map_or(s.head, span);
            let path = match s.options.map(|o| option(m, o, "path", 0)) {
                Some(Opt::Found(_, v)) => match own.value(v).value {
                    Value::Str(p) => p,
                    _ => return None,
                },
                Some(Opt::Unknown(_)) => return None,
                _ => "/socket.io".to_string(),
            };
            let path = format!("{}/", path.trim_end_matches('/'));
            Some((path, at, true))
        }
        // phoenix 1.8.17: `${endPoint}/${TRANSPORTS.websocket}`.
        SocketKind::Phoenix => {
            let (p, at, anchored) = from(first?)?;
            Some((
                format!("{}/websocket", p.trim_end_matches('/')),
                at,
                anchored,
            ))
        }
        SocketKind::GraphqlWs | SocketKind::Supabase => None,
        _ => from(first?),
    }
}

/// Whether an options object sets nothing but `transport`.
fn only_transport(m: &Module<'_, '_, '_>, v: Node<'_>) -> bool {
    let Some(o) = options_object(m, v) else {
        return false;
    };
    let mut c = o.walk();
    let keys: Vec<&str> = o
        .named_children(&mut c)
        .filter(|p| p.k() != "comment")
        .map(|p| {
            p.f("key").map_or_else(
                || m.text(p),
                |k| crate::lang::ts::index::key_text(k, m.ix.src),
            )
        })
        .collect();
    !keys.is_empty() && keys.iter().all(|k| *k == "transport")
}

/// The handlers the libraries take, added to the module's registrations.
pub(super) fn registrations<'t>(m: &Module<'_, '_, 't>, out: &mut Vec<Registration<'t>>) {
    let ix = m.ix;
    // Whether this module's socket-named receivers are socket.io's: it
    // imports the client, or names one of its events (a socket imported
    // from the module that opens it); not a socket.io server's sockets.
    let src = ix.src;
    let imports_client = ix.imports.iter().any(|i| i.module == "socket.io-client");
    let imports_server = ix.imports.iter().any(|i| i.module == "socket.io");
    let socketio_here = m.sites.iter().any(|s| s.kind == SocketKind::SocketIo)
        || imports_client
        || (!imports_server
            && ["connect_error", "io server disconnect"]
                .iter()
                .any(|w| memchr::memmem::find(src.as_bytes(), w.as_bytes()).is_some()));
    for c in &ix.calls {
        let Some(name) = c.name else { continue };
        let Some(callee) = c.node.f("function").map(unwrap) else {
            continue;
        };
        let Some(obj) = callee.f("object") else {
            continue;
        };
        let key = m.key(obj);
        let site = key
            .as_deref()
            .and_then(|k| m.site_by_binding.get(k).copied());
        let kind = site.map(|i| m.sites[i].kind);
        let args = c.node.f("arguments");
        let arg = |i: u32| args.and_then(|a| a.named_child(i));
        let (event, handler, hkind) = match name {
            // phoenix: `socket.onClose((event) => ...)`
            "onClose" if kind == Some(SocketKind::Phoenix) => {
                (Some(callee), arg(0), HandlerKind::Close)
            }
            "on" | "once" => {
                let Some(ev) = arg(0).and_then(|e| string_content(e, src)) else {
                    continue;
                };
                let terminal = match ev.as_str() {
                    "disconnect"
                        if kind == Some(SocketKind::SocketIo)
                            || (kind.is_none() && socketio_here && m.is_socket(obj)) =>
                    {
                        TerminalEvent::SocketIoDisconnect
                    }
                    "connect_error"
                        if kind == Some(SocketKind::SocketIo)
                            || (kind.is_none() && socketio_here && m.is_socket(obj)) =>
                    {
                        TerminalEvent::SocketIoConnectError
                    }
                    "disconnected" if kind == Some(SocketKind::Centrifuge) => {
                        TerminalEvent::CentrifugeDisconnected
                    }
                    _ => continue,
                };
                (arg(0), arg(1), HandlerKind::Terminal(terminal))
            }
            _ => continue,
        };
        let (Some(at), Some(h)) = (event, handler) else {
            continue;
        };
        let Some(func) = ix.resolve_fn_ref(h, c.func) else {
            continue;
        };
        out.push(Registration {
            at: span(at),
            event: "close",
            func,
            kind: hkind,
            site: site.or_else(|| {
                let expected = match hkind {
                    HandlerKind::Terminal(TerminalEvent::CentrifugeDisconnected) => {
                        SocketKind::Centrifuge
                    }
                    HandlerKind::Terminal(_) => SocketKind::SocketIo,
                    _ => SocketKind::Phoenix,
                };
                let of_kind: Vec<usize> = (0..m.sites.len())
                    .filter(|i| m.sites[*i].kind == expected)
                    .collect();
                (of_kind.len() == 1).then(|| of_kind[0])
            }),
            code_first: false,
            decision: "shouldReconnect",
            _node: c.node,
        });
    }
    // Options that are handlers.
    for (i, s) in m.sites.iter().enumerate() {
        let Some(opts) = s.options else { continue };
        let keys: &[(&str, &'static str, HandlerKind, &'static str)] = match s.kind {
            // partysocket's hooks take the listeners as options.
            SocketKind::Reconnecting if s.node.k() == "call_expression" => &[
                ("onOpen", "open", HandlerKind::Close, ""),
                ("onClose", "close", HandlerKind::Close, ""),
            ],
            SocketKind::GraphqlWs => &[(
                "shouldRetry",
                "close",
                HandlerKind::ShouldReconnect,
                "shouldRetry",
            )],
            SocketKind::Robust => &[(
                "shouldReconnect",
                "close",
                HandlerKind::ShouldReconnect,
                "shouldReconnect",
            )],
            _ => continue,
        };
        for (key, event, kind, decision) in keys {
            // robust-websocket also takes the function itself.
            let found = match option(m, opts, key, 0) {
                Opt::Found(p, v) => Some((p.f("key").or_else(|| p.f("name")).unwrap_or(p), v)),
                _ if s.kind == SocketKind::Robust && options_object(m, opts).is_none() => {
                    Some((opts, opts))
                }
                _ => None,
            };
            let Some((at, value)) = found else { continue };
            let Some(func) = m.ix.resolve_fn_ref(value, s.func) else {
                continue;
            };
            out.push(Registration {
                at: span(at),
                event,
                func,
                kind: *kind,
                site: Some(i),
                code_first: false,
                decision,
                _node: at,
            });
        }
    }
}

/// The reconnect policies of graphql-ws and robust-websocket: they
/// reconnect by themselves unless their own terminal set or the
/// application's decision function says no. Their own set becomes a code
/// set of the module (so WS103 names what it lacks) and a guard on every
/// reconnect they make.
pub(super) fn policies(m: &Module<'_, '_, '_>, sets: &mut SetTable, out: &mut Vec<CloseHandler>) {
    for (i, s) in m.sites.iter().enumerate() {
        let decision = out
            .iter()
            .position(|h| h.socket == Some(i) && h.kind == HandlerKind::ShouldReconnect);
        let (codes, builtin): (Vec<f64>, Builtin) = match s.kind {
            SocketKind::GraphqlWs => {
                // graphql-ws 6.4.2: `retryAttempts = 5`; 0 never retries.
                if let Some(o) = s.options
                    && let Opt::Found(p, v) = option(m, o, "retryAttempts", 0)
                    && p.k() == "pair"
                    && m.scope.value(v).value == Value::Number(0.0)
                {
                    out.retain(|h| h.socket != Some(i));
                    continue;
                }
                (
                    libs::graphql_ws_fatal(),
                    Builtin {
                        what: "graphql-ws's fatal close codes (4004, 4005, 4400, 4401, 4406, 4409, 4429, 4500, 1000 and 1002-1999 but 1005, 1006, 1012-1014)",
                        fix: "return false from `shouldRetry` for them: `shouldRetry: (e) => !(isCloseEvent(e) && TERMINAL_CLOSE_CODES.has(e.code))`",
                    },
                )
            }
            SocketKind::Robust if decision.is_some() => (
                libs::ROBUST_OWN_STOP.to_vec(),
                Builtin {
                    what: "robust-websocket's own stop code (1000) and this `shouldReconnect`",
                    fix: "return nothing from `shouldReconnect` for them: `if (TERMINAL_CLOSE_CODES.has(event.code)) return;`",
                },
            ),
            SocketKind::Robust => (
                libs::ROBUST_DEFAULT_STOP.to_vec(),
                Builtin {
                    what: "robust-websocket's default `shouldReconnect` (it stops on 1000, 1008 and 1011 only)",
                    fix: "pass a `shouldReconnect(event, ws)` that returns nothing for them: `if (TERMINAL_CLOSE_CODES.has(event.code)) return; return [0, 3000, 10000][ws.attempts];`",
                },
            ),
            _ => continue,
        };
        let at = match decision {
            Some(d) => out[d].span,
            None => s.head,
        };
        sets.sets.push(CodeSet {
            name: None,
            name_span: at,
            value_span: at,
            codes: Some(codes),
            role: SetRole::Terminal,
            by_name: false,
            tested: true,
            defined_elsewhere: None,
            builtin: Some(builtin),
        });
        let set = sets.sets.len() - 1;
        let guard = Guard {
            cond: Cond::Not(Box::new(Cond::InSet(set))),
            positive: true,
            span: at,
        };
        let check = CodeCheck {
            span: at,
            sets: vec![set],
            numbers: Vec::new(),
        };
        let h = match decision {
            Some(d) => &mut out[d],
            None => {
                out.push(CloseHandler::always_reconnects(
                    s.head,
                    HandlerKind::Library,
                    i,
                    s.head,
                    m.text(
                        s.node
                            .f("constructor")
                            .or(s.node.f("function"))
                            .unwrap_or(s.node),
                    )
                    .to_string(),
                ));
                out.last_mut().expect("pushed")
            }
        };
        for p in &mut h.reconnects {
            p.guards.insert(0, guard.clone());
        }
        h.checks.insert(0, check);
    }
}

/// The heartbeat options of phoenix, Supabase realtime and graphql-ws, with
/// the library's default when the option is absent.
pub(super) fn heartbeats(m: &Module<'_, '_, '_>, out: &mut Vec<Heartbeat>) {
    for s in &m.sites {
        let LibHeartbeat::Option { key, default } = s.kind.heartbeat() else {
            continue;
        };
        let library = s.kind;
        let of = |period: Resolved, written: String, at, default_interval| Heartbeat {
            span: at,
            call: span(s.node),
            callee: s.head,
            period,
            written,
            kind: HeartbeatKind::Library {
                default_interval,
                library,
            },
        };
        let found = match s.options {
            Some(o) => option(m, o, key, 0),
            None => Opt::Absent,
        };
        match found {
            Opt::Found(p, v) => {
                let v = unwrap(v);
                let period = if v.k() == "shorthand_property_identifier" {
                    m.scope.identifier(m.text(v), v, 0)
                } else {
                    m.scope.value(v)
                };
                // graphql-ws pings only for a positive `keepAlive`; phoenix
                // takes 0 for its default (`||`).
                match (period.number(), default) {
                    (Some(n), None) if n <= 0.0 => continue,
                    (Some(n), Some(d)) if n == 0.0 && library == SocketKind::Phoenix => {
                        out.push(of(
                            Resolved::of(Value::Number(d)),
                            m.text(p).to_string(),
                            span(p),
                            true,
                        ));
                        continue;
                    }
                    _ => {}
                }
                out.push(of(period, m.text(v).to_string(), span(v), false));
            }
            Opt::Absent => {
                if let Some(d) = default {
                    out.push(of(
                        Resolved::of(Value::Number(d)),
                        m.ix.src[s.head.start..s.head.end].to_string(),
                        s.head,
                        true,
                    ));
                }
            }
            // Options this module cannot read: a period never guessed, but
            // not "no heartbeat" either.
            Opt::Unknown(holder) => {
                let period = match unwrap(holder).k() {
                    "identifier" | "member_expression" => {
                        let mut path: Vec<String> = crate::values::member_path(
                            unwrap(holder),
                            m.ix.src,
                            &crate::values::TYPESCRIPT,
                        )
                        .unwrap_or_default();
                        path.push(key.to_string());
                        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                        m.scope.member(&parts, holder, 0)
                    }
                    _ => Resolved::unknown(),
                };
                if default.is_none() && period.number().is_some_and(|n| n <= 0.0) {
                    continue;
                }
                out.push(of(period, m.text(holder).to_string(), span(holder), false));
            }
        }
    }
}

/// socket.io servers the module starts: `new Server(httpServer, opts)`,
/// `new Server(opts)`, `new Server(port, opts)` of `socket.io`, or the
/// package called (`require("socket.io")(server, opts)`), with their
/// `pingInterval` (Engine.IO's default when absent).
pub(super) fn socketio_servers(m: &Module<'_, '_, '_>) -> Vec<SocketIoServer> {
    let ix = m.ix;
    let mut out = Vec::new();
    let candidates = ix
        .news
        .iter()
        .filter_map(|s| {
            let ctor = unwrap(s.node.f("constructor")?);
            server_import(m, ctor, false).then_some((s.node, ctor))
        })
        .chain(ix.calls.iter().filter_map(|c| {
            let f = unwrap(c.node.f("function")?);
            server_import(m, f, true).then_some((c.node, f))
        }));
    for (node, head) in candidates {
        let args: Vec<Node<'_>> = match node.f("arguments") {
            Some(a) => {
                let mut cur = a.walk();
                a.named_children(&mut cur)
                    .filter(|x| x.k() != "comment")
                    .collect()
            }
            None => Vec::new(),
        };
        let opts = match args.as_slice() {
            [only] if options_object(m, *only).is_some() => Some(*only),
            [_, o, ..] => Some(*o),
            _ => None,
        };
        let found = match opts {
            Some(o) => option(m, o, "pingInterval", 0),
            None => Opt::Absent,
        };
        let (ping, at, default) = match found {
            Opt::Found(_, v) => {
                let v = unwrap(v);
                let r = if v.k() == "shorthand_property_identifier" {
                    m.scope.identifier(m.text(v), v, 0)
                } else {
                    m.scope.value(v)
                };
                (r, span(v), false)
            }
            Opt::Absent => (
                Resolved::of(Value::Number(libs::ENGINE_IO_PING_INTERVAL_MS)),
                span(head),
                true,
            ),
            Opt::Unknown(_) => continue,
        };
        out.push(SocketIoServer {
            span: span(head),
            ping,
            at,
            default,
        });
    }
    out
}

/// Whether `callee` is socket.io's server: `Server` imported from it, the
/// package itself when `called`, or `x.Server` of a namespace import.
fn server_import(m: &Module<'_, '_, '_>, callee: Node<'_>, called: bool) -> bool {
    match callee.k() {
        "identifier" => m
            .imported(callee)
            .is_some_and(|(module, imported)| libs::is_socketio_server(&module, &imported, called)),
        "member_expression" if !called => {
            let (Some(o), Some(p)) = (callee.f("object").map(unwrap), callee.f("property")) else {
                return false;
            };
            o.k() == "identifier"
                && m.text(p) == "Server"
                && m.imported(o).is_some_and(|(module, imported)| {
                    matches!(imported.as_str(), "*" | "default")
                        && libs::is_socketio_server(&module, "Server", false)
                })
        }
        // `require("socket.io")(server, opts)`
        "call_expression" if called => {
            m.ix.call_name(callee) == Some("require")
                && callee
                    .f("arguments")
                    .and_then(|a| a.named_child(0))
                    .and_then(|a| string_content(a, m.ix.src))
                    .is_some_and(|s| s == "socket.io")
        }
        _ => false,
    }
}
