"""The examples run as the README says, and say what the CLI says."""

import os
import subprocess
import sys

import pytest

from helpers import ROOT, SAMPLES, cli_lint


def run_example(name, *args, home):
    # A home of its own: a local Ray leaves ~/.ray/auth_token behind.
    env = dict(os.environ, HOME=str(home), RAY_USAGE_STATS_ENABLED="0")
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / name), *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_datasets_filter(tmp_path):
    path = SAMPLES / "defective" / "mislabeled.parquet"
    lines = run_example("datasets_filter.py", path, tmp_path / "clean", home=tmp_path)
    expected, _ = cli_lint(str(path))
    assert len(lines) == len(expected) + 1
    assert lines[-1].endswith("records are clean")
    assert (tmp_path / "clean" / "dataset_info.json").exists()


@pytest.mark.parametrize("name", ["ray_lint.py", "spark_lint.py"])
def test_cluster_examples_count_the_clis_findings(name, tmp_path):
    pytest.importorskip(name.split("_")[0].replace("spark", "pyspark"))
    files = sorted(str(path.relative_to(ROOT)) for path in SAMPLES.rglob("*.parquet"))
    expected, _ = cli_lint(*files)
    lines = run_example(name, "corpora-samples", home=tmp_path)
    assert lines[-1] == f"{len(expected)} findings"
