"""vazhi on Spark (as AI4Bharat's Setu runs), through ``DataFrame.mapInArrow``.

Parquet files, with findings exactly as ``cargo vazhi lint`` gives them::

    import vazhi.spark
    findings = vazhi.spark.lint(["data/"], spark=spark)

Any DataFrame of records (rows are counted from each partition's start; name an ``id_column``
to place them)::

    out = df.mapInArrow(vazhi.spark.check_partitions(id_column="id"), vazhi.spark.RESULT_SCHEMA)
    findings = vazhi.spark.finish(out)
"""

import json
import os
import sys

import pyarrow as pa

from . import _units
from ._vazhi import Linter

__all__ = ["RESULT_SCHEMA", "check_partitions", "finish", "lint"]

#: What the functions given to ``mapInArrow`` return: per unit, its findings and its state.
RESULT_SCHEMA = "findings string, state binary"

_RESULT = pa.schema([("findings", pa.string()), ("state", pa.binary())])


def _result(text, state):
    return pa.RecordBatch.from_pydict({"findings": [text], "state": [state]}, schema=_RESULT)


def lint(paths, config=None, *, spark=None, partitions=None, **options):
    """Lint Parquet files with Spark: one unit per row group, spread over ``partitions``
    partitions (default: the session's parallelism), the dataset states merged on the driver.
    Returns the findings ``vazhi.lint`` gives, as dicts. ``options`` are ``vazhi.Linter``'s.

    The workers' Python must have vazhi installed: a session this function starts runs them on
    this interpreter unless ``PYSPARK_PYTHON`` says otherwise; a session of yours runs them as
    it was started with."""
    from pyspark.sql import SparkSession

    if spark is None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = SparkSession.builder.getOrCreate()
    config = _units.settings_file(paths, config)
    units = _units.units(paths)
    if not units:
        return []
    partitions = partitions or spark.sparkContext.defaultParallelism

    def run(batches):
        linter = Linter(config, **options)
        for batch in batches:
            for unit in batch.to_pylist():
                yield _result(*_units.check_unit(linter, unit))

    frame = spark.createDataFrame(units, schema=_units.UNIT_SCHEMA).repartition(partitions)
    rows = frame.mapInArrow(run, RESULT_SCHEMA).collect()
    return _units.gather(Linter(config, **options), [(row["findings"], row["state"]) for row in rows])


def check_partitions(config=None, *, id_column=None, dataset="spark", **options):
    """A function for ``df.mapInArrow(f, RESULT_SCHEMA)``: each partition is a source of its
    own (``partition-N``, rows counted from its start) in the dataset ``dataset``."""

    def run(batches):
        from pyspark import TaskContext

        linter = Linter(config, **options)
        source = f"partition-{TaskContext.get().partitionId()}"
        first_row = 0
        for batch in batches:
            findings, state = linter.check_batch(
                batch, source=source, first_row=first_row, id_column=id_column, dataset=dataset
            )
            first_row += batch.num_rows
            yield _result(json.dumps(findings, ensure_ascii=False), state)

    return run


def finish(linted, config=None, **options):
    """The findings of a DataFrame mapped with ``check_partitions``: every partition's, and the
    dataset findings of their merged states, on the driver."""
    rows = linted.collect()
    return _units.gather(Linter(config, **options), [(row["findings"], row["state"]) for row in rows])
