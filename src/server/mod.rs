//! `wslint server`: the language server, over stdio (`lsp-server` and
//! `lsp-types`, as rust-analyzer uses them: synchronous, no async runtime).
//!
//! The main loop only reads messages, keeps the open documents, answers
//! from what it holds, and schedules checks; each check runs on a thread
//! of its own ([`check`]), reading the open documents' unsaved text
//! through the run's overlay ([`crate::overlay`]), and sends its outcome
//! back to the loop. So typing is never blocked by a check:
//!
//! - a change to a document cancels the running check of it (and of every
//!   open document whose last check read it) and queues a new one, the
//!   changed document first; results of cancelled checks are dropped;
//! - at most as many checks run at once as there are cores;
//! - a code action or hover asked of a document whose check is not done
//!   waits for it (and `$/cancelRequest` answers it as cancelled);
//! - a panic in a check, or in the loop's handling of one message, is
//!   logged to the editor and the server goes on.
//!
//! Which other documents are checked again: the open documents whose last
//! check read the changed file (each check records the files it read: its
//! imports, the client modules a proxy file's WS303 heartbeat came from,
//! the files including a proxy file). Only open documents get diagnostics.

mod actions;
pub mod check;
pub mod convert;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;

use crate::diagnostic::Diagnostic;
use crate::settings;
use check::{ClientSettings, Job, Outcome};

/// Serves one editor on stdin/stdout until it exits. `Ok(true)` when the
/// editor asked for `shutdown` before `exit` (exit code 0, as the
/// protocol asks), `Ok(false)` otherwise (exit code 1).
pub fn serve_stdio() -> Result<bool, String> {
    let (connection, io_threads) = Connection::stdio();
    let clean = serve(connection)?;
    io_threads.join().map_err(|e| e.to_string())?;
    Ok(clean)
}

/// Serves one client over `connection` (see [`serve_stdio`]).
pub fn serve(connection: Connection) -> Result<bool, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = lsp::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "wslint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection
        .sender
        .send(Response::new_ok(id, result).into())
        .map_err(|e| e.to_string())?;
    let mut server = Server::new(connection.sender.clone(), &params);
    let clean = server.main_loop(&connection.receiver);
    drop(server);
    drop(connection);
    Ok(clean)
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                work_done_progress_options: Default::default(),
                resolve_provider: Some(false),
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        ..Default::default()
    }
}

/// An open document.
struct Doc {
    /// As the editor names it (diagnostics are published under it).
    uri: lsp::Uri,
    version: i32,
    text: Arc<str>,
    /// The findings of the last check, for the version it checked.
    findings: Option<Findings>,
    /// The files its last check read.
    read: HashSet<PathBuf>,
}

struct Findings {
    version: i32,
    items: Vec<Finding>,
}

/// One finding as wslint made it and as it was published.
pub(crate) struct Finding {
    pub diagnostic: Diagnostic,
    pub lsp: lsp::Diagnostic,
}

struct Running {
    id: u64,
    version: i32,
    cancel: Arc<AtomicBool>,
}

/// A check's outcome, sent back to the loop.
struct Done {
    id: u64,
    abs: PathBuf,
    version: i32,
    outcome: Outcome,
}

/// A request that waits for the check of its document's current version.
struct Waiting {
    id: RequestId,
    abs: PathBuf,
    request: Pending,
}

enum Pending {
    CodeAction(lsp::CodeActionParams),
    Hover(lsp::HoverParams),
}

struct Server {
    sender: Sender<Message>,
    docs: HashMap<PathBuf, Doc>,
    /// The open documents' text, shared with the checks; rebuilt lazily
    /// after a change.
    snapshot: Option<Arc<HashMap<PathBuf, Arc<str>>>>,
    client: ClientSettings,
    versioned_edits: bool,
    watch_files: bool,
    next_id: u64,
    running: HashMap<PathBuf, Running>,
    queue: VecDeque<PathBuf>,
    max_running: usize,
    results: (Sender<Done>, Receiver<Done>),
    waiting: Vec<Waiting>,
    /// Configuration files with problems published on them.
    config_errors: HashSet<PathBuf>,
    /// The last configuration problem shown in a message, not shown twice.
    last_shown: Option<String>,
    shutdown: bool,
}

impl Server {
    fn new(sender: Sender<Message>, params: &lsp::InitializeParams) -> Self {
        let caps = &params.capabilities;
        let workspace = caps.workspace.as_ref();
        let versioned_edits = workspace
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        let watch_files = workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let mut server = Server {
            sender,
            docs: HashMap::new(),
            snapshot: None,
            client: ClientSettings::default(),
            versioned_edits,
            watch_files,
            next_id: 0,
            running: HashMap::new(),
            queue: VecDeque::new(),
            max_running: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4)),
            results: crossbeam_channel::unbounded(),
            waiting: Vec::new(),
            config_errors: HashSet::new(),
            last_shown: None,
            shutdown: false,
        };
        if let Some(options) = &params.initialization_options {
            server.set_client_settings(options);
        }
        server
    }

    /// Until `exit` (or the editor closing the pipe); whether `shutdown`
    /// came first.
    fn main_loop(&mut self, receiver: &Receiver<Message>) -> bool {
        let results = self.results.1.clone();
        loop {
            crossbeam_channel::select! {
                recv(receiver) -> msg => {
                    let Ok(msg) = msg else { return false };
                    if let Message::Notification(n) = &msg
                        && n.method == lsp::notification::Exit::METHOD
                    {
                        return self.shutdown;
                    }
                    self.guard(msg);
                }
                recv(results) -> done => {
                    if let Ok(done) = done {
                        let path = done.abs.clone();
                        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            self.finished(done)
                        }));
                        if let Err(p) = caught {
                            self.log_panic(&format!("publishing the findings of {}", path.display()), p.as_ref());
                        }
                    }
                }
            }
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.pump()));
            if let Err(p) = caught {
                self.log_panic("starting checks", p.as_ref());
            }
        }
    }

    /// Handles one message; a panic is logged (and a request answered with
    /// an internal error), and the server goes on.
    fn guard(&mut self, msg: Message) {
        let request_id = match &msg {
            Message::Request(r) => Some(r.id.clone()),
            _ => None,
        };
        let what = match &msg {
            Message::Request(r) => r.method.clone(),
            Message::Notification(n) => n.method.clone(),
            Message::Response(_) => String::new(),
        };
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(msg)));
        if let Err(p) = caught {
            self.log_panic(&format!("handling {what}"), p.as_ref());
            if let Some(id) = request_id {
                self.respond(Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    "internal error in wslint; see its log".into(),
                ));
            }
        }
    }

    fn log_panic(&self, what: &str, payload: &(dyn std::any::Any + Send)) {
        let message = crate::phase::file::panic_message(payload);
        self.log(
            lsp::MessageType::ERROR,
            format!("internal error while {what}: {message} (a bug in wslint; please report it)"),
        );
    }

    fn handle(&mut self, msg: Message) {
        match msg {
            Message::Request(req) => self.request(req),
            Message::Notification(n) => self.notification(n),
            // Answers to our requests (registerCapability): nothing to do.
            Message::Response(_) => {}
        }
    }

    fn request(&mut self, req: Request) {
        use lsp::request::*;
        if self.shutdown {
            self.respond(Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
            return;
        }
        match req.method.as_str() {
            Shutdown::METHOD => {
                self.shutdown = true;
                for r in self.running.values() {
                    r.cancel.store(true, Ordering::Relaxed);
                }
                self.running.clear();
                self.queue.clear();
                for w in std::mem::take(&mut self.waiting) {
                    self.respond(cancelled(w.id));
                }
                self.respond(Response::new_ok(req.id, ()));
            }
            CodeActionRequest::METHOD => match serde_json::from_value(req.params) {
                Ok(p) => self.answer_or_wait(req.id, Pending::CodeAction(p)),
                Err(e) => self.respond(invalid_params(req.id, &e)),
            },
            HoverRequest::METHOD => match serde_json::from_value(req.params) {
                Ok(p) => self.answer_or_wait(req.id, Pending::Hover(p)),
                Err(e) => self.respond(invalid_params(req.id, &e)),
            },
            _ => self.respond(Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("wslint does not handle `{}`", req.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp::notification::*;
        if self.shutdown {
            return;
        }
        fn params<T: serde::de::DeserializeOwned>(n: lsp_server::Notification) -> Option<T> {
            serde_json::from_value(n.params).ok()
        }
        match n.method.as_str() {
            Initialized::METHOD => self.register_watchers(),
            DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp::DidOpenTextDocumentParams>(n) {
                    let d = p.text_document;
                    self.changed(d.uri, d.version, Arc::from(d.text));
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp::DidChangeTextDocumentParams>(n)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    // Full synchronisation: the last change is the text.
                    self.changed(
                        p.text_document.uri,
                        p.text_document.version,
                        Arc::from(change.text),
                    );
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(p) = params::<lsp::DidSaveTextDocumentParams>(n)
                    && let Some(abs) = doc_path(&p.text_document.uri)
                {
                    if is_config_file(&abs) {
                        self.check_all();
                    } else if self.docs.contains_key(&abs) {
                        self.schedule(abs, true);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp::DidCloseTextDocumentParams>(n) {
                    self.closed(&p.text_document.uri);
                }
            }
            DidChangeConfiguration::METHOD => {
                if let Some(p) = params::<lsp::DidChangeConfigurationParams>(n)
                    && !p.settings.is_null()
                    && self.set_client_settings(&p.settings)
                {
                    self.check_all();
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Some(p) = params::<lsp::DidChangeWatchedFilesParams>(n) {
                    let paths: Vec<PathBuf> =
                        p.changes.iter().filter_map(|c| doc_path(&c.uri)).collect();
                    self.files_changed(&paths);
                }
            }
            Cancel::METHOD => {
                if let Some(p) = params::<lsp::CancelParams>(n) {
                    let id: RequestId = match p.id {
                        lsp::NumberOrString::Number(n) => n.into(),
                        lsp::NumberOrString::String(s) => s.into(),
                    };
                    if let Some(i) = self.waiting.iter().position(|w| w.id == id) {
                        let w = self.waiting.remove(i);
                        self.respond(cancelled(w.id));
                    }
                }
            }
            _ => {}
        }
    }

    /// Reads client settings; whether they changed.
    fn set_client_settings(&mut self, value: &serde_json::Value) -> bool {
        let (settings, errors) = ClientSettings::from_json(value);
        for e in errors {
            self.show(lsp::MessageType::WARNING, format!("wslint settings: {e}"));
        }
        let changed = settings != self.client;
        self.client = settings;
        changed
    }

    /// Asks the editor to tell when a configuration file changes on disk.
    fn register_watchers(&mut self) {
        if !self.watch_files {
            return;
        }
        let watchers = settings::CONFIG_FILES
            .iter()
            .map(|name| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect();
        let options = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "wslint-configuration".into(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let req = Request::new(
            "wslint-register-watchers".to_string().into(),
            lsp::request::RegisterCapability::METHOD.into(),
            params,
        );
        self.send(req.into());
    }

    fn changed(&mut self, uri: lsp::Uri, version: i32, text: Arc<str>) {
        let Some(abs) = doc_path(&uri) else {
            return;
        };
        let doc = self.docs.entry(abs.clone()).or_insert_with(|| Doc {
            uri: uri.clone(),
            version,
            text: text.clone(),
            findings: None,
            read: HashSet::new(),
        });
        doc.uri = uri;
        doc.version = version;
        doc.text = text;
        self.snapshot = None;
        self.schedule(abs.clone(), true);
        self.dependents_changed(&abs);
    }

    fn closed(&mut self, uri: &lsp::Uri) {
        let Some(abs) = doc_path(uri) else {
            return;
        };
        if let Some(doc) = self.docs.remove(&abs) {
            self.publish(doc.uri, None, Vec::new());
        }
        if let Some(r) = self.running.remove(&abs) {
            r.cancel.store(true, Ordering::Relaxed);
        }
        self.queue.retain(|p| *p != abs);
        self.snapshot = None;
        self.answer_waiting(&abs);
        // The file on disk now stands for it.
        self.dependents_changed(&abs);
    }

    fn files_changed(&mut self, paths: &[PathBuf]) {
        if paths.iter().any(|p| is_config_file(p)) {
            self.check_all();
            return;
        }
        for p in paths {
            // An open document is read from the editor, not the disk.
            if !self.docs.contains_key(p) {
                self.dependents_changed(p);
            }
        }
    }

    /// Checks again every open document whose last check read `abs`.
    fn dependents_changed(&mut self, abs: &Path) {
        let mut deps: Vec<PathBuf> = self
            .docs
            .iter()
            .filter(|(p, d)| p.as_path() != abs && d.read.contains(abs))
            .map(|(p, _)| p.clone())
            .collect();
        deps.sort();
        for p in deps {
            self.schedule(p, false);
        }
    }

    fn check_all(&mut self) {
        let mut all: Vec<PathBuf> = self.docs.keys().cloned().collect();
        all.sort();
        for p in all {
            self.schedule(p, false);
        }
    }

    /// Queues a check of `abs` (first when `urgent`), cancelling a running
    /// one: it reads text that is no longer current.
    fn schedule(&mut self, abs: PathBuf, urgent: bool) {
        if let Some(r) = self.running.remove(&abs) {
            r.cancel.store(true, Ordering::Relaxed);
        }
        self.queue.retain(|p| *p != abs);
        if urgent {
            self.queue.push_front(abs);
        } else {
            self.queue.push_back(abs);
        }
    }

    /// Starts queued checks while fewer than `max_running` run.
    fn pump(&mut self) {
        while self.running.len() < self.max_running {
            let Some(abs) = self.queue.pop_front() else {
                return;
            };
            let Some(doc) = self.docs.get(&abs) else {
                continue;
            };
            let version = doc.version;
            let docs = self.snapshot();
            self.next_id += 1;
            let cancel = Arc::new(AtomicBool::new(false));
            let job = Job {
                id: self.next_id,
                abs: abs.clone(),
                docs,
                cancel: cancel.clone(),
                client: self.client.clone(),
            };
            self.running.insert(
                abs.clone(),
                Running {
                    id: job.id,
                    version,
                    cancel,
                },
            );
            let tx = self.results.0.clone();
            let spawned = std::thread::Builder::new()
                .name("wslint-check".into())
                .spawn(move || {
                    let outcome = check::run(&job);
                    let _ = tx.send(Done {
                        id: job.id,
                        abs: job.abs,
                        version,
                        outcome,
                    });
                });
            if let Err(e) = spawned {
                self.running.remove(&abs);
                self.log(
                    lsp::MessageType::ERROR,
                    format!("cannot start a check of {}: {e}", abs.display()),
                );
                return;
            }
        }
    }

    fn snapshot(&mut self) -> Arc<HashMap<PathBuf, Arc<str>>> {
        let docs = &self.docs;
        self.snapshot
            .get_or_insert_with(|| {
                Arc::new(
                    docs.iter()
                        .map(|(p, d)| (p.clone(), d.text.clone()))
                        .collect(),
                )
            })
            .clone()
    }

    /// A check ended: publish its findings if it is still the current one.
    fn finished(&mut self, done: Done) {
        match self.running.get(&done.abs) {
            Some(r) if r.id == done.id => {
                debug_assert_eq!(r.version, done.version);
                self.running.remove(&done.abs);
            }
            // Cancelled: a newer check replaces it.
            _ => return,
        }
        let Some(doc) = self.docs.get(&done.abs) else {
            return;
        };
        let uri = doc.uri.clone();
        let shown = display(&done.abs);
        let mut items = Vec::new();
        match done.outcome {
            Outcome::Checked {
                diagnostics,
                errors,
                read,
                config_path,
                ..
            } => {
                for e in errors {
                    self.log(lsp::MessageType::ERROR, e);
                }
                if let Some(p) = config_path
                    && self.config_errors.remove(&p)
                    && !self.docs.contains_key(&p)
                {
                    self.publish(convert::path_to_uri(&p), None, Vec::new());
                }
                let uri_of = |p: &Path| self.uri_of(p);
                items = diagnostics
                    .into_iter()
                    .map(|d| Finding {
                        lsp: convert::diagnostic(&d, &uri_of),
                        diagnostic: d,
                    })
                    .collect();
                if let Some(doc) = self.docs.get_mut(&done.abs) {
                    doc.read = read;
                }
            }
            Outcome::Config(e) => self.config_error(&e),
            Outcome::ConfigText(problems) => {
                let file = crate::source::SourceFile::new(done.abs.clone(), doc.text.clone());
                let diagnostics = problems
                    .iter()
                    .map(|p| config_diagnostic(&file, p))
                    .collect();
                self.publish(uri, Some(done.version), diagnostics);
                self.store(&done.abs, done.version, Vec::new());
                return;
            }
            Outcome::Cancelled => return,
            Outcome::Panicked(message) => {
                self.log(
                    lsp::MessageType::ERROR,
                    format!(
                        "internal error while checking {shown}: {message} (a bug in wslint; please report it)"
                    ),
                );
                // As the pipeline reports a panic in a file: WS002 at its
                // start, not an empty list that reads as "no problems".
                let d = crate::phase::file::io_error(
                    &done.abs,
                    format!("internal error while checking this file: {message}"),
                );
                let lsp = convert::diagnostic(&d, &|p| convert::path_to_uri(p));
                self.publish(uri, Some(done.version), vec![lsp]);
                self.store(&done.abs, done.version, Vec::new());
                return;
            }
        }
        let diagnostics = items.iter().map(|f| f.lsp.clone()).collect();
        self.publish(uri, Some(done.version), diagnostics);
        self.store(&done.abs, done.version, items);
    }

    fn store(&mut self, abs: &Path, version: i32, items: Vec<Finding>) {
        if let Some(doc) = self.docs.get_mut(abs) {
            doc.findings = Some(Findings { version, items });
        }
        self.answer_waiting(abs);
    }

    /// A configuration that cannot be used: its problems on the file, and
    /// a message (once per problem).
    fn config_error(&mut self, e: &settings::ConfigError) {
        let path = crate::paths::normalize(&std::path::absolute(&e.path).unwrap_or(e.path.clone()));
        let first = e
            .problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        let message = format!(
            "wslint: {} cannot be used ({first}); no findings are shown until it is fixed",
            path.display()
        );
        if self.last_shown.as_ref() != Some(&message) {
            self.show(lsp::MessageType::WARNING, message.clone());
            self.last_shown = Some(message);
        }
        // An open configuration file reports its own problems as typed.
        if self.docs.contains_key(&path) {
            return;
        }
        let file = crate::source::SourceFile::new(
            path.clone(),
            e.text.clone().unwrap_or_else(|| Arc::from("")),
        );
        let diagnostics = e
            .problems
            .iter()
            .map(|p| config_diagnostic(&file, p))
            .collect();
        self.publish(convert::path_to_uri(&path), None, diagnostics);
        self.config_errors.insert(path);
    }

    /// The URI to name `shown` (a path as a diagnostic shows it) by: the
    /// editor's own for an open document.
    fn uri_of(&self, shown: &Path) -> lsp::Uri {
        let abs = std::path::absolute(shown)
            .map(|p| crate::paths::normalize(&p))
            .unwrap_or_else(|_| shown.to_path_buf());
        let canonical = abs.canonicalize().unwrap_or(abs);
        match self.docs.get(&canonical) {
            Some(d) => d.uri.clone(),
            None => convert::path_to_uri(&canonical),
        }
    }

    fn answer_or_wait(&mut self, id: RequestId, request: Pending) {
        let uri = match &request {
            Pending::CodeAction(p) => &p.text_document.uri,
            Pending::Hover(p) => &p.text_document_position_params.text_document.uri,
        };
        let Some(abs) = doc_path(uri) else {
            self.respond(Response::new_ok(id, serde_json::Value::Null));
            return;
        };
        let current = self
            .docs
            .get(&abs)
            .is_some_and(|d| d.findings.as_ref().is_some_and(|f| f.version == d.version));
        let open = self.docs.contains_key(&abs);
        if open && !current {
            self.waiting.push(Waiting { id, abs, request });
            return;
        }
        let response = self.answer(id, &abs, &request);
        self.respond(response);
    }

    /// Answers the requests waiting for `abs` that can now be answered.
    fn answer_waiting(&mut self, abs: &Path) {
        let ready = |s: &Server, w: &Waiting| {
            w.abs == abs
                && s.docs
                    .get(abs)
                    .is_none_or(|d| d.findings.as_ref().is_some_and(|f| f.version == d.version))
        };
        let mut i = 0;
        while i < self.waiting.len() {
            if ready(self, &self.waiting[i]) {
                let w = self.waiting.remove(i);
                let response = self.answer(w.id, &w.abs, &w.request);
                self.respond(response);
            } else {
                i += 1;
            }
        }
    }

    fn answer(&self, id: RequestId, abs: &Path, request: &Pending) -> Response {
        let doc = self.docs.get(abs);
        let findings: &[Finding] = doc
            .and_then(|d| d.findings.as_ref())
            .map_or(&[], |f| &f.items);
        match request {
            Pending::CodeAction(p) => {
                let actions = match doc {
                    Some(_) => actions::code_actions(
                        p,
                        findings,
                        &actions::EditTarget {
                            versioned: self.versioned_edits,
                            uri_of: &|path| self.uri_of(path),
                            version_of: &|uri| {
                                self.docs
                                    .values()
                                    .find(|d| &d.uri == uri)
                                    .map(|d| d.version)
                            },
                        },
                    ),
                    None => Vec::new(),
                };
                Response::new_ok(id, actions)
            }
            Pending::Hover(p) => Response::new_ok(
                id,
                actions::hover(&p.text_document_position_params, findings),
            ),
        }
    }

    fn publish(&self, uri: lsp::Uri, version: Option<i32>, diagnostics: Vec<lsp::Diagnostic>) {
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(
            Notification::new(lsp::notification::PublishDiagnostics::METHOD.into(), params).into(),
        );
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        self.send(
            Notification::new(
                lsp::notification::LogMessage::METHOD.into(),
                lsp::LogMessageParams { typ, message },
            )
            .into(),
        );
    }

    fn show(&self, typ: lsp::MessageType, message: String) {
        self.log(typ, message.clone());
        self.send(
            Notification::new(
                lsp::notification::ShowMessage::METHOD.into(),
                lsp::ShowMessageParams { typ, message },
            )
            .into(),
        );
    }

    fn respond(&self, response: Response) {
        self.send(response.into());
    }

    fn send(&self, msg: Message) {
        // The editor went away: the loop ends when its receiver closes.
        let _ = self.sender.send(msg);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for r in self.running.values() {
            r.cancel.store(true, Ordering::Relaxed);
        }
    }
}

fn cancelled(id: RequestId) -> Response {
    Response::new_err(
        id,
        ErrorCode::RequestCanceled as i32,
        "cancelled by the editor".into(),
    )
}

fn invalid_params(id: RequestId, e: &serde_json::Error) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string())
}

/// The canonical path of a `file:` document (its normalized absolute path
/// when it is not on disk yet).
fn doc_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let path = convert::uri_to_path(uri)?;
    Some(
        path.canonicalize()
            .unwrap_or_else(|_| crate::paths::normalize(&path)),
    )
}

fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| settings::CONFIG_FILES.contains(&n))
}

fn display(abs: &Path) -> String {
    abs.display().to_string()
}

fn config_diagnostic(file: &crate::source::SourceFile, p: &settings::Problem) -> lsp::Diagnostic {
    let mut message = p.message.clone();
    if let Some(help) = &p.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp::Diagnostic {
        range: convert::range(file, p.span),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("wslint".into()),
        message,
        ..Default::default()
    }
}
