//! Diagnostics: every problem found in user input, with where it is and how to fix it.

use std::fmt;

/// A position in a text file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
    /// A warning: valid, but probably not what was meant.
    pub warning: bool,
}

impl Diagnostic {
    /// A problem at `pos`; `message` is a text or one of the crate's errors.
    pub fn new(pos: Pos, message: impl fmt::Display) -> Self {
        Diagnostic {
            pos,
            message: message.to_string(),
            hint: None,
            warning: false,
        }
    }

    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// All problems found in one file. Displayed as `file:line:col: error: message`
/// (or `warning:`),
/// one per line, each followed by its hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostics {
    pub file: String,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: impl Into<String>, mut items: Vec<Diagnostic>) -> Self {
        items.sort_by_key(|d| d.pos);
        Diagnostics {
            file: file.into(),
            items,
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let level = if d.warning { "warning" } else { "error" };
            write!(
                f,
                "{}:{}:{}: {level}: {}",
                self.file, d.pos.line, d.pos.col, d.message
            )?;
            if let Some(h) = &d.hint {
                write!(f, "\n  hint: {h}")?;
            }
        }
        Ok(())
    }
}
