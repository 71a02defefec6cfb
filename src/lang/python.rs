//! Python: parse (tree-sitter-python, a parser per thread) and the endpoint
//! model the server rules read.
//!
//! Placeholder until the server front end lands: nothing is modelled yet.

use crate::source::Source;

/// What the server rules read about one module.
pub struct ServerModel {
    pub source: Source,
}

/// Builds the model of one module; `None` when it holds nothing to check.
pub fn build(source: &Source) -> Option<ServerModel> {
    let _ = source;
    None
}
