//! Client rules (TypeScript/JavaScript). Each reads one module's
//! [`ClientModel`].
//!
//! [`ClientModel`]: crate::lang::ts::ClientModel
