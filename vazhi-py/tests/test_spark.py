"""Spark in local mode with several partitions, through `mapInArrow`."""

import os
import sys

import pytest

import vazhi
from helpers import corpus_with_cli_findings, placed_by_id, without_rows

pyspark = pytest.importorskip("pyspark")
import vazhi.spark  # noqa: E402  (after the skip: the module is for Spark users)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    # The workers' Python is this one, which has vazhi: not whatever `python3` is on PATH. Spark
    # reads it when the context starts.
    saved = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("vazhi-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if saved is None:
        del os.environ["PYSPARK_PYTHON"]
    else:
        os.environ["PYSPARK_PYTHON"] = saved


def test_spark_lint_equals_the_cli_on_parquet_files(spark, tmp_path):
    files, expected = corpus_with_cli_findings(tmp_path)
    assert vazhi.spark.lint(files, spark=spark, partitions=5) == expected


def test_map_in_arrow_on_any_dataframe_places_findings_by_id(spark, tmp_path):
    files, expected = corpus_with_cli_findings(tmp_path)
    config = str(tmp_path / "vazhi.toml")
    # mergeSchema: without it Spark reads every file with the first one's columns.
    frame = spark.read.option("mergeSchema", "true").parquet(*files).repartition(4)
    assert frame.rdd.getNumPartitions() == 4
    linted = frame.mapInArrow(
        vazhi.spark.check_partitions(config, id_column="id", dataset="sft"), vazhi.spark.RESULT_SCHEMA
    )
    findings = vazhi.spark.finish(linted, config)

    assert placed_by_id(findings) == placed_by_id(expected)
    copies = [f for f in findings if f["code"] == "VZ206"]
    assert len(copies) == len([f for f in expected if f["code"] == "VZ206"])
    assert sorted(f["code"] for f in without_rows(findings)) == sorted(f["code"] for f in without_rows(expected))
