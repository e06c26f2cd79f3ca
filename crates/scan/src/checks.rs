//! Value checks shared by the rules: entropy, placeholders, references,
//! hashes and the key classification of the generic assignment rules.

/// Shannon entropy of `s` in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn lower(s: &[u8]) -> Vec<u8> {
    s.to_ascii_lowercase()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // Values are short: a plain scan beats building a searcher per call.
    if hay.len() < 256 {
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        if hay.len() < needle.len() {
            return false;
        }
        return (0..=hay.len() - needle.len()).any(|p| {
            hay[p] == first
                && hay[p + 1..p + needle.len()]
                    .iter()
                    .zip(rest)
                    .all(|(a, b)| a == b)
        });
    }
    memchr::memmem::find(hay, needle).is_some()
}

/// Whether `list` holds `x` (byte strings or `str`s).
fn listed<T: AsRef<[u8]>>(list: &[T], x: &[u8]) -> bool {
    list.iter().any(|e| e.as_ref() == x)
}

/// Whether the value is a reference to a secret kept elsewhere, not a secret:
/// `${VAR}`, `$VAR`, `{env.VAR}`, `{$VAR}`, `{{ template }}`, `!secret x`,
/// `var.x`, `%(name)s`, `<placeholder>`, `[PASSWORD]`, `$(command)`, …
pub fn is_reference(v: &[u8]) -> bool {
    let v = trim(v);
    if v.is_empty() {
        return true;
    }
    let starts = |p: &[u8]| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p);
    if starts(b"$")
        || starts(b"{env.")
        || starts(b"{$")
        || starts(b"{{")
        || starts(b"{%")
        || starts(b"%(")
        || starts(b"%{")
        || starts(b"!secret")
        || starts(b"!env")
        || starts(b"!vault")
        || starts(b"!ref")
        || starts(b"!!")
        || starts(b"#{")
        || starts(b"@{")
        || starts(b"<%")
        || starts(b"((")
        || starts(b"[[")
        || starts(b"env(")
        || starts(b"env:")
        // wpa_supplicant's (and NixOS') `ext:name`: read from a secrets file.
        || starts(b"ext:")
        || starts(b"secret(")
        || starts(b"lookup(")
        || starts(b"file(")
        || starts(b"builtins.")
        || starts(b"config.")
        || starts(b"process.env")
        || starts(b"os.environ")
        || starts(b"os.getenv")
        || starts(b"getenv(")
        || starts(b"system.getenv")
        || starts(b"settings.")
        || starts(b"self.")
        || starts(b"this.")
        || starts(b"props.")
        || starts(b"params.")
        || starts(b"args.")
        || starts(b"data.")
        || starts(b"var.")
        || starts(b"local.")
        || starts(b"module.")
        || starts(b"vault:")
        || starts(b"ref+")
        || starts(b"op://")
        || starts(b"sops:")
        || starts(b"file:")
        || starts(b"secretref:")
    {
        return true;
    }
    if (v[0] == b'<' && v[v.len() - 1] == b'>') || (v[0] == b'[' && v[v.len() - 1] == b']') {
        return true;
    }
    if (v[0] == b'%' && v[v.len() - 1] == b'%') || (v[0] == b'{' && v[v.len() - 1] == b'}') {
        return true;
    }
    // `@GUEST_PSK@`: substituted from a secrets file at activation (NixOS'
    // wireless `environmentFile`, autoconf).
    if v.len() > 2
        && v[0] == b'@'
        && v[v.len() - 1] == b'@'
        && v[1..v.len() - 1]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
    {
        return true;
    }
    if contains(v, b"${") || contains(v, b"{{") || contains(v, b"$(") {
        return true;
    }
    // A dotted identifier path (`config.db.password`, `cfg.secret`) or a call.
    if v.iter()
        .all(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'.')
        && v.contains(&b'.')
        && !v.starts_with(b".")
        && !v.ends_with(b".")
    {
        return true;
    }
    if v.ends_with(b")") && v.contains(&b'(') {
        return true;
    }
    false
}

/// Whether the value is an obvious placeholder (`changeme`, `xxxx`, `****`,
/// `your-token-here`, `example`, `password`, …).
pub fn is_placeholder(v: &[u8]) -> bool {
    let v = trim(v);
    // Lowercased on the stack: values are short.
    let mut buf = [0u8; 128];
    let heap;
    let l: &[u8] = if v.len() <= buf.len() {
        for (d, c) in buf.iter_mut().zip(v) {
            *d = c.to_ascii_lowercase();
        }
        &buf[..v.len()]
    } else {
        heap = lower(v);
        &heap
    };
    const EXACT: &[&[u8]] = &[
        b"password",
        b"passwd",
        b"pass",
        b"secret",
        b"token",
        b"changeme",
        // Grafana's published default `secret_key`, FreeRADIUS' default
        // client secret.
        b"sw2ycwtib9zpoohopsmm",
        b"testing123",
        // coturn's sample `cli-password`; MinIO's public playground keys.
        b"qwerty",
        b"q3am3uq867spqqa43p2f",
        b"zuf+tfteslswru7bj86wekitnifilbzam1kyy3tg",
        // Stripe's documented test key.
        b"sk_test_4ec39hqlyjwdarjtt1zdp7dc",
        // Velero's documented Kopia default; ntfy's documented example token.
        b"static-passw0rd",
        b"tk_agqdq7mvbofd37zqvn29rhumzniz2",
        // Settings that ask the program to make one (mautrix).
        b"generate",
        b"generated",
        b"random",
        b"change_me",
        b"change-me",
        b"none",
        b"null",
        b"nil",
        b"undefined",
        b"true",
        b"false",
        b"empty",
        b"string",
        b"str",
        b"required",
        b"optional",
        b"test",
        b"testing",
        b"todo",
        b"tbd",
        b"fixme",
        b"redacted",
        b"hidden",
        b"masked",
        b"secret_key",
        b"api_key",
        b"apikey",
        b"mypassword",
        b"yourpassword",
        b"your_password",
        b"yoursecret",
        b"mysecret",
        b"password123",
        b"default",
        b"example",
        b"sample",
        b"dummy",
        b"fake",
        b"foo",
        b"bar",
        b"foobar",
        b"baz",
        b"abc",
        b"abc123",
        b"xyz123",
        // MinIO's default root password.
        b"minioadmin",
        // Gluetun's documented WireGuard key.
        b"woei9rqqbdwnn8/bpp22svz48t71vj4fymfwujulwuu=",
        // prometheus-pve-exporter's documented example.
        b"secr3t!",
        // Grafana's and many devices' default; RabbitMQ's default account;
        // Ubiquiti's and Dell iDRAC's factory logins.
        b"admin",
        b"guest",
        b"ubnt",
        b"calvin",
        b"123",
        b"1234",
        b"12345",
        b"123456",
        b"xxx",
        b"yyy",
        b"zzz",
        b"value",
        b"secretvalue",
        b"secret_value",
        b"notasecret",
        b"not-a-secret",
        b"insecure",
        b"unset",
        b"n/a",
        b"na",
        b"off",
        b"on",
        b"yes",
        b"no",
        b"auto",
        b"env",
        b"bearer",
        b"basic",
        b"token_here",
        b"access_token",
        b"client_secret",
        b"your-token",
        b"user",
        b"username",
    ];
    if listed(EXACT, l) {
        return true;
    }
    const PARTS: &[&[u8]] = &[
        b"changeme",
        b"change_me",
        b"change-me",
        b"changethis",
        b"change_this",
        b"placeholder",
        // wp-config-sample.php's keys and salts.
        b"put your unique phrase here",
        b"example",
        b"xxxx",
        b"****",
        b"....",
        b"####",
        b"your_",
        b"your-",
        b"yourtoken",
        b"yourkey",
        b"yoursecret",
        b"yourpass",
        b"<your",
        b"replace_me",
        b"replace-me",
        b"replaceme",
        b"insert_",
        b"insert-",
        b"put_your",
        b"redacted",
        b"dummy",
        b"_here",
        b"-here",
        b"notreal",
        b"not_real",
        b"not-real",
        b"sample_",
        b"todo:",
        b"...",
    ];
    // One automaton over all the parts (values are checked by the thousand).
    static PARTS_AC: std::sync::LazyLock<aho_corasick::AhoCorasick> =
        std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(PARTS).expect("literals"));
    if PARTS_AC.is_match(l) {
        return true;
    }
    // Counting in documentation (`0123456789abcdef0123…`, `1234567890`).
    if l.len() >= 10
        && [&b"0123456789abcdef"[..], b"0123456789", b"1234567890"]
            .iter()
            .any(|seq| l.iter().zip(seq.iter().cycle()).all(|(a, b)| a == b))
    {
        return true;
    }
    // A name standing for the value: `apiToken`, `bot_token`, `userKey`
    // (letters only, ending in such a word at a word boundary).
    if v.iter()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-'))
    {
        for w in ["token", "key", "secret", "password", "passwd", "pass"] {
            let n = w.len();
            if v.len() > n + 1
                && l.ends_with(w.as_bytes())
                && (v[v.len() - n].is_ascii_uppercase() && v[v.len() - n - 1].is_ascii_lowercase()
                    || matches!(v[v.len() - n - 1], b'_' | b'-'))
            {
                return true;
            }
        }
    }
    // All one character, or only masking characters.
    if let Some(&first) = l.first() {
        if l.iter().all(|&c| c == first) {
            return true;
        }
    }
    if l.iter()
        .all(|c| matches!(c, b'x' | b'*' | b'#' | b'.' | b'-' | b'_' | b'0'))
    {
        return true;
    }
    false
}

/// Password hashes, content hashes, digests: hashed, not secret. Also
/// `user:hash` (htpasswd lines, Traefik `basicauth.users`), with `$`
/// doubled as compose files escape it.
pub fn is_hash_or_digest(v: &[u8]) -> bool {
    let v = trim(v);
    if hash_prefix(v) {
        return true;
    }
    // A GPG fingerprint: 40 hex digits in capitals (tokens in hex are
    // written in lowercase).
    if v.len() == 40
        && v.iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
        && v.iter().any(u8::is_ascii_uppercase)
    {
        return true;
    }
    // A fingerprint in colon-separated hex (`df:21:76:…`).
    if v.len() >= 47
        && v.split(|&c| c == b':')
            .all(|g| g.len() == 2 && g.iter().all(u8::is_ascii_hexdigit))
    {
        return true;
    }
    // PostgreSQL's `md5` + 32 hex digits, MySQL's `*` + 40.
    let hex_after =
        |n: usize, len: usize| v.len() == n + len && v[n..].iter().all(u8::is_ascii_hexdigit);
    if v.starts_with(b"md5") && hex_after(3, 32) || v.starts_with(b"*") && hex_after(1, 40) {
        return true;
    }
    // Transmission's `{` + SHA-1 hex of password and salt + the 8-byte salt.
    if v.len() == 49 && v[0] == b'{' && v[1..41].iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    let Some(colon) = memchr::memchr(b':', v) else {
        return false;
    };
    let (user, hash) = (&v[..colon], &v[colon + 1..]);
    if user.is_empty()
        || !user
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"_.@-".contains(c))
    {
        return false;
    }
    if hash.starts_with(b"$$") {
        let mut h = Vec::with_capacity(hash.len());
        for (i, &c) in hash.iter().enumerate() {
            if !(c == b'$' && i > 0 && hash[i - 1] == b'$' && h.last() == Some(&b'$')) {
                h.push(c);
            }
        }
        return hash_prefix(&h);
    }
    hash_prefix(hash)
}

/// Whether `v` starts as a password hash or digest does.
fn hash_prefix(v: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"$2a$",
        b"$2b$",
        b"$2y$",
        b"$2x$",
        b"$argon2",
        b"$y$",
        b"$gy$",
        b"$7$",
        b"$6$",
        b"$5$",
        b"$1$",
        b"$apr1$",
        b"$pbkdf2",
        b"$scrypt",
        b"scram-sha-256$",
        b"pbkdf2:",
        b"pbkdf2_sha256$",
        b"pbkdf2-sha256$",
        b"{ssha}",
        b"{sha}",
        b"{ssha512}",
        b"{crypt}",
        b"{bcrypt}",
        b"{argon2",
        b"sha256:",
        b"sha512:",
        b"sha1:",
        b"sha256-",
        b"sha384-",
        b"sha512-",
        b"sha1-",
        b"md5-",
        b"md5:",
        b"scrypt:",
        b"argon2:",
        b"bcrypt:",
    ];
    // Every prefix starts with one of these (a quick no for most values).
    if !v
        .first()
        .is_some_and(|c| b"$p{smab".contains(&c.to_ascii_lowercase()))
    {
        return false;
    }
    PREFIXES
        .iter()
        .any(|p| v.len() >= p.len() && v[..p.len()].eq_ignore_ascii_case(p))
}

/// `8-4-4-4-12` hexadecimal.
pub fn is_uuid(v: &[u8]) -> bool {
    let v = trim(v);
    if v.len() != 36 {
        return false;
    }
    v.iter().enumerate().all(|(i, &c)| match i {
        8 | 13 | 18 | 23 => c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// A git object id, a hex digest or a Nix store hash (only hex / nix32).
pub fn is_hex_hash(v: &[u8]) -> bool {
    let v = trim(v);
    matches!(v.len(), 32 | 40 | 56 | 64 | 96 | 128)
        && v.iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        && !v.iter().all(u8::is_ascii_digit)
}

/// Trims ASCII blanks and surrounding quotes.
pub fn trim(mut v: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = v {
        if first.is_ascii_whitespace() {
            v = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = v {
        if last.is_ascii_whitespace() {
            v = rest;
        } else {
            break;
        }
    }
    v
}

/// What a key name says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A password: human-chosen values count, even short and simple ones.
    Password,
    /// A secret or credential: human or random.
    Secret,
    /// A token or API key: machine-made, so expect some entropy.
    Token,
    /// A secret word inside the key but not last: only random-looking values count.
    Random,
    /// Some other `*_KEY` (`PING_KEY`, a bare `key`): only a machine-made
    /// value counts, not words and numbers joined (`app_prefs_2024`).
    Key,
    /// Not a secret (an id, a name, a URL, a file path, a public key, …).
    NotSecret,
}

/// Splits a key into lowercase words at separators and camelCase humps.
pub fn key_words(key: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for (i, &c) in key.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        let upper = c.is_ascii_uppercase();
        // Boundary at aB, and at the last capital of ABc (APIKey -> api key).
        let next_lower = key.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        let prev_upper = i > 0 && key[i - 1].is_ascii_uppercase();
        if upper && !cur.is_empty() && (prev_lower || (prev_upper && next_lower)) {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase() as char);
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Classifies a key name (`DB_PASSWORD`, `apiKey`, `client_secret_id`, …).
pub fn classify_key(key: &[u8]) -> KeyKind {
    let words = key_words(key);
    let Some(last) = words.last() else {
        return KeyKind::NotSecret;
    };
    // The last word names what the value is.
    const NOT: &[&str] = &[
        "id",
        "ids",
        "url",
        "uri",
        "urls",
        "endpoint",
        "name",
        "names",
        "type",
        "file",
        "files",
        "path",
        "paths",
        "dir",
        "directory",
        "length",
        "len",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "expire",
        "lifetime",
        "header",
        "field",
        "env",
        "var",
        "variable",
        "count",
        "size",
        "timeout",
        "policy",
        "mode",
        "enabled",
        "enable",
        "disabled",
        "method",
        "ref",
        "store",
        "version",
        "cmd",
        "command",
        "format",
        "prefix",
        "suffix",
        "algorithm",
        "alg",
        "hash",
        "hashed",
        "digest",
        "location",
        "host",
        "port",
        "user",
        "username",
        "login",
        "regex",
        "pattern",
        "provider",
        "source",
        "sources",
        "issuer",
        "audience",
        "scope",
        "scopes",
        "duration",
        "interval",
        "label",
        "description",
        "desc",
        "hint",
        "prompt",
        "required",
        "rotation",
        "min",
        "max",
        "policy",
        "rules",
        "rule",
        "reset",
        "changed",
        "strength",
        "complexity",
        "validator",
        "validation",
        "placeholder",
        "manager",
        "helper",
        "handler",
        "class",
        "key", /* handled below */
        "keys",
        "usage",
        "status",
        "state",
        "request",
        "response",
        "resource",
        "kind",
        "uid",
        "arn",
        "secretref",
        "selector",
        "index",
        "number",
        "num",
        "bytes",
        "bits",
        "template",
        "example",
        "pub",
        "public",
        "fingerprint",
        "sha",
        "sha256",
        "checksum",
        "text",
        "label",
        "title",
        "event",
        "events",
        "callback",
        "cache",
        "store",
        "dialog",
        "form",
        "input",
        "button",
        "field",
        "test",
        "tests",
        "spec",
        "error",
        "errors",
        "message",
        "msg",
        "recovery",
        "reminder",
        "mask",
        "config",
        "configuration",
        "settings",
        "option",
        "options",
    ];
    let has = |w: &str| words.iter().any(|x| x == w);
    // A setting about a password, not one (Ansible's `update_password:
    // on_create`, `reset_password: true`).
    if words.len() >= 2
        && matches!(
            words[0].as_str(),
            "update" | "reset" | "change" | "require" | "enforce" | "expire" | "show" | "hide"
        )
    {
        return KeyKind::NotSecret;
    }
    if has("public") || has("pub") || has("pubkey") || has("publickey") || has("publishable") {
        return KeyKind::NotSecret;
    }
    // Ghost's Content API key is public by design (its Admin API key is not).
    if words.ends_with(&["content".into(), "api".into(), "key".into()]) {
        return KeyKind::NotSecret;
    }
    let secret_word = |w: &str| {
        // `password2` (rclone crypt's second password).
        let w = match w.trim_end_matches(|c: char| c.is_ascii_digit()) {
            t if t.contains("pass") => t,
            _ => w,
        };
        matches!(
            w,
            "password"
                | "passwd"
                | "pass"
                | "pwd"
                | "passphrase"
                | "passwort"
                | "pw"
                | "psk"
                | "secret"
                | "secrets"
                | "token"
                | "tokens"
                | "apikey"
                | "credential"
                | "credentials"
                | "creds"
                | "pat"
                | "auth"
        ) || w.ends_with("password")
            || w.ends_with("passwd")
            // `DBPASS`, `smtppass`; not `bypass`, `compass`.
            || w.ends_with("pass")
                && !["bypass", "compass", "overpass", "surpass", "trespass", "underpass"]
                    .iter()
                    .any(|x| w.ends_with(x))
            || w.ends_with("secret")
            || w.ends_with("token")
            || w.ends_with("apikey")
            || w.ends_with("authkey")
            || w.ends_with("secretkey")
            // A private tracker's passkey and RSS key (the *arr indexers).
            || w.ends_with("passkey")
            || w == "rsskey"
            || w == "privkey"
            || w == "privatekey"
            // Redis' and Valkey's replica password; sssd's bind password.
            || w == "masterauth"
            || w == "authtok"
    };
    // A key's seed (LLDAP's `key_seed`) derives the key: only a random
    // value counts (`random_seed = 42` is no secret).
    if last == "seed" && words.len() >= 2 && {
        let prev = words[words.len() - 2].as_str();
        prev == "key" || secret_word(prev)
    } {
        return KeyKind::Random;
    }
    // A salt (`passwordsalt`, `HASH_SALT`) keeps hashes unguessable.
    if last.ends_with("salt") {
        return KeyKind::Random;
    }
    // Consul's and Nomad's gossip key: `encrypt = "…"`.
    if last == "encrypt" {
        return KeyKind::Key;
    }
    if last == "key" {
        // api key, access key, private key, secret key, signing key, …
        let prev = words.len().checked_sub(2).map(|i| words[i].as_str());
        return match prev {
            // An S3 "access key" is the id half of the pair: only a
            // random-looking one counts.
            Some("access") => KeyKind::Random,
            Some(
                "api" | "application" | "secret" | "private" | "priv" | "signing" | "encryption"
                | "enc" | "master" | "license" | "client" | "app" | "auth" | "account" | "admin"
                | "service" | "session" | "shared" | "preshared" | "storage" | "sas" | "hmac"
                | "jwt" | "cookie" | "crypt" | "cipher" | "root" | "write" | "read" | "deploy"
                | "webhook" | "bot" | "integration" | "license_key" | "pre" | "hook" | "rpc" | "x"
                | "tsig" | "setup" | "join" | "enrollment" | "registration" | "preauth",
            ) => KeyKind::Token,
            // An encryption or signing key, whatever word precedes `key`
            // (`ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY`).
            _ if words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "encryption" | "encrypt" | "crypto" | "signing" | "private"
                )
            }) =>
            {
                KeyKind::Token
            }
            // Keys that name a row, a cache entry, a keyboard key or a
            // GPG key id, not a credential.
            Some(
                "object" | "cache" | "sort" | "primary" | "foreign" | "partition" | "lookup"
                | "map" | "hot" | "short" | "gpg" | "pgp" | "idempotency" | "row" | "composite"
                | "unique" | "dedup" | "group" | "index" | "hash" | "shard",
            ) => KeyKind::NotSecret,
            _ if words.iter().any(|w| secret_word(w)) => KeyKind::Token,
            // Any other `*_KEY` (`PING_KEY`, a bare `key:` under a
            // dashboard widget): a key if its value looks machine-made.
            _ => KeyKind::Key,
        };
    }
    if listed(NOT, last.as_bytes()) || last.ends_with("id") && last.len() > 2 && !secret_word(last)
    {
        return KeyKind::NotSecret;
    }
    // `api_key_living_room`: a key's name, then a qualifier.
    let key_pair = words.windows(2).any(|w| {
        w[1] == "key"
            && matches!(
                w[0].as_str(),
                "api" | "secret" | "private" | "encryption" | "auth" | "access" | "signing"
            )
    });
    if !secret_word(last)
        && (words.iter().any(|w| secret_word(w)) || key_pair)
        && !listed(NOT, last.as_bytes())
    {
        // `todo_secret_do_not_commit`, `api_token_123`: a secret word not
        // last; the value must look random (checked by the caller).
        let qualifier = matches!(
            last.as_str(),
            "value"
                | "plain"
                | "plaintext"
                | "string"
                | "str"
                | "raw"
                | "b64"
                | "base64"
                | "encoded"
                | "cleartext"
                | "data"
                | "override"
        );
        if !qualifier {
            return KeyKind::Random;
        }
    }
    if !secret_word(last) {
        // The secret word must be the last word, or followed by a
        // qualifier that still names a secret value (password_plain,
        // token_value, secret_string, …).
        let qualifier = matches!(
            last.as_str(),
            "value"
                | "plain"
                | "plaintext"
                | "string"
                | "str"
                | "raw"
                | "b64"
                | "base64"
                | "encoded"
                | "v1"
                | "v2"
                | "1"
                | "2"
                | "prod"
                | "dev"
                | "staging"
                | "main"
                | "old"
                | "new"
                | "current"
                | "default"
                | "data"
                | "override"
                | "cleartext"
        );
        let secret_before = words.len() >= 2 && secret_word(&words[words.len() - 2]);
        if !(qualifier && secret_before) {
            return KeyKind::NotSecret;
        }
    }
    let pos = words.iter().rposition(|w| secret_word(w)).unwrap_or(0);
    let w = words[pos].as_str();
    if w.contains("pass")
        || matches!(w, "pwd" | "pw" | "psk" | "masterauth")
        || w.contains("passwort")
    {
        KeyKind::Password
    } else if w.contains("secret") || w.starts_with("cred") {
        KeyKind::Secret
    } else if w == "auth" {
        // `auth: true`, `auth=MSCHAPV2`, smb.conf's `ntlm auth = …` are
        // settings: an `auth` holds a secret only if it looks machine-made.
        KeyKind::Key
    } else {
        KeyKind::Token
    }
}

/// Whether a generic assignment `key = value` holds a plaintext secret.
pub fn generic_value_is_secret(kind: KeyKind, value: &[u8]) -> bool {
    kind != KeyKind::NotSecret && generic_value_plausible(value) && generic_value_fits(kind, value)
}

/// The checks of [`generic_value_is_secret`] that do not depend on the key:
/// not a reference, placeholder, hash, path, URL or piece of code.
pub fn generic_value_plausible(value: &[u8]) -> bool {
    let v = trim(value);
    if v.is_empty() || v.len() > 256 {
        return false;
    }
    if is_reference(v) || is_placeholder(v) || is_hash_or_digest(v) {
        return false;
    }
    if v.starts_with(b"ENC[") {
        return false;
    }
    // A number or id in hex (`0x4AEE18F83AFDEB23`, a GPG key id; an
    // address), and a nested `name=value` spec (`--secret id=npmrc,src=…`).
    if v.len() <= 42 && v.starts_with(b"0x") && v[2..].iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    if let Some(eq) = memchr::memchr(b'=', v) {
        let name = &v[..eq];
        let rest = &v[eq + 1..];
        if name.len() >= 2
            && name.iter().all(|c| c.is_ascii_lowercase() || *c == b'_')
            && memchr::memchr(b',', rest).is_some_and(|c| rest[c..].contains(&b'='))
        {
            return false;
        }
    }
    // Paths to files that hold the secret; not base64 that starts with
    // `/` (Nextcloud's `passwordsalt`): random cases and digits, no dot.
    let base64ish = !v.contains(&b'.')
        && v.iter().any(u8::is_ascii_uppercase)
        && v.iter().any(u8::is_ascii_lowercase)
        && v.iter().any(u8::is_ascii_digit)
        && entropy(v) >= 4.0;
    if (v.starts_with(b"/")
        || v.starts_with(b"./")
        || v.starts_with(b"~/")
        || v.starts_with(b"../"))
        && !base64ish
    {
        return false;
    }
    // A secret's reference with options (podman's and compose's
    // `--secret name,type=env,target=VAR`).
    if let Some(comma) = memchr::memchr(b',', v) {
        let opts = &v[comma + 1..];
        if [&b"type="[..], b"target=", b"mode=", b"uid=", b"gid="]
            .iter()
            .any(|o| opts.starts_with(o))
            && !v[..comma].contains(&b'=')
        {
            return false;
        }
    }
    if v.len() > 2 && v[1] == b':' && (v[2] == b'\\' || v[2] == b'/') {
        return false;
    }
    // Code: a call cut off at its quote (`format!(`), a path (`a::b`).
    let count = |b: u8| v.iter().filter(|&&c| c == b).count();
    // (Not a random key drawn from punctuation too, as Django's are.)
    if (count(b'(') != count(b')')
        || count(b'[') != count(b']')
        || memchr::memmem::find(v, b"::").is_some())
        && !(v.len() >= 32 && !v.iter().any(u8::is_ascii_whitespace) && entropy(v) >= 4.5)
    {
        return false;
    }
    // The base64 of an SSH public key (VyOS `key AAAAC3…`).
    if [&b"AAAAB3NzaC1"[..], b"AAAAC3NzaC1", b"AAAAE2VjZHNh"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return false;
    }
    // A Proxmox token id (`automation@pve!snapshots`) names its secret:
    // its realm and token name start with a letter (`Graf@na-Dash!55` is
    // a password).
    if let Some(at) = memchr::memchr(b'@', v) {
        let id = |s: &[u8]| {
            s.first().is_some_and(u8::is_ascii_alphabetic)
                && s.iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(c))
        };
        if let Some(bang) = memchr::memchr(b'!', &v[at..]).map(|p| at + p) {
            if id(&v[..at]) && id(&v[at + 1..bang]) && id(&v[bang + 1..]) {
                return false;
            }
        }
    }
    // An entry of `pass`, the password store (`homelab/dsm`): a name.
    if v.contains(&b'/')
        && v.split(|&c| c == b'/').all(|seg| {
            !seg.is_empty()
                && seg
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"._-".contains(c))
        })
    {
        return false;
    }
    // A regular expression (`password=\w+`, `token: \S+`).
    if v.windows(3)
        .any(|w| w[0] == b'\\' && b"wdsWDS".contains(&w[1]) && b"+*{?".contains(&w[2]))
    {
        return false;
    }
    // A URL: passwords in URLs have their own rule.
    if memchr::memmem::find(v, b"://").is_some() {
        return false;
    }
    // A command with flags or a pipe (`authelia crypto rand --length 72`,
    // `sops -d x.yaml | yq .b2`), not a passphrase.
    if v.iter().any(|c| c.is_ascii_whitespace())
        && v.split(|c| c.is_ascii_whitespace()).any(|w| {
            w == b"|"
                || w.len() > 1 && w[0] == b'-' && w[1].is_ascii_alphabetic()
                || w.starts_with(b"--") && w.len() > 2
        })
    {
        return false;
    }
    // A credential loaded from a file (systemd's `LoadCredential=id:/path`).
    if let Some(colon) = memchr::memchr(b':', v) {
        if colon > 0
            && v[colon + 1..].starts_with(b"/")
            && v[..colon]
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
            && !v[colon + 1..].iter().any(|c| c.is_ascii_whitespace())
        {
            return false;
        }
    }
    // A command line with an address among its words (`radtest test test
    // 127.0.0.1 0 testing123`), not a passphrase.
    let words = v
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    if words.clone().count() >= 3
        && words.clone().any(|w| {
            w.split(|&c| c == b'.').count() == 4
                && w.split(|&c| c == b'.')
                    .all(|o| (1..=3).contains(&o.len()) && o.iter().all(u8::is_ascii_digit))
        })
    {
        return false;
    }
    // Whitespace with `=` or `:` inside: code or a nested assignment, not a value.
    if v.iter().any(|c| c.is_ascii_whitespace())
        && v.iter().any(|c| matches!(c, b'=' | b':' | b'(' | b'{'))
    {
        return false;
    }
    true
}

/// The checks of [`generic_value_is_secret`] that depend on the key's kind.
pub(crate) fn generic_value_fits(kind: KeyKind, value: &[u8]) -> bool {
    let v = trim(value);
    let letters = v.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    match kind {
        KeyKind::Password => {
            if v.len() < 4 {
                return false;
            }
            // An identifier in capitals (`PASSWORD`, `DB_PASS`) names a variable.
            if v.iter().all(|c| c.is_ascii_uppercase() || *c == b'_') && v.len() > 3 {
                return false;
            }
            // A salted SHA-512 in hex (OctoPrint's users.yaml): no one's password.
            if v.len() == 128 && v.iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            true
        }
        KeyKind::Secret => {
            if v.len() < 6 {
                return false;
            }
            if v.iter().all(|c| c.is_ascii_uppercase() || *c == b'_') {
                return false;
            }
            // A word (`secret = forgot to update`, `mysecret`): secrets are
            // drawn at random, or long.
            if v.len() < 12 && v.iter().all(u8::is_ascii_lowercase) {
                return false;
            }
            // A plain identifier (`my_secret_name`, `longhorn-backup-s3`)
            // names a secret object: words, and short parts such as `s3`.
            if v.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-'))
                && v.contains(&b'-') | v.contains(&b'_')
                && v.len() < 24
                && v.split(|c| matches!(c, b'_' | b'-'))
                    .all(|part| part.len() <= 3 || part.iter().all(u8::is_ascii_lowercase))
            {
                return false;
            }
            true
        }
        KeyKind::Token => {
            if v.len() < 8 || letters + digits < 8 {
                return false;
            }
            if v.iter().any(|c| c.is_ascii_whitespace()) {
                return false;
            }
            if v.iter()
                .all(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'-' | b'.' | b':'))
                && (v.len() < 20 || entropy(v) < 3.5)
                && !random_letters(v)
            {
                // Words (`bearer_token`, `ACCESS_TOKEN`, `my-token-name`,
                // a permission `Zone.DNS:Edit`).
                return false;
            }
            entropy(v) >= 2.8 && !is_uuid_like_version(v)
        }
        KeyKind::Random => random_value(v, 16),
        // (Gotify's app tokens have 15 characters. A GPG key id or
        // fingerprint, `signing.key = "AE6E7BF33ECA6BD1"`, names a key.)
        KeyKind::Key
            if matches!(v.len(), 16 | 40)
                && v.iter()
                    .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c)) =>
        {
            false
        }
        KeyKind::Key => {
            machine_made(v) && random_value(v, 12) || v.len() >= 16 && random_letters(v)
        }
        KeyKind::NotSecret => false,
    }
}

/// Letters and digits mixed, random enough, at least `min_len` long.
fn random_value(v: &[u8], min_len: usize) -> bool {
    let letters = v.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    // Hex has 16 symbols: a random 32-digit hex string often measures
    // below 3.5.
    let hex = v.iter().all(u8::is_ascii_hexdigit);
    let floor = if hex { 3.0 } else { 3.5 };
    !(hex && hex_of_text(v))
        && v.len() >= min_len
        && letters > 0
        && digits > 0
        && entropy(v) >= floor
        && !v.iter().any(|c| c.is_ascii_whitespace())
        && !is_uuid(v)
}

/// Whether a value has a run of 12 or more letters and digits mixed (a
/// token, a key, an id), not only words and numbers joined by separators
/// (`myapp_user_preferences_2024`, `dashboard.widgets.title2`).
fn machine_made(v: &[u8]) -> bool {
    v.split(|c| !c.is_ascii_alphanumeric()).any(|run| {
        run.len() >= 12
            && run.iter().any(u8::is_ascii_digit)
            && run.iter().any(u8::is_ascii_alphabetic)
    }) || random_with_symbols(v)
}

/// A long random string drawn from letters, digits and punctuation
/// (WordPress' and Django's keys), not code (`Key::from_der(&self.bytes)`):
/// punctuation throughout, no `::`, and letters with as few vowels as
/// random letters have (a fifth; code's English words have a third).
fn random_with_symbols(v: &[u8]) -> bool {
    let count = |f: fn(&u8) -> bool| v.iter().filter(|c| f(c)).count();
    let letters = count(u8::is_ascii_alphabetic);
    let vowels = count(|c| b"aeiouAEIOU".contains(c));
    v.len() >= 32
        && count(u8::is_ascii_digit) > 0
        && count(u8::is_ascii_punctuation) * 6 >= v.len()
        && vowels * 10 < letters * 3
        && memchr::memmem::find(v, b"::").is_none()
        && !v.iter().any(|c| c.is_ascii_whitespace())
        && entropy(v) >= 4.5
}

/// Hex that spells letters and digits (Zigbee's published link key is
/// `ZigBeeAlliance09` in hex): sixteen random bytes never do.
fn hex_of_text(v: &[u8]) -> bool {
    let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    v.len() % 2 == 0
        && v.chunks(2)
            .all(|p| (digit(p[0]) << 4 | digit(p[1])).is_ascii_alphanumeric())
}

/// Random letters rather than words: both cases well mixed (camelCase
/// words capitalise a letter in five or more) and few vowels (over a
/// third of the letters of English words, a fifth of random ones).
fn random_letters(v: &[u8]) -> bool {
    let count = |f: fn(&u8) -> bool| v.iter().filter(|c| f(c)).count();
    let vowels = count(|c| b"aeiouAEIOU".contains(c));
    v.len() >= 12
        && v.iter().all(u8::is_ascii_alphabetic)
        && count(u8::is_ascii_uppercase) * 4 > v.len()
        && count(u8::is_ascii_lowercase) * 4 > v.len()
        && vowels * 10 < v.len() * 3
        && entropy(v) >= 3.0
}

fn is_uuid_like_version(v: &[u8]) -> bool {
    // Version strings: 1.2.3, v1.2.3-rc1, rc0.15.0_2023...
    let dots = v.iter().filter(|&&c| c == b'.').count();
    dots >= 2 && v.iter().filter(|c| c.is_ascii_digit()).count() * 2 >= v.len().saturating_sub(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_words_split_camel_and_separators() {
        assert_eq!(key_words(b"AWSToken"), ["aws", "token"]);
        assert_eq!(
            key_words(b"openaiApiKeyToken"),
            ["openai", "api", "key", "token"]
        );
        assert_eq!(key_words(b"DB_PASSWORD"), ["db", "password"]);
        assert_eq!(key_words(b"client-secret.v2"), ["client", "secret", "v2"]);
    }

    #[test]
    fn keys_are_classified() {
        assert_eq!(classify_key(b"DB_PASSWORD"), KeyKind::Password);
        assert_eq!(
            classify_key(b"administrator_login_password"),
            KeyKind::Password
        );
        assert_eq!(classify_key(b"client_secret"), KeyKind::Secret);
        assert_eq!(classify_key(b"apiKey"), KeyKind::Token);
        assert_eq!(classify_key(b"CF_DNS_API_TOKEN"), KeyKind::Token);
        assert_eq!(classify_key(b"PrivateKey"), KeyKind::Token);
        assert_eq!(classify_key(b"public_key"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"passwordVariable"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"credentialsId"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"token_url"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"PASSWORD_FILE"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"primaryKey"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"keyword"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"bypass"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"password2"), KeyKind::Password);
        assert_eq!(classify_key(b"PAPERLESS_DBPASS"), KeyKind::Password);
        assert_eq!(classify_key(b"proxy_bypass"), KeyKind::NotSecret);
        // Other keys are keys when their value looks random.
        assert_eq!(classify_key(b"HEALTHCHECKS_PING_KEY"), KeyKind::Key);
        assert_eq!(classify_key(b"key"), KeyKind::Key);
        assert_eq!(classify_key(b"GPG_KEY"), KeyKind::NotSecret);
        assert_eq!(classify_key(b"SORT_KEY"), KeyKind::NotSecret);
    }

    #[test]
    fn references_placeholders_and_hashes_are_not_secrets() {
        for v in [
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{env.CF_API_TOKEN}",
            "!secret db_pass",
            "var.db",
            "{{ .Values.password }}",
            "<your-token>",
            "[PASSWORD]",
            "%(pw)s",
            "$(cat pw)",
        ] {
            assert!(is_reference(v.as_bytes()), "{v}");
        }
        for v in [
            "changeme",
            "CHANGE_ME",
            "xxxxxxxx",
            "********",
            "your-api-key-here",
            "example",
        ] {
            assert!(is_placeholder(v.as_bytes()), "{v}");
        }
        for v in [
            "$2b$12$abcdefghijklmnopqrstuv",
            "$argon2id$v=19$m=65536",
            "sha256-abc=",
        ] {
            assert!(is_hash_or_digest(v.as_bytes()), "{v}");
        }
        assert!(is_uuid(b"0736f5ef-7e88-499a-80cc-90c85d2a5180"));
    }

    #[test]
    fn human_passwords_count_words_do_not() {
        assert!(generic_value_is_secret(KeyKind::Password, b"hunter2"));
        assert!(generic_value_is_secret(KeyKind::Password, b"Sommer2024!"));
        assert!(!generic_value_is_secret(KeyKind::Password, b"changeme"));
        assert!(!generic_value_is_secret(
            KeyKind::Password,
            b"/run/secrets/db"
        ));
        assert!(generic_value_is_secret(
            KeyKind::Token,
            b"8f14e45fceea167a5a36dedd4bea2543"
        ));
        assert!(!generic_value_is_secret(KeyKind::Token, b"ACCESS_TOKEN"));
        assert!(!generic_value_is_secret(KeyKind::Token, b"1.2.3"));
        assert!(entropy(b"aaaa") < 0.01);
    }
}
