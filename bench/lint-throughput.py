#!/usr/bin/env python3
"""Throughput and peak memory of `cargo vazhi lint` on a >= 200 MB messages-format corpus.

Builds the corpus from the 1330 kurals in rules/data and their commentaries in tests/data (once, under $CARGO_TARGET_DIR/bench/), then
runs the release binary on 1 and 2 threads N times each, and reports MB/s of the best and the median run,
records/s (median) and peak RSS.

    python3 bench/lint-throughput.py [--size-mb 200] [--runs 3] [--extra-args "..."] [--corpus kurals|sft] [--per-rule]

With a tokenizer, the token rules alone (`--select VZ3`) on the same corpus, counted two ways: vazhi's
engine (count-only BPE, byte bound) and the baseline `--token-engine encode` (`Tokenizer::encode` of
the tokenizers crate for every sample, no bound). It checks that both give byte-identical findings,
reports the speed-up, and, from one `--statistics` run, how many samples the byte bound settles. The
kurals fit a 1024-token window, so the findings are also compared at windows that cut them
(`--check-windows`, on the corpus's first `--check-mb` MB):

    python3 bench/lint-throughput.py --tokenizer tests/data/qwen-tokenizer.json --max-seq-len 1024

`--datatrove PYTHON` times the issue's other reference point, interleaved run by run with vazhi on
the same two shards of the corpus: datatrove 0.10.1 keeping answers mostly in Tamil and running
Gopher's repetition filter with its Tamil word tokenizer (bench/datatrove_baseline.py, 2 workers),
against vazhi's same checks (`--select VZ0,VZ1,VZ205`) and all its rules, 2 threads. PYTHON is an
interpreter with datatrove installed (see that file); nothing else here needs it.

    python3 bench/lint-throughput.py --datatrove /var/tmp/datatrove-venv/bin/python --runs 3

`--baseline` times the issue's reference point instead, interleaved run by run with the reader rows
(`--select VZ0,VZ1`) so both see the machine at the same speed: each line parsed into a
`serde_json::Value` and the answers' Tamil characters counted (vazhi-lint/examples/value_baseline.rs).

    python3 bench/lint-throughput.py --baseline --runs 7
"""

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reference_kurals() -> list[dict]:
    """The reference kurals joined by number with their commentaries, as the tests read them."""
    kurals = json_lines(ROOT / "rules" / "data" / "thirukkural.jsonl")
    commentary = json_lines(ROOT / "tests" / "data" / "reference" / "thirukkural-commentary.jsonl")
    for kural, extra in zip(kurals, commentary, strict=True):
        assert kural["number"] == extra["number"]
        kural.update(extra)
    return kurals


def write_records(path: Path, size_mb: int, next_record) -> int:
    """Writes `next_record()` as JSON Lines until the file reaches size_mb; returns the count.
    A path ending in `.zst` is written through `zstd` with an 8 MiB window, which holds every
    distinct paragraph of either corpus: a reader must hold the window the file was written with,
    and `--long=27` would add 128 MiB to the linter's peak memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    records = 0
    written = 0
    compressor = None
    if path.suffix == ".zst":
        compressor = subprocess.Popen(["zstd", "-q", "-f", "-3", "--long=23", "-o", str(path)], stdin=subprocess.PIPE)
        out = io.TextIOWrapper(compressor.stdin, encoding="utf-8")
    else:
        out = path.open("w", encoding="utf-8")
    with out:
        while written < size_mb * 1_000_000:
            line = json.dumps(next_record(), ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            records += 1
    if compressor and compressor.wait() != 0:
        sys.exit(f"zstd failed writing {path}")
    return records


def build_corpus(path: Path, size_mb: int) -> int:
    """Writes records until the file reaches size_mb; 95% clean Tamil, 5% English answers."""
    kurals = reference_kurals()
    rng = random.Random(1330)

    def record() -> dict:
        kural = rng.choice(kurals)
        question = f"திருக்குறள் {kural['number']} என்ன? அதன் பொருளை விளக்குக."
        if rng.random() < 0.05:
            answer = kural["english"] + "\n\n" + kural["english_explanation"]
        else:
            answer = f"“{kural['tamil']}”\n\nபொருள்: {kural['meaning_varadarasanar']}\n\n{kural['meaning_solomon_pappaiah']}"
        return {
            "messages": [
                {"role": "system", "content": "நீங்கள் VAZHI, ஒரு தமிழ் உதவியாளர்."},
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ],
            "language": "pure_tamil",
            "category": kural["chapter"],
        }

    return write_records(path, size_mb, record)


def prose_paragraphs() -> list[str]:
    """Ordinary modern Tamil prose from the repository's own real texts: the essay's paragraphs,
    the poems' prose explanations and the kurals' commentaries (which explain, not quote)."""
    essay = (ROOT / "tests" / "data" / "reference" / "opentamil-turing-essay.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in essay.split("\n\n") if len(p.strip()) > 80]
    poems = json_lines(ROOT / "tests" / "data" / "reference" / "tamilkavi-poems.jsonl")
    paragraphs += [poem["meaning"] for poem in poems if poem.get("meaning")]
    for kural in reference_kurals():
        paragraphs += [kural["meaning_varadarasanar"], kural["meaning_solomon_pappaiah"]]
    return paragraphs


def build_sft_corpus(path: Path, size_mb: int) -> int:
    """Instruction/answer records of two to five paragraphs of ordinary Tamil prose; 1% of the
    answers quote a kural, 3% are in English. The ordinary SFT set the speed issue asks for."""
    paragraphs = prose_paragraphs()
    kurals = reference_kurals()
    rng = random.Random(2026)

    def record() -> dict:
        roll = rng.random()
        if roll < 0.01:
            kural = rng.choice(kurals)
            instruction = f"திருக்குறள் {kural['number']} பற்றி விளக்குக."
            output = f"“{kural['tamil']}”\n\n{kural['meaning_solomon_pappaiah']}"
        elif roll < 0.04:
            kural = rng.choice(kurals)
            instruction = "Explain this idea in simple words."
            output = kural["english_explanation"]
        else:
            instruction = rng.choice(["இதைப் பற்றி விரிவாக எழுதுக.", "சுருக்கமாக விளக்குக.", "இதன் கருத்து என்ன?", "ஒரு கட்டுரை எழுதுக."])
            output = "\n\n".join(rng.choice(paragraphs) for _ in range(rng.randint(2, 5)))
        return {"instruction": instruction, "input": "", "output": output}

    return write_records(path, size_mb, record)


def rule_codes(binary: Path) -> list[str]:
    """Every rule's code, from `cargo vazhi rules`."""
    listing = subprocess.run([str(binary), "vazhi", "rules"], check=True, capture_output=True, text=True).stdout
    return [line.split()[0] for line in listing.splitlines() if line.startswith("VZ")]


def run(binary: Path, corpus: Path, threads: int, extra: list[str], out: Path | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in kB, exit status of one lint run; the findings go to `out` (JSON Lines)."""
    elapsed, rss_kb, code, _ = run_with_cpu(binary, corpus, threads, extra, out)
    return elapsed, rss_kb, code


def run_with_cpu(binary: Path, corpus: Path, threads: int, extra: list[str], out: Path | None = None) -> tuple[float, int, int, float]:
    """Like `run`, with the CPU seconds (user + system) the run took."""
    args = [str(binary), "vazhi", "lint", "--threads", str(threads), "--format", "jsonl", "--exit-zero", "--no-progress", *extra, str(corpus)]
    start = time.perf_counter()
    with (out.open("wb") if out else open(os.devnull, "wb")) as sink:
        child = subprocess.Popen(args, stdout=sink)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime


def timed(binary: Path, corpus: Path, threads: int, extra: list[str], runs: int, out: Path | None = None) -> tuple[float, float, int]:
    """Best and median wall seconds and peak RSS in kB over `runs` runs. On a shared machine the
    best run shows what the code can do and the median what a user sees; both are reported."""
    times = []
    peak = 0
    for _ in range(runs):
        elapsed, rss_kb, code = run(binary, corpus, threads, extra, out)
        if code != 0:
            sys.exit(f"lint exited {code}")
        times.append(elapsed)
        peak = max(peak, rss_kb)
    return min(times), statistics.median(times), peak


def token_bench(binary: Path, corpus: Path, records: int, options: argparse.Namespace) -> None:
    """The token rules, vazhi's engine against `Tokenizer::encode`, with identical findings."""
    size = corpus.stat().st_size
    tokenizer = str(Path(options.tokenizer).resolve())
    tokens = ["--select", "VZ3", "--tokenizer", tokenizer, "--max-seq-len", str(options.max_seq_len)]

    # One statistics run: exact counts of every sample, and how many the byte bound settles when
    # statistics are not asked for (they need every count, so in this run the bound settles none).
    stats_args = [str(binary), "vazhi", "lint", "--threads", "2", "--statistics", "--format", "json", "--exit-zero", "--no-progress", *tokens, str(corpus)]
    stats = json.loads(subprocess.run(stats_args, check=True, capture_output=True).stdout)["token_stats"]
    dataset = stats["datasets"][0]
    samples = dataset["samples"]
    counting = dataset["counting"]
    print(f"tokenizer: {options.tokenizer} ({stats['engine']}), window {stats['max_seq_len']} tokens")
    print(f"samples: {samples:,}; prompt tokens {dataset['prompt_tokens']}; response tokens {dataset['response_tokens']}")
    print(f"over the window: {dataset['prompt_at_or_over_limit']:,} prompts at or over it, {dataset['total_over_limit']:,} prompt + response over it")
    fertility = dataset["fertility"]
    print(f"Tamil fertility: {fertility['tokens_per_tamil_char']:.3f} tokens per Tamil character, {fertility['tokens_per_tamil_word']:.2f} per Tamil word")
    print(
        f"settled by the byte bound without counting: {counting['bound_would_settle']:,} of {samples:,} "
        f"({100 * counting['bound_would_settle'] / max(samples, 1):.1f}%) in a lint run; the statistics run counted all of them, "
        f"{counting['counted']:,} with the count-only BPE and {counting['encoded']:,} with Tokenizer::encode"
    )

    findings_dir = corpus.parent / "findings"
    findings_dir.mkdir(exist_ok=True)
    engines = [("vazhi (count-only BPE + byte bound)", []), ("baseline: Tokenizer::encode", ["--token-engine", "encode"])]
    best: dict[tuple[int, int], float] = {}
    digests: dict[str, tuple[str, int]] = {}
    print(f"{'engine':<38} {'threads':>7}  {'best s':>7}  {'MB/s':>7}  {'records/s':>10}  {'peak RSS':>9}")
    for index, (label, extra) in enumerate(engines):
        runs = options.runs if index == 0 else options.baseline_runs
        for threads in (1, 2):
            out = findings_dir / f"engine{index}-threads{threads}.jsonl"
            seconds, _, peak = timed(binary, corpus, threads, tokens + extra, runs, out)
            best[(index, threads)] = seconds
            body = out.read_bytes()
            digests[f"{label}, {threads} thread(s)"] = (hashlib.sha256(body).hexdigest(), body.count(b"\n"))
            print(f"{label:<38} {threads:>7}  {seconds:>7.2f}  {size / 1e6 / seconds:>7.1f}  {records / seconds:>10,.0f}  {peak / 1024:>6.0f} MB")
    if len({digest for digest, _ in digests.values()}) != 1:
        for name, (digest, lines) in digests.items():
            print(f"  {name}: {lines} findings, sha256 {digest[:16]}")
        sys.exit("the findings differ between engines or thread counts")
    lines = next(iter(digests.values()))[1]
    print(f"findings: identical in all {len(digests)} runs ({lines:,} findings, byte for byte)")

    # At a window the corpus fits there is nothing to disagree about, so the verdicts are also
    # compared at windows that cut many samples, on the corpus's first records (encode is slow).
    head = corpus.with_name(f"{corpus.stem}.head{options.check_mb}mb.jsonl")
    if not head.exists():
        with corpus.open("rb") as source, head.open("wb") as out:
            written = 0
            for line in source:
                if written >= options.check_mb * 1_000_000:
                    break
                out.write(line)
                written += len(line)
    for window in [int(w) for w in options.check_windows.split(",") if w]:
        windowed = ["--select", "VZ3", "--tokenizer", tokenizer, "--max-seq-len", str(window)]
        bodies = []
        for index, (_, extra) in enumerate(engines):
            out = findings_dir / f"head-window{window}-engine{index}.jsonl"
            timed(binary, head, 2, windowed + extra, 1, out)
            bodies.append(out.read_bytes())
        rules: dict[str, int] = {}
        for line in bodies[0].splitlines():
            rule = json.loads(line)["rule"]
            rules[rule] = rules.get(rule, 0) + 1
        if bodies[0] != bodies[1]:
            sys.exit(f"the findings differ between engines at window {window} on {head.name}")
        print(f"findings at window {window} on the first {head.stat().st_size / 1e6:.0f} MB: identical for both engines, byte for byte ({rules or 'none'})")
    print(
        f"speed-up on 2 threads: {best[(1, 2)] / best[(0, 2)]:.1f}x Tokenizer::encode on 2 threads "
        f"({best[(1, 1)] / best[(0, 2)]:.1f}x encode on 1 thread); on 1 thread: {best[(1, 1)] / best[(0, 1)]:.1f}x"
    )


def baseline_bench(binary: Path, corpus: Path, records: int, runs: int) -> None:
    """vazhi's reader rows against the `value_baseline` example, alternating run by run."""
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "vazhi-lint", "--example", "value_baseline"], cwd=ROOT, check=True
    )
    baseline = target_dir() / "bench" / "value_baseline"
    shutil.copy2(target_dir() / "release" / "examples" / "value_baseline", baseline)
    size = corpus.stat().st_size
    print(f"{'what':<44} {'threads':>7}  {'best MB/s':>9}  {'median MB/s':>11}")
    for threads in (1, 2):
        times: dict[str, list[float]] = {"vazhi": [], "baseline": []}
        for _ in range(runs):
            elapsed, _, code = run(binary, corpus, threads, ["--select", "VZ0,VZ1"])
            if code != 0:
                sys.exit(f"lint exited {code}")
            times["vazhi"].append(elapsed)
            start = time.perf_counter()
            subprocess.run([str(baseline), str(corpus), str(threads)], check=True, stdout=subprocess.DEVNULL)
            times["baseline"].append(time.perf_counter() - start)
        labels = {
            "vazhi": "cargo vazhi lint --select VZ0,VZ1",
            "baseline": "serde_json::Value + count Tamil (baseline)",
        }
        for key, label in labels.items():
            best, median = min(times[key]), statistics.median(times[key])
            print(f"{label:<44} {threads:>7}  {size / 1e6 / best:>9.0f}  {size / 1e6 / median:>11.0f}")
        ratio = statistics.median(times["baseline"]) / statistics.median(times["vazhi"])
        print(f"{'':<44} {threads:>7}  vazhi is {ratio:.1f}x the baseline (medians)")


def shards(corpus: Path) -> Path:
    """The corpus as two shards of about half its size each, cut at a line's end, in a folder of
    their own (written once): datatrove runs one task per file."""
    folder = corpus.with_name(corpus.name.replace(".jsonl", "") + "-2-shards")
    if folder.is_dir() and len(list(folder.glob("*.jsonl"))) == 2:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    data = corpus.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    (folder / "shard-0.jsonl").write_bytes(data[:cut])
    (folder / "shard-1.jsonl").write_bytes(data[cut:])
    return folder


def datatrove_bench(binary: Path, corpus: Path, python: str, runs: int) -> None:
    """datatrove's Tamil-ratio and Gopher repetition pipeline against vazhi on the same shards,
    alternating run by run, all on 2 workers."""
    folder = shards(corpus)
    size = sum(path.stat().st_size for path in folder.glob("*.jsonl"))
    logs = target_dir() / "bench" / "datatrove-logs"
    rows = {
        "vazhi, the same checks (VZ0,VZ1,VZ205)": ["--select", "VZ0,VZ1,VZ205"],
        "vazhi, all rules": ["--select", "ALL"],
    }
    times: dict[str, list[float]] = {label: [] for label in [*rows, "datatrove 0.10.1"]}
    for _ in range(runs):
        for label, extra in rows.items():
            elapsed, _, code = run(binary, folder, 2, extra)
            if code != 0:
                sys.exit(f"lint exited {code}")
            times[label].append(elapsed)
        shutil.rmtree(logs, ignore_errors=True)
        start = time.perf_counter()
        subprocess.run(
            [python, str(ROOT / "bench" / "datatrove_baseline.py"), str(folder), "2", str(logs)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        times["datatrove 0.10.1"].append(time.perf_counter() - start)
    print(f"two shards, {size / 1e6:.1f} MB, 2 threads / workers, medians of {runs}")
    datatrove = statistics.median(times["datatrove 0.10.1"])
    print(f"{'what':<42} {'median s':>8}  {'MB/s':>7}  {'x datatrove':>11}")
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{label:<42} {median:>8.2f}  {size / 1e6 / median:>7.1f}  {datatrove / median:>10.1f}x")


def per_rule_bench(binary: Path, corpus: Path, records: int, runs: int) -> None:
    """Each rule alone (`--select CODE`), the reader alone, and all rules, on 2 threads: which
    rule decides the speed a user sees. Rules that need a tokenizer run without one and only
    read the records."""
    size = corpus.stat().st_size
    rows = [("reader alone (VZ001)", ["--select", "VZ001"])]
    rows += [(code, ["--select", code]) for code in rule_codes(binary) if code != "VZ001"]
    rows.append(("all rules", ["--select", "ALL"]))
    print(f"{'rules (2 threads)':<24} {'best s':>7}  {'MB/s':>7}  {'median s':>8}  {'MB/s':>7}  {'peak RSS':>9}")
    for label, extra in rows:
        best, median, peak = timed(binary, corpus, 2, extra, runs)
        print(f"{label:<24} {best:>7.2f}  {size / 1e6 / best:>7.0f}  {median:>8.2f}  {size / 1e6 / median:>7.0f}  {peak / 1024:>6.0f} MB")


def previous_bench(binary: Path, previous: Path, corpus: Path, runs: int, threads: int, extra_args: list[str]) -> None:
    """This build against an earlier one, alternating run by run so both see the machine at the
    same speed: all rules, then the slowest rules alone. Wall time is what a user waits; CPU time
    (user + system) moves less when the VM's speed swings from one run to the next, and on one
    thread it is the steadier measure of the code. `extra_args` go to every run; with a
    `--tokenizer` among them the token rules alone (`VZ3`) get a row of their own."""
    size = corpus.stat().st_size
    rows = [("all rules", ["--select", "ALL"])]
    if "--tokenizer" in extra_args:
        rows.append(("VZ3 token rules", ["--select", "VZ3"]))
    rows += [
        (f"{code} {name}", ["--select", code])
        for code, name in [("VZ401", "kural-mismatch"), ("VZ205", "repetition"), ("VZ206", "duplicate"), ("VZ402", "tamil-unicode"), ("VZ405", "not-nfc"), ("VZ204", "template-leak")]
    ]
    rows = [(label, extra + extra_args) for label, extra in rows]
    if extra_args:
        print(f"every run with: {' '.join(extra_args)}")
    print(
        f"{f'rules ({threads} thread' + ('s)' if threads > 1 else ')'):<24} {'previous MB/s':>13}  {'this MB/s':>9}  {'speed-up':>8}"
        f"  {'previous CPU s':>14}  {'this CPU s':>10}  {'speed-up':>8}   (medians of {runs})"
    )
    for label, extra in rows:
        wall: dict[str, list[float]] = {"previous": [], "this": []}
        cpu: dict[str, list[float]] = {"previous": [], "this": []}
        for _ in range(runs):
            for key, program in (("previous", previous), ("this", binary)):
                elapsed, _, code, seconds = run_with_cpu(program, corpus, threads, extra)
                if code != 0:
                    sys.exit(f"{program} exited {code}")
                wall[key].append(elapsed)
                cpu[key].append(seconds)
        before, after = statistics.median(wall["previous"]), statistics.median(wall["this"])
        cpu_before, cpu_after = statistics.median(cpu["previous"]), statistics.median(cpu["this"])
        print(
            f"{label:<24} {size / 1e6 / before:>13.0f}  {size / 1e6 / after:>9.0f}  {before / after:>7.2f}x"
            f"  {cpu_before:>14.2f}  {cpu_after:>10.2f}  {cpu_before / cpu_after:>7.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--extra-args", default="")
    parser.add_argument("--baseline", action="store_true", help="compare with the serde_json::Value baseline, interleaved")
    parser.add_argument("--tokenizer", help="benchmark the token rules with this tokenizer.json")
    parser.add_argument("--max-seq-len", type=int, default=1024)
    parser.add_argument("--baseline-runs", type=int, default=2, help="runs of the slow Tokenizer::encode baseline")
    parser.add_argument("--check-windows", default="94,400", help="more windows to compare both engines' findings at")
    parser.add_argument("--check-mb", type=int, default=20, help="MB of the corpus those comparisons read")
    parser.add_argument("--corpus", choices=["kurals", "sft"], default="kurals", help="kurals: every record quotes a kural (the worst case); sft: ordinary prose, 1%% kural quotes")
    parser.add_argument("--per-rule", action="store_true", help="each rule alone, then all together (2 threads)")
    parser.add_argument("--previous", help="another cargo-vazhi binary (an earlier build) to time run by run against this one (with --extra-args on every run)")
    parser.add_argument("--threads", type=int, default=2, help="worker threads for --previous (1 gives the steadiest CPU times)")
    parser.add_argument("--datatrove", metavar="PYTHON", help="time datatrove's Tamil-ratio + Gopher repetition pipeline (bench/datatrove_baseline.py, run by this interpreter) against vazhi, interleaved")
    parser.add_argument("--write-corpus", metavar="PATH", help="only write the corpus of --size-mb to PATH (`.zst`: compressed), print its record count, and stop")
    options = parser.parse_args()
    if options.write_corpus:
        build = build_sft_corpus if options.corpus == "sft" else build_corpus
        print(f"{build(Path(options.write_corpus), options.size_mb):,} records")
        return

    subprocess.run(["cargo", "build", "--release", "-q", "-p", "cargo-vazhi"], cwd=ROOT, check=True)
    # A private copy: another checkout building into the same target directory must not swap the
    # binary between runs.
    binary = target_dir() / "bench" / "cargo-vazhi"
    binary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target_dir() / "release" / "cargo-vazhi", binary)
    if options.corpus == "sft":
        corpus = target_dir() / "bench" / f"sft-{options.size_mb}mb.alpaca.jsonl"
        build = build_sft_corpus
    else:
        corpus = target_dir() / "bench" / f"kurals-{options.size_mb}mb.messages.jsonl"
        build = build_corpus
    records_file = corpus.with_suffix(".records")
    if not corpus.exists() or not records_file.exists():
        records_file.parent.mkdir(parents=True, exist_ok=True)
        records_file.write_text(str(build(corpus, options.size_mb)))
    records = int(records_file.read_text())
    size = corpus.stat().st_size
    print(f"corpus: {corpus.name}, {size / 1e6:.1f} MB, {records:,} records; cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
    if options.tokenizer:
        token_bench(binary, corpus, records, options)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        return
    if options.baseline:
        baseline_bench(binary, corpus, records, options.runs)
        return
    if options.datatrove:
        datatrove_bench(binary, corpus, options.datatrove, options.runs)
        return
    if options.previous:
        previous_bench(binary, Path(options.previous), corpus, options.runs, options.threads, options.extra_args.split())
        return
    if options.per_rule:
        per_rule_bench(binary, corpus, records, options.runs)
        return
    configs = [("reader + script rules (VZ0, VZ1)", ["--select", "VZ0,VZ1"]), ("all rules", ["--select", "ALL"])]
    if options.extra_args:
        configs = [(options.extra_args, options.extra_args.split())]
    print(f"{'rules':<34} {'threads':>7}  {'best s':>7}  {'MB/s':>7}  {'median s':>8}  {'MB/s':>7}  {'records/s':>10}  {'peak RSS':>9}")
    for label, extra in configs:
        for threads in (1, 2):
            best, median, peak = timed(binary, corpus, threads, extra, options.runs)
            print(
                f"{label:<34} {threads:>7}  {best:>7.2f}  {size / 1e6 / best:>7.0f}  {median:>8.2f}  {size / 1e6 / median:>7.0f}"
                f"  {records / median:>10,.0f}  {peak / 1024:>6.0f} MB"
            )


if __name__ == "__main__":
    main()
