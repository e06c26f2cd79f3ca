//! Checks of the homelab rules that read around a match: the segments of
//! a notification URL, an INI section's `type =` line, arrays of byte
//! values, a cloud key id's secret in the same block, `Basic` credentials
//! and WireGuard-format keys. Each runs only on a match of its rule (after
//! its keyword and precheck), never on the common path.

use crate::checks;
use base64::Engine as _;

/// Notification URL schemes (shoutrrr, apprise) whose URL carries a token,
/// sorted (looked up by binary search at each `://`).
pub(crate) const NOTIFY_SCHEMES: &[&str] = &[
    "apprise",
    "apprises",
    "bark",
    "barks",
    "dingtalk",
    "discord",
    "feishu",
    "gchat",
    "googlechat",
    "gotify",
    "gotifys",
    "guilded",
    "hassio",
    "hassios",
    "ifttt",
    "join",
    "lametric",
    "line",
    "mailto",
    "mailtos",
    "matrix",
    "matrixs",
    "mattermost",
    "mmost",
    "mmosts",
    "msteams",
    "notifiarr",
    "ntfy",
    "ntfys",
    "opsgenie",
    "pagerduty",
    "pbul",
    "pover",
    "prowl",
    "psafer",
    "psafers",
    "pushbullet",
    "pushdeer",
    "pushed",
    "pushover",
    "pushsafer",
    "revolt",
    "rocket",
    "rocketchat",
    "rockets",
    "ryver",
    "serverchan",
    "signal",
    "signals",
    "simplepush",
    "slack",
    "spush",
    "teams",
    "telegram",
    "tgram",
    "workflows",
    "wxteams",
    "zulip",
];

/// The reference pattern of notification URLs: the scheme, then the rest
/// of the URL as `url`.
pub(crate) fn notify_pattern() -> String {
    format!(
        r"(?i)(?:^|[^A-Za-z0-9+.\-])(?:{})://(?P<url>[^\s'\x22<>`]+)",
        NOTIFY_SCHEMES.join("|")
    )
}

/// Whether the `://` at `at` follows a notification scheme.
pub(crate) fn notify_scheme_before(data: &[u8], at: usize) -> bool {
    let mut s = at;
    while s > 0 && at - s < 20 && (data[s - 1].is_ascii_alphanumeric()) {
        s -= 1;
    }
    let mut buf = [0u8; 20];
    let scheme = &mut buf[..at - s];
    scheme.copy_from_slice(&data[s..at]);
    scheme.make_ascii_lowercase();
    // Most URLs (every `://` is a hit) are these.
    if matches!(&scheme[..], b"https" | b"http") {
        return false;
    }
    NOTIFY_SCHEMES
        .binary_search_by(|n| n.as_bytes().cmp(scheme))
        .is_ok()
}

/// A byte of a token in a URL segment.
fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~' | b'=' | b'+' | b'%')
}

/// Whether a segment looks machine-made: long enough, letters and digits
/// (or both cases), random.
fn tokenish(v: &[u8], min: usize) -> bool {
    if v.len() < min || !v.iter().all(|&b| token_byte(b) || b == b':') {
        return false;
    }
    let letters = v.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    let upper = v.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = v.iter().filter(|c| c.is_ascii_lowercase()).count();
    // Without digits: random mixed case (a third capitals or more), not
    // words in camelCase (`HomelabAlerts`).
    letters > 0
        && (digits > 0 || lower >= 2 && upper * 3 >= v.len() && v.len() >= 14)
        && checks::entropy(v) >= 3.0
        && !checks::is_placeholder(v)
        && !checks::is_reference(v)
}

/// The token in a notification URL (the part after `://`, at `base`): the
/// first user-info or path segment that looks machine-made. Host names
/// (with dots), numeric ids, ports and the query are not tokens.
pub(crate) fn notify_token(url: &[u8], base: usize) -> Option<(usize, usize)> {
    let end = url
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(url.len());
    let mut s = 0;
    for (i, &b) in url[..end].iter().chain(std::iter::once(&b'/')).enumerate() {
        if !matches!(b, b'/' | b'@') {
            continue;
        }
        let seg = &url[s..i];
        // `123456789:AAH…` (a Telegram bot token) is one token; otherwise
        // a `:` splits user and password, or host and port.
        let telegram = seg
            .iter()
            .position(|&c| c == b':')
            .is_some_and(|c| c > 0 && seg[..c].iter().all(u8::is_ascii_digit))
            && tokenish(seg, 12);
        let mut parts = Vec::new();
        if telegram {
            parts.push((s, i));
        } else {
            let mut ps = s;
            for (j, &c) in seg.iter().enumerate() {
                if c == b':' {
                    parts.push((ps, s + j));
                    ps = s + j + 1;
                }
            }
            parts.push((ps, i));
        }
        for (ps, pe) in parts {
            let part = &url[ps..pe];
            let host_like = part.contains(&b'.') && !part.iter().any(u8::is_ascii_uppercase);
            if !host_like && tokenish(part, 12) {
                return Some((base + ps, base + pe));
            }
        }
        s = i + 1;
    }
    None
}

/// For `key = value` at the start of an INI line: whether the section
/// around `at` has a `type = …` line (an rclone remote and the like).
pub(crate) fn ini_section_has_type(data: &[u8], at: usize) -> bool {
    const REACH: usize = 64 << 10;
    let lo = at.saturating_sub(REACH);
    let hi = (at + REACH).min(data.len());
    let line_start = memchr::memrchr(b'\n', &data[..at]).map_or(0, |p| p + 1);
    let is_type = |line: &[u8]| {
        let t = checks::trim(line);
        t.len() > 4
            && t[..4].eq_ignore_ascii_case(b"type")
            && checks::trim(&t[4..]).starts_with(b"=")
    };
    let is_header = |line: &[u8]| checks::trim(line).starts_with(b"[");
    // Back to the section header: without one this is no INI section
    // (`key = "…"` in HCL, TOML tables aside).
    let mut end = line_start;
    let mut typed = false;
    loop {
        if end <= lo {
            return false;
        }
        let s = memchr::memrchr(b'\n', &data[lo..end - 1]).map_or(lo, |p| lo + p + 1);
        let line = &data[s..end - 1];
        if is_header(line) {
            break;
        }
        typed |= is_type(line);
        end = s;
    }
    if typed {
        return true;
    }
    // On to the next one.
    let mut s = line_start;
    while s < hi {
        let e = memchr::memchr(b'\n', &data[s..hi]).map_or(hi, |p| s + p);
        let line = &data[s..e];
        if s != line_start && is_header(line) {
            break;
        }
        if is_type(line) {
            return true;
        }
        s = e + 1;
    }
    false
}

/// The kind of value an INI remote's bare key holds.
pub(crate) fn ini_key_kind(key: &[u8]) -> checks::KeyKind {
    match key.to_ascii_lowercase().as_slice() {
        b"pass" => checks::KeyKind::Password,
        b"secret" => checks::KeyKind::Secret,
        _ => checks::KeyKind::Token,
    }
}

/// The key of the block holding the line at `line_start`: the key of the
/// nearest less indented line above it (within 64 lines), without quotes
/// (`"securityKeys": {` -> `securityKeys`, `tokens {` -> `tokens`).
pub(crate) fn block_key(data: &[u8], line_start: usize) -> Option<&[u8]> {
    let indent = |l: &[u8]| l.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let line_end =
        memchr::memchr(b'\n', &data[line_start..]).map_or(data.len(), |p| line_start + p);
    let own = indent(&data[line_start..line_end]);
    let mut end = line_start;
    for _ in 0..64 {
        if end == 0 {
            return None;
        }
        let s = memchr::memrchr(b'\n', &data[..end - 1]).map_or(0, |p| p + 1);
        let line = &data[s..end - 1];
        end = s;
        if checks::trim(line).is_empty() || indent(line) >= own {
            continue;
        }
        let t = checks::trim(line);
        let t = t.strip_prefix(b"- ").unwrap_or(t);
        let t = t.strip_prefix(b"\"").unwrap_or(t);
        let end = t
            .iter()
            .position(|&b| matches!(b, b'"' | b':' | b'=' | b'{' | b' ' | b'\t'))
            .unwrap_or(t.len());
        return Some(&t[..end]);
    }
    None
}

/// Whether the line at `line_start` sits in a block whose key names keys
/// (`"securityKeys": {`, `network_key:`).
pub(crate) fn in_key_block(data: &[u8], line_start: usize) -> bool {
    block_key(data, line_start)
        .is_some_and(|k| k.to_ascii_lowercase().windows(3).any(|w| w == b"key"))
}

/// Whether the line at `line_start` sits in a `tokens` block (Consul's
/// agent ACL tokens: `acl { tokens { agent = "…" } }`).
pub(crate) fn in_tokens_block(data: &[u8], line_start: usize) -> bool {
    block_key(data, line_start).is_some_and(|k| k.eq_ignore_ascii_case(b"tokens"))
}

/// For a shell expansion with a default (`${NAME:-default}`,
/// `${NAME:=default}`): the default's span within `v`.
pub(crate) fn shell_default(v: &[u8]) -> Option<(usize, usize)> {
    let name = v.strip_prefix(b"${")?;
    let n = name
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_')
        .count();
    if n == 0 || !(name[n..].starts_with(b":-") || name[n..].starts_with(b":=")) {
        return None;
    }
    let start = 2 + n + 2;
    let end = v
        .len()
        .checked_sub(1)
        .filter(|&e| v[e] == b'}' && e > start)?;
    // A nested expansion or a second one is no plain default.
    (!v[start..end]
        .iter()
        .any(|&b| matches!(b, b'$' | b'{' | b'}')))
    .then_some((start, end))
}

/// Whether a network device's password, key or community is a secret.
pub(crate) fn device_secret(v: &[u8]) -> bool {
    // (Plausible: not a reference, a placeholder, a hash or a path.)
    !v.eq_ignore_ascii_case(b"public")
        && !v.eq_ignore_ascii_case(b"private")
        && checks::generic_value_plausible(v)
}

/// Whether a value in backticks in prose is a password: it mixes cases,
/// digits or symbols, and is not an identifier (`DB_PASSWORD`), a path or
/// file name (`secrets/db.yaml`, `db.pass`), a flag, a hash or a reference.
pub(crate) fn prose_password(v: &[u8]) -> bool {
    // A passphrase of words (`copper biscuit copper basil meadow`).
    let words: Vec<&[u8]> = v.split(|&c| c == b' ' || c == b'-').collect();
    if words.len() >= 4
        && words
            .iter()
            .all(|w| (3..=10).contains(&w.len()) && w.iter().all(u8::is_ascii_lowercase))
    {
        return true;
    }
    // Passwords joined by a space (`Meadow-Autumn!26 tr0mbone2019?`).
    if v.contains(&b' ') {
        let parts: Vec<&[u8]> = v.split(|&c| c == b' ').collect();
        return (2..=6).contains(&parts.len())
            && parts.iter().all(|p| !p.is_empty() && prose_password(p));
    }
    // Random lowercase letters (`fyfbyetzpr`): too few vowels for a word.
    if (10..=64).contains(&v.len()) && v.iter().all(u8::is_ascii_lowercase) {
        return v.iter().filter(|c| b"aeiou".contains(c)).count() * 5 <= v.len();
    }
    let has = |f: fn(&u8) -> bool| v.iter().any(f);
    let file_name = v.iter().filter(|&&b| b == b'.').count() == 1
        && v.rsplit(|&b| b == b'.').next().is_some_and(|ext| {
            (1..=5).contains(&ext.len()) && ext.iter().all(u8::is_ascii_lowercase)
        });
    // `DB_PASSWORD`, `x_shadow`, `ad_maximum_machine_account_password_age`.
    let identifier = !has(u8::is_ascii_lowercase)
        || v.iter().all(|c| c.is_ascii_lowercase() || *c == b'_') && v.contains(&b'_');
    (has(u8::is_ascii_digit) || has(u8::is_ascii_uppercase) || has(u8::is_ascii_punctuation))
        && !identifier
        && !file_name
        && !v.starts_with(b"-")
        && !v.contains(&b'/')
        && !checks::is_reference(v)
        && !checks::is_placeholder(v)
        && !checks::is_hash_or_digest(v)
        // (Not a Proxmox token id, `prometheus@pve!exporter`, nor a URL.)
        && checks::generic_value_plausible(v)
        && checks::generic_value_fits(checks::KeyKind::Password, v)
}

/// A recovery, scratch or 2FA code written down (`FFKX…`, `oqxf-sjr5`,
/// `6380 2385`): letters or digits in groups, with a digit, and no part
/// that reads as a word (`stored-in-vault`).
pub(crate) fn recovery_code(v: &[u8]) -> bool {
    let groups: Vec<&[u8]> = v
        .split(|c| b" -".contains(c))
        .filter(|g| !g.is_empty())
        .collect();
    let word = |g: &&[u8]| {
        let vowels = g.iter().filter(|c| b"aeiouAEIOU".contains(c)).count();
        g.len() >= 4 && g.iter().all(u8::is_ascii_alphabetic) && vowels * 10 >= g.len() * 3
    };
    groups.iter().map(|g| g.len()).sum::<usize>() >= 8
        && v.iter().any(u8::is_ascii_digit)
        && groups
            .iter()
            .all(|g| g.iter().all(u8::is_ascii_alphanumeric))
        && !groups.iter().any(word)
        && !checks::is_placeholder(v)
        && !checks::is_hash_or_digest(v)
}

/// Whether a shell script writes a secret to a file: the file's name says
/// it holds a key, password or token (`/tmp/luks.key`, `.restic-pass`),
/// and what is written is one literal value, not a variable, a public key,
/// a PEM block (its own rule reports it) or a config line.
pub(crate) fn writes_secret_file(file: &[u8], value: &[u8]) -> bool {
    let name = file.rsplit(|&c| c == b'/').next().unwrap_or(file);
    // (`.restic-pass`: a dot file's name is not an extension.)
    let name = name.strip_prefix(b".").unwrap_or(name).to_ascii_lowercase();
    let has = |w: &str| memchr::memmem::find(&name, w.as_bytes()).is_some();
    let ext = name
        .rsplit(|&c| c == b'.')
        .next()
        .filter(|e| e.len() < name.len());
    let v = checks::trim(value);
    let starts = |p: &str| v.starts_with(p.as_bytes());
    // `key: value`, `key = value`: a config file, scanned as one.
    let assignment = v
        .iter()
        .position(|c| matches!(c, b'=' | b':'))
        .is_some_and(|p| {
            p > 0
                && v[..p]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"_-. ".contains(c))
        });
    ["key", "secret", "pass", "token", "psk", "cred"]
        .iter()
        .any(|w| has(w))
        && !has("authorized_keys")
        && !has("known_hosts")
        && ext.is_none_or(|e| {
            matches!(
                e,
                b"key" | b"txt" | b"pass" | b"secret" | b"token" | b"psk" | b"pwd"
            )
        })
        && v.len() >= 8
        && !v.iter().any(|c| b"$`".contains(c))
        && !["-----", "ssh-", "ecdsa-", "sk-ssh-", "age1", "#", "["]
            .iter()
            .any(|p| starts(p))
        && !assignment
        && !v.iter().all(|c| c.is_ascii_lowercase())
        && !checks::is_placeholder(v)
        && !checks::is_hash_or_digest(v)
}

/// Whether the line after `le` (a line's end) is `<secret>` holding a
/// password hash: OPNsense keeps an API key's id in `<key>` and only the
/// crypt hash of its secret beside it.
pub(crate) fn id_beside_hashed_secret(data: &[u8], le: usize) -> bool {
    let rest = &data[(le + 1).min(data.len())..(le + 1 + 512).min(data.len())];
    let next = checks::trim(&rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())]);
    next.strip_prefix(b"<secret>").is_some_and(|v| {
        v.starts_with(b"$")
            && checks::is_hash_or_digest(&v[..memchr::memchr(b'<', v).unwrap_or(v.len())])
    })
}

/// Public keys of well-known shapes.
pub(crate) fn public_key_shape(value: &[u8]) -> bool {
    value.starts_with(b"age1") && value.len() == 62
        // Stripe's publishable keys ship to browsers.
        || value.starts_with(b"pk_live_")
        || value.starts_with(b"pk_test_")
        || value.starts_with(b"ssh-")
        || value.starts_with(b"ecdsa-sha2-")
        || value.starts_with(b"sk-ssh-")
        // Tailscale's node, machine and disco public keys.
        || [&b"nodekey:"[..], b"mkey:", b"discokey:", b"nlpub:"]
            .iter()
            .any(|p| value.starts_with(p))
}

/// Whether the label just before a value, on its line, names a user, not
/// a password (`OpenVPN username: p4x…+pmp`, `PUSHOVER_USER=…`).
pub(crate) fn labelled_user(data: &[u8], s: usize) -> bool {
    let before = &data[s.saturating_sub(32)..s];
    let before = &before[memchr::memrchr(b'\n', before).map_or(0, |p| p + 1)..];
    let label = before
        .iter()
        .rposition(|c| !b" \t:=`'\"".contains(c))
        .map_or(&before[..0], |p| &before[..=p])
        .to_ascii_lowercase();
    [
        "user",
        "username",
        "user name",
        "user_key",
        "userkey",
        "login",
        "email",
        "e-mail",
        "account",
    ]
    .iter()
    .any(|w| label.ends_with(w.as_bytes()))
}

/// In a Markdown table, the cell of the row at `row` under a column whose
/// header names a password, secret or key, when it holds one (not a
/// reference, a placeholder or a word).
pub(crate) fn table_password(data: &[u8], row: usize) -> Option<(usize, usize)> {
    let line_at = |p: usize| {
        let e = memchr::memchr(b'\n', &data[p..]).map_or(data.len(), |q| p + q);
        (p, e)
    };
    let is_row = |(s, e): (usize, usize)| checks::trim(&data[s..e]).starts_with(b"|");
    // Up to the header: the table's first row. A password table is short;
    // in a longer one the header is out of reach, and no row above may
    // stand in for it.
    let mut header = line_at(row);
    let mut found = false;
    for _ in 0..200 {
        if header.0 == 0 {
            found = true;
            break;
        }
        let ps = memchr::memrchr(b'\n', &data[..header.0 - 1]).map_or(0, |p| p + 1);
        if !is_row((ps, header.0 - 1)) {
            found = true;
            break;
        }
        header = (ps, header.0 - 1);
    }
    if !found || header.0 == row {
        return None;
    }
    // Cells between bars, read as far as needed (a header line may be huge).
    let cells = |(s, e): (usize, usize)| {
        let mut bars = memchr::memchr_iter(b'|', &data[s..e]).map(move |p| s + p);
        let mut prev = bars.next();
        std::iter::from_fn(move || {
            let (a, b) = (prev?, bars.next()?);
            prev = Some(b);
            Some((a + 1, b))
        })
    };
    for ((cs, ce), (hs, he)) in cells(line_at(row)).zip(cells(header)) {
        // (A column's title is short.)
        if he - hs > 64 {
            continue;
        }
        let title = data[hs..he].to_ascii_lowercase();
        let names_secret = ["pass", "pw", "secret", "key", "token", "pin"]
            .iter()
            .any(|w| memchr::memmem::find(&title, w.as_bytes()).is_some())
            && !["public", "pub", "fingerprint", "hash"]
                .iter()
                .any(|w| memchr::memmem::find(&title, w.as_bytes()).is_some())
            && !["id", "name"]
                .iter()
                .any(|w| checks::trim(&title).ends_with(w.as_bytes()));
        if !names_secret {
            continue;
        }
        let cell = checks::trim(&data[cs..ce]);
        let cell = cell
            .strip_prefix(b"`")
            .and_then(|c| c.strip_suffix(b"`"))
            .unwrap_or(cell);
        if cell.len() >= 6
            && !cell.contains(&b' ')
            && !public_key_shape(cell)
            && prose_password(cell)
        {
            let at = cs + memchr::memmem::find(&data[cs..ce], cell)?;
            return Some((at, at + cell.len()));
        }
    }
    None
}

/// The kind of a `key value` directive's key: lowercase, naming a secret,
/// and not a command (`pass show x`, `passwd alice`) unless the directive
/// is a `statement` (`secret "…";`).
pub(crate) fn directive_key_kind(key: &[u8], statement: bool) -> checks::KeyKind {
    if key.iter().any(u8::is_ascii_uppercase)
        || !statement && matches!(key, b"pass" | b"passwd" | b"secret")
    {
        return checks::KeyKind::NotSecret;
    }
    checks::classify_key(key)
}

/// A directive's value: a secret by the generic checks, and not a word,
/// a type name (`string`, `int64`, `[]byte`) or a switch.
pub(crate) fn directive_value_is_secret(kind: checks::KeyKind, value: &[u8]) -> bool {
    let v = checks::trim(value);
    let word = v.iter().all(u8::is_ascii_lowercase);
    let number_type = ["int", "uint", "float", "complex"].iter().any(|t| {
        v.strip_prefix(t.as_bytes())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    });
    !word
        && !number_type
        && !v.starts_with(b"[")
        && !v.starts_with(b"*")
        && checks::generic_value_is_secret(kind, v)
}

/// Numbers of a byte array starting at `at` (`[`, `{` or `(`), or of a YAML
/// block list on the lines after `at` (the end of a `key:` line): the span
/// from `at` to the last number, when it holds at least 16 values, all
/// bytes (decimal or `0x` hex), not all alike and not a published default.
pub(crate) fn byte_array(data: &[u8], at: usize) -> Option<(usize, usize)> {
    const REACH: usize = 4096;
    let hi = (at + REACH).min(data.len());
    let mut values: Vec<u32> = Vec::new();
    let mut last = at;
    let block = !matches!(data.get(at), Some(b'[' | b'{' | b'('));
    let mut p = if block { at } else { at + 1 };
    if block {
        // `- n` lines, more indented than nothing else.
        while p < hi {
            let e = memchr::memchr(b'\n', &data[p..hi]).map_or(hi, |q| p + q);
            let line = checks::trim(&data[p..e]);
            if p == at || line.is_empty() && values.is_empty() {
                p = e + 1;
                continue;
            }
            let Some(item) = line.strip_prefix(b"-") else {
                break;
            };
            let (v, _) = number(checks::trim(item))?;
            values.push(v);
            let off = item.as_ptr() as usize - data.as_ptr() as usize;
            last = off + item.len();
            p = e + 1;
        }
    } else {
        let close = match data[at] {
            b'[' => b']',
            b'{' => b'}',
            _ => b')',
        };
        loop {
            while p < hi && (data[p].is_ascii_whitespace() || data[p] == b',') {
                p += 1;
            }
            if p >= hi {
                return None;
            }
            if data[p] == close {
                last = p + 1;
                break;
            }
            let (v, len) = number(&data[p..hi])?;
            values.push(v);
            p += len;
        }
    }
    if values.len() < 16 || values.iter().any(|&v| v > 255) {
        return None;
    }
    if values.iter().all(|&v| v == values[0]) {
        return None;
    }
    // zigbee2mqtt's documented default network key.
    const Z2M_DEFAULT: [u32; 16] = [1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13];
    if values == Z2M_DEFAULT {
        return None;
    }
    // Counting up (0, 1, 2, …) is a test pattern.
    if values.windows(2).all(|w| w[1] == w[0] + 1) {
        return None;
    }
    // A block list is reported from its key's line: from the `:` on.
    let mut start = at;
    while block && start > 0 && matches!(data[start - 1], b' ' | b'\t' | b'\r' | b':' | b'=') {
        start -= 1;
        if matches!(data[start], b':' | b'=') {
            break;
        }
    }
    Some((start, last))
}

/// A decimal or `0x` hex number at the start of `s`, and its length.
fn number(s: &[u8]) -> Option<(u32, usize)> {
    let (digits, radix, skip) = if s.len() > 2 && (s.starts_with(b"0x") || s.starts_with(b"0X")) {
        (&s[2..], 16, 2)
    } else {
        (s, 10, 0)
    };
    let n = digits
        .iter()
        .take_while(|c| c.is_ascii_digit() || radix == 16 && c.is_ascii_hexdigit())
        .count();
    if n == 0 || n > 4 {
        return None;
    }
    let v = u32::from_str_radix(std::str::from_utf8(&digits[..n]).ok()?, radix).ok()?;
    Some((v, skip + n))
}

/// For a cloud access key id at `id`: its secret in the same block (the
/// same line, then up to three lines either side, not across a blank
/// line): the nearest token of 30 to 160 characters with upper and lower
/// case letters and digits, random enough (or, beside a Scaleway id, a UUID).
pub(crate) fn paired_secret(data: &[u8], id: (usize, usize)) -> Option<(usize, usize)> {
    // A block's lines are short: looking no further than this either side
    // keeps a line holding thousands of ids from being read once per id.
    const REACH: usize = 1024;
    let lo = id.0.saturating_sub(REACH);
    let hi = (id.1 + REACH).min(data.len());
    paired_secret_near(&data[lo..hi], (id.0 - lo, id.1 - lo)).map(|(s, e)| (lo + s, lo + e))
}

/// [`paired_secret`] within a window of the text around the id.
fn paired_secret_near(data: &[u8], id: (usize, usize)) -> Option<(usize, usize)> {
    let line_start = memchr::memrchr(b'\n', &data[..id.0]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &data[id.1..]).map_or(data.len(), |p| id.1 + p);
    let mut lines = vec![(line_start, line_end)];
    // Up to three lines after, then before, within the block.
    let mut e = line_end;
    for _ in 0..3 {
        if e >= data.len() {
            break;
        }
        let s = e + 1;
        let ne = memchr::memchr(b'\n', &data[s..]).map_or(data.len(), |p| s + p);
        if checks::trim(&data[s..ne]).is_empty() {
            break;
        }
        lines.push((s, ne));
        e = ne;
    }
    let mut s = line_start;
    for _ in 0..3 {
        if s == 0 {
            break;
        }
        let ps = memchr::memrchr(b'\n', &data[..s - 1]).map_or(0, |p| p + 1);
        if checks::trim(&data[ps..s - 1]).is_empty() {
            break;
        }
        lines.push((ps, s - 1));
        s = ps;
    }
    // Scaleway's secret keys are UUIDs; beside other ids a UUID is an id.
    let scaleway = data[id.0..id.1].starts_with(b"SCW");
    // `=` only as base64 padding: `KEY_FILE=/run/…` is two runs.
    let secret_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b'-' | b'_');
    for (ls, le) in lines {
        // A private key in PEM (GCP's `private_key_id` beside `private_key`).
        if let Some(b) = memchr::memmem::find(&data[ls..le], b"-----BEGIN ") {
            let rest = &data[ls + b..le];
            if memchr::memmem::find(&rest[..rest.len().min(64)], b"PRIVATE KEY-----").is_some() {
                return Some((ls + b, le));
            }
        }
        let mut p = ls;
        while p < le {
            if !secret_byte(data[p]) {
                p += 1;
                continue;
            }
            let mut q = p + data[p..le].iter().take_while(|&&b| secret_byte(b)).count();
            let pad = data[q..le].iter().take_while(|&&b| b == b'=').count();
            if pad <= 2 && data.get(q + pad).is_none_or(|&b| !secret_byte(b)) {
                q += pad;
            }
            let t = &data[p..q];
            let random = (30..=160).contains(&t.len())
                && t.iter().any(u8::is_ascii_uppercase)
                && t.iter().any(u8::is_ascii_lowercase)
                && t.iter().any(u8::is_ascii_digit)
                && checks::entropy(t) >= 4.0;
            // Cloudflare R2's secret is 64 hex digits, on a line that says
            // secret (a checksum's does not).
            let hex_secret = t.len() == 64
                && t.iter().all(u8::is_ascii_hexdigit)
                && checks::entropy(t) >= 3.5
                && memchr::memmem::find(&data[ls..le].to_ascii_lowercase(), b"secret").is_some();
            let overlaps = p < id.1 && id.0 < q;
            if !overlaps
                && (random || hex_secret || scaleway && checks::is_uuid(t))
                && !checks::is_placeholder(t)
            {
                return Some((p, q));
            }
            p = q;
        }
    }
    None
}

/// For an Authorization value: a `Basic` credential whose decoded password
/// is a placeholder (`user:password`, `admin:changeme`) is an example.
pub(crate) fn basic_is_example(value: &[u8]) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    // RFC 7617's example.
    if decoded == b"Aladdin:open sesame" || decoded == b"Aladdin:opensesame" {
        return true;
    }
    // An empty password (`user:`): the user name may be the credential.
    let password = &decoded[colon + 1..];
    !password.is_empty() && (checks::is_placeholder(password) || checks::is_reference(password))
}

/// Whether `value` is a WireGuard-format key (32 bytes in base64) that
/// X25519 clamping marks as a private key (low 3 bits clear, top bit clear,
/// next bit set), as `wg genkey` makes them; a public key passes by
/// chance once in 32.
pub(crate) fn is_clamped_x25519(value: &[u8]) -> bool {
    if value.len() != 44 || value[43] != b'=' {
        return false;
    }
    let Ok(k) = base64::engine::general_purpose::STANDARD.decode(value) else {
        return false;
    };
    k.len() == 32 && k[0] & 7 == 0 && k[31] & 0x80 == 0 && k[31] & 0x40 != 0
}

/// Whether `value` is 32 bytes in base64 (a WireGuard or ESPHome key).
pub(crate) fn is_b64_32(value: &[u8]) -> bool {
    value.len() == 44
        && value[43] == b'='
        && base64::engine::general_purpose::STANDARD
            .decode(value)
            .is_ok_and(|k| k.len() == 32)
}

/// For a YAML block scalar indicator (`|`, `>-`, …) at `ind`: the one
/// line of its block (more indented than the key's line, and followed by
/// no other line of the block).
pub(crate) fn block_scalar_line(data: &[u8], ind: (usize, usize)) -> Option<(usize, usize)> {
    let v = &data[ind.0..ind.1];
    if !matches!(v.first(), Some(b'|' | b'>'))
        || !v[1..]
            .iter()
            .all(|c| matches!(c, b'-' | b'+' | b'1'..=b'9'))
    {
        return None;
    }
    let line_end = |p: usize| memchr::memchr(b'\n', &data[p..]).map_or(data.len(), |j| p + j);
    let indent = |p: usize| data[p..].iter().take_while(|&&b| b == b' ').count();
    let key_line = memchr::memrchr(b'\n', &data[..ind.0]).map_or(0, |p| p + 1);
    let own = indent(key_line);
    let first = line_end(ind.1) + 1;
    if first >= data.len() || indent(first) <= own {
        return None;
    }
    let (cs, ce) = (first + indent(first), line_end(first));
    let next = ce + 1;
    let more = next < data.len()
        && !checks::trim(&data[next..line_end(next)]).is_empty()
        && indent(next) > own;
    let text = checks::trim(&data[cs..ce]);
    (!more && !text.is_empty()).then(|| {
        let ce = cs
            + data[cs..ce]
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(0, |p| p + 1);
        (cs, ce)
    })
}

/// Whether a key names the id half of an access key (`access_key_id`,
/// `AWS_ACCESS_KEY_ID`, `keyId`, an S3 `access_key` or `accesskey`).
pub(crate) fn names_key_id(key: &[u8]) -> bool {
    let words = checks::key_words(key);
    let last: Vec<&str> = words.iter().rev().take(2).map(String::as_str).collect();
    matches!(
        last[..],
        ["id", "key"] | ["key", "access"] | ["accesskey" | "accesskeyid", ..]
    )
}

/// Whether `value` looks like an access key id (Backblaze's and Wasabi's
/// are mostly digits or capitals, so no entropy floor: its secret beside
/// it is the evidence).
pub(crate) fn is_key_id(value: &[u8]) -> bool {
    (16..=64).contains(&value.len())
        && value.iter().all(u8::is_ascii_alphanumeric)
        && value.iter().any(u8::is_ascii_digit)
        && !checks::is_placeholder(value)
}

/// Whether `value` is key material longer than a generic value may be
/// (DER or PEM in base64, up to 16 KiB) under a private key's name.
pub(crate) fn long_private_key(key: &[u8], value: &[u8]) -> bool {
    (256..=16 << 10).contains(&value.len())
        && value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && checks::key_words(key)
            .iter()
            .any(|w| w.starts_with("priv") || w == "privatekey")
        && !names_no_private_key(key)
}

/// Whether a base64 run starting `LS0tLS1CRUdJTi` (`-----BEGIN `) encodes
/// a PEM private key (kubeconfig's `client-key-data`, Traefik's
/// certificate keys): its header says so and a body follows.
pub(crate) fn is_base64_pem_private_key(value: &[u8]) -> bool {
    let head = &value[..value.len().min(120) / 4 * 4];
    let Ok(text) = base64::engine::general_purpose::STANDARD.decode(head) else {
        return false;
    };
    // The BEGIN line, after the comment lines an OpenVPN static key has.
    let Some(line) = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"-----BEGIN "))
    else {
        return false;
    };
    value.len() >= 200
        && (memchr::memmem::find(line, b"PRIVATE KEY").is_some()
            || line.starts_with(b"-----BEGIN OpenVPN Static key"))
}

/// Words of a key that name something other than a private key's value.
pub(crate) fn names_no_private_key(key: &[u8]) -> bool {
    checks::key_words(key).iter().any(|w| {
        matches!(
            w.as_str(),
            "pub"
                | "public"
                | "pubkey"
                | "publickey"
                | "hash"
                | "sha"
                | "sha256"
                | "digest"
                | "fingerprint"
                | "checksum"
                | "file"
                | "path"
                | "id"
                | "name"
        )
    })
}

/// Names in code and docs that carry a symbol: a macro (`take_while1!`),
/// a glob (`chacha20_force*`, `x86_64-*-sgx`), a reference to an issue or
/// a member (`issue#1234`, `I18nConfig#subcrates`).
fn code_name(v: &[u8]) -> bool {
    let ident = |s: &[u8]| {
        s.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_-".contains(c))
    };
    // A glob's star stands for a part (`IN6_IFF_*`, `*.conf`) or ends a
    // lowercase name (`nginx*`); `Orchid38-7undra*` is a password.
    let star_for_part = v.first() == Some(&b'*')
        || v.windows(2)
            .any(|w| w.contains(&b'*') && w.iter().any(|c| b"_-./".contains(c)));
    let macro_or_glob = v.last() == Some(&b'!') && ident(&v[..v.len() - 1])
        || v.contains(&b'*')
            && (star_for_part
                || !v.iter().any(u8::is_ascii_uppercase)
                    && (ident(&v[..v.len() - 1]) || v.iter().any(|c| b"_-".contains(c))));
    let reference = v.iter().position(|&c| c == b'#').is_some_and(|h| {
        let (name, part) = (&v[..h], &v[h + 1..]);
        h > 0
            && !part.is_empty()
            && ident(name)
            && (part.iter().all(u8::is_ascii_lowercase)
                || name.iter().all(u8::is_ascii_lowercase) && part.iter().all(u8::is_ascii_digit))
    });
    macro_or_glob || reference
}

/// Capitalised words of four letters or more joined by `.`, `-` or `_`,
/// with digits (`Gravling.Winter24`, `Harbor-Lantern-2019`): how people
/// build a password they can remember. Names in code and docs rarely
/// capitalise every part and end it in digits.
fn joined_words(v: &[u8]) -> bool {
    let parts: Vec<&[u8]> = v.split(|c| b".-_".contains(c)).collect();
    let word = |p: &[u8]| {
        let letters = p.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        letters >= 4
            && p[0].is_ascii_uppercase()
            && p[1..letters].iter().all(u8::is_ascii_lowercase)
            && p[letters..].iter().all(u8::is_ascii_digit)
    };
    let number = |p: &[u8]| (2..=4).contains(&p.len()) && p.iter().all(u8::is_ascii_digit);
    (2..=4).contains(&parts.len())
        && v.iter().any(u8::is_ascii_digit)
        && parts.iter().all(|p| word(p) || number(p))
        && parts.iter().filter(|p| word(p)).count() >= 2
}

/// Whether a value that nothing names is shaped as only a password is:
/// letters, a digit and a symbol people add to passwords (`Pelican#granite922`,
/// `Sommer+L4ntern2025`), 8 to 40 characters (longer is a key, as is
/// base64 padding); not an address, a hash, a reference, a key chord or
/// markup.
pub(crate) fn password_shaped(v: &[u8]) -> bool {
    let has = |f: fn(&u8) -> bool| v.iter().any(f);
    let lower = v.to_ascii_lowercase();
    let find = |w: &[u8]| memchr::memmem::find(&lower, w).is_some();
    // (Three letters: a timestamp has one or two, `2024-05-01T10:00:00+02:00`.)
    (8..=40).contains(&v.len())
        && v.last() != Some(&b'=')
        && v.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 3
        && has(u8::is_ascii_digit)
        && (has(|c| b"!#$%&*+?^~".contains(c)) || joined_words(v))
        && !b"!#$%&*+?^~@-_.=/:([{<'\"".contains(&v[0])
        && !matches!(v.last(), Some(b':' | b','))
        // Code has brackets, colons, quotes and operators; a password in
        // notes rarely does.
        && !has(|c| c.is_ascii_whitespace() || b"/\\<>()[]{}:;,\"'=|".contains(c))
        // An address (`ops@example.net`, `user@host`), a key chord, markup,
        // a name in code.
        && !v.contains(&b'@')
        && !code_name(v)
        && !["ctrl+", "alt+", "shift+", "cmd+", "super+", "&&", "**", "##"]
            .iter()
            .any(|w| find(w.as_bytes()))
        && !checks::is_reference(v)
        && !checks::is_placeholder(v)
        && !checks::is_hash_or_digest(v)
}

/// How far either side of a span its line is read. Values sit on short
/// lines; a megabyte-long line of minified JSON or random runs holds
/// thousands of them and must not be read once per value.
const LINE_REACH: usize = 4096;

/// The line around `s..e`, read no further than [`LINE_REACH`] either
/// side, and whether it was cut there.
pub(crate) fn line_around(data: &[u8], s: usize, e: usize) -> ((usize, usize), bool) {
    let lo = s.saturating_sub(LINE_REACH);
    let hi = (e + LINE_REACH).min(data.len());
    let ls = memchr::memrchr(b'\n', &data[lo..s]).map_or(lo, |p| lo + p + 1);
    let le = memchr::memchr(b'\n', &data[e..hi]).map_or(hi, |p| e + p);
    ((ls, le), ls == lo && lo > 0 || le == hi && hi < data.len())
}

/// In a bare value, where a next `&name=` or `,name=` parameter starts.
pub(crate) fn next_parameter(v: &[u8]) -> Option<usize> {
    // (`,uid=1000`: mount's options, `-o username=…,password=…,uid=…`.)
    memchr::memchr2_iter(b'&', b',', v).find(|&p| {
        // (`id=npmrc,src=…` is a spec of its own: no value before the comma.)
        if v[p] == b',' && v[..p].contains(&b'=') {
            return false;
        }
        let rest = &v[p + 1..];
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        n > 0 && rest.get(n) == Some(&b'=')
    })
}

/// For LDIF's `key:: value` (a base64 value): the decoded text, if it is
/// printable (a binary value, such as a photo, is not a password).
pub(crate) fn ldif_base64(
    data: &[u8],
    key: (usize, usize),
    value: (usize, usize),
) -> Option<Vec<u8>> {
    if checks::trim(&data[key.1..value.0]) != b"::" {
        return None;
    }
    let text = base64::engine::general_purpose::STANDARD
        .decode(&data[value.0..value.1])
        .ok()?;
    text.iter()
        .all(|c| c.is_ascii_graphic() || *c == b' ')
        .then_some(text)
}

/// The start of a key written as words with spaces between, as INI files
/// allow (Netdata's `api key = …`), when those words start the line: up
/// to three words, so a sentence is not taken for a key.
pub(crate) fn spaced_key(data: &[u8], key: (usize, usize)) -> usize {
    // (`pub log_passwd: u32` is code: INI's spaced keys are plain words.
    // `pub Token: T` does join, and reads as public: it declares a field.)
    if !data[key.0..key.1].iter().all(u8::is_ascii_alphabetic) {
        return key.0;
    }
    let mut p = key.0;
    let mut words = 1;
    while p >= 2 && data[p - 1] == b' ' && data[p - 2].is_ascii_alphabetic() && words < 3 {
        // (A word of a key is short: a long run of letters is no key.)
        let mut q = p - 1;
        while q > 0 && data[q - 1].is_ascii_alphabetic() && p - q < 32 {
            q -= 1;
        }
        p = q;
        words += 1;
    }
    let line_start = data[..p]
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .is_none_or(|i| data[i] == b'\n');
    if line_start {
        p
    } else {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_schemes_are_sorted_and_found() {
        assert!(NOTIFY_SCHEMES.windows(2).all(|w| w[0] < w[1]));
        let text = b"a ntfys://x Discord://y https://z";
        assert!(notify_scheme_before(text, 7));
        assert!(notify_scheme_before(text, 19));
        assert!(!notify_scheme_before(text, 28));
    }

    #[test]
    fn notify_tokens_are_found_in_their_segment() {
        fn t(u: &str) -> Option<&str> {
            notify_token(u.as_bytes(), 0).map(|(s, e)| &u[s..e])
        }
        assert_eq!(
            t("Ab3dEf5gHi7jKl9mNo1pQr@123456789012345678"),
            Some("Ab3dEf5gHi7jKl9mNo1pQr")
        );
        assert_eq!(
            t("123456789012345678/Ab3dEf5gHi7jKl9mNo1pQr"),
            Some("Ab3dEf5gHi7jKl9mNo1pQr")
        );
        assert_eq!(
            t("110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@x"),
            Some("110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
        );
        assert_eq!(
            t("gotify.home.example/AvKcy9o-yvVhyKd"),
            Some("AvKcy9o-yvVhyKd")
        );
        assert_eq!(t("ntfy.sh/homelab-alerts"), None);
        assert_eq!(t("ntfy.sh/MyHomeLabAlerts"), None);
        assert_eq!(t("gotify.lan/AGhN.Lb-kQxWzPf"), Some("AGhN.Lb-kQxWzPf"));
        assert_eq!(t("gotify.home.example:8080/?title=x"), None);
        assert_eq!(t("token@id"), None);
        assert_eq!(t("${DISCORD_TOKEN}@${DISCORD_ID}"), None);
    }

    #[test]
    fn byte_arrays() {
        let key = "[26, 174, 3, 99, 201, 14, 77, 250, 8, 61, 190, 33, 120, 5, 240, 17]";
        assert_eq!(byte_array(key.as_bytes(), 0), Some((0, key.len())));
        let hex =
            "{0x1a,0xae,0x03,0x63,0xc9,0x0e,0x4d,0xfa,0x08,0x3d,0xbe,0x21,0x78,0x05,0xf0,0x11};";
        assert!(byte_array(hex.as_bytes(), 0).is_some());
        let block = ":\n    - 26\n    - 174\n    - 3\n    - 99\n    - 201\n    - 14\n    - 77\n    - 250\n    - 8\n    - 61\n    - 190\n    - 33\n    - 120\n    - 5\n    - 240\n    - 17\nnext: 1\n";
        let (s, e) = byte_array(block.as_bytes(), 1).unwrap();
        assert_eq!((s, &block[e - 2..e]), (0, "17"));
        for clean in [
            "[1, 3, 5, 7, 9, 11, 13, 15, 0, 2, 4, 6, 8, 10, 12, 13]",
            "[221, 221, 221, 221, 221, 221, 221, 221]",
            "[11, 15, 20, 25]",
            "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]",
            "[260, 174, 3, 99, 201, 14, 77, 250, 8, 61, 190, 33, 120, 5, 240, 17]",
            "[\"a\", \"b\"]",
        ] {
            assert_eq!(byte_array(clean.as_bytes(), 0), None, "{clean}");
        }
    }

    #[test]
    fn ini_sections_with_a_type() {
        let ini = b"[b2]\ntype = b2\naccount = 001\nkey = K001xyz\n\n[other]\nkey = v\n";
        let at = |needle: &str, nth: usize| {
            let s = std::str::from_utf8(ini).unwrap();
            s.match_indices(needle).nth(nth).unwrap().0
        };
        assert!(ini_section_has_type(ini, at("key =", 0)));
        assert!(!ini_section_has_type(ini, at("key =", 1)));
        let before = b"[s]\nkey = abc\ntype = sftp\n";
        assert!(ini_section_has_type(before, 4));
        let hcl = b"terraform {\n  backend \"s3\" {\n    key = \"a/b.tfstate\"\n  }\n}\nresource \"x\" \"y\" {\n  type = \"cx22\"\n}\n";
        assert!(!ini_section_has_type(hcl, 35));
    }

    #[test]
    fn paired_secrets() {
        let text = b"s3:\n  access: AKIAFH3REOSFHYPN5NWK\n  other: 0hD9Oi22Jc8FQF6cA1EZeXrddMgg1mhzLaPI89Aa\n";
        let id = (14, 34);
        assert_eq!(&text[id.0..id.1], b"AKIAFH3REOSFHYPN5NWK");
        let (s, e) = paired_secret(text, id).unwrap();
        assert_eq!(&text[s..e], b"0hD9Oi22Jc8FQF6cA1EZeXrddMgg1mhzLaPI89Aa");
        let apart =
            b"access: AKIAFH3REOSFHYPN5NWK\n\nother: 0hD9Oi22Jc8FQF6cA1EZeXrddMgg1mhzLaPI89Aa\n";
        assert_eq!(paired_secret(apart, (8, 28)), None);
    }

    #[test]
    fn basic_examples_and_clamped_keys() {
        // user:password, admin:changeme
        assert!(basic_is_example(b"dXNlcjpwYXNzd29yZA=="));
        assert!(basic_is_example(b"YWRtaW46Y2hhbmdlbWU="));
        // backup:Xk2pQ9zLm4
        assert!(!basic_is_example(b"YmFja3VwOlhrMnBROXpMbTQ="));
        assert!(basic_is_example(b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        // browser: (a user name alone can be the credential)
        assert!(!basic_is_example(b"YnJvd3Nlcjo="));
        let mut k = [0x5au8; 32];
        k[0] &= 248;
        k[31] = (k[31] & 127) | 64;
        let b = base64::engine::general_purpose::STANDARD.encode(k);
        assert!(is_clamped_x25519(b.as_bytes()));
        k[31] |= 0x80;
        let b = base64::engine::general_purpose::STANDARD.encode(k);
        assert!(!is_clamped_x25519(b.as_bytes()));
    }
}
