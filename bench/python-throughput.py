#!/usr/bin/env python3
"""Throughput of vazhi from Python against the CLI on the same Parquet corpus.

Builds the ordinary SFT corpus of lint-throughput.py (`--size-mb` of JSON Lines, once, under
$CARGO_TARGET_DIR/bench/) and writes it as Parquet, then times, interleaved run by run:

- the release CLI: `cargo vazhi lint --format jsonl FILE.parquet`;
- `Linter.check_batch` called once per record batch (`--batch-rows` rows each, read with
  pyarrow), then `Linter.finish` on their states: what a Ray or Spark worker does per block;
- `Linter.check_batch` given the file's batches as one stream, which it reads on a thread of its
  own while it lints: reading and linting overlap, as in the CLI;
- with `--ray`, `vazhi.ray.lint` on a local Ray with 2 CPUs (started once, not timed), whose
  overhead over the CLI is the scheduling the issue asks to state.

Needs the release wheel installed (`maturin build --release -m vazhi-py/Cargo.toml`) and the
release CLI (`cargo build --release -p cargo-vazhi`).

    python3 bench/python-throughput.py [--size-mb 200] [--runs 3] [--batch-rows 8192] [--ray]
"""

import argparse
import importlib.util
import json
import statistics
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq

import vazhi

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("lint_throughput", ROOT / "bench" / "lint-throughput.py")
lint_throughput = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lint_throughput)


def corpus(size_mb: int, group_rows: int) -> Path:
    folder = lint_throughput.target_dir() / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = folder / f"sft-{size_mb}mb.jsonl"
    if not jsonl.exists():
        lint_throughput.build_sft_corpus(jsonl, size_mb)
    parquet = folder / f"sft-{size_mb}mb.parquet"
    if not parquet.exists():
        table = pa_json.read_json(jsonl, read_options=pa_json.ReadOptions(block_size=64 << 20))
        pq.write_table(table, parquet, row_group_size=group_rows)
    return parquet


def cli_run(binary: Path, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [str(binary), "vazhi", "lint", "--format", "jsonl", "--exit-zero", "--no-progress", str(path)],
        check=True, capture_output=True,
    )
    return time.perf_counter() - start, len(done.stdout.splitlines())


def python_run(path: Path, batch_rows: int) -> tuple[float, int]:
    start = time.perf_counter()
    linter = vazhi.Linter()
    findings, states, first_row = 0, [], 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_rows):
        found, state = linter.check_batch(batch, source=str(path), first_row=first_row)
        findings += len(found)
        states.append(state)
        first_row += batch.num_rows
    findings += len(linter.finish(states))
    return time.perf_counter() - start, findings


def stream_run(path: Path, batch_rows: int) -> tuple[float, int]:
    start = time.perf_counter()
    linter = vazhi.Linter()
    parquet = pq.ParquetFile(path)
    stream = pa.RecordBatchReader.from_batches(parquet.schema_arrow, parquet.iter_batches(batch_size=batch_rows))
    findings, state = linter.check_batch(stream, source=str(path))
    return time.perf_counter() - start, len(findings) + len(linter.finish([state]))


def ray_run(path: Path) -> tuple[float, int]:
    import vazhi.ray

    start = time.perf_counter()
    findings = vazhi.ray.lint([str(path)], concurrency=2)
    return time.perf_counter() - start, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-rows", type=int, default=8192)
    parser.add_argument("--group-rows", type=int, default=16384, help="Parquet row-group size")
    parser.add_argument("--ray", action="store_true")
    options = parser.parse_args()
    binary = lint_throughput.target_dir() / "release" / "cargo-vazhi"
    path = corpus(options.size_mb, options.group_rows)
    rows = pq.ParquetFile(path).metadata.num_rows
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB Parquet, {rows} records, "
          f"{pq.ParquetFile(path).metadata.num_row_groups} row groups; batches of {options.batch_rows} rows")
    engines = {
        "cli": lambda: cli_run(binary, path),
        "batch by batch": lambda: python_run(path, options.batch_rows),
        "one stream": lambda: stream_run(path, options.batch_rows),
    }
    if options.ray:
        import ray

        ray.init(num_cpus=2, logging_level="ERROR", log_to_driver=False, include_dashboard=False)
        engines["ray (2 CPUs)"] = lambda: ray_run(path)
    times = {name: [] for name in engines}
    counts = {}
    for _ in range(options.runs):
        for name, engine in engines.items():
            elapsed, findings = engine()
            times[name].append(elapsed)
            counts[name] = findings
    cli = statistics.median(times["cli"])
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:14} median {median:6.2f} s  best {min(runs):6.2f} s  "
              f"{median / cli:5.2f}x the CLI  {counts[name]} findings")
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the engines disagree: {json.dumps(counts)}")


if __name__ == "__main__":
    main()
