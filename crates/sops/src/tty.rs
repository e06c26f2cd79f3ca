//! Reading a passphrase from the terminal, as sops does for
//! passphrase-protected SSH keys: on `/dev/tty` (else on standard input if
//! it is a terminal), without echo, the prompt erased afterwards.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use zeroize::Zeroizing;

/// Asks for a secret on the terminal. Errors when there is no terminal.
#[cfg(unix)]
pub fn read_secret(prompt: &str) -> Result<Zeroizing<String>, String> {
    use rustix::termios::{isatty, tcgetattr, tcsetattr, InputModes, LocalModes, OptionalActions};
    use std::os::fd::{AsFd, BorrowedFd};

    let tty = match OpenOptions::new().read(true).write(true).open("/dev/tty") {
        Ok(t) => Some(t),
        Err(_) if isatty(std::io::stdin().as_fd()) => None,
        Err(e) => {
            return Err(format!(
                "standard input is not a terminal, and /dev/tty is not available: {e}"
            ))
        }
    };
    let stdin = std::io::stdin();
    let fd: BorrowedFd<'_> = match &tty {
        Some(t) => t.as_fd(),
        None => stdin.as_fd(),
    };
    let saved = tcgetattr(fd).ok();
    if let Some(saved) = &saved {
        let mut quiet = saved.clone();
        // What Go's term.ReadPassword sets.
        quiet.local_modes -= LocalModes::ECHO;
        quiet.local_modes |= LocalModes::ICANON | LocalModes::ISIG;
        quiet.input_modes |= InputModes::ICRNL;
        tcsetattr(fd, OptionalActions::Now, &quiet)
            .map_err(|e| format!("cannot turn off echo: {e}"))?;
    }
    let mut out: Box<dyn Write> = match &tty {
        Some(t) => Box::new(t),
        None => Box::new(std::io::stderr()),
    };
    let _ = write!(out, "{prompt} ");
    let _ = out.flush();
    let mut line = Zeroizing::new(String::new());
    let read = match &tty {
        Some(t) => BufReader::new(t).read_line(&mut line),
        None => stdin.lock().read_line(&mut line),
    };
    if let Some(saved) = &saved {
        let _ = tcsetattr(fd, OptionalActions::Now, saved);
    }
    // Erase the prompt (a new line first, which works everywhere), as age
    // and sops do.
    let _ = write!(out, "\r\n\x1b[F\x1b[K");
    let _ = out.flush();
    read.map_err(|e| format!("reading the terminal: {e}"))?;
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

/// Asks for a secret on the terminal. Errors when there is no terminal.
#[cfg(not(unix))]
pub fn read_secret(_prompt: &str) -> Result<Zeroizing<String>, String> {
    Err("reading a passphrase from the terminal is only supported on Unix".into())
}
