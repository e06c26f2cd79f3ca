//! `secretctl edit`: the plaintext lives only in a fresh 0700 directory on a
//! tmpfs, as a 0600 file, and is removed when the command ends, whatever
//! the way (success, editor failure, parse errors, Ctrl-C, SIGTERM, SIGHUP,
//! SIGQUIT; see crate::guard for SIGKILL).

use crate::files::{plaintext_name, private_dir, shred, write_atomic, write_private, Fail};
use crate::guard::Signals;
use sops::{EncryptOptions, Format, SopsFile};
use std::io::IsTerminal;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use zeroize::Zeroizing;

/// How many times we reopen the editor on a file that does not parse.
const MAX_REOPEN: usize = 20;

/// `$SOPS_EDITOR`, `$EDITOR` (with arguments), else `vi`.
fn editor_command() -> Vec<String> {
    for var in ["SOPS_EDITOR", "EDITOR"] {
        if let Ok(v) = std::env::var(var) {
            let words = split_words(&v);
            if !words.is_empty() {
                return words;
            }
        }
    }
    vec!["vi".to_string()]
}

/// Splits a command line on blanks, honouring '…', "…" and backslashes.
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    has = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Waits for Enter on the terminal; Ctrl-C, SIGTERM or SIGHUP abandon.
fn wait_for_enter(sig: &Signals) -> Result<(), Fail> {
    sig.clear_interrupt();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        let _ = tx.send(());
    });
    loop {
        if let Some(f) = sig.terminated().or_else(|| sig.interrupted()) {
            eprintln!();
            return Err(f);
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

fn run_editor(path: &Path, sig: &Signals) -> Result<(), Fail> {
    // Ctrl-C pressed inside an earlier editor session does not count.
    sig.clear_interrupt();
    let words = editor_command();
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .arg(path)
        .spawn()
        .map_err(|e| {
            Fail::new(
                201,
                format!(
                    "cannot start the editor {:?}: {e} (set SOPS_EDITOR or EDITOR)",
                    words.join(" ")
                ),
            )
        })?;
    // Ctrl-C is the editor's to handle (the terminal sends it to the
    // editor too): it counts only if the editor then fails.
    let status = sig.wait(&mut child, false)?;
    if status.success() {
        return Ok(());
    }
    if let Some(f) = sig.interrupted() {
        return Err(f);
    }
    Err(Fail::new(
        201,
        format!(
            "the editor {:?} failed ({status}); the file was not changed",
            words.join(" ")
        ),
    ))
}

/// Edits `file` (created with `new_file` options if it does not exist).
pub(crate) fn edit(
    file: &Path,
    fmt: Format,
    ignore_mac: bool,
    new_file: Option<EncryptOptions>,
) -> Result<i32, Fail> {
    let sig = Signals::install("nothing was written and the plaintext was removed")?;
    let (opened, original) = match &new_file {
        None => {
            let opened = crate::open_file(file, fmt, ignore_mac, false)?;
            let text = opened
                .plaintext(fmt)
                .map_err(|e| Fail::from_sops(e, file))?;
            (opened, text)
        }
        Some(opts) => {
            let text = Zeroizing::new(if fmt == Format::Json {
                b"{}\n".to_vec()
            } else {
                Vec::new()
            });
            let created =
                SopsFile::create(text.clone(), fmt, opts).map_err(|e| Fail::from_sops(e, file))?;
            (created, text)
        }
    };
    let dir = private_dir()?;
    let tmp = dir.path().join(plaintext_name(file));
    let result =
        write_private(&tmp, &original).and_then(|_| edit_loop(file, &tmp, &original, opened, &sig));
    shred(&tmp);
    drop(dir);
    result
}

fn edit_loop(
    file: &Path,
    tmp: &Path,
    original: &[u8],
    mut opened: SopsFile,
    sig: &Signals,
) -> Result<i32, Fail> {
    let mut reopened = 0;
    loop {
        run_editor(tmp, sig)?;
        if let Some(f) = sig.terminated() {
            return Err(f);
        }
        let edited = Zeroizing::new(
            std::fs::read(tmp)
                .map_err(|e| Fail::new(1, format!("reading the edited file back: {e}")))?,
        );
        if edited.as_slice() == original {
            eprintln!("secretctl: {}: file has not been modified", file.display());
            return Ok(200);
        }
        if let Err(e) = opened.replace_plaintext(&edited) {
            reopened += 1;
            eprintln!(
                "secretctl: {}: the edited text is not valid: {e}",
                file.display()
            );
            if reopened >= MAX_REOPEN {
                return Err(Fail::new(
                    1,
                    "giving up after too many invalid edits; nothing was written",
                ));
            }
            if std::io::stdin().is_terminal() {
                eprint!("Press Enter to return to the editor (your text is kept), or Ctrl-C to abandon: ");
                wait_for_enter(sig)?;
            } else {
                eprintln!("secretctl: reopening the editor with your text");
            }
            continue;
        }
        let format = opened.format();
        let out = opened
            .seal()
            .and_then(|s| s.to_bytes(format))
            .map_err(|e| Fail::from_sops(e, file))?;
        if let Some(f) = sig.terminated() {
            return Err(f);
        }
        write_atomic(file, &out)?;
        return Ok(0);
    }
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn editor_words() {
        assert_eq!(split_words("code --wait"), vec!["code", "--wait"]);
        assert_eq!(
            split_words("'my editor' -x \"a b\""),
            vec!["my editor", "-x", "a b"]
        );
        assert_eq!(split_words("  vi  "), vec!["vi"]);
        assert!(split_words("").is_empty());
    }
}
