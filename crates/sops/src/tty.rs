//! Reading a passphrase from the terminal, as sops does for
//! passphrase-protected SSH keys: on `/dev/tty` (else on standard input if
//! it is a terminal), without echo, the prompt erased afterwards.

use crate::error::PassphraseError;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// Asks for a secret on the terminal. Errors when there is no terminal.
#[cfg(unix)]
pub(crate) fn read_secret(prompt: &str) -> Result<Zeroizing<String>, PassphraseError> {
    use rustix::termios::{isatty, tcgetattr, tcsetattr, InputModes, LocalModes, OptionalActions};
    use std::os::fd::{AsFd, BorrowedFd};

    let tty = match OpenOptions::new().read(true).write(true).open("/dev/tty") {
        Ok(t) => Some(t),
        Err(_) if isatty(std::io::stdin().as_fd()) => None,
        Err(e) => return Err(PassphraseError::NoTerminal(e)),
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
        tcsetattr(fd, OptionalActions::Now, &quiet).map_err(|e| PassphraseError::Echo(e.into()))?;
    }
    let mut out: Box<dyn Write> = match &tty {
        Some(t) => Box::new(t),
        None => Box::new(std::io::stderr()),
    };
    let _ = write!(out, "{prompt} ");
    let _ = out.flush();
    // Read straight from the descriptor: a buffered reader would keep a
    // copy of the passphrase in a buffer nobody wipes.
    let read = fd
        .try_clone_to_owned()
        .and_then(|fd| read_line(std::fs::File::from(fd)));
    if let Some(saved) = &saved {
        let _ = tcsetattr(fd, OptionalActions::Now, saved);
    }
    // Erase the prompt (a new line first, which works everywhere), as age
    // and sops do.
    let _ = write!(out, "\r\n\x1b[F\x1b[K");
    let _ = out.flush();
    let mut line = read.map_err(PassphraseError::Read)?;
    while line.last() == Some(&b'\r') {
        line.pop();
    }
    match String::from_utf8(std::mem::take(&mut *line)) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(e) => {
            drop(Zeroizing::new(e.into_bytes()));
            Err(PassphraseError::NotUtf8)
        }
    }
}

/// One line from `r`, without its newline, read a byte at a time so that
/// no buffer but the returned one (wiped when dropped) holds it. A
/// terminal in canonical mode hands over the whole line at once anyway.
#[cfg(unix)]
fn read_line(mut r: impl Read) -> std::io::Result<Zeroizing<Vec<u8>>> {
    // Room for any passphrase, so the vector never moves (a move would
    // leave a copy behind).
    let mut line = Zeroizing::new(Vec::with_capacity(4096));
    let mut b = Zeroizing::new([0u8; 1]);
    loop {
        match r.read(&mut *b) {
            Ok(0) => break,
            Ok(_) if b[0] == b'\n' => break,
            Ok(_) if line.len() == line.capacity() => {
                return Err(std::io::Error::other("the passphrase is longer than 4 KiB"))
            }
            Ok(_) => line.push(b[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(line)
}

/// Asks for a secret on the terminal. Errors when there is no terminal.
#[cfg(not(unix))]
pub(crate) fn read_secret(_prompt: &str) -> Result<Zeroizing<String>, PassphraseError> {
    Err(PassphraseError::Unsupported)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn read_line_stops_at_the_newline_and_reads_no_further() {
        let mut input: &[u8] = b"pass phrase\r\nnext line";
        assert_eq!(&**read_line(&mut input).unwrap(), b"pass phrase\r");
        assert_eq!(input, b"next line");
        assert_eq!(&**read_line(&mut input).unwrap(), b"next line");
        let long = vec![b'x'; 5000];
        assert!(read_line(&long[..]).is_err());
    }
}
