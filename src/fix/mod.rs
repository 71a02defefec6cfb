//! Changing the checked files: the fixes rules attach to their findings
//! (`--fix`, `--unsafe-fixes`, `--diff`: [`engine`], [`diff`]), and
//! suppression comments for every finding (`--add-ignore`, [`ignore`]),
//! with the edits applied and written by [`apply`] and the result's parse
//! checked by [`syntax`].

pub mod apply;
pub mod diff;
pub mod engine;
pub mod ignore;
pub mod literal;
pub mod memo;
pub mod syntax;

pub use engine::{FixOptions, FixOutcome, applies, fix};
pub use ignore::{IgnoreOutcome, add_ignores};
pub use memo::WalkMemo;
