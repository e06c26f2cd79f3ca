//! Progress of long work on stderr, only on a terminal (never in pipes, logs
//! or CI output): a push, one bar per zone, for providers that report
//! progress (Cloudflare, after each batch); an ACME propagation wait, one
//! line naming the server waited for.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use provider::AnyProvider;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

/// Bars shown while zones are applied; cleared when dropped.
pub struct Progress {
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

/// Makes `providers` report to bars on stderr; `None` when stderr is not a
/// terminal or no provider reports progress.
pub fn attach<'a>(providers: impl Iterator<Item = &'a AnyProvider>) -> Option<Progress> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let progress = Progress {
        multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        bars: Arc::default(),
    };
    let mut any = false;
    for provider in providers {
        let AnyProvider::Cloudflare(cf) = provider else {
            continue;
        };
        any = true;
        let (multi, bars) = (progress.multi.clone(), progress.bars.clone());
        cf.set_progress(Arc::new(move |zone, done, total| {
            let mut bars = bars.lock().unwrap_or_else(|e| e.into_inner());
            let name = zone.as_str().trim_end_matches('.').to_string();
            let bar = bars.entry(name.clone()).or_insert_with(|| {
                let style = ProgressStyle::with_template(
                    "{prefix}: [{bar:30}] {pos}/{len} record changes applied",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                multi.add(
                    ProgressBar::new(total as u64)
                        .with_style(style)
                        .with_prefix(name),
                )
            });
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }));
    }
    any.then_some(progress)
}

/// A line on stderr while an ACME wait lasts ("waiting for ns2
/// (192.0.2.2:53): not serving yet, 12 s of 120 s"); `None` when stderr is
/// not a terminal. The line is cleared when the wait ends.
pub fn propagation() -> Option<acme::Progress> {
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
