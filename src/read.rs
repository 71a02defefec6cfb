//! Reading a file as wslint reads every file: one open, never a FIFO or a
//! device, a size cap, the prefilter on the bytes, binary detection, BOM
//! and UTF-16 handling, invalid UTF-8 reported and read lossily.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::discover;
use crate::lang::{self, Lang};
use crate::source::{Source, SourceFile};

/// Bytes looked at for a NUL to tell a binary file.
const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// Reads a file as wslint reads every file: never a FIFO or a device, at
/// most `max_size` bytes, BOM dropped, UTF-16 with a BOM decoded, invalid
/// UTF-8 reported and read lossily.
pub enum ReadOutcome {
    Text {
        source: Source,
        /// Byte offset of the first invalid UTF-8 sequence, if any.
        invalid_utf8_at: Option<usize>,
    },
    /// The bytes did not pass the prefilter.
    Irrelevant,
    /// A NUL byte in the first 8 KiB: not text.
    Binary,
    /// Over `max_size` bytes (and, with a filter, it could matter).
    TooLarge(u64),
    Failed(String),
}

/// Texts that stand in for files on disk: one mechanism, in its own module.
pub use crate::overlay::Overlay;

pub fn read_file(path: &Path, display: &Path, filter: Option<Lang>, max_size: u64) -> ReadOutcome {
    match read_bytes(path, max_size) {
        Ok(bytes) => decode(&bytes, display, filter),
        Err(BytesError::TooLarge(size)) => too_large(path, size, filter),
        Err(BytesError::Failed(message)) => ReadOutcome::Failed(message),
    }
}

thread_local! {
    /// The buffer each walking thread reads files into: most files stop at
    /// the prefilter, and need no allocation of their own.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Buffers above this are not kept between files.
const KEEP_BUFFER: usize = 1 << 20;

/// [`read_file`] for a file the walk found, whose directory entry says it
/// is a regular file: no `fstat` before reading (the size limit is checked
/// on what is read), and the bytes land in a buffer reused across the files
/// of a thread, so that a file the prefilter rejects costs an open and a
/// read, as it does for `rg`. (Opened non-blocking: a FIFO that replaced
/// the file since reads as empty, never blocks.)
pub fn read_walked(
    path: &Path,
    display: &Path,
    filter: Option<Lang>,
    max_size: u64,
) -> ReadOutcome {
    BUFFER.with(|cell| {
        let mut buf = cell.borrow_mut();
        buf.clear();
        let outcome = match fill(path, max_size, &mut buf) {
            Ok(()) => decode(&buf, display, filter),
            Err(BytesError::TooLarge(size)) => too_large(path, size, filter),
            Err(BytesError::Failed(message)) => ReadOutcome::Failed(message),
        };
        if buf.capacity() > KEEP_BUFFER {
            *buf = Vec::new();
        }
        outcome
    })
}

fn fill(path: &Path, max_size: u64, buf: &mut Vec<u8>) -> Result<(), BytesError> {
    let failed = |e: std::io::Error| BytesError::Failed(discover::io_message(&e));
    let file = open_for_reading(path)
        .inspect_err(|_| crate::cache::touch(path))
        .map_err(failed)?;
    crate::cache::touch_read(path, &file);
    let mut file = file;
    (&mut file)
        .take(max_size + 1)
        .read_to_end(buf)
        .map_err(failed)?;
    if buf.len() as u64 > max_size {
        let size = file.metadata().map_or(buf.len() as u64, |m| m.len());
        return Err(BytesError::TooLarge(size));
    }
    Ok(())
}

/// Why [`read_bytes`] gave no bytes.
pub enum BytesError {
    /// Over the size limit: this many bytes.
    TooLarge(u64),
    /// Not a regular file, or an I/O error; the message says which.
    Failed(String),
}

/// A regular file's bytes, at most `max_size` of them: one path lookup
/// (open, then ask the open file what it is), never a FIFO or a device.
/// Every read of a file of the scanned tree goes through here.
pub fn read_bytes(path: &Path, max_size: u64) -> Result<Vec<u8>, BytesError> {
    let failed = |e: std::io::Error| BytesError::Failed(discover::io_message(&e));
    let file = open_for_reading(path)
        .inspect_err(|_| crate::cache::touch(path))
        .map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    crate::cache::touch_read_meta(path, &meta);
    if !meta.is_file() {
        return Err(BytesError::Failed(
            "not a regular file (FIFOs, sockets and devices are never read)".into(),
        ));
    }
    if meta.len() > max_size {
        return Err(BytesError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    // It grew since it was looked at.
    if bytes.len() as u64 > max_size {
        return Err(BytesError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens a file without ever blocking: a FIFO opened for reading waits for
/// a writer, so it is opened non-blocking and then refused as not a
/// regular file (regular files ignore the flag).
#[cfg(unix)]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// What [`read_file`] makes of a file's bytes: the prefilter (with
/// `filter`), binary detection, BOM, UTF-16 and UTF-8 decoding.
pub fn decode(bytes: &[u8], display: &Path, filter: Option<Lang>) -> ReadOutcome {
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    if let Some(lang) = filter
        && !utf16
        && !lang::prefilter(lang, bytes)
    {
        return ReadOutcome::Irrelevant;
    }
    if utf16 {
        let text = decode_utf16(bytes);
        if let Some(lang) = filter
            && !lang::prefilter(lang, text.as_bytes())
        {
            return ReadOutcome::Irrelevant;
        }
        return ReadOutcome::Text {
            source: Arc::new(SourceFile::new(display.to_path_buf(), text)),
            invalid_utf8_at: None,
        };
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(BINARY_SNIFF_BYTES)]).is_some() {
        return ReadOutcome::Binary;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // One copy, into the shared text.
    let (text, invalid_utf8_at): (Arc<str>, _) = match std::str::from_utf8(body) {
        Ok(s) => (Arc::from(s), None),
        Err(e) => (
            Arc::from(String::from_utf8_lossy(body).as_ref()),
            Some(e.valid_up_to() + (bytes.len() - body.len())),
        ),
    };
    ReadOutcome::Text {
        source: Arc::new(SourceFile::new(display.to_path_buf(), text)),
        invalid_utf8_at,
    }
}

/// A file over the size limit is worth a warning only if it could matter:
/// its bytes are searched as they stream past, never held.
fn too_large(path: &Path, size: u64, filter: Option<Lang>) -> ReadOutcome {
    let relevant = match filter {
        Some(lang) => std::fs::File::open(path)
            .map(|f| lang::prefilter_stream(lang, std::io::BufReader::new(f)))
            .unwrap_or(true),
        None => true,
    };
    if relevant {
        ReadOutcome::TooLarge(size)
    } else {
        ReadOutcome::Irrelevant
    }
}

/// UTF-16 (little or big endian, by its BOM) as a string; unpaired
/// surrogates become U+FFFD.
fn decode_utf16(bytes: &[u8]) -> String {
    let big = bytes.starts_with(b"\xFE\xFF");
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if big {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}
