"""Work for a cluster: each row group of each Parquet file is one unit, read and linted where it
runs with its first row known, so findings name the file's rows as ``cargo vazhi lint`` does and
the dataset states merge exactly."""

import json
from pathlib import Path

from ._vazhi import config_for

UNIT_SCHEMA = "path string, file string, row_group long, first_row long"


def parquet_files(paths):
    """The Parquet files under ``paths`` (files as given, folders searched, sorted), as the names
    findings will use."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(str(found) for found in path.rglob("*.parquet") if found.is_file())
        elif path.suffix == ".parquet":
            files.append(str(path))
        else:
            raise ValueError(
                f"{path}: the cluster helpers read Parquet files; lint other files with vazhi.lint, "
                "or pass their Arrow data to Linter.check_batch"
            )
    return files


def units(paths):
    """One dict per row group: ``path`` (the name findings use), ``file`` (absolute, for workers
    whose current folder differs), ``row_group`` and ``first_row``."""
    import pyarrow.parquet as pq

    out = []
    for path in parquet_files(paths):
        metadata = pq.ParquetFile(path).metadata
        first_row = 0
        for group in range(metadata.num_row_groups):
            out.append(
                {
                    "path": path,
                    "file": str(Path(path).resolve()),
                    "row_group": group,
                    "first_row": first_row,
                }
            )
            first_row += metadata.row_group(group).num_rows
    return out


def settings_file(paths, config):
    """The configuration the driver would use, by absolute name, for the workers."""
    if config is not None:
        return str(Path(config).resolve())
    files = parquet_files(paths)
    found = config_for(files[0]) if files else None
    return str(Path(found).resolve()) if found else None


#: Rows per batch a row group is read in: the linter checks one batch while the next is read.
BATCH_ROWS = 8192


def check_unit(linter, unit):
    """A unit's record findings (as JSON text, so they travel as one string) and its state."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(unit["file"])
    batches = parquet.iter_batches(batch_size=BATCH_ROWS, row_groups=[int(unit["row_group"])])
    stream = pa.RecordBatchReader.from_batches(parquet.schema_arrow, batches)
    findings, state = linter.check_batch(stream, source=unit["path"], first_row=int(unit["first_row"]))
    return json.dumps(findings, ensure_ascii=False), state


def gather(linter, results):
    """Every unit's findings and the dataset findings of their states, sorted as a run sorts."""
    from . import _sorted

    findings = []
    states = []
    for text, state in results:
        findings += json.loads(text)
        states.append(bytes(state))
    findings += linter.finish(states)
    return _sorted(findings)

