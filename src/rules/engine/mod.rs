//! Rules the engine reports itself.

pub mod ws001_unused_suppression;
pub mod ws002_io_error;
pub mod ws003_file_skipped;
