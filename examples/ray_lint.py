"""Lint Parquet files on a Ray cluster: one task per row group, the dataset rules' states
merged on the driver, findings as `cargo vazhi lint` gives them.

    python examples/ray_lint.py corpora-samples/            # a local Ray
    RAY_ADDRESS=127.0.0.1:6379 python examples/ray_lint.py data/   # a running cluster
"""

import sys

import ray

import vazhi.ray

ray.init(logging_level="ERROR", log_to_driver=False)
findings = vazhi.ray.lint(sys.argv[1:], concurrency=2)
for finding in findings:
    place = f" row {finding['row']}" if finding["row"] is not None else ""
    print(f"{finding['path']}{place}: {finding['code']} {finding['message']}")
print(f"{len(findings)} findings")
