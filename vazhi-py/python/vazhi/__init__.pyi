from os import PathLike
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Path = Union[str, "PathLike[str]"]

__version__: str

class ConfigError(ValueError):
    """The configuration file or an option is wrong."""

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
) -> Report:
    """Lint files and folders (one path or several) as ``cargo vazhi lint`` does.

    Settings come from ``config``, or from the vazhi.toml found from the first path upwards;
    the keyword options override it as the CLI's flags do. Raises ``ConfigError``.
    """

def admit(path: _Path, config: Optional[_Path] = None) -> Tuple[str, str, int]:
    """The training gate: lint ``path`` and return ``(path, sha256, records)`` if no finding
    reaches error level; otherwise raise ``GateRefused``."""
