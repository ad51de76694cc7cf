"""`Linter.check_batch` and `finish` on Arrow data: the CLI's findings however the data is cut."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import vazhi
from helpers import SAMPLES, cli_lint, corpus_with_cli_findings, with_rows, without_rows, write_corpus


def cuts(rows: int, pieces: int) -> list[tuple[int, int]]:
    """`rows` cut into `pieces` uneven (first row, rows) slices."""
    pieces = max(1, min(pieces, rows))
    bounds = sorted({0, rows, *(rows * k * k // (pieces * pieces) for k in range(1, pieces))})
    return [(start, end - start) for start, end in zip(bounds, bounds[1:])] or [(0, 0)]


def by_batches(linter: vazhi.Linter, files: list[str], pieces: int) -> list[dict]:
    """Each file cut into batches, checked last first, the states finished together."""
    findings, states = [], []
    for path in files:
        table = pq.read_table(path)
        for first_row, rows in reversed(cuts(table.num_rows, pieces)):
            found, state = linter.check_batch(table.slice(first_row, rows), source=path, first_row=first_row)
            assert isinstance(state, bytes)
            findings += found
            states.append(state)
    return vazhi._sorted(findings + linter.finish(states))


def test_the_samples_tables_equal_the_cli_in_1_3_and_17_batches():
    files = sorted(str(path) for path in SAMPLES.rglob("*.parquet"))
    assert len(files) >= 3
    expected = vazhi._sorted(cli_lint(*files)[0])
    assert expected
    linter = vazhi.Linter(SAMPLES / "vazhi.toml" if (SAMPLES / "vazhi.toml").exists() else None)
    for pieces in (1, 3, 17):
        assert by_batches(linter, files, pieces) == expected, pieces


def test_dataset_findings_are_exact_across_batches_and_files(tmp_path):
    # The CLI writes a dataset's own findings after its last file; gathered findings are sorted.
    files, expected = corpus_with_cli_findings(tmp_path)
    codes = {finding["code"] for finding in expected}
    assert {"VZ201", "VZ206", "VZ207"} <= codes, codes
    linter = vazhi.Linter(tmp_path / "vazhi.toml")
    for pieces in (1, 3, 17):
        got = by_batches(linter, files, pieces)
        assert with_rows(got) == with_rows(expected), pieces
        assert without_rows(got) == without_rows(expected), pieces
    # Copies across files: b-chat.parquet repeats rows of a-chat.parquet.
    assert any(f["code"] == "VZ206" and f["path"].endswith("b-chat.parquet") and "a-chat" in f["message"] for f in expected)


def test_a_table_or_a_stream_is_its_batches(tmp_path):
    files = write_corpus(tmp_path)
    linter = vazhi.Linter(tmp_path / "vazhi.toml")
    table = pq.read_table(files[0])
    whole, state = linter.check_batch(table, source=files[0])
    batches = table.to_batches(max_chunksize=7)
    assert len(batches) > 3
    streamed, streamed_state = linter.check_batch(
        pa.RecordBatchReader.from_batches(table.schema, batches), source=files[0]
    )
    assert streamed == whole
    assert linter.finish([streamed_state]) == linter.finish([state])


def test_findings_carry_the_id_column(tmp_path):
    files = write_corpus(tmp_path)
    linter = vazhi.Linter(tmp_path / "vazhi.toml")
    table = pq.read_table(files[1])
    findings, _ = linter.check_batch(table.slice(10), source="shard", first_row=10, id_column="id")
    assert len(findings) >= 3
    for finding in findings:
        assert finding["id"] == f"b-chat.parquet:{finding['row']}"
    with pytest.raises(KeyError, match="no column `uid`.*messages"):
        linter.check_batch(table, id_column="uid")


def test_bad_batches_give_located_findings_not_crashes():
    linter = vazhi.Linter()
    # A `messages` column of numbers: no text column vazhi reads, one finding naming the columns.
    findings, state = linter.check_batch(pa.table({"messages": [1, 2, 3]}), source="numbers")
    assert [(f["code"], f["path"], f["row"]) for f in findings] == [("VZ001", "numbers", None)]
    assert "`messages` (Int64)" in findings[0]["message"]
    assert linter.finish([state]) == []
    # Nulls: records with no text are findings at their rows.
    nulls = pa.table({"prompt": ["கேள்வி ஒன்று", None], "completion": [None, None]})
    findings, _ = linter.check_batch(nulls, source="nulls")
    assert {f["row"] for f in findings} == {0, 1}
    # Bytes that are not UTF-8 in a binary column: not text, so not read as text.
    binary = pa.table({"text": pa.array([b"\xff\xfe", b"ok"], pa.binary())})
    findings, _ = linter.check_batch(binary, source="binary")
    assert [f["code"] for f in findings] == ["VZ001"]
    assert "`text` (Binary)" in findings[0]["message"]
    # Turns whose members are numbers: turns with no role and no content, at their row.
    numbered = pa.table({"messages": [[{"role": 1, "content": 2}]]})
    findings, _ = linter.check_batch(numbered, source="numbered")
    assert {(f["code"], f["row"]) for f in findings} == {("VZ202", 0), ("VZ208", 0)}, findings
    # Not Arrow at all.
    with pytest.raises(ValueError, match="__arrow_c_array__"):
        linter.check_batch([{"text": "x"}])


def test_states_that_cannot_be_finished_raise_state_error(tmp_path):
    files = write_corpus(tmp_path)
    linter = vazhi.Linter(tmp_path / "vazhi.toml")
    _, state = linter.check_batch(pq.read_table(files[0]), source=files[0])
    with pytest.raises(vazhi.StateError, match="in two states"):
        linter.finish([state, state])
    with pytest.raises(vazhi.StateError, match="not a vazhi batch state"):
        linter.finish([b"{}"])
    with pytest.raises(vazhi.StateError, match="finish with the settings"):
        vazhi.Linter(tmp_path / "vazhi.toml", ignore=["VZ206"]).finish([state])


def test_a_python_stream_is_linted_as_it_is_read_and_its_failure_raised(tmp_path):
    files = write_corpus(tmp_path)
    linter = vazhi.Linter(tmp_path / "vazhi.toml")
    table = pq.read_table(files[1])
    whole, _ = linter.check_batch(table, source="b")

    def batches(fail_after=None):
        for index, batch in enumerate(table.to_batches(max_chunksize=5)):
            if index == fail_after:
                raise RuntimeError("the source went away")
            yield batch

    streamed, _ = linter.check_batch(pa.RecordBatchReader.from_batches(table.schema, batches()), source="b")
    assert streamed == whole
    with pytest.raises(ValueError, match="b: .*the source went away"):
        linter.check_batch(pa.RecordBatchReader.from_batches(table.schema, batches(fail_after=2)), source="b")
