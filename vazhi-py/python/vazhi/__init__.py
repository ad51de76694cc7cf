"""vazhi: a data-quality linter for Tamil LLM training corpora, from Python.

Every rule runs in Rust (the same engine as ``cargo vazhi lint``); this package only passes
paths, options and Arrow data in and findings out.

    >>> import vazhi
    >>> report = vazhi.lint(["data/"])
    >>> report.exit_status, len(report)
    >>> report.findings[0]["message"]
    >>> report.to_arrow()          # a pyarrow.Table with the JSON output's columns

Arrow data, batch by batch (what the Ray and Spark helpers in ``vazhi.ray`` and ``vazhi.spark``
run on their workers):

    >>> linter = vazhi.Linter()
    >>> findings, state = linter.check_batch(batch, source="train.parquet", first_row=0)
    >>> findings += linter.finish([state])      # the states of every batch, in any order

A Hugging Face ``datasets`` user:

    >>> findings = vazhi.lint_dataset(ds)       # a Dataset or a DatasetDict
    >>> clean = vazhi.filter(ds)                # the records ``cargo vazhi split`` would keep
"""

from ._vazhi import ConfigError, GateRefused, Linter, Report, StateError, __version__, admit, lint

__all__ = [
    "ConfigError",
    "GateRefused",
    "Linter",
    "Report",
    "StateError",
    "__version__",
    "admit",
    "filter",
    "lint",
    "lint_dataset",
]


def _splits(ds):
    """(name, Dataset) for a DatasetDict's splits, or the one Dataset named by its split."""
    if hasattr(ds, "data") and hasattr(ds, "num_rows") and not hasattr(ds, "keys"):
        return [(str(ds.split) if getattr(ds, "split", None) is not None else "dataset", ds)]
    return [(str(name), split) for name, split in ds.items()]


def _arrow_table(ds):
    """A Dataset's rows as the pyarrow.Table it holds, without copying unless it is a selection
    (``select``, ``shuffle``, ``filter`` keep an index over the table, flattened here)."""
    if getattr(ds, "_indices", None) is not None:
        ds = ds.flatten_indices()
    return ds.data.table


def lint_dataset(ds, config=None, **options):
    """Lint a ``datasets.Dataset`` or ``DatasetDict`` on its Arrow table.

    Findings are dicts as ``vazhi.lint`` gives them; ``path`` is the split's name and ``row`` the
    record's index in it. Each split is its own dataset, as each file is for ``cargo vazhi lint``.
    ``options`` are ``vazhi.Linter``'s (``select``, ``ignore``, ``tokenizer``, ...).
    """
    linter = Linter(config, **options)
    findings = []
    states = []
    for name, split in _splits(ds):
        found, state = linter.check_batch(_arrow_table(split), source=name)
        findings += found
        states.append(state)
    findings += linter.finish(states)
    return _sorted(findings)


def filter(ds, config=None, *, strict=False, allow_dataset_errors=False, **options):  # noqa: A001
    """The records of a ``Dataset`` (or each split of a ``DatasetDict``) that ``cargo vazhi
    split`` would keep: those with no error-level finding (no finding at all with ``strict``).

    A finding that no record holds (a mix of layouts, a skewed category, a table vazhi cannot
    read) refuses the whole dataset with ``GateRefused``, as it refuses ``split``, unless
    ``allow_dataset_errors``; then a table vazhi cannot read keeps none of its records.
    """
    findings = lint_dataset(ds, config, **options)
    threshold = ("warning", "error") if strict else ("error",)
    blocking = [f for f in findings if f["row"] is None and f["severity"] == "error"]
    if blocking and not allow_dataset_errors:
        error = GateRefused(
            f"refused: {len(blocking)} dataset-level finding(s) at error level: "
            + "; ".join(f"{f['path']}: {f['message']}" for f in blocking[:3])
        )
        error.findings = blocking
        raise error
    kept = {}
    for name, split in _splits(ds):
        unreadable = any(f["path"] == name and f["code"] == "VZ001" for f in blocking)
        dropped = {f["row"] for f in findings if f["path"] == name and f["row"] is not None and f["severity"] in threshold}
        rows = [] if unreadable else [row for row in range(split.num_rows) if row not in dropped]
        kept[name] = split.select(rows)
    if hasattr(ds, "keys"):
        return type(ds)(kept)
    return next(iter(kept.values()))


def _sorted(findings):
    """Findings sorted as ``Report.findings`` of one file are: by path, place, rule, span, and
    then message, so that findings gathered from many workers come in one order."""

    def key(finding):
        row = finding["row"]
        line = finding["line"]
        place = (0, 0) if row is None and line is None else (1, line if row is None else row)
        span = (finding["span"] or {}).get("start", 0)
        return (finding["path"], place, finding["code"], span, finding["message"])

    return sorted(findings, key=key)
