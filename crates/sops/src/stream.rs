//! Encrypting a binary file as it is read.
//!
//! A binary file is one value (`data`) in a JSON envelope. Its ciphertext
//! comes first in the output and the metadata (with the MAC over the
//! plaintext) last, so the file can be encrypted piece by piece: each piece
//! read is hashed for the MAC on a second thread while it is encrypted and
//! base64-encoded on this one, and written out. Memory stays a few MiB
//! whatever the size of the file, and the output is byte for byte what
//! encrypting the whole file at once writes.

use crate::cipher;
use crate::crypt::{self, Rules};
use crate::document::{new_metadata, seal_mac, stamp, EncryptOptions, SopsFile};
use crate::error::{Error, Result};
use crate::gcm::{Gcm, PIECE_ALIGN};
use crate::stores::{json, Format};
use crate::value::{Map, Value};
use sha2::Digest;
use std::io::{ErrorKind, Read, Write};
use std::sync::{mpsc, Arc};
use zeroize::Zeroizing;

/// Bytes read at a time: a multiple of [`PIECE_ALIGN`], about 1 MiB.
const PIECE: usize = PIECE_ALIGN * 21 * 1024;

/// What the envelope starts with, up to the `data` value.
const HEAD: &str = "{\n\t\"data\": \"";
/// What [`json::emit_with`] writes before the metadata when `data` is "".
const EMPTY_DATA_HEAD: &str = "{\n\t\"data\": \"\"";

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill(r: &mut dyn Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Read(e)),
        }
    }
    Ok(n)
}

/// Reads the next piece into `piece` (a fresh buffer or one used before).
fn read_piece(r: &mut dyn Read, mut piece: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>> {
    piece.resize(PIECE, 0);
    let n = fill(r, &mut piece)?;
    piece.truncate(n);
    Ok(piece)
}

/// Encrypts the binary file read from `r` for new recipients, writing the
/// encrypted file (sops' JSON envelope, which is also what `--output-type
/// binary` writes) to `w` as it goes. Errors while reading are
/// [`Error::Read`], while writing [`Error::Write`]; `w` may then have part of the
/// output, so give it a temporary file or a pipe whose reader sees the
/// failure.
///
/// Files that cannot be streamed (empty, or whose rules leave `data` in
/// clear) are read whole and encrypted the usual way.
pub fn encrypt_binary_stream(
    r: &mut dyn Read,
    w: &mut dyn Write,
    opts: &EncryptOptions,
) -> Result<()> {
    opts.rules.validate()?;
    let rules = Rules::new(&opts.rules)?;
    let first = read_piece(r, Zeroizing::new(Vec::new()))?;
    let encrypted = rules.should_encrypt(&["data".to_string()], &[Vec::new()], false);
    if first.is_empty() || !encrypted {
        let mut all = first;
        r.read_to_end(&mut all).map_err(Error::Read)?;
        return SopsFile::create(all, Format::Binary, opts)?
            .seal()?
            .write(Format::Json, w);
    }

    let (mut md, key) = new_metadata(opts)?;
    stamp(&mut md);
    let gcm = Gcm::new(&key);
    let iv = cipher::random_iv()?;
    let mut sealer = gcm.sealer(&iv, b"data:");
    let mut hash = crypt::new_hash(&rules);

    w.write_all(HEAD.as_bytes()).map_err(Error::Write)?;
    w.write_all(cipher::ENC_HEAD.as_bytes())
        .map_err(Error::Write)?;
    let mut out = String::with_capacity(PIECE / 3 * 4);
    std::thread::scope(|s| -> Result<()> {
        // Pieces go to the MAC's hash on a second thread while they are
        // encrypted here, and come back to be read into again: a few
        // buffers, wiped when dropped at the end.
        type Piece = Arc<Zeroizing<Vec<u8>>>;
        let (tx, rx) = mpsc::sync_channel::<Piece>(2);
        let (back_tx, back_rx) = mpsc::channel::<Piece>();
        let hash = &mut hash;
        s.spawn(move || {
            for piece in rx {
                hash.update(&piece[..]);
                let _ = back_tx.send(piece);
            }
        });
        let mut piece = first;
        while !piece.is_empty() {
            let shared = Arc::new(piece);
            // The hasher only stops early if it panicked, which the scope reports.
            let _ = tx.send(Arc::clone(&shared));
            out.clear();
            sealer.update_b64(&shared, &mut out);
            w.write_all(out.as_bytes()).map_err(Error::Write)?;
            if shared.len() < PIECE {
                break;
            }
            drop(shared);
            let spare = back_rx
                .try_iter()
                .find_map(|p| Arc::try_unwrap(p).ok())
                .unwrap_or_default();
            piece = read_piece(r, spare)?;
        }
        Ok(())
    })?;
    let tag = sealer.finish();

    let mut tail = String::with_capacity(100);
    cipher::push_enc_tail(&mut tail, &iv, &tag, "str");
    tail.push('"');
    w.write_all(tail.as_bytes()).map_err(Error::Write)?;

    seal_mac(&mut md, crypt::hex_upper(&hash.finalize()), &key)?;
    // The rest of the envelope, exactly as the JSON store writes it.
    let mut doc = Map::new();
    doc.push("data", Value::str(""));
    let whole = json::emit_with(&doc, Some(("sops", &md.to_value(true))));
    let rest =
        whole
            .strip_prefix(EMPTY_DATA_HEAD)
            .ok_or(crate::error::UnsupportedError::Internal(
                "unexpected JSON envelope",
            ))?;
    w.write_all(rest.as_bytes()).map_err(Error::Write)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{Identities, Identity};
    use crate::metadata;
    use crate::stores;

    fn check(plain: &[u8], opts: &EncryptOptions, ids: &Identities) {
        let mut out = Vec::new();
        encrypt_binary_stream(&mut &plain[..], &mut out, opts).unwrap();
        // Byte for byte what the JSON store writes for the same tree.
        let (docs, md) = stores::load_encrypted(&out, Format::Binary).unwrap();
        let again = stores::emit_encrypted(&docs, &md, Format::Binary).unwrap();
        assert!(
            again == out,
            "{} bytes: not the store's output",
            plain.len()
        );
        let d = crate::SopsFile::open(&out, Format::Binary, ids, &Default::default()).unwrap();
        assert!(
            &d.plaintext(Format::Binary).unwrap()[..] == plain,
            "{} bytes",
            plain.len()
        );
    }

    #[test]
    fn streamed_files_decrypt_and_match_the_store() {
        let id = Identity::generate();
        let recipient = id.recipient().clone();
        let mut ids = Identities::empty();
        ids.add_text(id.expose_secret(), "test").unwrap();
        let opts = EncryptOptions::new(vec![vec![recipient.clone()]]);
        for n in [
            0,
            1,
            47,
            48,
            1000,
            PIECE - 1,
            PIECE,
            PIECE + 1,
            2 * PIECE + 5,
        ] {
            let plain: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            check(&plain, &opts, &ids);
        }
        check("text, not bytes\n".as_bytes(), &opts, &ids);
        // The MAC covering only encrypted values, and rules that leave
        // `data` in clear (read whole).
        let mut only = opts.clone();
        only.rules.mac_only_encrypted = true;
        check(&[1, 2, 3], &only, &ids);
        let mut clear = EncryptOptions::new(vec![vec![recipient]]);
        clear.rules = metadata::EncryptionRules {
            encrypted_regex: Some("^nothing$".into()),
            ..Default::default()
        };
        check(b"stays in clear", &clear, &ids);
    }
}
