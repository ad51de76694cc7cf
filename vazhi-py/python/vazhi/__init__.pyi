from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Path = Union[str, "PathLike[str]"]

__version__: str

class ConfigError(ValueError):
    """The configuration file or an option is wrong."""

class StateError(ValueError):
    """Batch states that cannot be finished: not states, saved by another version or with other
    rules, or the same rows given twice."""

class GateRefused(Exception):
    """The gate refused a shard. ``findings`` holds the findings that refused it (as dicts)."""

    findings: List[Dict[str, Any]]

class Report:
    """A lint run: its findings in the order ``cargo vazhi lint`` writes them, and its counts."""

    @property
    def findings(self) -> List[Dict[str, Any]]:
        """The findings as dicts with the keys of ``cargo vazhi lint --format json``."""
    def to_arrow(self) -> Any:
        """The findings as a ``pyarrow.Table`` (needs pyarrow)."""
    @property
    def exit_status(self) -> int:
        """0 no error-level finding, 1 at least one, 2 a path that could not be linted."""
    @property
    def records(self) -> int: ...
    @property
    def files(self) -> List[str]: ...
    @property
    def counts(self) -> Dict[str, int]:
        """Findings per rule code."""
    @property
    def path_problems(self) -> List[Tuple[str, str]]: ...
    def __len__(self) -> int: ...

def lint(
    paths: Union[_Path, Sequence[_Path]],
    config: Optional[_Path] = None,
    *,
    select: Optional[Sequence[str]] = None,
    ignore: Optional[Sequence[str]] = None,
    tokenizer: Optional[_Path] = None,
    max_seq_len: Optional[int] = None,
    chat_template: Optional[_Path] = None,
    lid_model: Optional[_Path] = None,
) -> Report:
    """Lint files and folders (one path or several) as ``cargo vazhi lint`` does.

    Settings come from ``config``, or from the vazhi.toml found from the first path upwards;
    the keyword options override it as the CLI's flags do. Raises ``ConfigError``.
    """

def admit(path: _Path, config: Optional[_Path] = None) -> Tuple[str, str, int]:
    """The training gate: lint ``path`` and return ``(path, sha256, records)`` if no finding
    reaches error level; otherwise raise ``GateRefused``."""

Finding = Dict[str, Any]

class Linter:
    """A configured linter for Arrow data linted batch by batch, in this process or on many
    (``vazhi.ray``, ``vazhi.spark``). Every rule runs in Rust."""

    def __init__(
        self,
        config: Optional[_Path] = None,
        *,
        select: Optional[Sequence[str]] = None,
        ignore: Optional[Sequence[str]] = None,
        tokenizer: Optional[_Path] = None,
        max_seq_len: Optional[int] = None,
        chat_template: Optional[_Path] = None,
        lid_model: Optional[_Path] = None,
    ) -> None:
        """Settings from ``config``, or from the vazhi.toml found from the current folder up;
        raises ``ConfigError``."""
    def check_batch(
        self,
        batch: Any,
        source: Optional[_Path] = None,
        first_row: int = 0,
        *,
        id_column: Optional[str] = None,
        dataset: Optional[str] = None,
    ) -> Tuple[List[Finding], bytes]:
        """Lint an Arrow record batch, table or stream (``__arrow_c_array__`` or
        ``__arrow_c_stream__``) whose first row is row ``first_row`` of ``source``.

        Returns its record findings (each with an ``id`` from ``id_column`` when one is named)
        and its dataset state as bytes for ``finish``. ``dataset`` groups batches whose sources
        do not say which dataset they belong to. A batch vazhi cannot read is a finding, not an
        exception; an ``id_column`` it lacks raises ``KeyError``."""
    def finish(self, states: Sequence[bytes]) -> List[Finding]:
        """The dataset findings of the batches whose states are given, in any order: those
        ``cargo vazhi lint`` gives on the same data. Raises ``StateError``."""

def lint_dataset(ds: Any, config: Optional[_Path] = None, **options: Any) -> List[Finding]:
    """Lint a ``datasets.Dataset`` or ``DatasetDict`` on its Arrow table; ``path`` is the split
    and ``row`` the record's index in it."""

def filter(
    ds: Any,
    config: Optional[_Path] = None,
    *,
    strict: bool = False,
    allow_dataset_errors: bool = False,
    **options: Any,
) -> Any:
    """The records ``cargo vazhi split`` would keep, as a Dataset (or DatasetDict); raises
    ``GateRefused`` on a dataset-level error unless ``allow_dataset_errors``."""
