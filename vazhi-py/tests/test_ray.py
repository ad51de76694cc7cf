"""Ray Data on a real local cluster: a head node and a second node process joined to it on
127.0.0.1, each with two CPUs (one for the linting actor, one for reading), so the row groups of one file are linted on both."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import vazhi
from helpers import corpus_with_cli_findings, placed_by_id, without_rows

ray = pytest.importorskip("ray")
import vazhi.ray  # noqa: E402  (after the skip: the module imports pyarrow and is for Ray users)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    command = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"
    port = free_port()
    address = f"127.0.0.1:{port}"
    temp = tmp_path_factory.mktemp("ray")
    # A home of its own: a ~/.ray/auth_token left by another Ray session makes the second node's
    # join fail with an authentication error.
    home = tmp_path_factory.mktemp("home")
    saved_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    common = ["--num-cpus=2", "--object-store-memory=100000000", "--disable-usage-stats"]

    def ray_start(*args):
        done = subprocess.run([command, "start", *args, *common], env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"ray start {' '.join(args)}: {done.stderr[-2000:]}"

    ray_start("--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--include-dashboard=false", f"--temp-dir={temp}")
    try:
        ray_start(f"--address={address}", "--node-ip-address=127.0.0.1")
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
        assert len([node for node in ray.nodes() if node["Alive"]]) == 2
        yield address
    finally:
        ray.shutdown()
        subprocess.run([command, "stop", "--force"], env=env, capture_output=True, timeout=120)
        if saved_home is not None:
            os.environ["HOME"] = saved_home


def test_ray_lint_equals_the_cli_on_parquet_files(cluster, tmp_path):
    files, expected = corpus_with_cli_findings(tmp_path)
    assert vazhi.ray.lint(files) == expected
    # A folder is its Parquet files.
    assert vazhi.ray.lint([tmp_path]) == expected


def test_map_batches_on_any_ray_dataset_places_findings_by_id(cluster, tmp_path):
    files, expected = corpus_with_cli_findings(tmp_path)
    data = ray.data.read_parquet(files).repartition(5)
    linted = data.map_batches(
        vazhi.ray.VazhiLint,
        batch_format="pyarrow",
        batch_size=None,
        concurrency=2,
        fn_constructor_kwargs={"config": str(tmp_path / "vazhi.toml"), "id_column": "id", "dataset": "sft"},
    )
    assert linted.count() == 5, "one row per block"
    findings = vazhi.ray.finish(linted, tmp_path / "vazhi.toml")

    assert placed_by_id(findings) == placed_by_id(expected)
    copies = [f for f in findings if f["code"] == "VZ206"]
    assert len(copies) == len([f for f in expected if f["code"] == "VZ206"])
    assert sorted(f["code"] for f in without_rows(findings)) == sorted(f["code"] for f in without_rows(expected))
