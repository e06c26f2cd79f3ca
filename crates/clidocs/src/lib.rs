//! Shell completions and man pages of `dnsctl` and `secretctl`, generated
//! from their clap definitions, so they never drift from `--help`.
//!
//! Completions are clap_complete's, plus one addition: positional arguments
//! of the subcommands in [`Dynamic::subcommands`] complete to the words a
//! hidden command of the binary prints at completion time (dnsctl: the zone
//! names of the dnsctl.yaml in effect).

#![deny(missing_docs, unreachable_pub)]

use clap::Command;
pub use clap_complete::Shell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Values completed by running the binary itself.
pub struct Dynamic<'a> {
    /// Subcommands whose positional arguments take these values.
    pub subcommands: &'a [&'a str],
    /// The arguments that make the binary print them, one per line.
    pub list_args: &'a str,
}

/// Writes the completion script of `cmd` for `shell`.
pub fn completions(
    cmd: &mut Command,
    shell: Shell,
    dynamic: Option<&Dynamic<'_>>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let bin = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, &bin, &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if let Some(d) = dynamic {
        let subs = d.subcommands.join(" ");
        let list = format!("{bin} {} 2>/dev/null", d.list_args);
        let fname = format!("_{}_values", bin.replace('-', "_"));
        match shell {
            // Ask the binary first when the word is a positional argument of
            // one of the subcommands; otherwise clap's function.
            Shell::Bash => script.push_str(&format!(
                r#"
{fname}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" i sub=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in -*) ;; *) sub="${{COMP_WORDS[i]}}"; break ;; esac
    done
    case " {subs} " in
        *" $sub "*)
            if [[ -n "$sub" && "$cur" != -* ]]; then
                COMPREPLY=($(compgen -W "$({list})" -- "$cur"))
                [[ ${{#COMPREPLY[@]}} -gt 0 ]] && return 0
            fi ;;
    esac
    _{bin} "$@"
}}
complete -F {fname} -o bashdefault -o default {bin}
"#
            )),
            Shell::Fish => {
                for sub in d.subcommands {
                    script.push_str(&format!(
                        "complete -c {bin} -n '__fish_{bin}_using_subcommand {sub}' -f -a '({list})'\n"
                    ));
                }
            }
            // clap leaves positional arguments to _default (file names);
            // those of the subcommands get the binary's list instead.
            Shell::Zsh => {
                let mut section = None::<String>;
                let mut lines = Vec::new();
                for line in script.lines() {
                    if let Some(name) = line
                        .trim()
                        .strip_prefix("(")
                        .and_then(|l| l.strip_suffix(")"))
                    {
                        section = Some(name.to_string());
                    }
                    let ours = section
                        .as_deref()
                        .is_some_and(|s| d.subcommands.contains(&s));
                    let positional = ["':", "'*:"].iter().any(|p| line.starts_with(p));
                    if ours && positional && line.contains(":_default'") {
                        lines.push(line.replace(":_default'", &format!(":{fname}'")));
                    } else {
                        lines.push(line.to_string());
                    }
                }
                let function = format!(
                    "(( $+functions[{fname}] )) ||\n{fname}() {{\n    local -a vals\n    vals=(${{(f)\"$({list})\"}})\n    compadd -a vals\n}}\n\n"
                );
                // Defined before the script's last lines, which call _{bin}
                // when the file is autoloaded.
                let tail = format!("if [ \"$funcstack[1]\" = \"_{bin}\" ]; then");
                let at = lines.iter().position(|l| *l == tail).unwrap_or(lines.len());
                lines.insert(at, function);
                script = lines.join("\n");
                script.push('\n');
            }
            _ => {}
        }
    }
    out.write_all(script.as_bytes())
}

/// Writes one man page per command into `dir`: `BIN.1`, and `BIN-SUB.1`
/// (`BIN-SUB-SUBSUB.1` ...) for every subcommand that is not hidden.
/// Returns the files written.
pub fn man_pages(cmd: Command, dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd;
    cmd.build();
    let mut written = Vec::new();
    write_man(&cmd, cmd.get_name().to_string(), dir, &mut written)?;
    Ok(written)
}

fn write_man(
    cmd: &Command,
    name: String,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> io::Result<()> {
    let page = cmd
        .clone()
        .display_name(name.clone())
        .bin_name(name.replace('-', " "));
    let mut text = Vec::new();
    clap_mangen::Man::new(page).render(&mut text)?;
    let path = dir.join(format!("{name}.1"));
    atomicfile::write(&path, &text)?;
    written.push(path);
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        write_man(sub, format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
