//! Keeping plaintext from outliving a command. Core dumps are off for the
//! whole process (a dump would hold the plaintext), and `edit` and
//! `exec-file` catch SIGINT, SIGTERM, SIGHUP and SIGQUIT: the signal is
//! passed on to the child that has the plaintext file open, and the file is
//! removed before secretctl exits with 128 + the signal's number.
//!
//! SIGKILL cannot be caught: after a `kill -9` the decrypted file stays in
//! its private 0700 directory (`$XDG_RUNTIME_DIR/secretctl-*`, else
//! `/dev/shm/secretctl-*`), on a tmpfs, so it is gone at the next reboot
//! and never reached a disk.

use crate::files::Fail;
use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a child gets to exit after a signal is passed on, before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// Turns core dumps off: a soft RLIMIT_CORE of 0 (children inherit it), and
/// on Linux the process is made non-dumpable, which also covers a
/// `core_pattern` pipe that ignores the limit.
pub(crate) fn no_core_dumps() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Core);
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: now.maximum,
        },
    );
    #[cfg(target_os = "linux")]
    let _ = rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
}

/// The signals that stop `edit` and `exec-file`, caught instead of killing
/// secretctl with the plaintext on disk.
pub(crate) struct Signals {
    /// The last SIGTERM, SIGHUP or SIGQUIT received, or 0.
    stop: Arc<AtomicUsize>,
    /// SIGINT, or 0.
    int: Arc<AtomicUsize>,
    /// What the stopped command did, for the message.
    outcome: &'static str,
}

const SIGINT: usize = signal_hook::consts::SIGINT as usize;

impl Signals {
    /// `outcome` says what a stopped command leaves (for its message).
    pub(crate) fn install(outcome: &'static str) -> Result<Signals, Fail> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let stop = Arc::new(AtomicUsize::new(0));
        let int = Arc::new(AtomicUsize::new(0));
        let reg = |sig: i32, slot: &Arc<AtomicUsize>| {
            signal_hook::flag::register_usize(sig, Arc::clone(slot), sig as usize)
                .map_err(|e| Fail::new(1, format!("cannot install signal handler: {e}")))
        };
        reg(SIGTERM, &stop)?;
        reg(SIGHUP, &stop)?;
        reg(SIGQUIT, &stop)?;
        reg(SIGINT, &int)?;
        Ok(Signals { stop, int, outcome })
    }

    /// The failure for SIGTERM, SIGHUP or SIGQUIT, if one arrived.
    pub(crate) fn terminated(&self) -> Option<Fail> {
        match self.stop.load(Ordering::SeqCst) {
            0 => None,
            s => Some(self.stopped(s as i32)),
        }
    }

    /// The failure for SIGINT, if it arrived.
    pub(crate) fn interrupted(&self) -> Option<Fail> {
        (self.int.load(Ordering::SeqCst) == SIGINT).then(|| self.stopped(SIGINT as i32))
    }

    /// Forgets a SIGINT (one the editor already handled).
    pub(crate) fn clear_interrupt(&self) {
        self.int.store(0, Ordering::SeqCst);
    }

    /// Waits for `child`. A SIGTERM, SIGHUP or SIGQUIT (and SIGINT if
    /// `pass_int`) is passed on to it; if it has not exited after a grace
    /// period it is killed. Returns the failure for that signal, else the
    /// child's status.
    pub(crate) fn wait(&self, child: &mut Child, pass_int: bool) -> Result<ExitStatus, Fail> {
        let mut passed: Option<(usize, Instant)> = None;
        loop {
            let sig = match self.stop.load(Ordering::SeqCst) {
                0 if pass_int => self.int.load(Ordering::SeqCst),
                s => s,
            };
            if sig != 0 && passed.is_none_or(|(s, _)| s != sig) {
                forward(child, sig as i32);
                passed = Some((sig, Instant::now()));
            }
            match child.try_wait() {
                Ok(Some(status)) => {
                    return match passed {
                        Some((s, _)) => Err(self.stopped(s as i32)),
                        None => Ok(status),
                    }
                }
                Ok(None) => {
                    if passed.is_some_and(|(_, at)| at.elapsed() > GRACE) {
                        let _ = child.kill();
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Fail::new(1, format!("waiting for the command: {e}")));
                }
            }
        }
    }

    fn stopped(&self, sig: i32) -> Fail {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT};
        let what = match sig {
            SIGINT => "interrupted",
            SIGHUP => "hangup",
            SIGQUIT => "quit",
            _ => "terminated",
        };
        Fail::new(128 + sig, format!("{what}: stopped; {}", self.outcome))
    }
}

fn forward(child: &Child, sig: i32) {
    if let Some(s) = rustix::process::Signal::from_named_raw(sig) {
        let _ = rustix::process::kill_process(rustix::process::Pid::from_child(child), s);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn core_dumps_are_off() {
        use rustix::process::{getrlimit, Resource};
        super::no_core_dumps();
        assert_eq!(getrlimit(Resource::Core).current, Some(0));
        #[cfg(target_os = "linux")]
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}
