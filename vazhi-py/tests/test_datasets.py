"""Hugging Face `datasets`: `lint_dataset` and `filter` on a Dataset's own Arrow table."""

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import vazhi
from helpers import cli_lint, write_corpus


@pytest.fixture()
def corpus(tmp_path):
    files = write_corpus(tmp_path / "data")
    # No [[datasets]] groups: each file, and each split, is its own dataset.
    plain = tmp_path / "plain.toml"
    plain.write_text("")
    return files, plain


def loaded(path, cache):
    return datasets.Dataset.from_parquet(path, cache_dir=str(cache))


def as_split(findings, path, split):
    """The CLI's findings on a file, named as a split: the split is the file."""
    return [dict(finding, path=split) for finding in findings if finding["path"] == path]


def test_a_dataset_lints_as_its_parquet_file_does(corpus, tmp_path):
    files, plain = corpus
    dataset = loaded(files[0], tmp_path / "cache")
    expected = vazhi._sorted(as_split(cli_lint("--config", str(plain), files[0])[0], files[0], "train"))
    assert any(finding["code"] == "VZ206" for finding in expected)
    assert vazhi.lint_dataset(dataset, plain) == expected


def test_a_dataset_dict_lints_each_split_and_a_selection_by_its_rows(corpus, tmp_path):
    files, plain = corpus
    splits = datasets.DatasetDict(
        {"train": loaded(files[0], tmp_path / "cache"), "validation": loaded(files[1], tmp_path / "cache")}
    )
    cli = cli_lint("--config", str(plain), files[0], files[1])[0]
    expected = vazhi._sorted(as_split(cli, files[0], "train") + as_split(cli, files[1], "validation"))
    assert vazhi.lint_dataset(splits, plain) == expected
    # A selection is linted as the rows it holds, in its order.
    picked = splits["validation"].select([15, 14, 0])
    findings = vazhi.lint_dataset(picked, plain)
    assert {(f["row"], f["code"]) for f in findings} == {(0, "VZ202"), (1, "VZ202")}


def test_filter_keeps_what_split_would_keep(corpus, tmp_path):
    files, plain = corpus
    dataset = loaded(files[0], tmp_path / "cache")
    before = vazhi.lint_dataset(dataset, plain)
    errors = {f["row"] for f in before if f["severity"] == "error"}
    assert errors
    clean = vazhi.filter(dataset, plain)
    assert clean.num_rows == dataset.num_rows - len(errors)
    assert not [f for f in vazhi.lint_dataset(clean, plain) if f["severity"] == "error"]
    strict = vazhi.filter(dataset, plain, strict=True)
    assert strict.num_rows < clean.num_rows
    # A DatasetDict comes back as one, split by split.
    both = vazhi.filter(datasets.DatasetDict({"train": dataset, "test": dataset}), plain)
    assert isinstance(both, datasets.DatasetDict) and both["test"].num_rows == clean.num_rows


def test_filter_refuses_a_dataset_level_error_unless_allowed(corpus, tmp_path):
    files, plain = corpus
    # Chat records and raw text concatenated into one table, as `concatenate_datasets` makes
    # them (each row's other layout's column null): the layouts mix, which no record holds.
    chat = pq.read_table(files[0]).select(["messages"]).slice(0, 30)
    raw = pq.read_table(files[2]).select(["text"])
    dataset = datasets.Dataset(pa.concat_tables([chat, raw], promote_options="default"))
    with pytest.raises(vazhi.GateRefused, match="mixes record layouts: 30 messages, 8 raw") as refused:
        vazhi.filter(dataset, plain)
    assert [f["code"] for f in refused.value.findings] == ["VZ201"]
    kept = vazhi.filter(dataset, plain, allow_dataset_errors=True)
    assert 0 < kept.num_rows < dataset.num_rows
