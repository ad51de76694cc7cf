"""vazhi on a Ray cluster (Ray Data, as NeMo Curator and data-juicer run).

Parquet files, with findings exactly as ``cargo vazhi lint`` gives them::

    import ray, vazhi.ray
    ray.init(address="auto")
    findings = vazhi.ray.lint(["data/"])

Any Ray dataset (rows are counted from each block's start; name an ``id_column`` to place them)::

    out = ds.map_batches(vazhi.ray.VazhiLint, batch_format="pyarrow", concurrency=2,
                         fn_constructor_kwargs={"id_column": "id"})
    findings = vazhi.ray.finish(out)
"""

import json
import uuid

import pyarrow as pa

from . import _units
from ._vazhi import Linter

__all__ = ["VazhiLint", "finish", "lint"]


class _UnitLinter:
    """Lints the row groups it is given; one linter per worker, built once."""

    def __init__(self, config, options):
        self.linter = Linter(config, **options)

    def __call__(self, batch):
        texts, states = [], []
        for unit in batch.to_pylist():
            text, state = _units.check_unit(self.linter, unit)
            texts.append(text)
            states.append(state)
        return pa.table({"findings": pa.array(texts, pa.string()), "state": pa.array(states, pa.binary())})


def lint(paths, config=None, *, concurrency=2, **options):
    """Lint Parquet files on the Ray cluster ``ray.init`` joined: one task per row group, the
    dataset states merged on the driver. Returns the findings ``vazhi.lint`` gives, as dicts.
    ``options`` are ``vazhi.Linter``'s."""
    import ray

    config = _units.settings_file(paths, config)
    units = _units.units(paths)
    if not units:
        return []
    linted = ray.data.from_items(units, override_num_blocks=len(units)).map_batches(
        _UnitLinter,
        fn_constructor_kwargs={"config": config, "options": options},
        batch_size=1,
        batch_format="pyarrow",
        concurrency=concurrency,
    )
    results = [(row["findings"], row["state"]) for row in linted.take_all()]
    return _units.gather(Linter(config, **options), results)


class VazhiLint:
    """``map_batches`` callable for any Ray dataset of records: each block is a source of its
    own (``block-…``, rows counted from its start) in the dataset ``dataset``. Returns one row
    per block: its findings as JSON text and its state; ``finish`` brings them together."""

    def __init__(self, config=None, *, id_column=None, dataset="ray", **options):
        self.linter = Linter(config, **options)
        self.id_column = id_column
        self.dataset = dataset

    def __call__(self, batch):
        source = f"block-{uuid.uuid4().hex[:12]}"
        findings, state = self.linter.check_batch(
            batch, source=source, id_column=self.id_column, dataset=self.dataset
        )
        return pa.table(
            {
                "findings": pa.array([json.dumps(findings, ensure_ascii=False)], pa.string()),
                "state": pa.array([state], pa.binary()),
            }
        )


def finish(linted, config=None, **options):
    """The findings of a dataset mapped with ``VazhiLint``: every block's, and the dataset
    findings of their merged states, on the driver."""
    rows = linted.take_all()
    return _units.gather(Linter(config, **options), [(row["findings"], row["state"]) for row in rows])
