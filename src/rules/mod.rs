//! One file per rule, grouped by family. The list is in `registry.rs`.

pub mod client;
pub mod engine;
pub mod proxy;
pub mod server;
