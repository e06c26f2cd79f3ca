//! A deterministic, generated "large mixed tree": what a homelab or
//! small-company repository holds, by bytes roughly
//!
//! - 35 % source code (Rust, Python, Go, TypeScript, shell) that talks about
//!   keys, tokens and passwords the way real code does (`let token =
//!   lexer.next_token()`, `password: String`, `os.environ["API_KEY"]`),
//! - 25 % configuration (compose, Kubernetes, Ansible, JSON, TOML, INI,
//!   .env, Nix, HCL, Caddyfile, XML) with references, placeholders,
//!   digests and ids,
//! - 15 % prose (Markdown),
//! - 15 % lock files and data (package-lock.json with sha512 integrity
//!   strings, Cargo.lock checksums, go.sum, CSV),
//! - 10 % logs and base64 blobs (SVG/CSS data URIs),
//!
//! with about one planted secret per 40 files. Shared by the criterion
//! bench (`cargo bench -p dnsctl-scan`) and `bench/scan/run.sh` (through
//! `cargo run --release -p dnsctl-scan --example gen_corpus`).

#![allow(
    clippy::useless_format,
    clippy::to_string_in_format_args,
    clippy::wrong_self_convention
)]

/// splitmix64: a tiny deterministic generator (no dependency).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub(crate) fn from_set(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| set[self.below(set.len())] as char).collect()
    }
    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.from_set(b"0123456789abcdef", n)
    }
    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.from_set(ALNUM, n)
    }
    pub(crate) fn b64(&mut self, n: usize) -> String {
        self.from_set(B64, n)
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const WORDS: &[&str] = &[
    // The most common English words, then words of the trade; a few
    // contain a keyword of a rule (key, they, task, both, author, ...), at
    // about the rate they have in real READMEs and comments.
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "it",
    "for",
    "with",
    "as",
    "on",
    "be",
    "this",
    "by",
    "are",
    "or",
    "from",
    "at",
    "an",
    "was",
    "we",
    "can",
    "not",
    "you",
    "all",
    "will",
    "if",
    "but",
    "has",
    "have",
    "one",
    "so",
    "use",
    "its",
    "may",
    "into",
    "than",
    "there",
    "which",
    "when",
    "then",
    "also",
    "only",
    "after",
    "before",
    "every",
    "each",
    "other",
    "some",
    "more",
    "most",
    "new",
    "old",
    "first",
    "last",
    "next",
    "good",
    "same",
    "here",
    "file",
    "files",
    "line",
    "lines",
    "time",
    "way",
    "need",
    "make",
    "see",
    "how",
    "what",
    "server",
    "client",
    "network",
    "storage",
    "backup",
    "restore",
    "volume",
    "service",
    "container",
    "image",
    "deploy",
    "release",
    "build",
    "cluster",
    "node",
    "proxy",
    "router",
    "firewall",
    "zone",
    "record",
    "domain",
    "certificate",
    "renewal",
    "monitoring",
    "alert",
    "dashboard",
    "metrics",
    "logs",
    "update",
    "upgrade",
    "install",
    "configure",
    "example",
    "system",
    "user",
    "group",
    "permission",
    "access",
    "policy",
    "rotate",
    "encrypt",
    "commit",
    "branch",
    "merge",
    "review",
    "test",
    "check",
    "verify",
    "run",
    "start",
    "stop",
    "because",
    "however",
    "default",
    "value",
    "option",
    "setting",
    "host",
    "port",
    "path",
    "they",
    "key",
    "task",
    "password",
    "token",
];

const IDENTS: &[&str] = &[
    "config", "client", "server", "request", "response", "handler", "state", "cache", "buf",
    "items", "records", "zone", "name", "value", "count", "index", "path", "url", "host", "port",
    "entry", "node", "list", "map", "queue", "session", "user", "ctx", "offset", "width", "opts",
    "args", "result", "err", "data", "body", "headers", "timeout", "retries", "limit", "token",
    "key", "api_url", "cursor", "batch", "line", "task", "disk", "table", "row",
];

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(r.pick(WORDS));
    }
    s
}

fn ident(r: &mut Rng) -> String {
    let a = r.pick(IDENTS);
    if r.chance(40) {
        format!("{a}_{}", r.pick(IDENTS))
    } else {
        a.to_string()
    }
}

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Code with no keyword in it: most of a real code base.
fn neutral(r: &mut Rng, out: &mut String, lang: usize) {
    let a = ident(r);
    let b = ident(r);
    let c = ident(r);
    let n = r.below(1000);
    let s = match (lang, r.below(6)) {
        (0, 0) => format!("    let {a} = {b}.iter().map(|x| x.{c}).collect::<Vec<_>>();\n"),
        (0, 1) => format!("    if {a}.len() > {n} {{\n        return Err(Error::TooLarge({a}.len()));\n    }}\n"),
        (0, 2) => format!("    // {}\n", sentence(r, 9)),
        (0, 3) => format!("    for {a} in &self.{b} {{\n        self.{c}.insert({a}.id, {a}.clone());\n    }}\n"),
        (0, 4) => format!("    match self.{a}.get(&{b}) {{\n        Some(v) => v.{c}(),\n        None => Default::default(),\n    }}\n"),
        (0, _) => format!("    let {a}: usize = {b}.parse().map_err(|e| Error::Parse(e.to_string()))?;\n"),
        (1, 0) => format!("    {a} = [x.{c} for x in self.{b} if x is not None]\n"),
        (1, 1) => format!("    if len({a}) > {n}:\n        raise ValueError(\"{}\")\n", sentence(r, 4)),
        (1, 2) => format!("    # {}\n", sentence(r, 9)),
        (1, 3) => format!("    for {a} in self.{b}:\n        self.{c}[{a}.id] = {a}\n"),
        (1, 4) => format!("    return {{\"{a}\": self.{b}, \"{c}\": {n}}}\n"),
        (1, _) => format!("    with open(path) as f:\n        {a} = json.load(f)\n"),
        (2, 0) => format!("\t{a} := make([]string, 0, {n})\n"),
        (2, 1) => format!("\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{}: %w\", err)\n\t}}\n", sentence(r, 3)),
        (2, 2) => format!("\t// {}\n", sentence(r, 9)),
        (2, 3) => format!("\tfor _, {a} := range {b} {{\n\t\t{c} = append({c}, {a})\n\t}}\n"),
        (2, _) => format!("\treturn &{}{{Name: {a}, Count: {n}}}, nil\n", camel(&format!("x_{b}"))[1..].to_string()),
        (3, 0) => format!("  const {} = {}.map((x) => x.{});\n", camel(&a), camel(&b), camel(&c)),
        (3, 1) => format!("  if (!{}) {{\n    return null;\n  }}\n", camel(&a)),
        (3, 2) => format!("  // {}\n", sentence(r, 9)),
        (3, _) => format!("  return <div className=\"{a}\">{{{}}}</div>;\n", camel(&b)),
        (4, 0) => format!("echo \"{}\"\n", sentence(r, 5)),
        (4, 1) => format!("mkdir -p \"$HOME/.cache/{a}\"\ncp -r ./{b} \"$HOME/.cache/{a}/\"\n"),
        (4, _) => format!("# {}\n", sentence(r, 8)),
        (5, 0) => format!("      - name: {a}\n        value: \"{n}\"\n"),
        (5, 1) => format!("  {a}:\n    enabled: {}\n    {b}: {n}\n", r.chance(50)),
        (5, 2) => format!("# {}\n", sentence(r, 8)),
        (5, _) => format!("    labels:\n      app.kubernetes.io/name: {a}\n      app.kubernetes.io/part-of: {b}\n"),
        (6, _) => format!("  \"{a}\": {{ \"{b}\": {n}, \"{c}\": \"{}\" }},\n", r.pick(WORDS)),
        (_, 0) => format!("{a} = {n}\n"),
        (_, 1) => format!("  {a}.{b} = \"{c}\";\n"),
        (_, _) => format!("# {}\n", sentence(r, 8)),
    };
    out.push_str(&s);
}

fn rust(r: &mut Rng, out: &mut String) {
    if r.chance(85) {
        return neutral(r, out, 0);
    }
    let f = ident(r);
    let a = ident(r);
    let b = ident(r);
    let t = camel(&format!("x_{}", r.pick(IDENTS)))[1..].to_string();
    let s = match r.below(8) {
        0 => format!("/// {}.\npub fn {f}(&self, {a}: &str, {b}: usize) -> Result<{t}, Error> {{\n    let {a} = self.{b}.get({a}).ok_or_else(|| Error::Missing({a}.to_string()))?;\n    let token = self.lexer.next_token()?;\n    if token.kind == Kind::Key {{\n        return Ok({t}::default());\n    }}\n    Ok({t} {{ {a}: {a}.clone(), ..Default::default() }})\n}}\n\n", sentence(r, 9)),
        1 => format!("#[derive(Debug, Clone)]\npub struct {t} {{\n    /// {}\n    pub {a}: String,\n    pub password: Option<String>,\n    pub api_key: Secret<String>,\n    {b}: Vec<u8>,\n}}\n\n", sentence(r, 8)),
        2 => format!("    // {}\n    for (i, {a}) in self.{b}.iter().enumerate() {{\n        let key = format!(\"{{}}/{{}}\", prefix, {a}.name);\n        map.insert(key, i);\n    }}\n", sentence(r, 10)),
        3 => format!("#[test]\nfn {f}_works() {{\n    let s = {t}::new(\"{a}\");\n    assert_eq!(s.{b}(), {});\n    assert!(s.check_secret(&[0u8; 32]).is_ok());\n}}\n\n", r.below(1000)),
        4 => format!("impl {t} {{\n    pub fn new({a}: impl Into<String>) -> Self {{\n        let secret = std::env::var(\"APP_SECRET\").unwrap_or_default();\n        Self {{ {a}: {a}.into(), secret, {b}: Default::default() }}\n    }}\n}}\n\n"),
        5 => format!("    let auth = req.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok());\n    let creds = Credentials::from_header(auth)?;\n    tracing::debug!(user = %creds.user, \"{}\");\n", sentence(r, 6)),
        6 => format!("use crate::{{{a}, {b}}};\nuse std::collections::HashMap;\nconst {}: usize = {};\n\n", f.to_ascii_uppercase(), r.below(65536)),
        _ => format!("    match {a} {{\n        Some(x) if x.len() > {} => return Err(Error::TooLong),\n        Some(x) => self.{b}.push(x),\n        None => {{}}\n    }}\n", r.below(300)),
    };
    out.push_str(&s);
}

fn python(r: &mut Rng, out: &mut String) {
    if r.chance(85) {
        return neutral(r, out, 1);
    }
    let f = ident(r);
    let a = ident(r);
    let s = match r.below(6) {
        0 => format!("def {f}(self, {a}, timeout=30):\n    \"\"\"{}.\"\"\"\n    api_key = os.environ[\"API_KEY\"]\n    headers = {{\"Authorization\": f\"Bearer {{api_key}}\"}}\n    resp = self.session.get(self.base_url + \"/{a}\", headers=headers, timeout=timeout)\n    resp.raise_for_status()\n    return resp.json()\n\n", sentence(r, 8)),
        1 => format!("class {}(object):\n    def __init__(self, password=None, token=None):\n        self.password = password\n        self.token = token or get_token()\n        self.{a} = {{}}\n\n", camel(&format!("x_{f}"))[1..].to_string()),
        2 => format!("    # {}\n    for key, value in sorted(self.{a}.items()):\n        if key.startswith(\"_\"):\n            continue\n        out[key] = value\n", sentence(r, 9)),
        3 => format!("parser.add_argument(\"--{}\", help=\"{}\")\nparser.add_argument(\"--password-file\", help=\"file holding the password\")\n", f.replace('_', "-"), sentence(r, 7)),
        4 => format!("    password = request.form['password']\n    user = db.users.find_one({{\"name\": request.form['user']}})\n    if not check_password_hash(user['hash'], password):\n        abort(401)\n"),
        _ => format!("logger.info(\"%s: %d {} processed\", {a}, len(items))\n", r.pick(WORDS)),
    };
    out.push_str(&s);
}

fn golang(r: &mut Rng, out: &mut String) {
    if r.chance(85) {
        return neutral(r, out, 2);
    }
    let f = camel(&ident(r));
    let a = camel(&ident(r));
    let s = match r.below(4) {
        0 => format!("// {f} {}.\nfunc (c *Client) {f}(ctx context.Context, {a} string) (*Response, error) {{\n\treq, err := http.NewRequestWithContext(ctx, \"GET\", c.baseURL+\"/v1/\"+{a}, nil)\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n\treq.Header.Set(\"Authorization\", \"Bearer \"+c.token)\n\treturn c.do(req)\n}}\n\n", sentence(r, 7)),
        1 => format!("type Config struct {{\n\tAPIKey   string `json:\"api_key\" yaml:\"api_key\"`\n\tPassword string `json:\"password\"`\n\t{}    int    `json:\"{}\"`\n}}\n\n", f, a.to_lowercase()),
        2 => format!("\tif err := validateToken(token); err != nil {{\n\t\treturn fmt.Errorf(\"{}: %w\", err)\n\t}}\n", sentence(r, 4)),
        _ => format!("\tfor _, key := range keys {{\n\t\tm[key] = struct{{}}{{}}\n\t}}\n"),
    };
    out.push_str(&s);
}

fn typescript(r: &mut Rng, out: &mut String) {
    if r.chance(85) {
        return neutral(r, out, 3);
    }
    let f = camel(&ident(r));
    let a = camel(&ident(r));
    let s = match r.below(4) {
        0 => format!("export async function {f}({a}: string): Promise<Result> {{\n  const token = await getAccessToken();\n  const res = await fetch(`${{API}}/{a}`, {{ headers: {{ Authorization: `Bearer ${{token}}` }} }});\n  if (!res.ok) throw new Error(`{}: ${{res.status}}`);\n  return res.json();\n}}\n\n", sentence(r, 4)),
        1 => format!("interface {}Props {{\n  password: string;\n  onSubmit: (password: string) => void;\n  {a}?: number;\n}}\n\n", camel(&format!("x_{f}"))[1..].to_string()),
        2 => format!("const {a} = useMemo(() => items.filter((i) => i.key !== selectedKey), [items, selectedKey]);\n"),
        _ => format!("  // {}\n  const secret = process.env.SESSION_SECRET ?? '';\n", sentence(r, 8)),
    };
    out.push_str(&s);
}

fn shell(r: &mut Rng, out: &mut String) {
    if r.chance(85) {
        return neutral(r, out, 4);
    }
    let s = match r.below(5) {
        0 => format!("# {}\ncurl -fsSL -H \"Authorization: Bearer $API_TOKEN\" \"https://api.example.net/v1/{}\" | jq .\n", sentence(r, 8), r.pick(IDENTS)),
        1 => "export PATH=\"$HOME/.local/bin:$PATH\"\nset -euo pipefail\n".to_string(),
        2 => format!("if [ -z \"${{PASSWORD:-}}\" ]; then\n  read -rsp 'password: ' PASSWORD\nfi\nrestic -r \"$REPO\" backup /srv/{} --password-file /run/secrets/restic\n", r.pick(IDENTS)),
        3 => format!("for f in {}/*.yaml; do\n  kubectl apply -f \"$f\"\ndone\n", r.pick(IDENTS)),
        _ => format!("rsync -a --delete /srv/{0}/ backup@nas:/backup/{0}/\n", r.pick(IDENTS)),
    };
    out.push_str(&s);
}

fn yaml(r: &mut Rng, out: &mut String) {
    if r.chance(70) {
        return neutral(r, out, 5);
    }
    let svc = r.pick(IDENTS);
    let s = match r.below(5) {
        0 => format!("  {svc}:\n    image: ghcr.io/example/{svc}@sha256:{}\n    restart: unless-stopped\n    environment:\n      TZ: Europe/Berlin\n      DB_HOST: db\n      DB_PASSWORD_FILE: /run/secrets/db_password\n      API_TOKEN: ${{API_TOKEN}}\n    volumes:\n      - ./{svc}:/data\n    ports:\n      - \"{}:80\"\n", r.hex(64), 8000 + r.below(1000)),
        1 => format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {svc}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {svc}\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {svc}-db\n                  key: password\n---\n"),
        2 => format!("- name: {}\n  ansible.builtin.template:\n    src: {svc}.conf.j2\n    dest: /etc/{svc}/{svc}.conf\n    mode: \"0640\"\n  vars:\n    {svc}_password: \"{{{{ vault_{svc}_password }}}}\"\n", sentence(r, 4)),
        3 => format!("{svc}:\n  enabled: true\n  replicas: {}\n  token_ttl: 3600\n  key_size: 4096\n  password_min_length: 12\n  secretName: {svc}-tls\n", r.below(5) + 1),
        _ => format!("# {}\n{svc}_url: https://{svc}.example.net\n", sentence(r, 10)),
    };
    out.push_str(&s);
}

fn json_conf(r: &mut Rng, out: &mut String) {
    if r.chance(70) {
        return neutral(r, out, 6);
    }
    let k = ident(r);
    out.push_str(&format!(
        "  \"{k}\": {{\n    \"enabled\": true,\n    \"url\": \"https://{k}.example.net/api\",\n    \"token\": \"${{{}_TOKEN}}\",\n    \"timeout\": {},\n    \"keys\": [\"{}\", \"{}\"]\n  }},\n",
        k.to_ascii_uppercase(),
        r.below(60),
        r.pick(IDENTS),
        r.pick(IDENTS)
    ));
}

fn misc_conf(r: &mut Rng, out: &mut String) {
    if r.chance(70) {
        return neutral(r, out, 7);
    }
    let k = r.pick(IDENTS);
    let s = match r.below(7) {
        0 => format!("[{k}]\nhost = {k}.lan\nport = {}\npassword_file = /etc/{k}/password\n\n", r.below(65536)),
        1 => format!("{}_URL=https://{k}.example.net\n{}_TOKEN_FILE=/run/secrets/{k}\nLOG_LEVEL=info\n", k.to_ascii_uppercase(), k.to_ascii_uppercase()),
        2 => format!("  services.{k} = {{\n    enable = true;\n    passwordFile = config.sops.secrets.\"{k}/password\".path;\n    settings.key = \"{k}\";\n  }};\n"),
        3 => format!("resource \"cloudflare_record\" \"{k}\" {{\n  zone_id = var.zone_id\n  name    = \"{k}\"\n  value   = \"192.0.2.{}\"\n  type    = \"A\"\n}}\n\n", r.below(255)),
        4 => format!("{k}.example.net {{\n\treverse_proxy {}:8080\n\ttls {{\n\t\tdns cloudflare {{env.CF_API_TOKEN}}\n\t}}\n}}\n\n", r.pick(&["app", "grafana", "jellyfin", "immich", "nextcloud"])),
        5 => format!("  <add key=\"{k}Timeout\" value=\"{}\" />\n  <{k}>{}</{k}>\n", r.below(100), r.pick(WORDS)),
        _ => format!("[[package]]\nname = \"{k}\"\nversion = \"{}.{}.{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n\n", r.below(3), r.below(40), r.below(20), r.hex(64)),
    };
    out.push_str(&s);
}

fn prose(r: &mut Rng, out: &mut String) {
    if r.chance(15) {
        out.push_str(&format!("\n## {}\n\n", sentence(r, 4)));
    }
    let n = 3 + r.below(5);
    for _ in 0..n {
        let w = 8 + r.below(14);
        let mut s = sentence(r, w);
        if let Some(c) = s.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        out.push_str(&s);
        out.push_str(". ");
    }
    out.push('\n');
    if r.chance(20) {
        out.push_str(&format!(
            "\n```sh\nsecretctl scan --staged\ndnsctl preview --zone {}.example.net\n```\n",
            r.pick(IDENTS)
        ));
    }
}

fn lock(r: &mut Rng, out: &mut String) {
    let k = ident(r).replace('_', "-");
    let s = match r.below(3) {
        0 => format!("    \"node_modules/{k}\": {{\n      \"version\": \"{}.{}.{}\",\n      \"resolved\": \"https://registry.npmjs.org/{k}/-/{k}-1.0.0.tgz\",\n      \"integrity\": \"sha512-{}==\",\n      \"dev\": true\n    }},\n", r.below(9), r.below(30), r.below(30), r.b64(86)),
        1 => format!("github.com/example/{k} v{}.{}.{} h1:{}=\n", r.below(3), r.below(30), r.below(30), r.b64(43)),
        _ => format!("{},{},{},{}.{},{}\n", r.below(100000), r.pick(IDENTS), r.pick(WORDS), r.below(1000), r.below(100), r.hex(12)),
    };
    out.push_str(&s);
}

fn logs(r: &mut Rng, out: &mut String) {
    if r.chance(10) {
        let n = 600 + r.below(2000);
        out.push_str(&format!(
            "  background-image: url(\"data:image/png;base64,{}\");\n",
            r.b64(n)
        ));
        return;
    }
    out.push_str(&format!(
        "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z {} 10.0.{}.{} \"GET /api/v1/{}/{} HTTP/1.1\" {} {} {}ms\n",
        1 + r.below(12),
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.pick(&["INFO", "WARN", "DEBUG", "ERROR"]),
        r.below(255),
        r.below(255),
        r.pick(IDENTS),
        r.below(10000),
        r.pick(&["200", "201", "204", "301", "401", "403", "404", "500"]),
        r.below(100000),
        r.below(900)
    ));
}

/// A planted secret line in the syntax of a file kind.
fn planted(r: &mut Rng) -> String {
    match r.below(8) {
        0 => format!("GITHUB_TOKEN=ghp_{}\n", r.alnum(36)),
        1 => format!(
            "      POSTGRES_PASSWORD: {}{}!\n",
            r.pick(&["Sommer", "Winter", "Hund", "Katze"]),
            2000 + r.below(30)
        ),
        2 => format!("  api_key = \"{}\"\n", r.alnum(32)),
        3 => format!(
            "CF_API_TOKEN={}\n",
            r.from_set(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                40
            )
        ),
        4 => format!("DATABASE_URL=postgres://app:{}@db:5432/app\n", r.alnum(16)),
        5 => format!("TS_AUTHKEY=tskey-auth-{}-{}\n", r.alnum(11), r.alnum(30)),
        6 => format!(
            "AWS_ACCESS_KEY_ID=AKIA{}\n",
            r.from_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ),
        _ => format!(
            "slack: xoxb-{}-{}-{}\n",
            r.below(1_000_000_000) + 1_000_000_000,
            r.below(1_000_000_000) + 1_000_000_000,
            r.alnum(24)
        ),
    }
}

type Gen = fn(&mut Rng, &mut String);

/// Generates about `size` bytes of files: `(relative path, content)`.
pub(crate) fn generate(size: usize, seed: u64) -> Vec<(String, Vec<u8>)> {
    // (weight in %, extension, generator)
    const KINDS: &[(usize, &str, Gen)] = &[
        (12, "rs", rust),
        (8, "py", python),
        (6, "go", golang),
        (5, "ts", typescript),
        (4, "sh", shell),
        (10, "yaml", yaml),
        (6, "json", json_conf),
        (9, "conf", misc_conf),
        (15, "md", prose),
        (15, "lock", lock),
        (10, "log", logs),
    ];
    let mut r = Rng::new(seed);
    let mut out = Vec::new();
    let mut total = 0;
    let mut n = 0usize;
    while total < size {
        let mut pick = r.below(100);
        let mut kind = KINDS[0];
        for k in KINDS {
            if pick < k.0 {
                kind = *k;
                break;
            }
            pick -= k.0;
        }
        let (_, ext, gen) = kind;
        // File sizes: mostly small, some large (1 KiB .. 64 KiB).
        let target = 1024 << r.below(7);
        let target = target / 2 + r.below(target);
        let mut text = String::with_capacity(target + 1024);
        while text.len() < target {
            gen(&mut r, &mut text);
        }
        if r.below(40) == 0 {
            let at = text[..text.len() / 2].rfind('\n').map_or(0, |p| p + 1);
            text.insert_str(at, &planted(&mut r));
        }
        total += text.len();
        out.push((
            format!("d{:03}/{}/f{n:05}.{ext}", n / 100, IDENTS[n % IDENTS.len()]),
            text.into_bytes(),
        ));
        n += 1;
    }
    out
}
