"""vazhi: a data-quality linter for Tamil LLM training corpora, from Python.

Every rule runs in Rust (the same engine as ``cargo vazhi lint``); this package only passes
paths and options in and findings out.

    >>> import vazhi
    >>> report = vazhi.lint(["data/"])
    >>> report.exit_status, len(report)
    >>> report.findings[0]["message"]
    >>> report.to_arrow()          # a pyarrow.Table with the JSON output's columns
"""

from ._vazhi import ConfigError, GateRefused, Report, __version__, admit, lint

__all__ = ["ConfigError", "GateRefused", "Report", "__version__", "admit", "lint"]
