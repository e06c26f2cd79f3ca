//! Rules: an id, keywords for the prefilter, a precise pattern over bytes,
//! and the checks that decide whether a match is a secret.

use regex::bytes::{Regex, RegexBuilder};

/// Extra validation a rule runs on a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Pattern (and entropy) only.
    Plain,
    /// `key = value` assignments: the key must name a secret and the value
    /// must not be a reference, placeholder or hash.
    Generic,
    /// A value that must not be a reference or placeholder (URL passwords,
    /// `curl -u`, `dns cloudflare <token>`).
    NotPlaceholder,
    /// A PEM/OpenSSH/PGP private key block with a real body.
    PemBody,
    /// A Kubernetes `kind: Secret` with plaintext `data`/`stringData`.
    K8sSecret,
    /// `curl -u user:password`: the password (or a random-looking user).
    Curl,
    /// An Authorization header value: not a placeholder, and a `Basic`
    /// credential whose password decodes to one is an example.
    AuthHeader,
    /// A notification URL (`discord://…`): the segment that is a token.
    NotifyUrl,
    /// `key`, `pass` or `secret` in an INI section with a `type =` line.
    IniRemote,
    /// An array of at least 16 byte values under a key name.
    ByteArray,
    /// A cloud access key id: its secret in the same block.
    KeyPair,
    /// A network device's secret: not a default community (`public`,
    /// `private`), a reference, a placeholder or a hash.
    DeviceSecret,
    /// A password in prose: not a word, an identifier, a path, a file
    /// name, a flag or a reference.
    Prose,
    /// A key id reported only with its secret beside it (the same block).
    KeyIdBeside,
    /// A WireGuard-format key under a key name that is not a public key's.
    WgKey,
    /// A base64 run that decodes to a PEM private key's header.
    PemBase64,
    /// A value under the rule's `key` group, checked as a generic
    /// assignment's (fish's `set -gx NAME value`); OpenWrt UCI's `option
    /// key` is a Wi-Fi passphrase.
    KeyedValue,
    /// A 16- or 32-byte hex key inside a block whose key names keys
    /// (`securityKeys: {S2_Unauthenticated: …}`, `network_key: {key: …}`).
    HexKeyBlock,
    /// A value inside a block whose key is `tokens` (Consul's ACL tokens).
    TokensBlock,
    /// `key value` directives (msmtp, .netrc, mosquitto): a lowercase key
    /// naming a secret, one value that is not a word, type or reference.
    Directive,
    /// A random value found by the scan for random values (its checks are
    /// made there).
    Unnamed,
    /// A value that only its shape tells (in notes, after a password
    /// flag): a password's mix of letters, digits and symbols.
    PasswordShaped,
    /// As `NotPlaceholder`, under a name that is not an id's
    /// (`DISCORD_GUILD_ID=…` is a public snowflake).
    NotId,
    /// A random token (as the scan for random values judges one), not a
    /// word or a name.
    RandomToken,
    /// A recovery, scratch or 2FA code: letters or digits in groups, with
    /// a digit, no word among them.
    RecoveryCode,
    /// A Markdown table row: the cell under a password column's header.
    TableCell,
    /// A literal a shell script writes to a file whose name says it holds
    /// a key or password (the file is the rule's `key` group).
    SecretFileWrite,
}

/// How a rule is run once the prefilter has seen one of its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
    /// The regex, on each line holding a keyword hit that passes its precheck.
    Line,
    /// Matches can span lines: the regex runs once, from the line of the
    /// first keyword hit to the end (its own literal prefilter skips ahead).
    FromFirstHit,
    /// The whole content (custom rules, as gitleaks runs them).
    Whole,
    /// `key = value` assignments, parsed by hand at each key holding a keyword.
    Assignment,
    /// `<key>value</key>` and `key="k" value="v"`, parsed by hand.
    Xml,
    /// `name: KEY` then `value: …`, parsed by hand with the other generic forms.
    NameValue,
    /// `--key value` on a command line, parsed by hand with the other generic forms.
    Flag,
    /// Plaintext values of SOPS files that their rules say must be
    /// encrypted (found by the SOPS file analysis, not by a pattern).
    Sops,
    /// Random values that no keyword announces, found by a scan for long
    /// runs of token bytes ([`crate::unnamed`]).
    Unnamed,
}

/// A cheap test at a keyword hit, before the rule's regex runs on the line.
/// Each is a necessary condition of a match holding (or, for `LineHas`,
/// sharing a line with) that hit, so it never loses a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pre {
    /// None: run the regex on the line.
    None,
    /// The keyword is part of the secret: the run of token bytes
    /// (`[A-Za-z0-9_./+=~\:-]`) around the hit is at least this long.
    Token(u16),
    /// The keyword starts its line (after blanks) and a blank follows it.
    LineStart,
    /// `scheme://user:pass@`: an `@` after a `:` before the authority ends.
    Url,
    /// The line holds this (case-sensitive) literal.
    LineHas(&'static [u8]),
    /// The hit is `://` after a notification scheme (`discord`, `ntfy`, …).
    Scheme,
    /// A base64 key of 32 bytes (`=` after 43 base64 bytes) ends on the
    /// hit's line within 160 bytes of it.
    B64After,
    /// After the key run holding the hit: `:` or `=` (or `[N] =`), then
    /// `[`, `{`, `(` or the end of the line.
    ArrayAfter,
    /// The keyword is the whole key of an INI line: it starts the line
    /// and blanks then `=` follow it.
    IniKey,
    /// The key run holding the hit starts its line (after blanks) and a
    /// blank follows it.
    KeyStartsLine,
    /// A run of at least this many token bytes follows the keyword.
    TokenAfter(u16),
    /// The key run holding the hit follows `?` or `&` and is followed by `=`.
    QueryKey,
    /// The hit's line starts (after blanks) with one of these words.
    LineStartsWith(&'static [&'static [u8]]),
}

/// Which text an allowlist regex is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// The secret (the capture group).
    #[default]
    Secret,
    /// The whole match.
    Match,
    /// The line holding the match.
    Line,
}

/// Conditions under which a match is not a finding (gitleaks' allowlist).
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    /// Optional description.
    pub description: String,
    /// Regexes tested against `target`.
    pub regexes: Vec<Regex>,
    /// What the regexes are tested on.
    pub target: Target,
    /// File paths (regexes over the path relative to the scan root).
    pub paths: Vec<Regex>,
    /// Substrings of the secret (lowercase) that make it an example.
    pub stopwords: Vec<String>,
    /// Exact secrets that are published examples or public by design.
    pub exact: Vec<String>,
    /// `true`: every given kind of condition must hold (gitleaks' `AND`).
    pub all: bool,
}

impl Allowlist {
    /// Whether this allowlist lets a match go.
    pub fn allows(&self, path: &str, secret: &[u8], whole: &[u8], line: &[u8]) -> bool {
        let target = match self.target {
            Target::Secret => secret,
            Target::Match => whole,
            Target::Line => line,
        };
        let mut checks: Vec<bool> = Vec::with_capacity(3);
        if !self.regexes.is_empty() {
            checks.push(self.regexes.iter().any(|r| r.is_match(target)));
        }
        if !self.paths.is_empty() {
            checks.push(self.paths.iter().any(|r| r.is_match(path.as_bytes())));
        }
        if !self.stopwords.is_empty() {
            let l = secret.to_ascii_lowercase();
            checks.push(
                self.stopwords
                    .iter()
                    .any(|w| memchr::memmem::find(&l, w.as_bytes()).is_some()),
            );
        }
        if !self.exact.is_empty() {
            checks.push(self.exact.iter().any(|x| x.as_bytes() == secret));
        }
        if checks.is_empty() {
            return false;
        }
        if self.all {
            checks.iter().all(|&c| c)
        } else {
            checks.iter().any(|&c| c)
        }
    }
}

/// One detection rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id (`cloudflare-api-token`), used in output, config and baselines.
    pub id: String,
    /// What it finds.
    pub description: String,
    /// How to fix a finding.
    pub hint: String,
    pub(crate) regex: LazyRegex,
    /// How the rule runs after a keyword hit.
    pub(crate) run: Run,
    /// Lowercase keywords; the rule runs only on content holding one of them.
    pub keywords: Vec<String>,
    /// The precheck of a hit of each keyword (parallel to `keywords`).
    pub(crate) pre: Vec<Pre>,
    pub(crate) secret_group: Option<usize>,
    pub(crate) min_entropy: Option<f64>,
    pub(crate) check: Check,
    pub(crate) allowlists: Vec<Allowlist>,
    pub(crate) path: Option<Regex>,
    /// Lower wins when two findings overlap.
    pub(crate) priority: u8,
}

/// A regex compiled on first use: a hook run pays only for the rules whose
/// keywords occur in what it scans.
#[derive(Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    cell: std::sync::OnceLock<Regex>,
}

impl Clone for LazyRegex {
    fn clone(&self) -> Self {
        let cell = std::sync::OnceLock::new();
        if let Some(r) = self.cell.get() {
            let _ = cell.set(r.clone());
        }
        LazyRegex {
            pattern: self.pattern.clone(),
            cell,
        }
    }
}

impl LazyRegex {
    /// A built-in pattern (ASCII mode), compiled when first used.
    pub(crate) fn lazy(pattern: String) -> Self {
        LazyRegex {
            pattern,
            cell: std::sync::OnceLock::new(),
        }
    }

    /// An already compiled regex (user rules are checked when loaded).
    pub(crate) fn ready(r: Regex) -> Self {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(r.clone());
        LazyRegex {
            pattern: r.as_str().to_string(),
            cell,
        }
    }

    pub(crate) fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            compile(&self.pattern, false)
                .unwrap_or_else(|e| panic!("built-in pattern does not compile: {e}"))
        })
    }
}

pub(crate) fn compile(pattern: &str, unicode: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .unicode(unicode)
        .size_limit(32 << 20)
        .dfa_size_limit(16 << 20)
        .build()
}

/// A file that is one secret: a single line (a comment is not one), for
/// the rules that know such files by their names.
const ONE_LINE_FILE: &str = r"\A[ \t]*(?P<secret>[^\s#]\S{7,})[ \t]*(?:\r?\n)?\z";

/// Commands that read a password from their standard input (`echo … |`,
/// `<<< …`), as one regex alternation.
macro_rules! stdin_password_commands {
    () => {
        r"(?:realm[ \t]+join|kinit|passwd|chpasswd|sudo[ \t]+-S|smbpasswd|net[ \t]+ads|docker[ \t]+login|podman[ \t]+login|helm[ \t]+registry|cryptsetup|vault[ \t]+login|adcli|zfs[ \t]+(?:load-key|change-key|create))"
    };
}

struct Spec {
    id: &'static str,
    desc: &'static str,
    kw: &'static [&'static str],
    re: &'static str,
    entropy: Option<f64>,
    check: Check,
    hint: Hint,
    /// Secret substrings that make a match an example (lowercase).
    stop: &'static [&'static str],
}

#[derive(Clone, Copy)]
enum Hint {
    Revoke(&'static str),
    Move,
    Key,
    Sops,
}

impl Hint {
    fn text(self) -> String {
        match self {
            Hint::Revoke(who) => format!(
                "revoke it at {who} and issue a new one; keep it in a SOPS file (secrets/…) and reference it"
            ),
            Hint::Move => "move it to a SOPS file (secrets/…, `secretctl edit`) and reference it (${VAR}, *_FILE, !secret)".into(),
            Hint::Key => "a private key: generate a new one, keep it in a SOPS file (secrets/…) or out of the repository".into(),
            Hint::Sops => "it was added after encryption and would be committed in clear: set it with `secretctl set FILE '[\"key\"]' '\"value\"'` or `secretctl edit FILE` (which encrypt it), not by hand".into(),
        }
    }
}

fn specs() -> Vec<Spec> {
    use Check::*;
    use Hint::*;
    let s = |id, desc, kw, re, entropy, check, hint| Spec {
        id,
        desc,
        kw,
        re,
        entropy,
        check,
        hint,
        stop: &[],
    };
    let cf = Revoke("Cloudflare (My Profile > API Tokens)");
    let mut v = vec![
        // ---- Cloudflare
        s(
            "cloudflare-origin-ca-key",
            "Cloudflare Origin CA key",
            &["v1.0-"],
            r"\b(?P<secret>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b",
            None,
            Plain,
            cf,
        ),
        s(
            "cloudflare-api-token",
            "Cloudflare API token",
            &["cloudflare", "cf_", "cf-", "cfapi", "cf_api"],
            r"(?i)(?:cloudflare|\bcf[_\-]|\bcfapi)[A-Za-z0-9_.\-]{0,40}[\x22']?[ \t]*(?:=|:=|:|=>|\?=|,)[ \t]*[\x22'`]?(?P<secret>[A-Za-z0-9_\-]{40})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.5),
            NotPlaceholder,
            cf,
        ),
        s(
            "cloudflare-global-api-key",
            "Cloudflare global API key",
            &["cloudflare", "cf_", "cf-", "x-auth-key"],
            r"(?i)(?:cloudflare|\bcf[_\-]|x-auth-key)[A-Za-z0-9_.\-]{0,40}[\x22']?[ \t]*(?:=|:=|:|=>|\?=|,)[ \t]*[\x22'`]?(?P<secret>[a-f0-9]{37})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.0),
            Plain,
            cf,
        ),
        s(
            "caddy-dns-cloudflare",
            "Cloudflare token after `dns cloudflare` in a Caddyfile",
            &["cloudflare"],
            r"(?m)^[ \t]*(?:dns|acme_dns)[ \t]+cloudflare[ \t]+(?P<secret>[^\s{}#]+)",
            None,
            NotPlaceholder,
            Revoke("Cloudflare; write `dns cloudflare {env.CF_API_TOKEN}` instead"),
        ),
        s(
            "caddy-api-token",
            "API token in a Caddyfile directive",
            &["api_token", "zone_token", "auth_token"],
            r"(?m)^[ \t]*(?:api_token|zone_token|auth_token)[ \t]+(?P<secret>[^\s{}#]+)[ \t]*\r?$",
            Some(3.0),
            NotPlaceholder,
            Revoke("the provider; write `{env.VAR}` instead"),
        ),
        // ---- Tailscale, age, WireGuard, private keys
        s(
            "tailscale-key",
            "Tailscale auth/API key",
            &["tskey-"],
            r"\b(?P<secret>tskey-(?:[a-z]+-)?[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,})\b",
            Some(3.0),
            Plain,
            Revoke("Tailscale (admin console > Settings > Keys)"),
        ),
        s(
            "age-secret-key",
            "age secret key",
            &["age-secret-key-1"],
            r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
            None,
            Plain,
            Key,
        ),
        s(
            "wireguard-private-key",
            "WireGuard-format private or preshared key",
            &["priv", "preshared", "psk"],
            // Any key name saying private or preshared (`PrivateKey`,
            // `private:`, `privkey`, `wg_psk`), in INI, YAML, JSON, Nix.
            r#"(?i)(?P<key>[A-Za-z0-9_.\-]*(?:priv|preshared|psk)[A-Za-z0-9_.\-]{0,40})[\x22']?[ \t]{0,16}(?:=|:)[ \t]{0,16}[\x22']?(?P<secret>[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)(?:[^A-Za-z0-9+/=]|$)"#,
            Some(3.5),
            WgKey,
            Hint::Key,
        ),
        s(
            "private-key",
            "PEM/OpenSSH/PGP private key",
            &["private key"],
            r"-----BEGIN[ A-Z0-9_\-]{0,40}PRIVATE KEY(?: BLOCK)?-----(?P<secret>(?:\\[rn]|[\r\n \tA-Za-z0-9+/=:,\-.])*?)-----END[ A-Z0-9_\-]{0,40}PRIVATE KEY(?: BLOCK)?-----",
            None,
            PemBody,
            Key,
        ),
        s(
            "private-key-base64",
            "PEM private key or OpenVPN static key encoded in base64 (kubeconfig client-key-data, Traefik acme.json, OPNsense config.xml)",
            // `-----BEGIN `, or the `#\n# 2048 bit OpenVPN static key`
            // comment openvpn --genkey writes before it.
            &["ls0tls1crudj", "iwojidiwndggyml0ie9wzw5wue4g"],
            r"(?P<secret>(?:LS0tLS1CRUdJTi|IwojIDIwNDggYml0IE9wZW5WUE4g)[A-Za-z0-9+/]{60,}={0,2})",
            None,
            PemBase64,
            Key,
        ),
        s(
            "vault-unseal-key",
            "HashiCorp Vault unseal or recovery key (`vault operator init` output)",
            &["unseal key", "recovery key"],
            r"(?i)(?:unseal|recovery)[ \t]+key[ \t]+[0-9]{1,2}[ \t]*:[ \t]*(?P<secret>[A-Za-z0-9+/]{40,}={0,2})",
            Some(3.5),
            Plain,
            Revoke("Vault (rekey with `vault operator rekey`)"),
        ),
        s(
            "openvpn-static-key",
            "OpenVPN static key (tls-auth, tls-crypt)",
            &["openvpn static"],
            r"-----BEGIN OpenVPN Static key V1-----(?P<secret>[\r\n \t0-9a-fA-F]{256,}?)-----END OpenVPN Static key V1-----",
            None,
            PemBody,
            Key,
        ),
        s(
            "putty-private-key",
            "PuTTY private key",
            &["private-lines:"],
            r"(?P<secret>Private-Lines: \d+\r?\n[A-Za-z0-9+/=\r\n]{64,})",
            None,
            Plain,
            Key,
        ),
        // ---- AWS, GCP, Azure
        s(
            "aws-access-key-id",
            "AWS access key id",
            &["akia", "asia", "abia", "acca", "a3t"],
            r"\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
            Some(3.0),
            Plain,
            Revoke("AWS IAM"),
        ),
        s(
            "aws-secret-access-key",
            "AWS secret access key",
            &["aws"],
            r#"(?i)aws[A-Za-z0-9_.\-]{0,20}?secret[A-Za-z0-9_.\-]{0,20}[\x22']?[ \t]*(?:=|:=|:|=>)[ \t]*[\x22']?(?P<secret>[A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)"#,
            Some(4.0),
            Plain,
            Revoke("AWS IAM"),
        ),
        s(
            "aws-bedrock-api-key",
            "Amazon Bedrock API key",
            &["absk", "bedrock-api-key-"],
            r"\b(?P<secret>ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=&%\-]*)",
            None,
            Plain,
            Revoke("AWS Bedrock"),
        ),
        s(
            "gcp-api-key",
            "Google API key",
            &["aiza"],
            r"\b(?P<secret>AIza[A-Za-z0-9_\-]{35})(?:[^A-Za-z0-9_\-]|$)",
            Some(4.0),
            Plain,
            Revoke("Google Cloud (APIs & Services > Credentials)"),
        ),
        s(
            "gcp-service-account-key",
            "GCP service account JSON key",
            &["private_key"],
            r#""private_key"[ \t]*:[ \t]*"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{64,})"#,
            None,
            Plain,
            Revoke("Google Cloud (IAM > Service accounts > Keys)"),
        ),
        s(
            "azure-ad-client-secret",
            "Azure AD client secret",
            &["q~"],
            r#"(?:^|[\\'"`\s>=:(,)])(?P<secret>[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.\-]{31,34})(?:$|[\\'"`\s<),])"#,
            Some(3.0),
            Plain,
            Revoke("Azure (App registrations > Certificates & secrets)"),
        ),
        s(
            "azure-storage-key",
            "Azure storage account key",
            &["accountkey", "sharedaccesssignature", "sig="],
            r"(?i)(?:AccountKey=(?P<secret>[A-Za-z0-9+/]{86}==)|SharedAccessKey=(?P<s2>[A-Za-z0-9+/]{43}=))",
            Some(4.0),
            Plain,
            Revoke("Azure (Storage account > Access keys)"),
        ),
        // ---- Forges
        s(
            "github-token",
            "GitHub token",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82})\b",
            Some(3.0),
            Plain,
            Revoke("GitHub (Settings > Developer settings)"),
        ),
        s(
            "gitlab-token",
            "GitLab token",
            &[
                "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "gloas-", "glsoat-", "glft-",
                "glimt-", "glagent-", "glffct-", "glimt-",
            ],
            r"\b(?P<secret>gl(?:pat|ptt|dt|rt|cbt|oas|soat|ft|imt|agent|ffct)-[A-Za-z0-9_\-]{20,300}(?:\.[0-9a-z]{2}[0-9a-z]{7})?)",
            Some(3.0),
            Plain,
            Revoke("GitLab (Access tokens)"),
        ),
        // ---- Chat
        s(
            "slack-token",
            "Slack token",
            &[
                "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxo-", "xoxe", "xapp-",
            ],
            r"(?i)\b(?P<secret>xoxe\.xox[bp]-\d-[A-Z0-9]{163,166}|xoxe-\d-[A-Z0-9]{146}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+|xoxb-[0-9]{8,14}-[0-9]{8,14}-[a-zA-Z0-9]{18,32}|xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}|xox[pe](?:-[0-9]{8,13}){3}-[a-zA-Z0-9\-]{28,34}|xox[ar]-(?:\d-)?[0-9a-zA-Z]{8,48}(?:-[0-9a-zA-Z]{8,48}){0,4}|xox[os]-\d+-\d+-\d+-[a-fA-F\d]+)\b",
            Some(3.0),
            Plain,
            Revoke("Slack (api.slack.com/apps)"),
        ),
        s(
            "slack-webhook-url",
            "Slack webhook URL",
            &["hooks.slack.com"],
            r"(?i)(?P<secret>hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}|hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32})",
            None,
            Plain,
            Revoke("Slack"),
        ),
        s(
            "discord-webhook-url",
            "Discord webhook URL",
            &["discord"],
            r"(?i)(?P<secret>discord(?:app)?\.com/api/webhooks/\d{5,30}/[A-Za-z0-9_\-]{60,80})",
            None,
            Plain,
            Revoke("Discord (Server settings > Integrations > Webhooks)"),
        ),
        s(
            "discord-bot-token",
            "Discord bot token",
            &["discord"],
            r"(?i)discord[A-Za-z0-9_.\-]{0,40}[\x22']?[ \t]*(?:=|:=|:|=>|\?=|,)[ \t]*[\x22'`]?(?P<secret>[A-Za-z0-9_\-.]{18,80}|[a-f0-9]{64})(?:[^A-Za-z0-9_\-.]|$)",
            Some(2.5),
            NotId,
            Revoke("Discord (Developer portal)"),
        ),
        s(
            "telegram-bot-token",
            "Telegram bot token",
            &["telegram", ":aa", "bot", "tg_", "tg-"],
            // Also in the Bot API's URLs: `api.telegram.org/bot<token>/`.
            r"(?:^|[^0-9A-Za-z_\-]|bot)(?P<secret>[0-9]{5,16}:A[A-Za-z0-9_\-]{34})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.0),
            Plain,
            Revoke("Telegram (@BotFather /revoke)"),
        ),
        // ---- Payments, mail, SMS
        s(
            "stripe-key",
            "Stripe secret/restricted key or webhook secret",
            &["sk_", "rk_", "whsec_"],
            r"\b(?P<secret>(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}|whsec_[A-Za-z0-9]{32,})\b",
            Some(3.0),
            Plain,
            Revoke("Stripe (Developers > API keys)"),
        ),
        s(
            "twilio-api-key",
            "Twilio API key",
            &["sk"],
            r"\b(?P<secret>SK[0-9a-fA-F]{32})\b",
            Some(3.0),
            Plain,
            Revoke("Twilio"),
        ),
        s(
            "twilio-auth-token",
            "Twilio auth token",
            &["twilio"],
            r"(?i)twilio[A-Za-z0-9_.\-]{0,30}[\x22']?[ \t]*(?:=|:=|:|=>)[ \t]*[\x22']?(?P<secret>[a-f0-9]{32})\b",
            Some(3.0),
            Plain,
            Revoke("Twilio"),
        ),
        s(
            "sendgrid-api-key",
            "SendGrid API key",
            &["sg."],
            r"\b(?P<secret>SG\.[A-Za-z0-9=_\-.]{66})",
            Some(3.0),
            Plain,
            Revoke("SendGrid"),
        ),
        s(
            "mailgun-key",
            "Mailgun API/public/signing key",
            &["key-", "pubkey-", "mailgun"],
            r"(?i)\b(?P<secret>(?:pub)?key-[a-f0-9]{32})\b|mailgun[A-Za-z0-9_.\-]{0,30}[\x22']?[ \t]*(?:=|:|=>)[ \t]*[\x22']?(?P<s2>[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8})\b",
            Some(3.0),
            Plain,
            Revoke("Mailgun"),
        ),
        // ---- AI
        s(
            "openai-api-key",
            "OpenAI API key",
            &["sk-", "t3blbkfj"],
            r"\b(?P<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{58,200}|sk-(?:[A-Za-z0-9_\-]{1,60}-)?[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.0),
            Plain,
            Revoke("OpenAI (platform > API keys)"),
        ),
        s(
            "anthropic-api-key",
            "Anthropic API key",
            &["sk-ant-"],
            r"\b(?P<secret>sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)(?:[^A-Za-z0-9_\-]|$)",
            None,
            Plain,
            Revoke("Anthropic (Console > API keys)"),
        ),
        s(
            "huggingface-token",
            "Hugging Face token",
            &["hf_", "api_org_"],
            r"(?:^|[\\'\x22`\s>=:(,)])(?P<secret>hf_[a-zA-Z]{34}|api_org_[a-zA-Z]{34})(?:$|[\\'\x22`\s<),])",
            Some(3.5),
            Plain,
            Revoke("Hugging Face (Settings > Access Tokens)"),
        ),
        // ---- Package registries
        s(
            "npm-token",
            "npm access token",
            &["npm_"],
            r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b",
            Some(3.0),
            Plain,
            Revoke("npm (Access Tokens)"),
        ),
        s(
            "pypi-token",
            "PyPI upload token",
            &["pypi-ageichlwas5vcmc"],
            r"(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})",
            None,
            Plain,
            Revoke("PyPI (Account settings > API tokens)"),
        ),
        // ---- Tokens of other services homelabs use
        s(
            "jwt",
            "JSON Web Token",
            &["ey"],
            r"\b(?P<secret>ey[A-Za-z0-9]{17,}\.ey[A-Za-z0-9/\\_\-]{17,}\.(?:[A-Za-z0-9/\\_\-]{10,}={0,2})?)(?:[^A-Za-z0-9/\\_\-=]|$)",
            Some(3.0),
            Plain,
            Move,
        ),
        s(
            "digitalocean-token",
            "DigitalOcean token",
            &["dop_v1_", "doo_v1_", "dor_v1_"],
            r"\b(?P<secret>do[opr]_v1_[a-f0-9]{64})\b",
            None,
            Plain,
            Revoke("DigitalOcean"),
        ),
        s(
            "doppler-token",
            "Doppler token",
            &["dp.pt."],
            r"(?i)\b(?P<secret>dp\.pt\.[a-z0-9]{43})\b",
            None,
            Plain,
            Revoke("Doppler"),
        ),
        s(
            "defined-networking-token",
            "Defined Networking API token",
            &["dnkey-"],
            r"(?i)\b(?P<secret>dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})",
            None,
            Plain,
            Revoke("Defined Networking"),
        ),
        s(
            "grafana-token",
            "Grafana API key / cloud / service account token",
            &["eyjrijoi", "glc_", "glsa_"],
            r"\b(?P<secret>eyJrIjoi[A-Za-z0-9]{70,400}={0,3}|glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?:[^A-Za-z0-9+/=_]|$)",
            Some(3.0),
            Plain,
            Revoke("Grafana"),
        ),
        s(
            "hashicorp-tf-token",
            "Terraform Cloud API token",
            &["atlasv1"],
            r"(?i)\b(?P<secret>[a-z0-9]{14}\.atlasv1\.[a-z0-9\-_=]{60,70})",
            Some(3.5),
            Plain,
            Revoke("Terraform Cloud"),
        ),
        s(
            "vault-token",
            "HashiCorp Vault token",
            &["hvs.", "hvb.", "vault"],
            r"\b(?P<secret>hvs\.[A-Za-z0-9_\-]{90,120}|hvb\.[A-Za-z0-9_\-]{138,300})\b|(?i:vault)[A-Za-z0-9_.\-]{0,30}[\x22']?[ \t]*(?:=|:|=>)[ \t]*[\x22']?(?P<s2>s\.[A-Za-z0-9]{24})\b",
            Some(3.5),
            Plain,
            Revoke("Vault (vault token revoke)"),
        ),
        s(
            "sentry-token",
            "Sentry token",
            &["sntrys_", "sntryu_", "sentry"],
            r"\b(?P<secret>sntrys_eyJpYXQiO[A-Za-z0-9+/]{10,200}(?:LCJyZWdpb25fdXJs|InJlZ2lvbl91cmwi|cmVnaW9uX3VybCI6)[A-Za-z0-9+/]{10,200}={0,2}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})(?:[^A-Za-z0-9_]|$)|(?i:sentry)[A-Za-z0-9_.\-]{0,30}[\x22']?[ \t]*(?:=|:|=>)[ \t]*[\x22']?(?P<s2>[a-f0-9]{64})\b",
            Some(3.0),
            Plain,
            Revoke("Sentry"),
        ),
        s(
            "1password-token",
            "1Password service account token / secret key",
            &["ops_eyj", "a3-"],
            r"\b(?P<secret>ops_eyJ[A-Za-z0-9+/]{250,}={0,3}|A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b",
            Some(3.5),
            Plain,
            Revoke("1Password"),
        ),
        s(
            "heroku-api-key",
            "Heroku API key",
            &["hrku-", "heroku"],
            r"\b(?P<secret>HRKU-AA[0-9A-Za-z_\-]{58})\b|(?i:heroku)[A-Za-z0-9_.\-]{0,30}[\x22']?[ \t]*(?:=|:|=>)[ \t]*[\x22']?(?P<s2>(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))\b",
            None,
            Plain,
            Revoke("Heroku"),
        ),
        // ---- Homelab infrastructure
        s(
            "proxmox-api-token",
            "Proxmox VE API token secret",
            &["pveapitoken", "pbsapitoken", "proxmox", "pm_api_token", "│ value"],
            // Also the `value` row of `pveum user token add`'s table.
            r"(?i)(?:│[ \t]*value[ \t]*│[ \t]*|PVEAPIToken=[\w.\-]+@[\w.\-]+![\w.\-]+=|PBSAPIToken=[\w.\-]+@[\w.\-]+![\w.\-]+:|(?:proxmox|pm_api)[A-Za-z0-9_.\-]{0,30}secret[\x22']?[ \t]*(?:=|:|=>)[ \t]*[\x22']?)(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
            None,
            Plain,
            Revoke("Proxmox (Datacenter > Permissions > API Tokens)"),
        ),
        s(
            "k3s-token",
            "k3s cluster join token",
            &["k10"],
            r"\b(?P<secret>K10[0-9a-f]{64}::[a-z]+:[0-9A-Za-z]{16,})",
            None,
            Plain,
            Revoke("the k3s server (rotate with `k3s token rotate`)"),
        ),
        s(
            "vault-dev-root-token",
            "Root token of a Vault dev server (`-dev-root-token-id`, `VAULT_DEV_ROOT_TOKEN_ID`)",
            &["root-token-id", "root_token_id"],
            r"(?i)(?:-dev-root-token-id[ \t]*[= ]|vault_dev_root_token_id[\x22']?[ \t]*[:=])[ \t]*[\x22']?(?P<secret>[^\s\x22',\]]{8,})",
            None,
            NotPlaceholder,
            Revoke("Vault (a dev server's root token: give it a fresh random id)"),
        ),
        s(
            "pushover-token",
            "Pushover application token (a user key is an id: it sends nothing without a token)",
            &["pushover"],
            r"(?i)pushover[A-Za-z0-9_.\-]*[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<secret>[A-Za-z0-9]{30})(?:[^A-Za-z0-9]|$)",
            Some(3.5),
            NotId,
            Revoke("Pushover (pushover.net, your applications)"),
        ),
        s(
            "headscale-preauth-key",
            "Headscale pre-authentication key",
            &["preauthkey", "hskey-auth-"],
            r"(?i)\bpreauthkeys?\b[^\r\n]*?\b(?P<secret>[0-9a-f]{48})\b|\b(?P<s2>hskey-auth-[A-Za-z0-9_\-]{20,})",
            Some(3.0),
            Plain,
            Revoke("Headscale (`headscale preauthkeys expire`)"),
        ),
        s(
            "consul-acl-token",
            "Consul ACL token in an agent's `tokens` block",
            &["tokens {", "tokens:", "tokens\":", "tokens = {", "tokens={"],
            // A line of the block, or the block on one line.
            r#"(?m)^[ \t]*[\x22']?(?P<key>[A-Za-z_]+)[\x22']?[ \t]*[:=][ \t]*[\x22'](?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[\x22']|\btokens[\x22']?[ \t]*[:=]?[ \t]*\{[^{}\r\n]*?[\x22'](?P<s2>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[\x22']"#,
            None,
            TokensBlock,
            Revoke("Consul (`consul acl token delete`)"),
        ),
        s(
            "ntfy-access-token",
            "ntfy access token",
            &["tk_"],
            r"\b(?P<secret>tk_[a-z0-9]{29})(?:[^A-Za-z0-9_]|$)",
            Some(3.0),
            Plain,
            Revoke("ntfy (`ntfy token remove`)"),
        ),
        s(
            "dnsdist-console-key",
            "dnsdist console key (`setKey(\"…\")`)",
            &["setkey("],
            r#"\bsetKey\([ \t]*["'](?P<secret>[A-Za-z0-9+/]{43}=)["'][ \t]*\)"#,
            Some(3.5),
            Plain,
            Key,
        ),
        s(
            "plex-claim-token",
            "Plex claim token",
            &["claim-"],
            r"\b(?P<secret>claim-[A-Za-z0-9_\-]{20})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.0),
            Plain,
            Revoke("Plex (a claim token expires after 4 minutes; check the server's owner)"),
        ),
        // ---- Environment lists: the key on the `name` line, the secret on
        // the `value` line (Kubernetes and compose `env:`, ECS
        // `environment`, Terraform `set { name … value … }`).
        s(
            "env-list-secret",
            "Secret in an environment list (`- name: API_KEY` then `value: …`)",
            crate::generic::WORDS,
            // Parsed by hand (crate::generic::name_value).
            "",
            None,
            Generic,
            Move,
        ),
        // ---- Secrets named elsewhere than on their own line
        s(
            "terraform-variable-default",
            "Secret as the default of a Terraform variable named for one",
            &["variable \""],
            r#"variable[ \t]+"(?P<key>[A-Za-z0-9_\-]+)"[ \t]*\{[^{}]{0,400}?\bdefault[ \t]*=[ \t]*"(?P<dq>[^"\r\n]+)""#,
            None,
            Generic,
            Move,
        ),
        s(
            "wordpress-key",
            "WordPress authentication key or salt (wp-config.php)",
            &["define("],
            r#"\bdefine\([ \t]*['"](?:AUTH|SECURE_AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)['"][ \t]*,[ \t]*(?:'(?P<sq>[^'\r\n]{16,})'|"(?P<dq>[^"\r\n]{16,})")"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "nix-store-text-secret",
            "Secret written into the Nix store (`pkgs.writeText \"name\" \"…\"`, `builtins.toFile`), readable by every user there",
            &["writetext ", "tofile "],
            r#"\b(?:writeText|toFile)[ \t]+"(?P<key>[^"\r\n]{1,64})"[ \t]+"(?P<dq>[^"\r\n$]+)""#,
            None,
            Generic,
            Move,
        ),
        s(
            "dockerfile-env-secret",
            "Secret in a Dockerfile `ENV KEY value` line (it stays in the image)",
            &["env "],
            r#"(?m)^[ \t]*(?i:env)[ \t]+(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]+(?:"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|(?P<uq>[^\s"'=][^\r\n]*?))[ \t]*\r?$"#,
            None,
            Generic,
            Hint::Move,
        ),
        // ---- Credentials in URLs, SQL and command lines
        s(
            "cli-flag-secret",
            "Secret as a command-line flag's value (`--auth-key …`, `--token …`)",
            crate::generic::WORDS,
            // Parsed by hand (crate::generic::flag).
            "",
            None,
            Generic,
            Move,
        ),
        s(
            "cli-password",
            "Password as a command's argument (sshpass -p, mysql -p…, redis-cli -a, smbclient -U user%…, docker login -p, mosquitto_pub -P, ipmitool -P, racadm -p, lftp -u user,…, cloudflared service install)",
            &[
                "sshpass -", "mysql -", "mysqldump -", "mysqladmin -", "mariadb -", "mariadb-dump -",
                "redis-cli ", "smbclient ", "docker login", "pihole -a", "cloudflared service",
                "net ads ", "net rpc ", "rpcclient ", "smbcacls ", "smbget ", "wbinfo ", "racadm ",
                "ipmitool ", "lftp ", "mosquitto_pub", "mosquitto_sub", "mosquitto_rr",
            ],
            r#"(?:\bsshpass\b[^\r\n]*?[ \t]-p[ \t]*|\bmosquitto_(?:pub|sub|rr)\b[^\r\n]*?[ \t]-P[ \t]+|\bracadm\b[^\r\n]*?[ \t]-p[ \t]+|\bipmitool\b[^\r\n]*?[ \t]-P[ \t]+|\blftp\b[^\r\n]*?[ \t]-u[ \t]+[\x22']?[^,\s'\x22]+,|\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\r\n]*?[ \t]-p|\bredis-cli\b[^\r\n]*?[ \t]-a[ \t]+|\bpihole[ \t]+-a[ \t]+-p[ \t]+|\bdocker[ \t]+login\b[^\r\n]*?[ \t](?:-p|--password)(?:[ \t]+|=)|\b(?:smbclient|net|rpcclient|smbcacls|smbget|wbinfo)\b[^\r\n]*?(?:[ \t]-U[ \t]*|--user=)[\x22']?[^%\s'\x22]+%|\bcloudflared[ \t]+service[ \t]+install[ \t]+)(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)"|(?P<uq>[A-Za-z0-9_!@#%^*+=~/$][^\s'";|&]{3,}))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "docker-hub-token",
            "Docker Hub personal or organization access token",
            &["dckr_"],
            r"\b(?P<secret>dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,})",
            Some(3.0),
            Plain,
            Revoke("Docker Hub (Account settings > Personal access tokens)"),
        ),
        // ---- Network gear: IOS-style configs (Cisco, Arista, FRR), SNMP,
        // Oxidized, RANCID.
        s(
            "network-device-secret",
            "Password or key in a network device's config (enable, username, line, BGP neighbor, TACACS/RADIUS key, HSRP/OSPF key, SNMP community or SNMPv3 passphrase); type 7 is reversible",
            &[
                "enable ", "username ", "password 7 ", "password 0 ", "neighbor ", "key 7 ", "key 0 ",
                "key-string ", "message-digest-key ", "authentication-key ", "snmp-server ",
            ],
            r"(?m)^[ \t]*(?:(?:enable[ \t]+(?:password|secret)(?:[ \t]+level[ \t]+[0-9]+)?|username[ \t]+[^\s]+(?:[ \t]+privilege[ \t]+[0-9]+)?[ \t]+(?:password|secret)|neighbor[ \t]+[^\s]+[ \t]+password|(?:standby[ \t]+[0-9]+[ \t]+authentication[ \t]+(?:md5[ \t]+)?)?key-string|ip[ \t]+ospf[ \t]+(?:message-digest-key[ \t]+[0-9]+[ \t]+md5|authentication-key))(?:[ \t]+[07])?|(?:(?:tacacs-server|radius-server)[ \t][^\r\n]*?[ \t])?(?:password|key)[ \t]+[07])[ \t]+(?P<secret>[^\s]{4,})[ \t]*\r?$|^[ \t]*snmp-server[ \t]+community[ \t]+(?P<s2>[^\s]+)|^[ \t]*snmp-server[ \t]+user[ \t]+[^\s]+[ \t]+[^\s]+[ \t]+v3[ \t]+auth[ \t]+[^\s]+[ \t]+(?P<s3>[^\s]+)",
            None,
            DeviceSecret,
            Move,
        ),
        s(
            "snmpd-conf-secret",
            "SNMP community or SNMPv3 passphrase in Net-SNMP's snmpd.conf (`rocommunity`, `com2sec`, `createUser`)",
            &["rocommunity", "rwcommunity", "com2sec", "createuser"],
            r##"(?m)^[ \t]*(?:r[ow]community6?[ \t]+(?P<secret>[^\s#]+)|com2sec6?[ \t]+(?:-Cn[ \t]+\S+[ \t]+)?\S+[ \t]+\S+[ \t]+(?P<s2>[^\s#]+)|createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+(?:MD5|SHA(?:-?(?:224|256|384|512))?)[ \t]+(?:"(?P<dq>[^"\r\n]+)"|(?P<s3>[^\s"#]+)))"##,
            None,
            DeviceSecret,
            Move,
        ),
        s(
            "tsig-secret-directive",
            "TSIG key in CoreDNS' `tsig { secret NAME. KEY }`, or in a BIND key block on one line",
            &["secret ", "algorithm "],
            r#"(?m)^[ \t]*secret[ \t]+[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.[ \t]+(?P<secret>[A-Za-z0-9+/]{16,}={0,2})[ \t]*\r?$|\balgorithm[ \t]+[^;\r\n]+;[ \t]*secret[ \t]+"(?P<s2>[A-Za-z0-9+/]{16,}={0,2})""#,
            Some(3.5),
            Plain,
            Key,
        ),
        s(
            "enable-password",
            "Enable password of network devices in a backup tool's config (Oxidized `vars: enable:`)",
            &["enable:"],
            r#"(?m)^[ \t]*enable[ \t]*:[ \t]*["']?(?P<secret>[^\s"',;{}\[\]()]+)["']?[ \t]*\r?$"#,
            None,
            Prose,
            Move,
        ),
        s(
            "radtest-password",
            "Password on a FreeRADIUS `radtest` command line",
            &["radtest"],
            r#"\bradtest(?:[ \t]+-[tP][ \t]+\S+|[ \t]+-[x46])*[ \t]+\S+[ \t]+(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)"|(?P<uq>[^\s'"]+))[ \t]+\S+"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "snmp-community",
            "SNMP community string in a monitoring config (snmp_exporter, Telegraf, LibreNMS)",
            &["community"],
            r"(?i)\b(?:snmp[_-]?)?community(?:[_-]?(?:string|name))?[\x22']?[ \t]*(?::|=|=>)[ \t]*[\x22']?(?P<secret>[^\s\x22',]{4,64})[\x22']?[ \t]*,?[ \t]*\r?$",
            None,
            DeviceSecret,
            Move,
        ),
        s(
            "oxidized-router-db",
            "Password in Oxidized's router.db (name:model:username:password)",
            &[],
            r"(?m)^[ \t]*[^:#\s][^:\s]*:[^:\s]+:[^:\s]*:(?P<secret>[^:\s]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "rancid-cloginrc-password",
            "Password in RANCID's .cloginrc (`add password ROUTER {password} {enable}`)",
            &["add password", "add userpassword", "add enablepassword"],
            r"(?m)^[ \t]*add[ \t]+(?:password|userpassword|enablepassword)[ \t]+[^\s]+[ \t]+\{(?P<secret>[^}\s]+)\}",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "haproxy-stats-auth",
            "Password of HAProxy's statistics page (`stats auth user:password`)",
            &["stats auth"],
            r"(?m)^[ \t]*stats[ \t]+auth[ \t]+[^\s:]+:(?P<secret>[^\s#]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "redis-acl-password",
            "Password in a Redis ACL rule (`user NAME on >password`)",
            &["user ", "setuser "],
            r"(?im)(?:^[ \t]*user|\bacl[ \t]+setuser)[ \t]+[^\s]+(?:[ \t]+[^\s>#]+)*?[ \t]+>(?P<secret>[^\s]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "fetchmail-password",
            "Password in a fetchmail `poll … user … password …` entry",
            &["password ", "pass "],
            // (Not prose: Markdown's backticks are no fetchmail syntax.)
            r#"(?m)^[ \t]*(?:poll|skip|user(?:name)?)[ \t][^\r\n`]*?[ \t](?:password|pass)[ \t]+(?:"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|(?P<uq>[^\s"'#;]+))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "openvpn-auth-user-pass",
            "Password in an OpenVPN `auth-user-pass` file or inline block (user, then password)",
            &["<auth-user-pass>"],
            r"<auth-user-pass>[ \t]*\r?\n[ \t]*[^\s<]+[ \t]*\r?\n[ \t]*(?P<secret>[^\s<]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "openvpn-auth-file",
            "Password in an OpenVPN `auth-user-pass` file (user, then password)",
            &[],
            r"\A[ \t]*[^\s]+[ \t]*\r?\n[ \t]*(?P<secret>[^\s]+)[ \t]*(?:\r?\n[ \t\r\n]*)?\z",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "haproxy-insecure-password",
            "Plaintext password of an HAProxy userlist",
            &["insecure-"],
            r"\binsecure-password[ \t]+(?P<secret>[^\s#]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "uci-option-secret",
            "Key or password in an OpenWrt UCI config (`option key '…'`)",
            &["option key", "option pass", "option psk", "option secret", "option priv"],
            r##"(?m)^[ \t]*option[ \t]+(?P<key>[A-Za-z0-9_]+)[ \t]+(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)"|(?P<uq>[^\s'"#]+))"##,
            None,
            KeyedValue,
            Move,
        ),
        s(
            "rsync-secrets-password",
            "Password in an rsync daemon secrets file (user:password)",
            &[],
            r"(?m)^[ \t]*[^\s:#@]+:(?P<secret>[^\s]+)[ \t]*\r?$",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "matrix-signing-key",
            "Matrix homeserver signing key (Synapse, Dendrite)",
            &["ed25519 a_"],
            r"\bed25519[ \t]+a_[A-Za-z0-9_]+[ \t]+(?P<secret>[A-Za-z0-9+/]{43})\b",
            Some(3.5),
            Plain,
            Key,
        ),
        s(
            "sasl-password",
            "Password in a Postfix sasl_passwd map (host user:password)",
            &[],
            // (Gmail's app passwords are four groups of four letters.)
            r"(?m)^[ \t]*[^\s#]+[ \t]+[^\s:]+:(?P<secret>[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}|[^\s]+)[ \t]*\r?$",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "sql-password",
            "Password in SQL (`CREATE ROLE … PASSWORD '…'`, `IDENTIFIED BY '…'`)",
            &["password '", "by '"],
            r"(?i)\b(?:password|identified(?:[ \t]+with[ \t]+[a-z0-9_]+)?[ \t]+by)[ \t]+'(?P<secret>[^'\s]{4,})'",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "pgpass-password",
            "Password in a PostgreSQL password file (host:port:database:user:password)",
            &[],
            r"(?m)^[^:#\r\n]+:(?:[0-9]+|\*):[^:\r\n]+:[^:\r\n]+:(?P<secret>[^\r\n]+?)\r?$",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "url-query-secret",
            "Secret as a URL's query parameter (`?auth-password=…`, `&token=…`)",
            crate::generic::WORDS,
            r"[?&](?P<key>[A-Za-z0-9_.\-]+)=(?P<uq>[^\s&#\x22'<>]+)",
            None,
            Generic,
            Move,
        ),
        s(
            "plaintext-scheme-password",
            "Password stored in clear under a scheme prefix (Dovecot `{PLAIN}`, Authelia `$plaintext$`)",
            &["{plain}", "{cleartext}", "{clear}", "{plain-trunc}", "$plaintext$"],
            r"(?i)(?:\{(?:plain|cleartext|clear|plain-trunc)\}|\$plaintext\$)(?P<secret>[^\s:'\x22]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "telegram-api-hash",
            "Telegram application `api_hash` (the secret half of `api_id`)",
            &["api_hash", "apihash"],
            r"(?i)\bapi_?hash[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<secret>[0-9a-f]{32})\b",
            None,
            Plain,
            Revoke("my.telegram.org (API development tools)"),
        ),
        s(
            "nsupdate-tsig-key",
            "TSIG key on an `nsupdate -y [alg:]name:secret` command line",
            &["nsupdate"],
            r"\bnsupdate\b[^\r\n]*?[ \t]-y[ \t]*[\x22']?(?:hmac-[a-z0-9-]+:)?[^:\s\x22']+:(?P<secret>[A-Za-z0-9+/]{16,}={0,2})",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "cli-quoted-password",
            "Quoted password after a password flag (`-p '…'`, `-password \"…\"`)",
            &[
                "-p '", "-p \"", "-w '", "-w \"", "-k '", "-k \"", "password '", "password \"",
                "pass '", "pass \"",
            ],
            r#"[ \t]-{1,2}(?i:p|w|k|pass|passwd|password)[ \t=]+(?:'(?P<sq>[^'\s]{6,64})'|"(?P<dq>[^"\s]{6,64})")"#,
            None,
            PasswordShaped,
            Move,
        ),
        s(
            "tasmota-command-password",
            "Password in a Tasmota console command (`Backlog …; MqttPassword …; Password1 …`)",
            &["mqttpassword ", "password1 ", "password2 ", "password3 ", "webpassword "],
            r"(?i)(?:^|[;\s])(?:MqttPassword|Password[1-3]|WebPassword)[ \t]+(?P<secret>[^;\s]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "url-path-token",
            "Random token in a URL path after a segment naming it (`/use-token/…/`)",
            &["token/", "key/", "secret/"],
            r"/[A-Za-z0-9_-]*(?i:token|key|secret)/(?P<secret>[A-Za-z0-9_-]{20,128})(?:[/?#\s\x22'<>]|$)",
            None,
            RandomToken,
            Move,
        ),
        s(
            "windows-plaintext-password",
            "Password in a Windows script (`ConvertTo-SecureString '…' -AsPlainText`, `net use … /user:X password`)",
            &["convertto-securestring", "net use "],
            r#"(?i)\bConvertTo-SecureString\b[^\r\n]*?(?:-String[ \t]+)?(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)")[^\r\n]*?-AsPlainText|\bnet[ \t]+use\b[^\r\n]*?[ \t]/user:[^\s]+[ \t]+(?:"(?P<s2>[^"\r\n]+)"|(?P<secret>[^\s/"*][^\s]*))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "samba-tool-password",
            "Password as `samba-tool user create|add|setpassword NAME PASSWORD`",
            &["samba-tool"],
            r#"\bsamba-tool[ \t]+user[ \t]+(?:create|add)[ \t]+[^\s-][^\s]*[ \t]+(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)"|(?P<secret>[^\s'"-][^\s]*))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "piped-password",
            "Password echoed into a command that reads it (`echo '…' | realm join`, `printf … | smbpasswd -s`, `| kinit`, `| sudo -S`, `<<< '…'`)",
            &["echo ", "printf ", "<<<"],
            concat!(
                r#"(?:\becho[ \t]+(?:-n[ \t]+|-e[ \t]+)?|\bprintf[ \t]+(?:'[^'\r\n]*'|"[^"\r\n]*")[ \t]+)(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)")(?:[ \t]+(?:'[^'\r\n]*'|"[^"\r\n]*"))*[ \t]*\|[ \t]*(?:sudo[ \t]+(?:-S[ \t]+)?)?"#,
                stdin_password_commands!(),
                // A here-string into the same commands, or into one told
                // to read its password from stdin.
                r#"\b|(?:"#,
                stdin_password_commands!(),
                r#"\b|--password-stdin\b|--password-file[= \t]+/dev/stdin\b)[^\r\n|;&]*?<<<[ \t]*(?:'(?P<s2>[^'\r\n]+)'|"(?P<s3>[^"\r\n]+)")"#,
            ),
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "nut-monitor-password",
            "Password on a NUT `MONITOR ups@host N user password primary` line",
            &["monitor"],
            r"(?m)^[ \t]*MONITOR[ \t]+\S+[ \t]+\d+[ \t]+\S+[ \t]+(?P<secret>\S+)[ \t]+(?:primary|secondary|master|slave)\b",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "kerberos-key",
            "Kerberos keys: `klist -kK` key listings and base64 keytab files",
            &["(0x", "bqi", "bqj", "bqk", "bql"],
            r"@[A-Za-z0-9.\-]+[ \t]+\((?P<secret>0x[0-9a-f]{32,64})\)|\b(?P<s2>BQ[IJKL][A-Za-z0-9+/]{60,}={0,2})",
            None,
            Plain,
            Key,
        ),
        s(
            "bitlocker-recovery-key",
            "BitLocker recovery password (eight groups of six digits) in notes",
            &[],
            r"\b(?P<secret>[0-9]{6}(?:-[0-9]{6}){7})\b",
            None,
            Plain,
            Move,
        ),
        s(
            "proxmox-token-value",
            "Proxmox VE / Backup Server API token secret beside its `tokenid` (`pveum`/`proxmox-backup-manager` JSON)",
            &["tokenid"],
            r#""tokenid"[ \t]*:[ \t]*"[^"\r\n]+"[ \t]*,[ \t\r\n]*"value"[ \t]*:[ \t]*"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})""#,
            None,
            Plain,
            Move,
        ),
        s(
            "xml-named-param-secret",
            "Secret in an XML element named by an attribute (`<param name=\"password\">…</param>`)",
            &["name=\"", "name='"],
            r#"<[A-Za-z][A-Za-z0-9_.:-]*[ \t][^>\r\n]*?\bname=["'](?P<key>[A-Za-z0-9_.-]*(?i:pass|pwd|secret|token|key|cred|auth)[A-Za-z0-9_.-]*)["'][^>\r\n]*>(?P<secret>[^<\r\n]+)</"#,
            None,
            Generic,
            Move,
        ),
        s(
            "password-command-echo",
            "Password echoed by a password command (restic's `--password-command \"echo '…'\"`, `passwordeval`, `PassCmd`)",
            &["password-command", "password_command", "passwordeval", "passcmd", "password-cmd"],
            r#"(?i)(?:password[-_]?(?:command|cmd|eval)|passcmd)\b[ \t=:]*["']?[ \t]*echo[ \t]+(?:-n[ \t]+)?(?:'(?P<sq>[^'\r\n]+)'|\\?"(?P<dq>[^"\\\r\n]+)\\?"|(?P<secret>[^\s'"$][^\s'";]*))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "immich-cli-login",
            "Immich API key on an `immich login URL KEY` command line",
            &["immich login"],
            r"\bimmich[ \t]+login(?:-key)?[ \t]+\S+[ \t]+(?P<secret>[A-Za-z0-9]{20,})\b",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "nix-basic-auth",
            "Password in NixOS's `basicAuth = { user = \"password\"; }` (it ends up in the world-readable store)",
            &["basicauth"],
            r#"\bbasicAuth[ \t]*=[ \t]*\{[^}\r\n]*?=[ \t]*"(?P<secret>[^"\r\n]+)""#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "redis-sentinel-auth-pass",
            "Password on a Redis Sentinel `sentinel auth-pass NAME password` line",
            &["sentinel auth-pass"],
            r"(?m)^[ \t]*sentinel[ \t]+auth-pass[ \t]+\S+[ \t]+(?P<secret>\S+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "vault-password-file",
            "Ansible Vault password file (`.vault_pass`): the file is the password",
            &[],
            ONE_LINE_FILE,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "brevo-api-key",
            "Brevo (Sendinblue) API or SMTP key",
            &["xkeysib-", "xsmtpsib-"],
            r"\b(?P<secret>x(?:key|smtp)sib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b",
            None,
            Plain,
            Revoke("Brevo (SMTP & API → API keys / SMTP keys)"),
        ),
        s(
            "cli-password-flag",
            "Password after a short flag of a tool that takes one (`ldapsearch -w`, `register_new_matrix_user -p`, `murmurd -supw`)",
            &[
                "ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldappasswd", "ldapwhoami",
                "ldapcompare", "ldapmodrdn", "ldapexop", "register_new_matrix_user",
                "mumble-server", "murmurd", "mcrcon", "x11vnc",
            ],
            r#"(?:\bldap(?:search|add|modify|delete|passwd|whoami|compare|modrdn|exop)|\bregister_new_matrix_user|\bmumble-server|\bmurmurd|\bmcrcon|\bx11vnc)\b(?:[^\r\n]|\\\r?\n)*?[ \t](?:-w|-p|-supw|-storepasswd|-passwd)[ \t]+(?:'(?P<sq>[^'\r\n]+)'|"(?P<dq>[^"\r\n]+)"|(?P<secret>[^\s'"\\-][^\s]*))"#,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "minio-client-alias",
            "Access and secret key on an `mc alias set` (or `mc config host add`) command line",
            &["mc alias set", "mc config host add"],
            r"\bmc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)[ \t]+\S+[ \t]+\S+[ \t]+['\x22]?[^\s'\x22]+['\x22]?[ \t]+['\x22]?(?P<secret>[^\s'\x22`]+)",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "borg-key-file",
            "BorgBackup key file (`borg key export`): with the passphrase, it opens the repository",
            &["borg_key"],
            r"(?m)^BORG_KEY (?P<secret>[0-9a-f]{64})[ \t]*\r?$",
            None,
            Plain,
            Key,
        ),
        s(
            "uptime-kuma-push-url",
            "Uptime Kuma push monitor token in its URL (`/api/push/<token>`)",
            &["/api/push/"],
            r"/api/push/(?P<secret>[A-Za-z0-9]{10,64})\b",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "password-file",
            "Password file: one line, in a file named for it (Proxmox's `priv/storage/*.pw`, `*.pass`, `*.secret`)",
            &[],
            ONE_LINE_FILE,
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "pbs-encryption-key",
            "Proxmox Backup Server encryption key file with no passphrase (`\"kdf\": null`)",
            &["\"kdf\""],
            r#""kdf"[ \t]*:[ \t]*null[^{}]{0,400}?"data"[ \t]*:[ \t]*"(?P<secret>[A-Za-z0-9+/]{40,}={0,2})""#,
            Some(3.5),
            Plain,
            Key,
        ),
        s(
            "psk-file",
            "Pre-shared key file (Zabbix `.psk`): one line of hex",
            &[],
            r"\A[ \t]*(?P<secret>[0-9a-fA-F]{32,512})[ \t]*(?:\r?\n)?\z",
            None,
            Plain,
            Move,
        ),
        s(
            "table-password",
            "Password in a Markdown table, in a column headed password, secret or key",
            // (The header's separator row: `|---|`, `| :-- |`.)
            &["|-", "| -", "|:-", "| :-"],
            r"(?m)^[ \t]*\|[^\r\n]*\|[ \t]*\r?$",
            None,
            TableCell,
            Move,
        ),
        s(
            "spaced-secret-pair",
            "Secret in notes as a name, blanks, then the value (`client secret   c8ac…`)",
            &["secret", "key", "token", "password"],
            r"(?im)^[ \t]*(?:client[ _\-]?secret|secret[ _\-]?key|api[ _\-]?key|(?:access|auth|api|bot)[ _\-]?token|password)[ \t]+(?P<secret>[^\s]{12,128})[ \t]*\r?$",
            Some(3.0),
            NotPlaceholder,
            Move,
        ),
        s(
            "notes-password",
            "Password-shaped value in notes: in backticks, or after a colon ending a line (or before a remark in parentheses)",
            &[],
            r"(?m):[ \t]+`?(?P<secret>[^\s`]{8,64})`?(?:[ \t]*\r?$|[ \t]+\()|`(?P<s2>[^\s`]{8,64})`",
            None,
            PasswordShaped,
            Move,
        ),
        s(
            "prose-password",
            "Password in notes: `password … is X`, in backticks after the word password, or as `user` / `password`",
            // (`user` / `password`: the backticks around the slash.)
            &["pass", "pwd", "pw", "psk", "` / ", "`/`", "`: `", "secret", "token"],
            r"(?i)(?:\b(?:password|passphrase|passwd|pwd|pw|psk)s?\b[^`\r\n]{0,60}?|\b(?:login|user(?:name)?|admin|account|credentials?|creds)\b[^`\r\n]{0,60}?`[^`\s]+`[ \t]*[/:][ \t]*)`(?P<bq>[^`\s]{6,128})`|\b(?:password|passphrase)\b[^\r\n]{0,40}?[ \t]is[ \t]+(?P<uq>[^\s`]{8,128})|\bpw[ \t]*[:=]?[ \t]+(?P<s2>[^\s`]{8,128})|\b(?:secret|token)s?\b[^`\r\n]{0,40}?`(?P<sq>[^`\s]{16,128})`|`[^`\s]+`[ \t]*/[ \t]*(?P<s3>[^\s`]{8,128})|\bpassphrase\b[^`\r\n]{0,60}?`(?P<dq>[a-z]{3,10}(?:[ -][a-z]{3,10}){3,11})`",
            None,
            Prose,
            Move,
        ),
        s(
            "prose-password-next-line",
            "Password in notes, in backticks on the line after `the passphrase is`",
            &["pass"],
            r"(?i)\b(?:password|passphrase|passwd)s?\b[^`\r\n]{0,60}?(?:\bis|:)[ \t]*\r?\n[ \t]*(?:[-*>][ \t]+)?`(?P<bq>[^`\r\n]{6,128})`",
            None,
            Prose,
            Move,
        ),
        s(
            "recovery-code",
            "Account recovery, scratch or 2FA code written down in notes",
            &[
                "recovery code",
                "recovery key",
                "scratch code",
                "backup code",
                "rescue code",
                "emergency code",
                "2fa secret",
                "totp secret",
                "totp seed",
                "otp secret",
                "mfa secret",
            ],
            r"(?i)\b(?:(?:recovery|scratch|backup|rescue|emergency)[ \t]+(?:codes?|keys?)|(?:2fa|totp|otp|mfa)[ \t]+(?:secrets?|seeds?))\b[^`\r\n]{0,80}?(?:`(?P<bq>[A-Za-z0-9][A-Za-z0-9 \-]{6,70}[A-Za-z0-9])`|:[ \t]+(?P<uq>[A-Za-z0-9][A-Za-z0-9\-]{6,70}[A-Za-z0-9])[ \t]*\r?$)",
            None,
            RecoveryCode,
            Revoke("the account's security settings (new recovery codes)"),
        ),
        s(
            "heredoc-secret-file",
            "Secret written by a script to a key or password file (`cat > luks.key <<EOF`)",
            &["cat >", "cat <<", "cat>", "tee "],
            r#"(?m)^[ \t]*(?:sudo[ \t]+)?(?:cat[ \t]*>>?|tee(?:[ \t]+-a)?)[ \t]*['"]?(?P<key>[^\s'"<>|;&]+)['"]?[ \t]+<<-?[ \t]*['"]?[A-Za-z0-9_]+['"]?[ \t]*\r?\n[ \t]*(?P<secret>[^\r\n]{8,256}?)[ \t]*\r?$|^[ \t]*(?:sudo[ \t]+)?(?:cat|tee(?:[ \t]+-a)?)[ \t]+<<-?[ \t]*['"]?[A-Za-z0-9_]+['"]?[ \t]*(?:>>?[ \t]*)?['"]?(?P<key2>[^\s'"<>|;&]+)['"]?[ \t]*\r?\n[ \t]*(?P<s2>[^\r\n]{8,256}?)[ \t]*\r?$"#,
            None,
            SecretFileWrite,
            Move,
        ),
        s(
            "echo-secret-file",
            "Secret echoed by a script into a key or password file (`echo -n 'pw' > /root/.restic-pass`)",
            &["echo", "printf"],
            r#"\b(?:echo|printf)(?:[ \t]+-[neE]+)*(?:[ \t]+['"]%s(?:\\n)?['"])?[ \t]+(?:'(?P<sq>[^'\r\n]{8,256})'|"(?P<dq>[^"\r\n]{8,256})"|(?P<uq>[^\s'"|;&<>]{8,256}))[ \t]*>>?[ \t]*['"]?(?P<key>[^\s'"<>|;&]+)"#,
            None,
            SecretFileWrite,
            Move,
        ),
        s(
            "mullvad-account-number",
            "Mullvad VPN account number (it is the login: anyone holding it uses the account)",
            &["mullvad"],
            r"(?i)\bmullvad[^\r\n]{0,60}?\b(?P<secret>[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4}[ \-]?[0-9]{4})\b",
            None,
            Plain,
            Revoke("Mullvad (the account page)"),
        ),
        s(
            "curseforge-api-key",
            "CurseForge API key (`CF_API_KEY` of Minecraft server images): shaped like a bcrypt hash, but a key",
            &["cf_api_key", "curseforge"],
            r"(?i)(?:\bcf_api_key|curseforge[a-z_\-]*(?:key|token))[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<secret>\$\$?2a\$\$?10\$\$?[A-Za-z0-9./]{53})",
            None,
            Plain,
            Revoke("CurseForge (console.curseforge.com > API keys)"),
        ),
        s(
            "url-password",
            "Password in a URL (scheme://user:pass@host)",
            &["://"],
            r"(?i)\b[a-z][a-z0-9+.\-]{1,20}://[^\s:/@'\x22<>]{0,64}:(?P<secret>[^\s/@'\x22<>]{1,128})@[A-Za-z0-9_\-\[]",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "curl-auth-user",
            "Password on a curl command line",
            &["curl"],
            r#"curl\b(?:[^\r\n]|\\\r?\n)*?\s(?:-u|--user)[ \t=]*(?P<cred>"[^"\r\n]+"(?::"[^"\r\n]*")?|'[^'\r\n]+'|[^\s"':]+(?::(?:'[^'\r\n]*'|"[^"\r\n]*"|[^\s"']*))?)"#,
            None,
            Curl,
            Move,
        ),
        s(
            "authorization-header",
            "Credential in an Authorization header",
            &["authorization", "proxy_set_header", "header_up", "request_header"],
            // `Authorization: …` (curl -H, YAML, Traefik labels), and
            // with a scheme but no colon (Caddy `header_up`, nginx
            // `proxy_set_header`); other credential headers a proxy sets.
            r"(?i)(?:authorization[\x22']?[ \t]*[:=][ \t]*[\x22']?(?:(?:bearer|token|basic|api-token|apikey|api-key|key|sso-key|token token=)[ \t]+)?|authorization[\x22']?[ \t]+[\x22']?(?:bearer|token|basic)[ \t]+|(?:proxy_set_header|header_up|request_header)[ \t]+[\x22']?[a-z0-9\-]*(?:api-?key|token|secret)[a-z0-9\-]*[\x22']?[ \t]+[\x22']?(?:(?:bearer|token|basic)[ \t]+)?)(?P<secret>[A-Za-z0-9._~+/=@\-]{12,})",
            Some(3.0),
            AuthHeader,
            Move,
        ),
        s(
            "auth-scheme-value",
            "Bearer/Token/Basic credential as a value (a header value in an HTTP client's config)",
            &["bearer ", "token ", "basic "],
            r"(?i)(?:^|[\x22'=:][ \t]*)(?:bearer|token|basic)[ \t]+(?P<secret>[A-Za-z0-9._~+/\-]{16,}={0,2})(?:[\s\x22',;]|$)",
            Some(3.5),
            AuthHeader,
            Move,
        ),
        s(
            "hex-key-block",
            "Zigbee/Z-Wave network or security key in hex",
            &["securitykeys", "network_key", "networkkey"],
            r"(?m)^[ \t]*[\x22']?(?P<key>[A-Za-z0-9_]+)[\x22']?[ \t]*:[ \t]*[\x22']?(?P<secret>[0-9A-Fa-f]{64}|[0-9A-Fa-f]{32})[\x22']?[ \t]*,?[ \t]*\r?$",
            Some(3.0),
            HexKeyBlock,
            Key,
        ),
        s(
            "notification-url",
            "Token in a notification URL (shoutrrr, apprise: discord://, ntfy://, gotify://, …)",
            &["://"],
            "",
            None,
            NotifyUrl,
            Revoke("the notification service; keep the URL in a SOPS file and reference it"),
        ),
        s(
            "ini-remote-credential",
            "Key, password or secret of an rclone (or other INI) remote",
            &["key", "pass", "secret"],
            r"^[ \t]*(?:key|pass|secret)[ \t]*=[ \t]*(?P<secret>[^\r\n]*?)[ \t]*\r?$",
            None,
            IniRemote,
            Revoke("the storage provider; keep the remote's config in a SOPS file"),
        ),
        s(
            "config-directive-secret",
            "Password or token in a `key value` directive (msmtp, .netrc, mosquitto, fetchmail)",
            &["pass", "secret", "token", "key", "machine", "masterauth"],
            r#"^[ \t]*(?:machine[ \t]+[^\s]+[ \t]+(?:login[ \t]+[^\s]+[ \t]+)?password|(?P<key>[A-Za-z0-9_.\-]+))[ \t]+(?:"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|(?P<s2>[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4})|(?P<uq>[^\s"'#;]+))[ \t]*;?[ \t]*(?:#[^\r\n]*)?\r?$"#,
            None,
            Directive,
            Move,
        ),
        s(
            "byte-array-key",
            "Key material written as an array of byte values",
            &["key", "secret", "psk"],
            r"(?i)(?P<key>[A-Za-z0-9_.\-]*(?:key|secret|psk)[A-Za-z0-9_.\-]*)(?:\[[0-9]*\])?[\x22']?[ \t]*(?:=|:)[ \t]*[\x22']?(?P<secret>[\[{(]|\r?$)",
            None,
            ByteArray,
            Key,
        ),
        s(
            "google-oauth-token",
            "Google OAuth access token (`ya29.`) or refresh token (`1//0`)",
            &["ya29.", "1//0"],
            r"\b(?P<secret>ya29\.[A-Za-z0-9_\-]{30,}|1//0[A-Za-z0-9_\-]{40,})",
            Some(3.5),
            Plain,
            Revoke("Google (myaccount.google.com > Security > Third-party access, or the OAuth client's console)"),
        ),
        s(
            "vapid-private-key",
            "Web Push VAPID private key (Overseerr, Jellyseerr, Vaultwarden, Home Assistant)",
            &["vapid"],
            r"(?i)vapid[_\-]?priv(?:ate)?(?:[_\-]?key)?[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<secret>[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)",
            Some(3.5),
            Plain,
            Key,
        ),
        s(
            "healthchecks-ping-url",
            "Healthchecks project ping key in a ping URL (`hc-ping.com/<key>/<slug>`): it pings, and creates, any check of the project (one check's UUID URL is not reported)",
            &["hc-ping.com/", "/ping/"],
            r"(?:\bhc-ping\.com|/ping)/(?P<secret>[A-Za-z0-9_\-]{22})/[a-z0-9][a-z0-9_\-]*",
            None,
            NotPlaceholder,
            Revoke("Healthchecks (the project's settings: ping key, or the check's URL)"),
        ),
        s(
            "gotify-token",
            "Gotify application or client token (`?token=A…`, `X-Gotify-Key`)",
            &["gotify"],
            r"(?i)(?:gotify[^\s\x22']*?[?&]token=|x-gotify-key[\x22']?[ \t]*[:=][ \t]*[\x22']?)(?P<secret>[AC][A-Za-z0-9._\-]{14})(?:[^A-Za-z0-9._\-]|$)",
            None,
            NotPlaceholder,
            Revoke("Gotify (the app's or client's page)"),
        ),
        s(
            "go-dsn-password",
            "Password in a Go MySQL DSN (`user:pass@tcp(host:3306)/db`)",
            &["@tcp(", "@unix("],
            r"(?:^|[\s\x22'=:,])[A-Za-z0-9_.\-]+:(?P<secret>[^\s@/'\x22]{4,128})@(?:tcp|unix)\(",
            None,
            NotPlaceholder,
            Move,
        ),
        s(
            "netdata-stream-key",
            "Netdata streaming API key (a `[<uuid>]` section of stream.conf that allows senders; a machine's GUID is none)",
            &[],
            r"(?mi)^[ \t]*\[(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\][ \t]*\r?\n(?:[ \t]*(?:[^\[\s][^\r\n]*)?\r?\n){0,30}?[ \t]*(?:allow from|type[ \t]*=[ \t]*api)\b",
            None,
            Plain,
            Move,
        ),
        s(
            "fish-set-secret",
            "Secret set as a variable in fish (`set -gx CLOUDFLARE_API_TOKEN …`)",
            &["set -"],
            r#"(?m)^[ \t]*set[ \t]+(?:-[a-zA-Z]+[ \t]+)+(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]+(?:"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|(?P<uq>[^\s"';#]+))[ \t]*(?:#[^\r\n]*)?\r?$"#,
            None,
            KeyedValue,
            Move,
        ),
        s(
            "openweathermap-key",
            "OpenWeatherMap API key in a request URL (`appid=`)",
            &["openweathermap"],
            r"(?i)\bapi\.openweathermap\.org/[^\s\x22'<>]*?[?&]appid=(?P<secret>[0-9a-f]{32})\b",
            None,
            Plain,
            Revoke("OpenWeatherMap (home.openweathermap.org, API keys)"),
        ),
        s(
            "cloud-key-pair",
            "Secret beside a cloud access key id (AWS, GCS HMAC, DigitalOcean Spaces, Scaleway, Alibaba)",
            &["akia", "asia", "abia", "acca", "a3t", "goog1", "do00", "scw", "ltai"],
            r"\b(?P<id>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}|GOOG1[A-Z0-9]{56}|DO00[A-Z0-9]{16}|SCW[A-Z0-9]{17}|LTAI[A-Za-z0-9]{12,20})\b",
            None,
            KeyPair,
            Revoke("the cloud provider (the key id names which key)"),
        ),
        s(
            "cloud-access-key-id",
            "Cloud access key id beside its secret (GCS HMAC, DigitalOcean Spaces, Scaleway, Alibaba)",
            &["goog1", "do00", "scw", "ltai"],
            r"\b(?P<secret>GOOG1[A-Z0-9]{56}|DO00[A-Z0-9]{16}|SCW[A-Z0-9]{17}|LTAI[A-Za-z0-9]{12,20})\b",
            None,
            KeyIdBeside,
            Revoke("the cloud provider (the key id names which key)"),
        ),
        s(
            "backblaze-key-id",
            "Backblaze B2 key id beside its application key (restic's B2_ACCOUNT_ID, rclone's `account`)",
            &["b2_account_id", "b2_key_id", "b2_application_key_id", "account"],
            r"(?im)(?:b2_(?:account|key|application_key)_id|rclone_config_\w+_account|^[ \t]*account)[\x22']?[ \t]*[:=][ \t]*[\x22']?(?P<secret>[0-9a-f]{25}|[0-9a-f]{12})(?:[^0-9A-Za-z]|$)",
            None,
            KeyIdBeside,
            Revoke("Backblaze (App Keys; the key id names which key)"),
        ),
        // ---- Kubernetes
        s(
            "kubernetes-secret",
            "Kubernetes Secret with plaintext data",
            &["secret"],
            r"(?m)^[ \t]*kind:[ \t]*[\x22']?(?i:secret)[\x22']?[ \t]*\r?$",
            None,
            K8sSecret,
            Move,
        ),
        // ---- SOPS files
        s(
            "sops-plaintext-value",
            "Plaintext value in a SOPS-encrypted file that the file's own rules say must be encrypted",
            &[],
            "",
            None,
            Plain,
            Hint::Sops,
        ),
        // ---- Random values under any name, or alone on a line
        s(
            "random-secret-value",
            "Random-looking token or key under a name that does not say secret, or alone on its line",
            &[],
            "",
            None,
            Unnamed,
            Move,
        ),
        // ---- Generic assignments (last: lowest priority)
        s(
            "generic-secret-assignment",
            "Password, secret, token or API key assigned in a config file",
            crate::generic::WORDS,
            "",
            None,
            Generic,
            Move,
        ),
        s(
            "generic-secret-xml",
            "Password, secret or token in an XML element or attribute",
            // One parse of a hit serves both generic rules.
            crate::generic::WORDS,
            "",
            None,
            Generic,
            Move,
        ),
    ];
    for spec in &mut v {
        if spec.id.starts_with("aws-") || spec.id == "cloud-key-pair" {
            spec.stop = &["example"];
        }
        if spec.id == "jwt" {
            // The signature of jwt.io's demo token, copied into many docs.
            spec.stop = &["sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c"];
        }
        if spec.id == "authorization-header" {
            // Proxmox tokens have their own rule, which reports the secret part.
            // (And Elastic's documented example API key.)
            spec.stop = &["pveapitoken", "pbsapitoken", "vnvhq2zhy0jdzgjruw0tztvht3g6"];
        }
    }
    v
}

/// How a built-in rule runs.
fn run_of(id: &str) -> Run {
    match id {
        "private-key"
        | "openvpn-static-key"
        | "putty-private-key"
        | "terraform-variable-default"
        | "kubernetes-secret"
        | "curl-auth-user"
        | "hex-key-block"
        | "openvpn-auth-user-pass"
        | "consul-acl-token"
        | "cli-password-flag"
        | "proxmox-token-value"
        | "heredoc-secret-file"
        | "prose-password-next-line"
        | "pbs-encryption-key"
        | "table-password" => Run::FromFirstHit,
        "generic-secret-assignment" => Run::Assignment,
        "env-list-secret" => Run::NameValue,
        "cli-flag-secret" => Run::Flag,
        "generic-secret-xml" => Run::Xml,
        "sops-plaintext-value" => Run::Sops,
        "random-secret-value" => Run::Unnamed,
        _ => Run::Line,
    }
}

/// The precheck of a hit of keyword `kw` for built-in rule `id`. `Token`
/// bounds are the shortest secret the rule's pattern accepts (or less).
fn pre_of(id: &str, kw: &str) -> Pre {
    use Pre::*;
    match (id, kw) {
        ("cloudflare-origin-ca-key", _) => Token(176),
        ("caddy-api-token", _) => LineStart,
        ("tailscale-key", _) => Token(29),
        ("age-secret-key", _) => Token(74),
        ("aws-access-key-id", _) => Token(20),
        ("aws-bedrock-api-key", _) => Token(44),
        ("gcp-api-key", _) => Token(39),
        ("azure-ad-client-secret", _) => Token(37),
        ("github-token", _) => Token(40),
        ("gitlab-token", _) => Token(25),
        ("slack-token", _) => Token(12),
        ("slack-webhook-url", _) => Token(60),
        ("discord-webhook-url", _) => Token(80),
        ("telegram-bot-token", ":aa") => Token(41),
        ("telegram-bot-token", _) => LineHas(b":A"),
        ("stripe-key", _) => Token(18),
        ("twilio-api-key", _) => Token(34),
        ("sendgrid-api-key", _) => Token(69),
        ("mailgun-key", "mailgun") => None,
        ("mailgun-key", _) => Token(36),
        ("openai-api-key", _) => Token(51),
        ("anthropic-api-key", _) => Token(108),
        ("huggingface-token", _) => Token(37),
        ("npm-token", _) => Token(40),
        ("pypi-token", _) => Token(66),
        ("jwt", _) => Token(39),
        ("digitalocean-token", _) => Token(71),
        ("doppler-token", _) => Token(49),
        ("defined-networking-token", _) => Token(85),
        ("grafana-token", _) => Token(36),
        ("hashicorp-tf-token", _) => Token(83),
        ("vault-token", "vault") => None,
        ("vault-token", _) => Token(94),
        ("sentry-token", "sentry") => None,
        ("sentry-token", _) => Token(71),
        ("1password-token", _) => Token(39),
        ("heroku-api-key", "heroku") => None,
        ("heroku-api-key", _) => Token(65),
        ("k3s-token", _) => Token(87),
        ("private-key-base64", _) => Token(72),
        ("uci-option-secret", _) => KeyStartsLine,
        ("dockerfile-env-secret", _) => KeyStartsLine,
        ("plex-claim-token", _) => Token(26),
        ("ntfy-access-token", _) => Token(32),
        ("url-password", _) => Url,
        ("notification-url", _) => Scheme,
        ("wireguard-private-key", _) => B64After,
        ("byte-array-key", _) => ArrayAfter,
        ("ini-remote-credential", _) => IniKey,
        ("config-directive-secret", "machine") => LineStart,
        ("haproxy-stats-auth", _) => LineStart,
        ("fetchmail-password", _) => LineStartsWith(&[b"poll", b"skip", b"user"]),
        ("redis-acl-password", "user ") => LineStartsWith(&[b"user "]),
        ("network-device-secret", "enable ") => LineStartsWith(&[b"enable "]),
        ("network-device-secret", "username ") => LineStartsWith(&[b"username "]),
        ("network-device-secret", "neighbor ") => LineStartsWith(&[b"neighbor "]),
        ("network-device-secret", "snmp-server ") => LineStartsWith(&[b"snmp-server "]),
        // (`the passphrase … is X` needs no backticks.)
        ("prose-password", "pass") => None,
        ("borg-key-file", _) => LineStart,
        ("tsig-secret-directive", "secret ") => LineStartsWith(&[b"secret "]),
        ("enable-password", _) => LineStartsWith(&[b"enable"]),
        ("fish-set-secret", _) => LineStartsWith(&[b"set "]),
        ("brevo-api-key", _) => Token(89),
        ("kerberos-key", "(0x") => TokenAfter(32),
        ("kerberos-key", _) => Token(64),
        ("nut-monitor-password", _) => LineStart,
        ("piped-password", "<<<") => None,
        ("piped-password", _) => LineHas(b"|"),
        ("echo-secret-file", _) => LineHas(b">"),
        ("prose-password", _) => LineHas(b"`"),
        ("backblaze-key-id", "account") => IniKey,
        ("url-query-secret", _) => QueryKey,
        ("config-directive-secret", _) => KeyStartsLine,
        ("authorization-header", "authorization") => None,
        ("authorization-header", _) => LineStart,
        ("cloud-key-pair", _) => Token(16),
        ("google-oauth-token", "ya29.") => Token(35),
        ("google-oauth-token", _) => Token(44),
        ("cloud-access-key-id", _) => Token(16),
        ("auth-scheme-value", _) => TokenAfter(16),
        _ => None,
    }
}

/// The built-in rules, most specific first.
pub fn builtin() -> Vec<Rule> {
    specs()
        .into_iter()
        .map(|s| {
            // The generic rules are parsed by hand; their reference
            // patterns stay here for `--list-rules`-style introspection.
            let pattern = match s.id {
                "generic-secret-assignment" => crate::generic::assignment_pattern(),
                "generic-secret-xml" => crate::generic::xml_pattern(),
                "notification-url" => crate::context::notify_pattern(),
                "env-list-secret" => crate::generic::name_value_pattern(),
                "cli-flag-secret" => crate::generic::flag_pattern(),
                _ => s.re.to_string(),
            };
            let regex = LazyRegex::lazy(pattern);
            let mut allowlists = Vec::new();
            if s.id == "gcp-api-key" {
                allowlists.push(Allowlist {
                    stopwords: vec!["example".into()],
                    ..Allowlist::default()
                });
            }
            if !s.stop.is_empty() {
                allowlists.push(Allowlist {
                    stopwords: s.stop.iter().map(|w| w.to_string()).collect(),
                    ..Allowlist::default()
                });
            }
            Rule {
                id: s.id.to_string(),
                description: s.desc.to_string(),
                hint: s.hint.text(),
                regex,
                run: run_of(s.id),
                keywords: s.kw.iter().map(|k| k.to_ascii_lowercase()).collect(),
                pre: s
                    .kw
                    .iter()
                    .map(|k| pre_of(s.id, &k.to_ascii_lowercase()))
                    .collect(),
                secret_group: None,
                min_entropy: s.entropy,
                check: s.check,
                allowlists,
                // A password file's lines have no keyword: only its name tells.
                path: match s.id {
                    "pgpass-password" => Some(r"(?:^|/)\.?pgpass$"),
                    "oxidized-router-db" => Some(r"(?:^|/)router\.db$"),
                    "sasl-password" => Some(r"(?:^|/)sasl_passwd$"),
                    "psk-file" => Some(r"(?i)\.psk$"),
                    "netdata-stream-key" => Some(r"(?:^|/)stream\.conf$"),
                    "password-file" => Some(r"(?i)\.(?:pw|pass|passwd|password|secret|token)$"),
                    "vault-password-file" => {
                        Some(r"(?i)(?:^|/)\.?(?:ansible[_-]?)?vault[_-]?pass(?:word)?(?:\.txt)?$")
                    }
                    "rsync-secrets-password" => Some(r"(?:^|/)rsyncd?\.secrets$"),
                    "prose-password"
                    | "prose-password-next-line"
                    | "notes-password"
                    | "table-password"
                    | "spaced-secret-pair"
                    | "bitlocker-recovery-key"
                    | "recovery-code" => Some(
                        r"(?i)(?:\.(?:md|markdown|txt|rst|adoc|org)|(?:^|/)(?:readme|notes|todo)[^/.]*)$",
                    ),
                    // `auth-user-pass auth.txt` beside a VPN's config.
                    "openvpn-auth-file" => Some(
                        r"(?i)(?:^|/)(?:[^/]*vpn[^/]*/(?:[^/]+/)*(?:[^/]*[._-])?|[^/]*vpn[._-])(?:auth(?:-user-pass)?|pass(?:word|wd)?|cred(?:ential)?s?|login|userpass)(?:\.(?:txt|conf|cfg|creds?))?$",
                    ),
                    "dockerfile-env-secret" => {
                        Some(r"(?i)(?:^|/)(?:[^/]*\.)?(?:dockerfile|containerfile)(?:\.[^/]*)?$")
                    }
                    _ => None,
                }
                .map(|p| compile(p, false).expect("pattern")),
                priority: match s.check {
                    Check::Unnamed => 3,
                    Check::Generic => 2,
                    _ if s.id == "sops-plaintext-value" => 0,
                    _ => 1,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_rules_compile_with_unique_ids() {
        let rules = super::builtin();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(rules.iter().all(|r| !r.keywords.is_empty()
            || matches!(r.run, super::Run::Sops | super::Run::Unnamed)
            || r.path.is_some()));
        for r in &rules {
            let _ = r.regex.get();
        }
    }
}
