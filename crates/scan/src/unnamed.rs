//! Random values that no keyword announces: under a name that does not
//! say secret (mailcow's `DBROOT=…`, `PUSHOVER_APP=…`), or alone on a
//! line (a key pasted into a runbook). Every other rule starts from a
//! keyword; this one starts from long runs of token bytes, found by a
//! scan that looks at one byte in twenty where runs are short, and
//! reports a run only if it reads as machine-made: both cases and digits
//! mixed as random draws mix them, not words. Hashes, ids, public keys,
//! certificates and checksums are told apart by their shape and by their
//! key's name.

use crate::{checks, context};

/// The shortest and longest value considered. Shorter random strings are
/// ids more often than secrets (Matrix room ids, dashboard uids); longer
/// ones are blobs (images, certificates), which other rules read.
const MIN: usize = 20;
const MAX: usize = 100;

/// A byte of a token: base64 (also URL-safe) without its padding.
#[inline]
const fn is_run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-')
}

/// Whether a file is read for unnamed values: not source code, whose test
/// vectors and encoded data are random by design (a homelab's scripts and
/// configs are read: shell, Python, Ruby and PHP configs such as
/// `gitlab.rb` and `config.php`), nor lock files, checksum lists or
/// certificates.
pub(crate) fn applies_to(path: &str) -> bool {
    const SKIP: &[&str] = &[
        "rs", "go", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "java", "kt", "kts", "scala",
        "swift", "m", "mm", "cs", "fs", "vb", "zig", "nim", "hs", "ml", "ex", "exs", "erl", "clj",
        "dart", "js", "jsx", "ts", "tsx", "mjs", "cjs", "vue", "svelte", "css", "scss", "html",
        "htm", "svg", "lock", "sum", "pem", "crt", "cer", "asc", "sig", "ipynb", "map",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    !SKIP.iter().any(|s| ext.eq_ignore_ascii_case(s))
        && !name.ends_with("-lock.json")
        && !name.ends_with(".lock.json")
}

/// Calls `found(span)` for each run that is a random value under a name
/// that does not say it is public, or alone on its line.
pub(crate) fn find(data: &[u8], mut found: impl FnMut((usize, usize))) {
    let n = data.len();
    // Invariant: `i == 0` or `data[i - 1]` is not a run byte, so a run
    // of MIN bytes starting at or after `i` holds `data[i + MIN - 1]`.
    let mut i = 0;
    while i + MIN <= n {
        let p = i + MIN - 1;
        if !RUN[data[p] as usize] {
            i = p + 1;
            continue;
        }
        // The run holding `p` starts after the last non-run byte before
        // it; if that is past `i`, no run starts in `i..` up to it.
        if let Some(q) = (i..p).rev().find(|&q| !RUN[data[q] as usize]) {
            i = q + 1;
            continue;
        }
        let mut e = p + 1;
        while e < n && RUN[data[e] as usize] {
            e += 1;
        }
        if let Some(span) = judge(data, i, e) {
            found(span);
        }
        i = e + 1;
    }
}

/// [`is_run_byte`] as a table: the scan looks at every byte it touches once.
static RUN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = is_run_byte(b as u8);
        b += 1;
    }
    t
};

/// The value's span if the run `s..e` is a reportable random value.
fn judge(data: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    // Base64 padding.
    let mut end = e;
    while end < data.len() && data[end] == b'=' && end - e < 2 {
        end += 1;
    }
    let v = &data[s..end];
    if v.len() > MAX || !looks_random(v) {
        return None;
    }
    let ((ls, le), cut) = context::line_around(data, s, end);
    let before = &data[ls..s];
    let after = &data[end..le];
    // A quote around the value, the same on both sides.
    let (before, after) = match (before.last(), after.first()) {
        (Some(&q), Some(&r)) if q == r && matches!(q, b'"' | b'\'' | b'`') => {
            (&before[..before.len() - 1], &after[1..])
        }
        _ => (before, after),
    };
    let after = checks::trim(after);
    let lone = !cut
        && before
            .iter()
            .all(|&c| c == b' ' || c == b'\t' || c == b'-' || c == b'*')
        && after.is_empty();
    let reportable = if lone {
        lone_value(data, ls, le, v)
    } else {
        value_ends(after) && named_value(before)
    };
    // (OPNsense's API key id, beside its hashed secret.)
    let key_id = before.ends_with(b"<key>") && context::id_beside_hashed_secret(data, le);
    (reportable && !key_id && !public_shape(v) && !encodes_no_secret(v)).then_some((s, end))
}

/// Random draws, not words: both cases (and digits, unless long), case
/// and class changing from byte to byte as often as random strings do,
/// few vowels, no word for a segment and no run people type.
pub(crate) fn looks_random(v: &[u8]) -> bool {
    let core = match v.iter().rposition(|&c| c != b'=') {
        Some(p) => &v[..=p],
        None => return false,
    };
    // One pass for the counts (most runs fail here: hex, paths, words).
    let (mut upper, mut lower, mut digits, mut vowels, mut changes) = (0, 0, 0, 0, 0);
    let mut prev = u8::MAX;
    for &c in core {
        let class = match c {
            b'A'..=b'Z' => {
                upper += 1;
                0
            }
            b'a'..=b'z' => {
                lower += 1;
                1
            }
            b'0'..=b'9' => {
                digits += 1;
                2
            }
            _ => 3,
        };
        vowels += usize::from(b"aeiouAEIOU".contains(&c));
        changes += usize::from(prev != u8::MAX && prev != class);
        prev = class;
    }
    let letters = upper + lower;
    // Random base62 changes class at 62 % of its steps; camelCase words at
    // a third or less.
    if upper < 2
        || lower < 2
        || digits == 0 && core.len() < 24
        || vowels * 10 >= letters * 4
        || changes * 10 < (core.len() - 1) * 4
    {
        return false;
    }
    // Structure, not chance: a path or a name with a word for a segment
    // (`/dev/serial/by-id/usb-Zooz_800_…`, `bedrock-api-key-…`), or a
    // run that people type (`abcd`, `1234`, `test`).
    let structured = core
        .split(|&c| matches!(c, b'/' | b'-' | b'_'))
        .any(|seg| seg.len() >= 4 && seg.iter().all(u8::is_ascii_lowercase))
        || [&b"abcd"[..], b"1234", b"test", b"Test", b"TEST"]
            .iter()
            .any(|w| memchr::memmem::find(core, w).is_some());
    !structured && !camel_case_words(core) && checks::entropy(core) >= 3.5
}

/// Capitalised words run together, with numbers between them
/// (`HostDiskWillFillIn24Hours`): a name. Random strings cut at their
/// capitals leave one-letter and digit-mixed pieces.
fn camel_case_words(v: &[u8]) -> bool {
    let mut words = 0;
    let mut i = 0;
    while i < v.len() {
        let start = i;
        if v[i].is_ascii_digit() {
            while i < v.len() && v[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        if !v[i].is_ascii_alphabetic() {
            return false;
        }
        i += 1;
        while i < v.len() && v[i].is_ascii_lowercase() {
            i += 1;
        }
        let word = &v[start..i];
        // (`In` is a word and `Kx` could be; a random string cut at its
        // capitals leaves single letters, and longer pieces with no vowel.)
        if word.len() < 2 || word.len() > 2 && !word[1..].iter().any(|c| b"aeiouy".contains(c)) {
            return false;
        }
        words += 1;
    }
    words >= 3
}

/// Only what ends a value follows it: a terminator of a statement, a list
/// or an object, an XML end tag or a comment.
fn value_ends(after: &[u8]) -> bool {
    match after.first() {
        None => true,
        Some(b',' | b';' | b'}' | b']' | b')') => true,
        Some(b'<') => after.starts_with(b"</"),
        Some(b'#') => true,
        _ => after.starts_with(b"//"),
    }
}

/// `name = `, `name: `, `"name": `, `name => `, `<name>` or `--name `
/// before the value, with a name that does not say the value is public.
fn named_value(before: &[u8]) -> bool {
    let b = before.trim_ascii_end();
    let key_end = if let Some(tag) = b.strip_suffix(b">") {
        // `<Name>value</Name>`
        return memchr::memrchr(b'<', tag)
            .is_some_and(|lt| lt + 1 < tag.len() && key_may_be_secret(&tag[lt + 1..]));
    } else if let Some(k) = b
        .strip_suffix(b"=>")
        .or_else(|| b.strip_suffix(b":="))
        .or_else(|| b.strip_suffix(b"="))
        .or_else(|| b.strip_suffix(b":"))
    {
        k
    } else {
        return false;
    };
    let k = key_end.trim_ascii_end();
    let k = k
        .strip_suffix(b"\"")
        .or_else(|| k.strip_suffix(b"'"))
        .unwrap_or(k);
    let start = k
        .iter()
        .rposition(|&c| !crate::generic::is_key_byte(c))
        .map_or(0, |p| p + 1);
    let key = &k[start..];
    // `==`, `!=`, `<=`: comparisons in code, not assignments.
    let op_before = key.is_empty() || matches!(k.last(), Some(b'=' | b'!' | b'<' | b'>'));
    !op_before && key.iter().any(u8::is_ascii_alphabetic) && key_may_be_secret(key)
}

/// A line with nothing but the value, whose neighbours are not more of
/// the same (the body of a PEM block, a base64 file, a GPG signature).
fn lone_value(data: &[u8], ls: usize, le: usize, v: &[u8]) -> bool {
    if v.len() < 24 {
        return false;
    }
    let blockish = |line: &[u8]| {
        // (Inside a comment too: ` * MIIF…` in a doc comment.)
        let t = checks::trim(line);
        let t = match t.iter().position(|c| !b"*#/;>- \t".contains(c)) {
            Some(p) if !t.starts_with(b"-----") => &t[p..],
            _ => t,
        };
        t.starts_with(b"-----")
            || t.len() >= 16
                && t.iter()
                    .all(|&c| is_run_byte(c) || c == b'=' || c == b'"' || c == b',')
    };
    let prev = (ls > 0).then(|| {
        let ((ps, pe), _) = context::line_around(data, ls - 1, ls - 1);
        &data[ps..pe]
    });
    let next = (le < data.len()).then(|| {
        let ((ns, ne), _) = context::line_around(data, le + 1, le + 1);
        &data[ns..ne]
    });
    // The line above names a lone value (`The public VAPID key:`).
    let named_public = prev.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        [
            &b"public"[..],
            b"fingerprint",
            b"checksum",
            b"sha256",
            b"hash",
            b" id",
        ]
        .iter()
        .any(|w| memchr::memmem::find(&l, w).is_some())
    });
    !named_public && !prev.is_some_and(blockish) && !next.is_some_and(blockish)
}

/// Whether a key's name leaves room for a secret: not an id, a hash or
/// checksum, a public key or certificate, a version or a name.
fn key_may_be_secret(key: &[u8]) -> bool {
    const PUBLIC: &[&str] = &[
        "id",
        "ids",
        "uid",
        "uuid",
        "guid",
        "kid",
        "sid",
        "oid",
        "hash",
        "digest",
        "checksum",
        "sum",
        "sha",
        "sha1",
        "sha256",
        "sha512",
        "md5",
        "integrity",
        "fingerprint",
        "thumbprint",
        "etag",
        "nonce",
        "iv",
        "tag",
        "commit",
        "rev",
        "revision",
        "version",
        "ref",
        "image",
        "pub",
        "public",
        "pubkey",
        "publickey",
        "publishable",
        "cert",
        "certificate",
        "crt",
        "ca",
        "cacert",
        "serial",
        "mac",
        "h1",
        "signature",
        "sig",
        "url",
        "uri",
        "href",
        "src",
        "path",
        "file",
        "name",
        "slug",
        "video",
        "playlist",
        "track",
        "channel",
        "room",
        "device",
        "node",
        "example",
        "sample",
        "test",
        "audience",
        "issuer",
        "host",
        "hostname",
        "verify",
        "trusted",
        "event",
        "localpart",
        "user",
        "username",
        "login",
        "email",
        "account",
        "owner",
    ];
    !checks::key_words(key)
        .iter()
        .any(|w| PUBLIC.contains(&w.as_str()) || w.ends_with("hash") || w.ends_with("id"))
}

/// Shapes of public values that pass [`looks_random`]: SSH public keys,
/// base64 PEM and DER, SRI hashes, publishable keys, and whatever the
/// generic checks call a placeholder, reference or hash.
fn public_shape(v: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"AAAA",
        b"LS0t",
        b"sha1-",
        b"sha256-",
        b"sha384-",
        b"sha512-",
        b"pk_live_",
        b"pk_test_",
    ];
    // A typed object id (Stripe's `txr_…`, `price_…`, `cus_…`): keys with
    // a prefix have their own rules.
    let typed_id = v
        .iter()
        .position(|&c| c == b'_')
        .is_some_and(|u| (2..=6).contains(&u) && v[..u].iter().all(u8::is_ascii_lowercase));
    PREFIXES.iter().any(|p| v.starts_with(p))
        || typed_id
        || is_der(v)
        || !checks::generic_value_plausible(v)
        // 32 bytes in base64 under a name that does not say private: a
        // public key (WireGuard, Nix caches, ed25519), unless clamped as
        // `wg genkey` clamps private keys.
        || decoded(v).is_some_and(|b| b.len() == 32) && !crate::context::is_clamped_x25519(v)
        // An uncompressed EC point (a VAPID or ECDSA public key).
        || decoded(v).is_some_and(|b| b.len() == 65 && b[0] == 4)
}

/// The bytes of a base64 (or URL-safe base64) value, padded or not.
fn decoded(v: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{general_purpose as b64, Engine};
    let url = v.iter().any(|&c| c == b'-' || c == b'_');
    let core = match v.iter().rposition(|&c| c != b'=') {
        Some(p) => &v[..=p],
        None => return None,
    };
    match url {
        true => b64::URL_SAFE_NO_PAD.decode(core).ok(),
        false => b64::STANDARD_NO_PAD.decode(core).ok(),
    }
}

/// Base64 of text that is not itself random (`immich-postgres`, a URL, a
/// robots.txt): the text decides, and another rule reads named ones.
fn encodes_no_secret(v: &[u8]) -> bool {
    decoded(v).is_some_and(|b| {
        b.iter()
            .all(|&c| c.is_ascii_graphic() || matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            && !looks_random(&b)
    })
}

/// Base64 of a DER structure (a certificate, a public key): a SEQUENCE
/// whose length is the rest of the bytes.
fn is_der(v: &[u8]) -> bool {
    let Some(b) = decoded(v) else {
        return false;
    };
    if b.len() < 2 || b[0] != 0x30 {
        return false;
    }
    let len = match b[1] {
        n @ 0..=0x7f => (n as usize, 2),
        0x81 if b.len() > 2 => (b[2] as usize, 3),
        0x82 if b.len() > 3 => ((b[2] as usize) << 8 | b[3] as usize, 4),
        _ => return false,
    };
    len.0 + len.1 == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        let mut v = Vec::new();
        find(text.as_bytes(), |(s, e)| v.push(&text[s..e]));
        v
    }

    #[test]
    fn random_values_under_any_name_or_alone() {
        assert_eq!(
            spans("DBROOT=JudnUxqTcJvjkPZroJmOBUmFNeT5\n"),
            ["JudnUxqTcJvjkPZroJmOBUmFNeT5"]
        );
        assert_eq!(
            spans("app: \"azGDoRePK8gMaC0QOYAMyEEuzJnyUi\",\n"),
            ["azGDoRePK8gMaC0QOYAMyEEuzJnyUi"]
        );
        assert_eq!(
            spans("```\nNVLhjlEAebzvM14mZIXRta7ikM1IjAZz\n```\n"),
            ["NVLhjlEAebzvM14mZIXRta7ikM1IjAZz"]
        );
        assert_eq!(
            spans("<Seed>q8Xr2LmZ7vN3kPwY5tBd</Seed>"),
            ["q8Xr2LmZ7vN3kPwY5tBd"]
        );
        assert_eq!(
            spans("x = 'q8Xr2LmZ7vN3kPwY5tBd+Q=='"),
            ["q8Xr2LmZ7vN3kPwY5tBd+Q=="]
        );
    }

    #[test]
    fn words_ids_hashes_and_public_keys_are_not() {
        for clean in [
            // Words, camelCase and identifiers.
            "class: HelloWorldExampleName2\n",
            "handler = getUserAccountSettingsV2\n",
            // Ids, hashes and checksums by name or shape.
            "client_id: JudnUxqTcJvjkPZroJmOBUmFNeT5\n",
            "narHash = \"sha256-Xq2rLk9vB3nW7yT5pZ1mC8dF4gH6jK0sA2eR5tU8iO=\";\n",
            "commit: 3f786850e387550fdab836ed7e6dc881de23001b\n",
            "github.com/x/y v1.2.3 h1:Zq8Xr2LmZ7vN3kPwY5tBdQe4=\n",
            // Public keys and certificates.
            "PublicKey = Zq8Xr2LmZ7vN3kPwY5tBdQe4cF6hJ9kM1nP3rS5uW7y=\n",
            "key: AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xZ7vN3kPwY5tBdQe4cF6hJ9kM1\nnP3rS5uW7yZq8Xr2LmZ7vN3kPwY5tBdQe4cF6hJ9kM1nP3r\n-----END CERTIFICATE-----\n",
            "p: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n",
            // Placeholders and references.
            "DBROOT=${DBROOT_FROM_VAULT_0123456789}\n",
            // Not a whole value: part of a URL, or of prose.
            "see https://docs.google.com/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit\n",
            "the id JudnUxqTcJvjkPZroJmOBUmFNeT5 is public\n",
            // Comparisons in code.
            "if x == \"JudnUxqTcJvjkPZroJmOBUmFNeT5\" {\n",
        ] {
            assert!(spans(clean).is_empty(), "{clean}: {:?}", spans(clean));
        }
    }

    #[test]
    fn the_skipping_scan_finds_what_a_byte_by_byte_scan_finds() {
        // Every maximal run, the slow way.
        fn naive(data: &[u8]) -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            let mut s = 0;
            for e in 0..=data.len() {
                if e == data.len() || !is_run_byte(data[e]) {
                    if e - s >= MIN {
                        out.extend(judge(data, s, e));
                    }
                    s = e + 1;
                }
            }
            out
        }
        let token = "JudnUxqTcJvjkPZroJmOBUmFNeT5q8Xr2LmZ7vN3kPwY5tBd";
        for pad in 0..25 {
            for len in MIN - 2..token.len() {
                for text in [
                    format!("{}k={}\n", " ".repeat(pad), &token[..len]),
                    format!("{}\n{}\n", "ab ".repeat(pad), &token[..len]),
                ] {
                    let mut got = Vec::new();
                    find(text.as_bytes(), |span| got.push(span));
                    assert_eq!(got, naive(text.as_bytes()), "{text:?}");
                }
            }
        }
        assert!(!naive(format!("k={token}\n").as_bytes()).is_empty());
    }
}
