//! Server rules (Python FastAPI/Starlette). Each reads one module's
//! [`ServerModel`].
//!
//! [`ServerModel`]: crate::lang::python::ServerModel
