//! Diagnostics: every problem found in user input, with where it is and how to fix it.

use std::fmt;

/// A position in a zone or config file a user wrote: 1-based line and column.
///
/// The column counts characters in YAML (as the YAML parser reports them)
/// and octets in RFC 1035 zone files, whose text is octets; the two agree
/// on ASCII. Positions order by line, then column, which is the order
/// [`Diagnostics`] lists problems in. A `Pos` is printed only as part of a
/// [`Diagnostics`] line (`file:line:col: error: ...`), so it has no
/// `Display` of its own.
///
/// `sops::Location` is the same idea for a SOPS file's syntax error (line and
/// column in characters, displayed `line:col` inside its error message). The
/// two are kept apart on purpose: `zone` and `sops` do not depend on each
/// other, and a shared crate for a two-field struct would cost more than it
/// saves. Code that holds both converts field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl Pos {
    /// The position at `line` and `col` (both 1-based).
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
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

    /// The same problem, as a warning.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// The same problem, with a hint on how to fix it.
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
    /// The file, as the user named it.
    pub file: String,
    /// The problems, in the order of their positions.
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The problems found in `file`, sorted by position.
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
