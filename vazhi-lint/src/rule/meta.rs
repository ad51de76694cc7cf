//! Who a rule is: its code, name, default severity, scope and documentation, as findings and
//! reports name it. Nothing here runs a rule, so findings and reports depend on this and not on
//! the rule traits.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a rule looks at, which decides how the engine runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Reported by the readers themselves (unreadable input).
    Reader,
    /// One record at a time, in parallel.
    Record,
    /// A whole dataset, as a mergeable aggregate.
    Dataset,
}

/// Everything about a rule that does not depend on settings. Declared with [`declare_rule!`] so the
/// doc comment is the documentation printed by `cargo vazhi rule` and rendered to rules/NAME.md.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub scope: Scope,
    pub summary: &'static str,
    pub doc: &'static str,
}

impl RuleMeta {
    /// The doc comment with the one-space indent of `///` removed.
    pub fn documentation(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out
    }
}

/// Declares a rule's metadata from its doc comment, like clippy's `declare_clippy_lint!`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $ident:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            scope: $scope:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $ident: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            code: $code,
            name: $name,
            severity: $crate::rule::Severity::$severity,
            scope: $crate::rule::Scope::$scope,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
        };
    };
}
