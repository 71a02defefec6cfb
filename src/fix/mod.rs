//! Changing the checked files: suppression comments for every finding
//! (`--add-ignore`, [`ignore`]), with the edits applied and written by
//! [`apply`].

pub mod apply;
pub mod ignore;

pub use ignore::{IgnoreOutcome, add_ignores};
