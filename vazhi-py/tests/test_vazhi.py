"""The Python package against the CLI: the same engine must give the same findings.

Run after installing the wheel (``maturin build -m vazhi-py/Cargo.toml`` then ``pip install``):
``VAZHI_BIN=target/debug/cargo-vazhi python -m pytest vazhi-py/tests``.
"""

import collections

import pytest

import vazhi
from helpers import ROOT, SAMPLES, cli_lint


def test_findings_equal_the_clis_on_corpora_samples():
    tokenizer = ROOT / "tests" / "data" / "qwen-tokenizer.json"
    expected, status = cli_lint(str(SAMPLES), "--tokenizer", str(tokenizer), "--max-seq-len", "1024")
    report = vazhi.lint([SAMPLES], tokenizer=tokenizer, max_seq_len=1024)
    assert len(expected) > 200
    assert report.findings == expected
    assert report.exit_status == status == 1
    codes = collections.Counter(finding["code"] for finding in expected)
    assert report.counts == dict(codes)
    assert len(codes) >= 20, f"every rule fires on the samples: {sorted(codes)}"


def test_parquet_and_arrow_files_alone():
    files = sorted(str(path) for path in SAMPLES.rglob("*") if path.suffix in (".parquet", ".arrow"))
    assert len(files) >= 3
    expected, _ = cli_lint(*files)
    assert vazhi.lint(files).findings == expected


def test_options_act_as_the_flags_do():
    path = str(SAMPLES / "defective")
    expected, _ = cli_lint(path, "--select", "VZ1", "--ignore", "VZ103")
    findings = vazhi.lint([path], select=["VZ1"], ignore=["VZ103"]).findings
    assert findings == expected
    assert {finding["code"] for finding in findings} == {"VZ101", "VZ102", "VZ104"}


def test_a_language_id_model_acts_as_the_flag_does(tmp_path):
    model = ROOT / "vazhi-lint" / "tests" / "data" / "lid" / "softmax.bin"
    corpus = tmp_path / "labels.jsonl"
    corpus.write_text(
        '{"instruction": "eppadi?", "output": "Please send me the report by tomorrow morning", "language": "tanglish"}\n',
        encoding="utf-8",
    )
    expected, _ = cli_lint(str(corpus), "--lid-model", str(model))
    findings = vazhi.lint(corpus, lid_model=model).findings
    assert findings == expected
    assert [finding["code"] for finding in findings] == ["VZ102"]
    assert "`eng_Latn` at 0.94 by the language-ID model" in findings[0]["message"]
    with pytest.raises(vazhi.ConfigError, match="no-such-model.bin"):
        vazhi.Linter(lid_model=tmp_path / "no-such-model.bin")


def test_to_arrow_holds_the_same_findings():
    pyarrow = pytest.importorskip("pyarrow")
    report = vazhi.lint([SAMPLES / "defective"])
    table = report.to_arrow()
    assert isinstance(table, pyarrow.Table)
    assert table.column_names == list(report.findings[0].keys())
    assert table.to_pylist() == report.findings


def test_one_path_is_one_path_not_its_letters():
    path = SAMPLES / "defective" / "think-leak.jsonl"
    expected = vazhi.lint([path]).findings
    assert expected
    assert vazhi.lint(str(path)).findings == expected
    assert vazhi.lint(path).findings == expected
    with pytest.raises(TypeError):
        vazhi.lint(42)


def test_exit_status_and_counts():
    clean = vazhi.lint([SAMPLES / "clean"])
    assert clean.exit_status == 0 and len(clean) == 0 and clean.records > 300
    missing = vazhi.lint([SAMPLES / "no-such-folder"])
    assert missing.exit_status == 2
    assert missing.path_problems and "no-such-folder" in missing.path_problems[0][0]


def test_a_bad_option_raises_config_error():
    with pytest.raises(vazhi.ConfigError, match="VZ999"):
        vazhi.lint([SAMPLES], select=["VZ999"])
    with pytest.raises(vazhi.ConfigError, match="max-seq-len"):
        vazhi.lint([SAMPLES], tokenizer=ROOT / "tests" / "data" / "qwen-tokenizer.json")


def test_bad_records_are_findings_not_crashes(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b'{"text": "\xff\xfe"}\nnot json\n{"messages": 3}\n')
    findings = vazhi.lint([broken]).findings
    assert [(finding["code"], finding["line"]) for finding in findings] == [
        ("VZ001", 1),
        ("VZ001", 2),
        ("VZ001", 3),
    ]


def test_the_gate_admits_clean_shards_and_refuses_the_rest():
    clean = SAMPLES / "clean" / "kural-qa.messages.jsonl"
    path, sha256, records = vazhi.admit(clean)
    assert path == str(clean) and len(sha256) == 64 and records == 60
    defective = SAMPLES / "defective" / "think-leak.jsonl"
    with pytest.raises(vazhi.GateRefused) as refused:
        vazhi.admit(defective)
    expected, _ = cli_lint(str(defective))
    errors = [finding for finding in expected if finding["severity"] == "error"]
    assert refused.value.findings == errors
