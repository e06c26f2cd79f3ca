//! `dnsctl completions SHELL`, the hidden `dnsctl man --dir DIR` (used by the
//! flake's package) and the hidden zone lister the completions call.

use anyhow::{Context, Result};
use clap::CommandFactory;
use std::path::Path;
use std::process::ExitCode;

/// Commands whose positional arguments are zone names.
const ZONE_COMMANDS: &[&str] = &["check", "preview", "push", "pull", "verify", "backups"];

/// The hidden command the completion scripts run to list zone names.
pub(crate) const LIST_ZONES: &str = "__zones";

pub(crate) fn completions(shell: clidocs::Shell) -> Result<ExitCode> {
    let dynamic = clidocs::Dynamic {
        subcommands: ZONE_COMMANDS,
        list_args: LIST_ZONES,
    };
    clidocs::completions(
        &mut crate::Cli::command(),
        shell,
        Some(&dynamic),
        &mut std::io::stdout().lock(),
    )
    .context("cannot write the completion script")?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn man(dir: &Path) -> Result<ExitCode> {
    let written = clidocs::man_pages(crate::Cli::command(), dir)
        .with_context(|| format!("cannot write man pages to {}", dir.display()))?;
    errln!("wrote {} man pages to {}", written.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Prints the zones of the config in effect; nothing (and exit 0) when there
/// is none, so a completion never shows an error.
pub(crate) fn list_zones(config: Option<&Path>) -> Result<ExitCode> {
    if let Ok(cfg) = crate::load_config(config) {
        for name in cfg.zones.keys() {
            outln!("{name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
