//! Progress of a long push: one bar per zone on stderr, only on a terminal
//! (never in pipes, logs or CI output), for providers that report progress
//! (Cloudflare, after each batch).

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
