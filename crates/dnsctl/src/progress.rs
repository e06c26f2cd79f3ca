//! Progress of long work on stderr, only on a terminal (never in pipes, logs
//! or CI output): a push, one bar per zone, whatever its provider (each moves
//! its bar as it reaches the server: a batch, an UPDATE message, a PATCH); an
//! ACME propagation wait, one line naming the server waited for.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use zone::Name;

/// Bars shown while zones are applied, one per zone; cleared when dropped.
pub(crate) struct Progress {
    multi: MultiProgress,
    bars: Arc<Mutex<BTreeMap<String, ProgressBar>>>,
}

impl Drop for Progress {
    fn drop(&mut self) {
        for bar in self.bars.lock().unwrap_or_else(|e| e.into_inner()).values() {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Progress {
    /// Moves a zone's bar: `done` of `total` steps of its provider.
    pub(crate) fn report(&self, zone: &Name, done: usize, total: usize) {
        if let Some(bar) = self
            .bars
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&label(zone))
        {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }
}

fn label(zone: &Name) -> String {
    zone.as_str().trim_end_matches('.').to_string()
}

/// A bar on stderr for each zone about to be applied (name, number of record
/// set changes); `None` when stderr is not a terminal. Each provider moves
/// its bar as it goes, through [`Progress::report`].
pub(crate) fn attach<'a>(zones: impl Iterator<Item = (&'a Name, usize)>) -> Option<Progress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let progress = Progress {
        multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        bars: Arc::default(),
    };
    let style = ProgressStyle::with_template("{prefix}: [{bar:30}] {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let mut bars = progress.bars.lock().unwrap_or_else(|e| e.into_inner());
    for (zone, changes) in zones {
        let bar = progress.multi.add(
            ProgressBar::new(changes as u64)
                .with_style(style.clone())
                .with_prefix(label(zone))
                .with_message("changes applied"),
        );
        bar.tick();
        bars.insert(label(zone), bar);
    }
    drop(bars);
    Some(progress)
}

/// A line on stderr while an ACME wait lasts ("waiting for ns2
/// (192.0.2.2:53): not serving yet, 12 s of 120 s"); `None` when stderr is
/// not a terminal. The line is cleared when the wait ends.
pub(crate) fn propagation() -> Option<acme::Progress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let line = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        .with_style(
            ProgressStyle::with_template("{msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        )
        .with_finish(indicatif::ProgressFinish::AndClear);
    Some(acme::Progress(Arc::new(move |round: &acme::Round<'_>| {
        let Some((first, state)) = round.lagging.first() else {
            return;
        };
        let more = match round.lagging.len() {
            1 => String::new(),
            n => format!(" (and {} more of {})", n - 1, round.total),
        };
        line.set_message(format!(
            "waiting for {first}: {state}{more}, {} s of {}",
            round.elapsed.as_secs(),
            round.timeout.as_secs()
        ));
        line.tick();
    })))
}
