#!/usr/bin/env python3
"""Throughput and peak memory of `cargo vazhi lint` on a >= 200 MB messages-format corpus.

Builds the corpus from the 1330 kurals in ../shared/data (once, under target/bench/), then runs the
release binary on 1 and 2 threads, best of N runs, and reports MB/s, records/s and peak RSS.

    python3 bench/lint-throughput.py [--size-mb 200] [--runs 3] [--extra-args "..."]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build_corpus(path: Path, size_mb: int) -> int:
    """Writes records until the file reaches size_mb; 95% clean Tamil, 5% English answers."""
    kurals = [json.loads(line) for line in (SHARED / "thirukkural.jsonl").read_text().splitlines() if line.strip()]
    rng = random.Random(1330)
    path.parent.mkdir(parents=True, exist_ok=True)
    records = 0
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size_mb * 1_000_000:
            kural = rng.choice(kurals)
            question = f"திருக்குறள் {kural['number']} என்ன? அதன் பொருளை விளக்குக."
            if rng.random() < 0.05:
                answer = kural["english"] + "\n\n" + kural["english_explanation"]
            else:
                answer = f"“{kural['tamil']}”\n\nபொருள்: {kural['meaning_varadarasanar']}\n\n{kural['meaning_solomon_pappaiah']}"
            record = {
                "messages": [
                    {"role": "system", "content": "நீங்கள் VAZHI, ஒரு தமிழ் உதவியாளர்."},
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": answer},
                ],
                "language": "pure_tamil",
                "category": kural["chapter"],
            }
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            records += 1
    return records


def run(binary: Path, corpus: Path, threads: int, extra: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in kB, exit status of one lint run."""
    args = [str(binary), "vazhi", "lint", "--threads", str(threads), "--format", "jsonl", "--exit-zero", "--no-progress", *extra, str(corpus)]
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--extra-args", default="")
    options = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "cargo-vazhi"], cwd=ROOT, check=True)
    binary = target_dir() / "release" / "cargo-vazhi"
    corpus = target_dir() / "bench" / f"kurals-{options.size_mb}mb.messages.jsonl"
    records_file = corpus.with_suffix(".records")
    if not corpus.exists() or not records_file.exists():
        records_file.parent.mkdir(parents=True, exist_ok=True)
        records_file.write_text(str(build_corpus(corpus, options.size_mb)))
    records = int(records_file.read_text())
    size = corpus.stat().st_size
    print(f"corpus: {corpus.name}, {size / 1e6:.1f} MB, {records:,} records; cores: {os.cpu_count()}")
    configs = [("reader + script rules (VZ0, VZ1)", ["--select", "VZ0,VZ1"]), ("all rules", ["--select", "ALL"])]
    if options.extra_args:
        configs = [(options.extra_args, options.extra_args.split())]
    print(f"{'rules':<34} {'threads':>7}  {'best s':>7}  {'MB/s':>7}  {'records/s':>10}  {'peak RSS':>9}")
    for label, extra in configs:
        for threads in (1, 2):
            best = None
            peak = 0
            for _ in range(options.runs):
                elapsed, rss_kb, code = run(binary, corpus, threads, extra)
                if code != 0:
                    sys.exit(f"lint exited {code}")
                best = elapsed if best is None else min(best, elapsed)
                peak = max(peak, rss_kb)
            print(f"{label:<34} {threads:>7}  {best:>7.2f}  {size / 1e6 / best:>7.0f}  {records / best:>10,.0f}  {peak / 1024:>6.0f} MB")


if __name__ == "__main__":
    main()
