//! The phases of a run, in order: each file on its own ([`file`]), the
//! server routes across modules ([`server`]), every proxy's configuration
//! trees ([`proxy`]), then suppression and sorting ([`finish`]).

pub mod file;
pub mod finish;
pub mod proxy;
pub mod server;
