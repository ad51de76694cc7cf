"""Lint Parquet files with Spark: one unit per row group through `mapInArrow`, the dataset
rules' states merged on the driver, findings as `cargo vazhi lint` gives them.

    python examples/spark_lint.py corpora-samples/
"""

import os
import sys

from pyspark.sql import SparkSession

import vazhi.spark

# The workers run this Python, which has vazhi installed (Spark reads it as the context starts).
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
findings = vazhi.spark.lint(sys.argv[1:], spark=spark, partitions=4)
for finding in findings:
    place = f" row {finding['row']}" if finding["row"] is not None else ""
    print(f"{finding['path']}{place}: {finding['code']} {finding['message']}")
print(f"{len(findings)} findings")
spark.stop()
