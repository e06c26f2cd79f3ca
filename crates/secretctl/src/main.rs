//! `secretctl`: edit, encrypt and decrypt SOPS files with age keys. Files are
//! the real SOPS format: `sops`, sops-nix and Flux read them unchanged.

mod edit;
mod files;
mod guard;
mod hook;
mod scan;

use clap::{Args, Parser, Subcommand};
use files::{open_input, read_input, write_atomic, write_atomic_with, Fail};
use sops::{DecryptOptions, Format, Identities, Identity, KeyPlan, Recipient, Sealed, SopsFile};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Examples:
  secretctl keygen -o ~/.config/sops/age/keys.txt
  secretctl encrypt --age age1... secrets/app.yaml > secrets/app.enc.yaml
  secretctl encrypt --in-place secrets/app.yaml        # recipients from .sops.yaml
  secretctl decrypt secrets/app.yaml
  secretctl decrypt --extract '[\"db\"][\"password\"]' secrets/app.yaml
  secretctl edit secrets/app.yaml                      # $SOPS_EDITOR, $EDITOR, else vi
  secretctl set secrets/app.yaml '[\"db\"][\"password\"]' '\"hunter2\"'
  secretctl updatekeys -y secrets/app.yaml             # after changing .sops.yaml

Keys: age identities are read from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
SOPS_AGE_KEY_CMD and $XDG_CONFIG_HOME/sops/age/keys.txt (~/.config/...), and
SSH keys from SOPS_AGE_SSH_PRIVATE_KEY_FILE, else ~/.ssh/id_ed25519 and
~/.ssh/id_rsa. A passphrase-protected SSH key is asked for its passphrase on
the terminal, only when a file is encrypted to it (as sops does).
Files may also be encrypted to pgp, kms, gcp_kms, azure_kv or hc_vault keys:
secretctl keeps those entries as they are (edit, set, unset, updatekeys) but
cannot encrypt to them, so rotate refuses such files and updatekeys refuses
to add such keys (use sops for these).
The file type comes from the extension (.yaml/.yml, .json, .env, .ini, else
binary) unless --input-type/--output-type say otherwise.

Exit codes (the same numbers as sops where sops has one):
  0    success
  1    other error (I/O, invalid file, bad arguments to a command)
  2    usage error, or the input file could not be read (encrypt: or parsed)
  3    the output file could not be written
  5    .sops.yaml could not be read or has no matching creation rule
  25   a value could not be decrypted (tampered value, iv, tag or key path)
  51   MAC mismatch: the file was changed outside sops (see --ignore-mac)
  91   invalid --extract / set path
  111  no recipients to encrypt to (no --age and no creation rule)
  128  no available age identity can decrypt the data key
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM); 129 SIGHUP; 131 SIGQUIT
  200  edit: the file has not been modified
  201  edit: the editor could not be started or failed
  203  encrypt: the file is already encrypted";

#[derive(Parser)]
#[command(
    name = "secretctl",
    version,
    about = "Edit, encrypt and decrypt SOPS files (age keys), compatible with sops",
    after_help = AFTER_HELP
)]
struct Cli {
    /// Path to .sops.yaml (default: searched from the current directory upward).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Types {
    /// Type of the input file: yaml, json, dotenv, ini or binary.
    #[arg(long, value_name = "TYPE")]
    input_type: Option<String>,
    /// Type of the output: yaml, json, dotenv, ini or binary.
    #[arg(long, value_name = "TYPE")]
    output_type: Option<String>,
}

#[derive(Args, Clone, Default)]
struct RuleFlags {
    /// Age recipients (comma-separated); overrides .sops.yaml.
    #[arg(long, value_name = "RECIPIENTS")]
    age: Option<String>,
    /// Keys ending with this suffix are not encrypted.
    #[arg(long)]
    unencrypted_suffix: Option<String>,
    /// Only keys ending with this suffix are encrypted.
    #[arg(long)]
    encrypted_suffix: Option<String>,
    /// Keys matching this regex are not encrypted.
    #[arg(long)]
    unencrypted_regex: Option<String>,
    /// Only keys matching this regex are encrypted.
    #[arg(long)]
    encrypted_regex: Option<String>,
    /// The MAC covers only encrypted values.
    #[arg(long)]
    mac_only_encrypted: bool,
    /// Key groups needed to recover the data key (Shamir); overrides .sops.yaml.
    #[arg(long, value_name = "N", value_parser = threshold_arg)]
    shamir_secret_sharing_threshold: Option<usize>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Encrypt a file; prints to stdout unless --in-place or --output.
    #[command(
        after_help = "Examples:\n  secretctl encrypt --in-place secrets/app.yaml          # recipients from .sops.yaml\n  secretctl encrypt --age age1... app.env > secrets/app.env\n  secretctl encrypt --encrypted-regex '^(password|token)$' -i secrets/db.yaml"
    )]
    Encrypt {
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        types: Types,
        /// Replace the file with its encrypted form.
        #[arg(short, long)]
        in_place: bool,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The plaintext file.
        file: PathBuf,
    },
    /// Decrypt a file; prints to stdout unless --in-place or --output.
    #[command(
        after_help = "Examples:\n  secretctl decrypt secrets/app.yaml\n  secretctl decrypt --extract '[\"db\"][\"password\"]' secrets/app.yaml\n  secretctl decrypt --output app.env secrets/app.env"
    )]
    Decrypt {
        #[command(flatten)]
        types: Types,
        /// Print only this value, e.g. '["db"]["password"]'.
        #[arg(long, value_name = "PATH")]
        extract: Option<String>,
        /// Decrypt even if the MAC does not match.
        #[arg(long)]
        ignore_mac: bool,
        /// Replace the file with its plaintext.
        #[arg(short, long)]
        in_place: bool,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The encrypted file.
        file: PathBuf,
    },
    /// Open the decrypted file in $SOPS_EDITOR / $EDITOR (else vi) and re-encrypt on save.
    #[command(
        after_help = "Examples:\n  secretctl edit secrets/app.yaml\n  SOPS_EDITOR='code --wait' secretctl edit secrets/new.yaml   # a new file, from .sops.yaml"
    )]
    Edit {
        #[command(flatten)]
        rules: RuleFlags,
        #[command(flatten)]
        types: Types,
        /// Decrypt even if the MAC does not match.
        #[arg(long)]
        ignore_mac: bool,
        /// The encrypted file (created if it does not exist).
        file: PathBuf,
    },
    /// Set one value: VALUE is JSON, e.g. '"text"', 42, '{"a": 1}'.
    #[command(
        after_help = "Examples:\n  secretctl set secrets/app.yaml '[\"db\"][\"password\"]' '\"hunter2\"'\n  secretctl set secrets/app.yaml '[\"replicas\"]' 3"
    )]
    Set {
        #[command(flatten)]
        types: Types,
        /// The encrypted file.
        file: PathBuf,
        /// Where, e.g. '["db"]["password"]'.
        path: String,
        /// The new value, as JSON.
        value: String,
    },
    /// Remove one value.
    #[command(
        after_help = "Example:\n  secretctl unset secrets/app.yaml '[\"db\"][\"password\"]'"
    )]
    Unset {
        #[command(flatten)]
        types: Types,
        /// The encrypted file.
        file: PathBuf,
        /// Which, e.g. '["db"]["password"]'.
        path: String,
    },
    /// Generate an age identity; prints its recipient on stderr.
    #[command(
        after_help = "Examples:\n  secretctl keygen -o ~/.config/sops/age/keys.txt   # missing directories are made 0700\n  secretctl keygen > key.txt"
    )]
    Keygen {
        /// Write the identity to this file (mode 0600; never overwritten).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print whether a file is encrypted, as JSON ({"encrypted":true}).
    #[command(
        after_help = "Example:\n  secretctl filestatus secrets/app.yaml     # {\"encrypted\":true}"
    )]
    Filestatus {
        #[command(flatten)]
        types: Types,
        /// The file.
        file: PathBuf,
    },
    /// Re-wrap the data key for the recipients .sops.yaml now names.
    #[command(
        after_help = "Examples:\n  secretctl updatekeys secrets/app.yaml      # shows the changes, asks\n  secretctl updatekeys -y secrets/*.yaml"
    )]
    Updatekeys {
        #[command(flatten)]
        types: Types,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        yes: bool,
        /// Key groups needed to recover the data key (Shamir); overrides .sops.yaml
        /// (default: the rule's, else the file's).
        #[arg(long, value_name = "N", value_parser = threshold_arg)]
        shamir_secret_sharing_threshold: Option<usize>,
        /// The encrypted files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Generate a new data key and re-encrypt every value.
    #[command(
        after_help = "Examples:\n  secretctl rotate -i secrets/app.yaml\n  secretctl rotate -i --rm-age age1old... secrets/app.yaml"
    )]
    Rotate {
        #[command(flatten)]
        types: Types,
        /// Replace the file (default: print to stdout).
        #[arg(short, long)]
        in_place: bool,
        /// Also encrypt to these age recipients (comma-separated).
        #[arg(long, value_name = "RECIPIENTS")]
        add_age: Option<String>,
        /// Stop encrypting to these age recipients (comma-separated).
        #[arg(long, value_name = "RECIPIENTS")]
        rm_age: Option<String>,
        /// Key groups needed to recover the new data key (Shamir; default: the file's).
        #[arg(long, value_name = "N", value_parser = threshold_arg)]
        shamir_secret_sharing_threshold: Option<usize>,
        /// The encrypted file.
        file: PathBuf,
    },
    /// Run a command with the file's top-level values as environment variables.
    #[command(after_help = "Example:\n  secretctl exec-env secrets/app.env './deploy.sh'")]
    ExecEnv {
        /// The encrypted file.
        file: PathBuf,
        /// The command (run with sh -c).
        command: String,
    },
    /// Run a command with the decrypted file in a private temporary file; {} is its path.
    #[command(
        after_help = "Example:\n  secretctl exec-file secrets/kubeconfig.yaml 'kubectl --kubeconfig {} get pods'"
    )]
    ExecFile {
        /// The encrypted file.
        file: PathBuf,
        /// The command (run with sh -c); {} is the file's path (as "$1": the shell
        /// never parses it).
        command: String,
    },
    /// Find plaintext secrets in staged changes, files or history (the pre-commit guard).
    Scan(scan::Args),
    /// Install or remove the git pre-commit hook that runs `secretctl scan --staged`.
    Hook(hook::Args),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  secretctl completions bash > ~/.local/share/bash-completion/completions/secretctl\n  secretctl completions zsh > ~/.zfunc/_secretctl      # a directory in $fpath\n  secretctl completions fish > ~/.config/fish/completions/secretctl.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clidocs::Shell,
    },
    /// Write one man page per command into DIR (used by packages).
    #[command(hide = true)]
    Man {
        /// The directory to write secretctl.1, secretctl-edit.1, ... into.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

fn main() {
    // Most commands hold plaintext in memory.
    guard::no_core_dumps();
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("secretctl: {}", f.msg);
            f.code
        }
    };
    std::process::exit(code);
}

fn format_for(path: &Path, t: &Option<String>) -> Result<Format, Fail> {
    match t {
        Some(t) => Format::from_name(t).map_err(|e| Fail::new(2, e.to_string())),
        None => Ok(Format::from_path(path)),
    }
}

fn formats(path: &Path, t: &Types) -> Result<(Format, Format), Fail> {
    let input = format_for(path, &t.input_type)?;
    let output = match &t.output_type {
        Some(_) => format_for(path, &t.output_type)?,
        None => input,
    };
    Ok((input, output))
}

/// A `--shamir-secret-sharing-threshold` that is not a positive number.
#[derive(Debug)]
struct NotAThreshold(String);

impl std::fmt::Display for NotAThreshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not a positive number of key groups", self.0)
    }
}

impl std::error::Error for NotAThreshold {}

/// `--shamir-secret-sharing-threshold`: a positive number.
fn threshold_arg(s: &str) -> Result<usize, NotAThreshold> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(NotAThreshold(s.to_string())),
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The encryption options for `file`: --age and rule flags, else .sops.yaml.
fn encrypt_options(
    cli_config: &Option<PathBuf>,
    file: &Path,
    flags: &RuleFlags,
) -> Result<sops::EncryptOptions, Fail> {
    let mut opts = match &flags.age {
        Some(a) => sops::EncryptOptions::new(vec![
            Recipient::parse_list(a).map_err(|e| Fail::from_sops(e, file))?
        ]),
        None => {
            let rule = creation_rule(cli_config, file)?;
            match rule {
                Some(r) if !r.groups.is_empty() => {
                    sops::EncryptOptions::from_rule(&r).map_err(|e| Fail::from_sops(e, file))?
                }
                _ => {
                    return Err(Fail::new(
                        111,
                        "no recipients: pass --age age1... or add a creation rule with age keys to .sops.yaml",
                    ))
                }
            }
        }
    };
    let explicit = sops::metadata::EncryptionRules {
        unencrypted_suffix: flags.unencrypted_suffix.clone(),
        encrypted_suffix: flags.encrypted_suffix.clone(),
        unencrypted_regex: flags.unencrypted_regex.clone(),
        encrypted_regex: flags.encrypted_regex.clone(),
        unencrypted_comment_regex: None,
        encrypted_comment_regex: None,
        mac_only_encrypted: flags.mac_only_encrypted,
    };
    if explicit != sops::metadata::EncryptionRules::default() {
        opts.rules = explicit.with_defaults();
    }
    if let Some(t) = flags.shamir_secret_sharing_threshold {
        opts.shamir_threshold = Some(t);
    }
    opts.rules
        .validate()
        .map_err(|e| Fail::new(1, e.to_string()))?;
    Ok(opts)
}

fn creation_rule(
    cli_config: &Option<PathBuf>,
    file: &Path,
) -> Result<Option<sops::config::CreationRule>, Fail> {
    let cfg = match cli_config {
        Some(c) => Some(c.clone()),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Fail::new(1, format!("current directory: {e}")))?;
            sops::config::find_config(&cwd)
        }
    };
    match cfg {
        None => Ok(None),
        Some(c) => sops::config::rule_for(&c, file).map_err(|e| Fail::new(5, e.to_string())),
    }
}

/// Reads and decrypts a file, showing its warnings. `read_only`: it will
/// not be written back (see [`DecryptOptions::read_only`]).
fn open_file(
    file: &Path,
    input: Format,
    ignore_mac: bool,
    read_only: bool,
) -> Result<SopsFile, Fail> {
    let enc = read_input(file)?;
    let ids = Identities::from_env();
    let opts = DecryptOptions {
        ignore_mac,
        read_only,
    };
    let d = SopsFile::open(&enc, input, &ids, &opts).map_err(|e| Fail::from_sops(e, file))?;
    for w in d.warnings() {
        eprintln!("secretctl: warning: {w}");
    }
    Ok(d)
}

/// Seals an edited file and writes it back in its format.
fn seal_to(d: SopsFile, file: &Path) -> Result<(), Fail> {
    let format = d.format();
    let out = d
        .seal()
        .and_then(|s| s.to_bytes(format))
        .map_err(|e| Fail::from_sops(e, file))?;
    write_atomic(file, &out)
}

fn emit(
    out: &[u8],
    in_place: Option<&Path>,
    output: &Option<PathBuf>,
    plaintext: bool,
) -> Result<(), Fail> {
    emit_with(in_place, output, Path::new("-"), plaintext, |w| {
        w.write_all(out).map_err(sops::Error::Write)
    })
}

/// Writes the output to the file (`--in-place`, `--output`, atomically) or
/// to stdout, from `fill` (which writes large values without copying them).
/// A failure of `fill` other than writing is reported as about `file`.
/// A `plaintext` output file is made 0600 whatever the umask (in place, the
/// file keeps its mode); an encrypted one follows the umask, as in sops.
fn emit_with(
    in_place: Option<&Path>,
    output: &Option<PathBuf>,
    file: &Path,
    plaintext: bool,
    fill: impl FnOnce(&mut dyn Write) -> sops::Result<()>,
) -> Result<(), Fail> {
    let mut failure = None;
    let run = |w: &mut dyn Write| -> std::io::Result<()> {
        fill(w).map_err(|e| match e {
            sops::Error::Write(source) => source,
            other => {
                failure = Some(other);
                std::io::Error::other("stopped")
            }
        })
    };
    let result = match (in_place, output.as_deref()) {
        (Some(p), _) => write_atomic_with(p, None, run),
        (None, Some(p)) => write_atomic_with(p, plaintext.then_some(0o600), run),
        (None, None) => {
            // Straight to the file descriptor: std's stdout is line-buffered,
            // and would look for newlines through every megabyte written.
            use std::os::fd::AsFd;
            let out: Box<dyn Write> = match std::io::stdout().as_fd().try_clone_to_owned() {
                Ok(fd) => Box::new(std::fs::File::from(fd)),
                Err(_) => Box::new(std::io::stdout().lock()),
            };
            let mut so = std::io::BufWriter::with_capacity(64 * 1024, out);
            run(&mut so)
                .and_then(|_| so.flush())
                .map_err(|e| Fail::new(3, format!("writing to stdout: {e}")))
        }
    };
    match failure {
        Some(e) => Err(Fail::from_sops(e, file)),
        None => result,
    }
}

fn parse_path(p: &str) -> Result<Vec<sops::PathStep>, Fail> {
    sops::value::parse_path(p).map_err(|e| Fail::new(91, e.to_string()))
}

fn run(cli: Cli) -> Result<i32, Fail> {
    match cli.cmd {
        Cmd::Encrypt {
            rules,
            types,
            in_place,
            output,
            file,
        } => {
            let (input, out_fmt) = formats(&file, &types)?;
            let opts = encrypt_options(&cli.config, &file, &rules)?;
            let in_place = in_place.then_some(file.as_path());
            if input == Format::Binary && matches!(out_fmt, Format::Binary | Format::Json) {
                // Encrypted as it is read: any size in a few MiB of memory.
                let mut reader = open_input(&file)?;
                return emit_with(in_place, &output, &file, false, |w| {
                    sops::encrypt_binary_stream(&mut reader, w, &opts)
                })
                .map(|_| 0);
            }
            let plain = zeroize::Zeroizing::new(read_input(&file)?);
            let sealed = SopsFile::create(plain, input, &opts)
                .and_then(SopsFile::seal)
                .map_err(|e| {
                    // A file that does not parse is one sops "could not read" (2).
                    let unreadable = matches!(e, sops::Error::Syntax { .. });
                    let mut f = Fail::from_sops(e, &file);
                    if unreadable {
                        f.code = 2;
                    }
                    f
                })?;
            emit_with(in_place, &output, &file, false, |w| {
                sealed.write(out_fmt, w)
            })?;
            Ok(0)
        }
        Cmd::Decrypt {
            types,
            extract,
            ignore_mac,
            in_place,
            output,
            file,
        } => {
            let (input, out_fmt) = formats(&file, &types)?;
            let d = open_file(&file, input, ignore_mac, true)?;
            let in_place = in_place.then_some(file.as_path());
            match &extract {
                Some(p) => {
                    let steps = parse_path(p)?;
                    let bytes = d
                        .extract(&steps, out_fmt)
                        .map_err(|e| Fail::new(1, e.to_string()))?
                        .ok_or_else(|| {
                            Fail::new(91, format!("{p}: no such key in {}", file.display()))
                        })?;
                    emit(&bytes, in_place, &output, true)?;
                }
                None => emit_with(in_place, &output, &file, true, |w| {
                    d.write_plaintext(out_fmt, w)
                })?,
            }
            Ok(0)
        }
        Cmd::Edit {
            rules,
            types,
            ignore_mac,
            file,
        } => {
            let (input, _) = formats(&file, &types)?;
            let new_file_opts = if file.exists() {
                None
            } else {
                Some(encrypt_options(&cli.config, &file, &rules)?)
            };
            edit::edit(&file, input, ignore_mac, new_file_opts)
        }
        Cmd::Set {
            types,
            file,
            path,
            value,
        } => {
            let (input, _) = formats(&file, &types)?;
            let steps = parse_path(&path)?;
            let v = sops::Value::from_json(&value).map_err(|_| {
                Fail::new(
                    1,
                    format!(
                        "the value {value:?} is not valid JSON (strings need quotes: '\"text\"')"
                    ),
                )
            })?;
            let mut d = open_file(&file, input, false, false)?;
            if d.set(&steps, v).map_err(Fail::bare)? {
                seal_to(d, &file)?;
            }
            Ok(0)
        }
        Cmd::Unset { types, file, path } => {
            let (input, _) = formats(&file, &types)?;
            let steps = parse_path(&path)?;
            let mut d = open_file(&file, input, false, false)?;
            d.unset(&steps).map_err(|e| match e {
                sops::Error::Path(sops::PathError::NoDocument) => Fail::bare(e),
                e => {
                    let mut f = Fail::bare(e);
                    f.msg = format!("{path}: {}", f.msg);
                    f
                }
            })?;
            seal_to(d, &file)?;
            Ok(0)
        }
        Cmd::Keygen { output } => {
            let id = Identity::generate();
            let recipient = id.recipient();
            let text = zeroize::Zeroizing::new(format!(
                "# created: {}\n# public key: {recipient}\n{}\n",
                sops::metadata::now_rfc3339(),
                id.expose_secret()
            ));
            match output {
                Some(p) => {
                    files::write_new_private(&p, text.as_bytes())?;
                    eprintln!("Public key: {recipient}");
                }
                None => {
                    print!("{}", &*text);
                    eprintln!("Public key: {recipient}");
                }
            }
            Ok(0)
        }
        Cmd::Filestatus { types, file } => {
            let (input, _) = formats(&file, &types)?;
            let data = read_input(&file)?;
            let enc = sops::is_encrypted(&data, input);
            println!("{{\"encrypted\":{enc}}}");
            Ok(0)
        }
        Cmd::Updatekeys {
            types,
            yes,
            shamir_secret_sharing_threshold,
            files,
        } => {
            let mut ids = None;
            for file in files {
                let (input, _) = formats(&file, &types)?;
                let rule = creation_rule(&cli.config, &file)?
                    .ok_or_else(|| Fail::new(5, "no .sops.yaml with creation rules found"))?;
                if rule.groups.is_empty() {
                    return Err(Fail::new(
                        111,
                        format!("the creation rule for {} has no age keys", file.display()),
                    ));
                }
                let enc = read_input(&file)?;
                let mut sealed =
                    Sealed::parse(&enc, input).map_err(|e| Fail::from_sops(e, &file))?;
                let plan = KeyPlan::from_rule(&rule, shamir_secret_sharing_threshold)
                    .map_err(|e| Fail::from_sops(e, &file))?;
                let changes = plan.changes(sealed.metadata());
                if !changes.any {
                    eprintln!("{}: already up to date", file.display());
                    continue;
                }
                eprintln!("{}: key changes:", file.display());
                if let Some((old, new)) = changes.threshold {
                    if let Some(new) = new {
                        eprintln!("    +++ shamir_threshold: {new}");
                    }
                    if let Some(old) = old {
                        eprintln!("    --- shamir_threshold: {old}");
                    }
                }
                for r in &changes.added {
                    eprintln!("    +++ {r}");
                }
                for r in &changes.removed {
                    eprintln!("    --- {r}");
                }
                // Refused before the question, not after a "y".
                plan.check(sealed.metadata())
                    .map_err(|e| Fail::from_sops(e, &file))?;
                if !yes {
                    if !std::io::stdin().is_terminal() {
                        return Err(Fail::new(
                            1,
                            "confirmation needed: pass --yes (stdin is not a terminal)",
                        ));
                    }
                    eprint!("Is this okay? (y/n): ");
                    let mut answer = String::new();
                    std::io::stdin()
                        .read_line(&mut answer)
                        .map_err(|e| Fail::new(1, e.to_string()))?;
                    if !matches!(answer.trim(), "y" | "Y" | "yes") {
                        eprintln!("{}: unchanged", file.display());
                        continue;
                    }
                }
                // One set of identities for every file: a passphrase is asked once.
                let ids = ids.get_or_insert_with(Identities::from_env);
                let out = sealed
                    .update_keys(ids, &plan)
                    .and_then(|_| sealed.to_bytes(input))
                    .map_err(|e| Fail::from_sops(e, &file))?;
                write_atomic(&file, &out)?;
                eprintln!("{}: updated", file.display());
            }
            Ok(0)
        }
        Cmd::Rotate {
            types,
            in_place,
            add_age,
            rm_age,
            shamir_secret_sharing_threshold,
            file,
        } => {
            let (input, _) = formats(&file, &types)?;
            let mut d = open_file(&file, input, false, false)?;
            let add = match &add_age {
                Some(a) => Recipient::parse_list(a).map_err(|e| Fail::from_sops(e, &file))?,
                None => Vec::new(),
            };
            let rm = rm_age.as_deref().map(split_list).unwrap_or_default();
            d.rotate(&add, &rm, shamir_secret_sharing_threshold)
                .map_err(|e| Fail::from_sops(e, &file))?;
            let out = d
                .seal()
                .and_then(|s| s.to_bytes(input))
                .map_err(|e| Fail::from_sops(e, &file))?;
            emit(&out, in_place.then_some(file.as_path()), &None, false)?;
            Ok(0)
        }
        Cmd::ExecEnv { file, command } => {
            let input = Format::from_path(&file);
            let d = open_file(&file, input, false, true)?;
            let mut cmd = std::process::Command::new("sh");
            cmd.arg("-c").arg(&command);
            if let Some(doc) = d.docs().first() {
                for (k, v) in doc.entries() {
                    if let Some(s) = v.scalar_text() {
                        cmd.env(k, s);
                    }
                }
            }
            let status = cmd
                .status()
                .map_err(|e| Fail::new(1, format!("running {command:?}: {e}")))?;
            Ok(status.code().unwrap_or(1))
        }
        Cmd::Scan(args) => Ok(scan::run(args)),
        Cmd::Hook(args) => Ok(hook::run(args)),
        Cmd::Completions { shell } => {
            use clap::CommandFactory;
            clidocs::completions(&mut Cli::command(), shell, None, &mut std::io::stdout())
                .map_err(|e| Fail::new(3, format!("writing to stdout: {e}")))?;
            Ok(0)
        }
        Cmd::Man { dir } => {
            use clap::CommandFactory;
            clidocs::man_pages(Cli::command(), &dir).map_err(|e| {
                Fail::new(3, format!("writing man pages to {}: {e}", dir.display()))
            })?;
            Ok(0)
        }
        Cmd::ExecFile { file, command } => {
            let input = Format::from_path(&file);
            let sig = guard::Signals::install("the plaintext was removed")?;
            let d = open_file(&file, input, false, true)?;
            if let Some(f) = sig.terminated().or_else(|| sig.interrupted()) {
                return Err(f);
            }
            let dir = files::private_dir()?;
            let path = dir.path().join(files::plaintext_name(&file));
            let plaintext = d.plaintext(input).map_err(|e| Fail::from_sops(e, &file))?;
            drop(d);
            let result = files::write_private(&path, &plaintext).and_then(|_| {
                drop(plaintext);
                let status = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(exec_file_command(&command))
                    .arg("sh")
                    .arg(&path)
                    .spawn()
                    .map_err(|e| Fail::new(1, format!("running {command:?}: {e}")))
                    .and_then(|mut child| sig.wait(&mut child, true))?;
                match sig.terminated().or_else(|| sig.interrupted()) {
                    Some(f) => Err(f),
                    None => Ok(status.code().unwrap_or(1)),
                }
            });
            files::shred(&path);
            drop(dir);
            result
        }
    }
}

/// The shell command of `exec-file`: `{}` (also written '{}' or "{}")
/// becomes "$1", the path, which the shell therefore never parses.
fn exec_file_command(command: &str) -> String {
    command
        .replace("'{}'", "{}")
        .replace("\"{}\"", "{}")
        .replace("{}", "\"$1\"")
}

#[cfg(test)]
mod tests {
    #[test]
    fn exec_file_path_is_a_quoted_parameter() {
        let c = super::exec_file_command;
        assert_eq!(c("wc -c {}"), "wc -c \"$1\"");
        assert_eq!(c("cat '{}' \"{}\" {}"), "cat \"$1\" \"$1\" \"$1\"");
        assert_eq!(c("true"), "true");
    }
}
