//! Writing to stdout and stderr without `println!`'s panic when the reader
//! has gone (`dnsctl preview | head -1`): a closed stdout ends the command
//! quietly, as it does for other Unix tools, and a closed stderr is ignored.

use std::fmt::Arguments;
use std::io::Write;

/// The error a write to a closed stdout becomes; `main` exits quietly on it.
#[derive(Debug)]
pub(crate) struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stdout is closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Writes to stdout; any failure ends the command (with [`StdoutClosed`] when
/// the reader has gone, so that `main` can tell it from a real error).
pub(crate) fn write_out(args: Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_fmt(args).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}

/// Writes to stderr, ignoring failure: there is nowhere left to report it.
pub(crate) fn write_err(args: Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// `print!` that returns an error instead of panicking on a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_out(format_args!($($arg)*))? };
}

/// `println!` that returns an error instead of panicking on a closed stdout.
macro_rules! outln {
    () => { $crate::output::write_out(format_args!("\n"))? };
    ($($arg:tt)*) => { $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))? };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::write_err(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}
