//! What a rule is: metadata (code, name, family, default severity, doc) and
//! a check that reads one model and reports through a [`Ctx`].

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::lang::python::ServerModel;
use crate::lang::ts::ClientModel;
use crate::project::python::ServerProject;
use crate::proxy::ProxyModel;
use crate::settings::Config;
use crate::source::{Source, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the stack a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Client,
    Server,
    Proxy,
    Engine,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Client => "client",
            Family::Server => "server",
            Family::Proxy => "proxy",
            Family::Engine => "engine",
        }
    }
}

/// The model a rule's check reads.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reported by the engine itself (suppressions, I/O, configuration syntax).
    Engine,
    /// Runs once per TypeScript/JavaScript module.
    Client(fn(&ClientModel, &mut Ctx)),
    /// Runs once per Python module.
    Server(fn(&ServerModel, &mut Ctx)),
    /// A server rule that also reads JavaScript/TypeScript modules (a
    /// socket.io server in Node): once per Python module and once per
    /// TypeScript/JavaScript module.
    Servers {
        python: fn(&ServerModel, &mut Ctx),
        javascript: fn(&ClientModel, &mut Ctx),
    },
    /// Runs once per run, over every modelled Python module with its routes
    /// linked across modules (routers included from another module).
    ServerProject(fn(&ServerProject, &mut Ctx)),
    /// Runs once per proxy configuration tree (a root file with its
    /// includes), whatever the product.
    Proxy(fn(&ProxyModel, &mut Ctx)),
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Former names, still accepted as selectors and by `wslint explain`.
    pub aliases: &'static [&'static str],
    pub family: Family,
    pub severity: Severity,
    /// One line for `wslint rules` and SARIF's shortDescription.
    pub summary: &'static str,
    /// The Markdown doc from `rules/`, embedded.
    pub doc: &'static str,
    pub check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl Rule {
    /// Path of the doc inside the repository, e.g. `rules/WS301-proxy-idle-timeout.md`.
    pub fn doc_path(&self) -> String {
        format!("rules/{}-{}.md", self.code, self.name)
    }

    pub fn doc_url(&self) -> String {
        format!(
            "{}/blob/main/{}",
            env!("CARGO_PKG_REPOSITORY"),
            self.doc_path()
        )
    }

    /// The text of a `## heading` section of the doc, trimmed.
    pub fn doc_section(&self, heading: &str) -> Option<&'static str> {
        let doc: &'static str = self.doc;
        let marker = format!("## {heading}\n");
        let start = doc.find(&marker)? + marker.len();
        let rest = &doc[start..];
        let end = rest.find("\n## ").map(|i| i + 1).unwrap_or(rest.len());
        Some(rest[..end].trim())
    }

    pub fn new_diagnostic(
        &'static self,
        file: &Source,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            file: file.clone(),
            span,
            primary_label: None,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }
}

/// A client heartbeat period and where it is stated.
#[derive(Clone, Debug)]
pub struct HeartbeatFact {
    pub ms: f64,
    /// Where the value is defined: the constant, the delay argument, or the
    /// `client.heartbeat_ms` line of the configuration.
    pub file: Source,
    pub span: Span,
    /// How messages name it: "`HEARTBEAT_MS`", "`client.heartbeat_ms`".
    pub name: String,
}

/// Facts about the whole project that some rules read beside their model.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The longest client heartbeat found in the project, or stated in the
    /// configuration (WS303).
    pub heartbeat: Option<HeartbeatFact>,
}

/// For rules that read no project facts.
pub static NO_FACTS: Facts = Facts { heartbeat: None };

/// What a check gets besides its model: the configuration, project facts
/// and a sink.
pub struct Ctx<'a> {
    pub rule: &'static Rule,
    pub config: &'a Config,
    pub facts: &'a Facts,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        rule: &'static Rule,
        config: &'a Config,
        facts: &'a Facts,
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Ctx {
            rule,
            config,
            facts,
            out,
        }
    }

    pub fn report(
        &mut self,
        file: &Source,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.out.push(self.rule.new_diagnostic(file, span, message));
        self.out.last_mut().expect("just pushed")
    }
}
