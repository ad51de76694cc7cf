"""What the Python tests share: the CLI to compare with, and a corpus of Parquet files whose
dataset findings span files and row groups."""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "corpora-samples"


def cli_binary() -> Path:
    if "VAZHI_BIN" in os.environ:
        return Path(os.environ["VAZHI_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "cargo-vazhi"


def cli_lint(*args: str) -> tuple[list, int]:
    """`cargo vazhi lint --format json ARGS`: its findings and exit status."""
    done = subprocess.run(
        [str(cli_binary()), "vazhi", "lint", "--format", "json", "--no-progress", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.returncode


def records(name: str) -> list[dict]:
    with open(SAMPLES / "defective" / name, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def write_corpus(folder: Path) -> list[str]:
    """Three Parquet files of 16-row groups, grouped into one dataset by vazhi.toml: chat records
    with copies within and across files, a skewed `pack`, raw text beside the chat records, and
    an `id` column naming each row as `FILE:ROW`. Returns the files' names, sorted."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vazhi.toml").write_text('[[datasets]]\nname = "sft"\npaths = ["*.parquet"]\n')
    chat = [{"messages": r["messages"], "pack": r.get("pack")} for r in records("category-skew.jsonl")]
    chat += [{"messages": r["messages"], "pack": None} for r in records("duplicates.jsonl")]
    more = [dict(record) for record in chat[5:40:3]]
    more += [{"messages": r["messages"], "pack": "history"} for r in records("missing-assistant.messages.jsonl")]
    raw = [{"text": r["text"]} for r in records("mixed-format.jsonl") if "<|im_start|>" not in r["text"]]
    raw += raw[:2]
    files = []
    for name, rows in (("a-chat.parquet", chat), ("b-chat.parquet", more), ("c-raw.parquet", raw)):
        path = folder / name
        for row, record in enumerate(rows):
            record["id"] = f"{name}:{row}"
        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=16)
        files.append(str(path))
    return files


def corpus_with_cli_findings(folder: Path) -> tuple[list[str], list[dict]]:
    """`write_corpus` and the CLI's findings on it, sorted as gathered findings are: what the
    batch, Ray and Spark recipes must each give. Checks the corpus still exercises what they
    split: more than ten row groups, and findings of the dataset rules."""
    import pyarrow.parquet as pq

    import vazhi

    files = write_corpus(folder)
    assert sum(pq.ParquetFile(path).metadata.num_row_groups for path in files) > 10
    expected = vazhi._sorted(cli_lint(*files)[0])
    assert {"VZ201", "VZ202", "VZ206", "VZ207"} <= {f["code"] for f in expected}
    return files, expected


def with_rows(findings: list[dict]) -> list[dict]:
    return [finding for finding in findings if finding["row"] is not None]


def without_rows(findings: list[dict]) -> list[dict]:
    return [finding for finding in findings if finding["row"] is None]


def placed_by_id(findings: list[dict]) -> list[tuple[str, str]]:
    """Record findings as (code, `FILE:ROW`): from the `id` a cluster recipe gives them, or from
    the CLI's path and row. Copies are left out: which copy is "the first" depends on the order
    of the blocks or partitions, which a recipe does not know."""
    return sorted(
        (f["code"], f["id"] if "id" in f else f"{Path(f['path']).name}:{f['row']}")
        for f in with_rows(findings)
        if f["code"] != "VZ206"
    )
