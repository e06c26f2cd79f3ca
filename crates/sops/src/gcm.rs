//! AES-256-GCM for sops values, fused with base64 and streamed in chunks.
//!
//! The base64 of the data is `base64-simd` (AVX2 or SSSE3 chosen at run
//! time: ten times the scalar speed), exactly as strict as the `base64`
//! crate used elsewhere: canonical padding, no stray bits, no whitespace.
//!
//! This is the GCM of NIST SP 800-38D built from the same RustCrypto
//! primitives the `aes-gcm` crate uses (`aes` with AES-NI chosen at run
//! time, `ctr`'s 32-bit big-endian counter, `ghash` with CLMUL), so a value
//! is identical to `aes-gcm`'s (the tests compare them). Working chunk by
//! chunk lets a large value be encrypted and base64-encoded in one pass
//! through the cache, straight into the `ENC[...]` string, and decoded and
//! decrypted straight into the plaintext buffer; the plaintext of a large
//! value is handed to a second thread meanwhile (the SHA-512 of the MAC).

use aes_gcm::aes::cipher::{inout::InOutBuf, BlockEncrypt, InnerIvInit, KeyInit, StreamCipherCore};
use aes_gcm::aes::Aes256;
use ghash::universal_hash::UniversalHash;
use ghash::GHash;
use zeroize::Zeroizing;

type Block = ghash::Block;
type Ctr<'a> = ctr::CtrCore<&'a Aes256, ctr::flavors::Ctr32BE>;

/// Plaintext bytes per chunk: a multiple of 3 (whole base64 groups) and of
/// 16 (whole AES blocks), small enough to stay in the L2 cache. Tiny under
/// the fuzzer, whose inputs are a few KiB, so they cross chunks and
/// threads too.
#[cfg(not(fuzzing))]
const CHUNK: usize = 48 * 1024;
#[cfg(fuzzing)]
const CHUNK: usize = 48;
/// The base64 characters of one chunk.
const CHUNK_B64: usize = CHUNK / 3 * 4;
/// Values at least this large hand their plaintext to a second thread.
#[cfg(not(fuzzing))]
pub(crate) const PARALLEL_MIN: usize = 512 * 1024;
#[cfg(fuzzing)]
pub(crate) const PARALLEL_MIN: usize = 4 * CHUNK;

/// Work done on the plaintext of a value beside the cipher (hashing): it
/// sees all the plaintext, in order, possibly in several pieces.
pub(crate) type Side<'a> = &'a mut (dyn FnMut(&[u8]) + Send);

/// Why a value could not be opened.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The data is not canonical, padded standard base64.
    Base64(String),
    /// The tag does not match.
    Authentication,
}

/// AES-256-GCM with one key.
pub(crate) struct Gcm {
    aes: Aes256,
    ghash: GHash,
}

impl Gcm {
    pub(crate) fn new(key: &[u8; 32]) -> Gcm {
        let aes = Aes256::new(key.into());
        let mut h = Block::default();
        aes.encrypt_block(&mut h);
        let ghash = GHash::new(&h);
        Gcm { aes, ghash }
    }

    /// The counter (positioned at the first data block) and the tag mask.
    fn start(&self, iv: &[u8]) -> (Ctr<'_>, Block) {
        let j0 = if iv.len() == 12 {
            let mut b = Block::default();
            b[..12].copy_from_slice(iv);
            b[15] = 1;
            b
        } else {
            let mut g = self.ghash.clone();
            g.update_padded(iv);
            let mut b = Block::default();
            b[8..].copy_from_slice(&((iv.len() as u64) * 8).to_be_bytes());
            g.update(&[b]);
            g.finalize()
        };
        let mut ctr = Ctr::inner_iv_init(&self.aes, &j0);
        let mut mask = Block::default();
        ctr.write_keystream_block(&mut mask);
        (ctr, mask)
    }

    fn finish(mut g: GHash, aad_len: usize, data_len: usize, mask: &Block) -> [u8; 16] {
        let mut b = Block::default();
        b[..8].copy_from_slice(&((aad_len as u64) * 8).to_be_bytes());
        b[8..].copy_from_slice(&((data_len as u64) * 8).to_be_bytes());
        g.update(&[b]);
        let t = g.finalize();
        let mut tag = [0u8; 16];
        for (o, (a, b)) in tag.iter_mut().zip(t.iter().zip(mask.iter())) {
            *o = a ^ b;
        }
        tag
    }

    /// Encrypts `plain`, appending the base64 of the ciphertext to `out`;
    /// returns the tag. `side` sees the plaintext (on a second thread for
    /// large values).
    pub(crate) fn seal_b64(
        &self,
        iv: &[u8],
        aad: &[u8],
        plain: &[u8],
        out: &mut String,
        side: Option<Side<'_>>,
    ) -> [u8; 16] {
        match side {
            Some(side) if plain.len() >= PARALLEL_MIN => std::thread::scope(|s| {
                s.spawn(move || side(plain));
                self.seal_b64_inner(iv, aad, plain, out)
            }),
            Some(side) => {
                side(plain);
                self.seal_b64_inner(iv, aad, plain, out)
            }
            None => self.seal_b64_inner(iv, aad, plain, out),
        }
    }

    fn seal_b64_inner(&self, iv: &[u8], aad: &[u8], plain: &[u8], out: &mut String) -> [u8; 16] {
        out.reserve(plain.len().div_ceil(3) * 4);
        let mut sealer = self.sealer(iv, aad);
        sealer.update_b64(plain, out);
        sealer.finish()
    }

    /// A sealer for a value given in pieces.
    pub(crate) fn sealer(&self, iv: &[u8], aad: &[u8]) -> Sealer<'_> {
        let (ctr, mask) = self.start(iv);
        let mut ghash = self.ghash.clone();
        ghash.update_padded(aad);
        Sealer {
            ctr,
            ghash,
            mask,
            aad_len: aad.len(),
            len: 0,
            buf: Zeroizing::new(Vec::new()),
        }
    }

    /// Decodes and decrypts a base64 ciphertext, checking the tag. `side`
    /// sees the plaintext as it is decrypted (on a second thread for large
    /// values), before the tag is checked: whatever it computes must be
    /// thrown away when this fails.
    pub(crate) fn open_b64(
        &self,
        iv: &[u8],
        aad: &[u8],
        data: &str,
        tag: &[u8; 16],
        side: Option<Side<'_>>,
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let data = data.as_bytes();
        let len = decoded_len(data)?;
        let mut out = Zeroizing::new(vec![0u8; len]);
        let (mut ctr, mask) = self.start(iv);
        let mut g = self.ghash.clone();
        g.update_padded(aad);
        let pieces = data.chunks(CHUNK_B64).zip(out.chunks_mut(CHUNK));
        let mut step = |input: &[u8], chunk: &mut [u8]| -> Result<(), OpenError> {
            let b64 = base64_simd::STANDARD;
            let n = b64.decoded_length(input).map_err(|_| invalid())?;
            if n != chunk.len() {
                // Padding before the end of the data.
                return Err(OpenError::Base64("padding in the middle".into()));
            }
            b64.decode(input, base64_simd::Out::from_slice(chunk))
                .map_err(|_| invalid())?;
            g.update_padded(chunk);
            apply_keystream(&mut ctr, chunk);
            Ok(())
        };
        match side {
            Some(side) if len >= PARALLEL_MIN => std::thread::scope(|s| {
                let (tx, rx) = std::sync::mpsc::sync_channel::<&[u8]>(8);
                s.spawn(move || {
                    for piece in rx {
                        side(piece);
                    }
                });
                for (input, chunk) in pieces {
                    step(input, chunk)?;
                    let done: &[u8] = chunk;
                    if tx.send(done).is_err() {
                        break;
                    }
                }
                Ok(())
            })?,
            Some(side) => {
                for (input, chunk) in pieces {
                    step(input, chunk)?;
                    side(chunk);
                }
            }
            None => {
                for (input, chunk) in pieces {
                    step(input, chunk)?;
                }
            }
        }
        let want = Self::finish(g, aad.len(), len, &mask);
        // Constant time: no early exit on the first differing byte.
        let diff = want.iter().zip(tag).fold(0u8, |a, (x, y)| a | (x ^ y));
        if diff != 0 {
            return Err(OpenError::Authentication);
        }
        Ok(out)
    }
}

/// Encrypts a value given in pieces, appending the base64 of the
/// ciphertext as it goes.
pub(crate) struct Sealer<'a> {
    ctr: Ctr<'a>,
    ghash: GHash,
    mask: Block,
    aad_len: usize,
    len: usize,
    /// Where each chunk is encrypted (it holds plaintext for a moment).
    buf: Zeroizing<Vec<u8>>,
}

/// Every piece but the last given to [`Sealer::update_b64`] is a multiple
/// of this (whole AES blocks, whole base64 groups).
pub(crate) const PIECE_ALIGN: usize = 48;

impl Sealer<'_> {
    /// Encrypts the next piece of plaintext, appending its base64 to `out`.
    ///
    /// # Panics
    /// If an earlier piece was not a multiple of [`PIECE_ALIGN`] bytes (it
    /// had to be the last).
    pub(crate) fn update_b64(&mut self, plain: &[u8], out: &mut String) {
        assert!(
            self.len % PIECE_ALIGN == 0,
            "only the last piece may be a partial one"
        );
        if self.buf.len() < CHUNK.min(plain.len()) {
            self.buf.resize(CHUNK.min(plain.len()), 0);
        }
        for chunk in plain.chunks(CHUNK) {
            let c = &mut self.buf[..chunk.len()];
            c.copy_from_slice(chunk);
            apply_keystream(&mut self.ctr, c);
            self.ghash.update_padded(c);
            base64_simd::STANDARD.encode_append(&*c, out);
        }
        self.len += plain.len();
    }

    /// The tag.
    pub(crate) fn finish(self) -> [u8; 16] {
        Gcm::finish(self.ghash, self.aad_len, self.len, &self.mask)
    }
}

/// Applies the keystream to a chunk: whole blocks, then (last chunk only)
/// a partial block.
fn apply_keystream(ctr: &mut Ctr<'_>, data: &mut [u8]) {
    let (blocks, mut tail) = InOutBuf::from(data).into_chunks();
    ctr.apply_keystream_blocks_inout(blocks);
    let n = tail.len();
    if n > 0 {
        let mut b = Block::default();
        b[..n].copy_from_slice(tail.get_in());
        ctr.apply_keystream_blocks(std::slice::from_mut(&mut b));
        tail.get_out().copy_from_slice(&b[..n]);
    }
}

fn invalid() -> OpenError {
    OpenError::Base64("not canonical padded standard base64".into())
}

/// The length of the bytes encoded by canonical padded base64, or why the
/// text is not that.
fn decoded_len(b: &[u8]) -> Result<usize, OpenError> {
    if b.len() % 4 != 0 {
        return Err(OpenError::Base64(format!(
            "length {} is not a multiple of 4",
            b.len()
        )));
    }
    base64_simd::STANDARD
        .decoded_length(b)
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::consts::U32;
    use aes_gcm::aead::{Aead, Payload};
    use aes_gcm::AesGcm;
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine;

    fn reference(key: &[u8; 32], iv: &[u8; 32], aad: &[u8], plain: &[u8]) -> Vec<u8> {
        AesGcm::<Aes256, U32>::new(key.into())
            .encrypt(iv.into(), Payload { msg: plain, aad })
            .unwrap()
    }

    fn bytes(n: usize, seed: u8) -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn same_as_aes_gcm_at_every_boundary() {
        let key = [5u8; 32];
        let iv = [9u8; 32];
        let gcm = Gcm::new(&key);
        let mut lens = vec![0, 1, 2, 3, 15, 16, 17, 47, 48, 49, 1000];
        for base in [CHUNK, 2 * CHUNK, PARALLEL_MIN, PARALLEL_MIN + CHUNK] {
            lens.extend([base - 17, base - 16, base - 1, base, base + 1, base + 16]);
        }
        for n in lens {
            let plain = bytes(n, n as u8);
            let want = reference(&key, &iv, b"a:b:", &plain);
            let (want_data, want_tag) = want.split_at(n);
            let mut seen = Vec::new();
            let mut side = |p: &[u8]| seen.extend_from_slice(p);
            let mut out = String::new();
            let tag = gcm.seal_b64(&iv, b"a:b:", &plain, &mut out, Some(&mut side));
            assert_eq!(&tag[..], want_tag, "tag, {n} bytes");
            assert_eq!(out, B64.encode(want_data), "data, {n} bytes");
            assert!(seen == plain, "side saw the plaintext, {n} bytes");

            let mut seen = Vec::new();
            let mut side = |p: &[u8]| seen.extend_from_slice(p);
            let back = gcm
                .open_b64(&iv, b"a:b:", &out, &tag, Some(&mut side))
                .unwrap();
            assert!(*back == plain, "{n} bytes");
            assert!(seen == plain, "side saw the plaintext, {n} bytes");
            let back = gcm.open_b64(&iv, b"a:b:", &out, &tag, None).unwrap();
            assert!(*back == plain, "{n} bytes");

            let mut bad = tag;
            bad[15] ^= 1;
            assert_eq!(
                gcm.open_b64(&iv, b"a:b:", &out, &bad, None),
                Err(OpenError::Authentication)
            );
            assert_eq!(
                gcm.open_b64(&iv, b"a:c:", &out, &tag, None),
                Err(OpenError::Authentication)
            );
        }
    }

    #[test]
    fn pieces_give_the_same_value() {
        let key = [5u8; 32];
        let iv = [9u8; 32];
        let gcm = Gcm::new(&key);
        let plain = bytes(3 * CHUNK + 100, 1);
        let mut whole = String::new();
        let tag = gcm.seal_b64(&iv, b"data:", &plain, &mut whole, None);
        for piece in [PIECE_ALIGN, CHUNK, CHUNK + PIECE_ALIGN, 2 * CHUNK] {
            let mut sealer = gcm.sealer(&iv, b"data:");
            let mut out = String::new();
            for p in plain.chunks(piece) {
                sealer.update_b64(p, &mut out);
            }
            assert_eq!(sealer.finish(), tag, "pieces of {piece}");
            assert!(out == whole, "pieces of {piece}");
        }
    }

    #[test]
    fn twelve_byte_nonces_too() {
        let key = [1u8; 32];
        let gcm = Gcm::new(&key);
        let iv = [3u8; 12];
        let plain = bytes(100, 0);
        let want = aes_gcm::Aes256Gcm::new((&key).into())
            .encrypt(
                (&iv).into(),
                Payload {
                    msg: &plain,
                    aad: b"x",
                },
            )
            .unwrap();
        let mut out = String::new();
        let tag = gcm.seal_b64(&iv, b"x", &plain, &mut out, None);
        assert_eq!(&tag[..], &want[100..]);
        assert_eq!(out, B64.encode(&want[..100]));
    }

    #[test]
    fn bad_base64_is_refused_like_a_whole_decode() {
        let key = [5u8; 32];
        let iv = [9u8; 32];
        let gcm = Gcm::new(&key);
        let tag = [0u8; 16];
        for bad in ["abc", "ab=c", "a===", "%%%%", "ab\ncd=="] {
            assert!(
                matches!(
                    gcm.open_b64(&iv, b"", bad, &tag, None),
                    Err(OpenError::Base64(_))
                ),
                "{bad:?}"
            );
        }
        // Padding at the end of a chunk that is not the last one.
        let mut s = "A".repeat(CHUNK_B64 - 4);
        s.push_str("AA==");
        s.push_str("AAAA");
        assert!(matches!(
            gcm.open_b64(&iv, b"", &s, &tag, None),
            Err(OpenError::Base64(_))
        ));
        // Non-canonical trailing bits are refused, as whole decoding does.
        assert!(B64.decode("AB==").is_err());
        assert!(matches!(
            gcm.open_b64(&iv, b"", "AB==", &tag, None),
            Err(OpenError::Base64(_))
        ));
    }
}
