"""Lint a Hugging Face dataset and keep its clean records.

    python examples/datasets_filter.py corpora-samples/defective/mislabeled.parquet

Loads the file as a `datasets.Dataset` (any Dataset or DatasetDict works the same), prints what
vazhi finds, and saves the records `cargo vazhi split` would keep.
"""

import sys

import datasets

import vazhi

path = sys.argv[1]
ds = datasets.load_dataset("parquet", data_files=path, split="train")
findings = vazhi.lint_dataset(ds)
for finding in findings:
    print(f"{finding['path']} row {finding['row']}: {finding['code']} {finding['message']}")
clean = vazhi.filter(ds)
print(f"{clean.num_rows} of {ds.num_rows} records are clean")
if len(sys.argv) > 2:
    clean.save_to_disk(sys.argv[2])
