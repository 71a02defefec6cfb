//! TypeScript/JavaScript: parse (tree-sitter-typescript, a parser per
//! thread) and the socket model the client rules read.
//!
//! Placeholder until the client front end lands: nothing is modelled yet.

use crate::lang::Lang;
use crate::source::Source;

/// What the client rules read about one module.
pub struct ClientModel {
    pub source: Source,
    pub lang: Lang,
}

/// Builds the model of one module; `None` when it holds nothing to check.
pub fn build(source: &Source, lang: Lang) -> Option<ClientModel> {
    let _ = (source, lang);
    None
}
