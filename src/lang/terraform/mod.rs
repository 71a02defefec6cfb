//! Terraform: the HCL parser ([`parse`]) and a module's load balancers on
//! the proxy model ([`hops`]).

pub mod edit;
pub mod hops;
pub mod parse;

use crate::source::Source;

pub use parse::{Attr, Block, TfBody, Value};

/// A parsed `.tf` file.
#[derive(Debug)]
pub struct TfFile {
    pub source: Source,
    /// Parts that could matter but cannot be read (a syntax error, nesting
    /// too deep to parse safely), with why: WS003 at each.
    pub skipped: Vec<(crate::source::Span, String)>,
    /// What the file holds; empty when it does not parse.
    pub body: TfBody,
}

pub fn parse(source: Source) -> TfFile {
    let (body, skipped) = match parse::parse(&source.text) {
        Ok(body) => (body, Vec::new()),
        Err(e) => (TfBody::default(), vec![e]),
    };
    TfFile {
        source,
        skipped,
        body,
    }
}
