"""Errors a user can cause, with the one line that tells them what to fix.

Every input problem (a malformed file, an impossible parameter, an unknown key) is raised
as :class:`InputError`. The CLI prints ``str(error)`` as a single line and exits with code
2; nothing else in the package needs to know about exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class InputError(ValueError):
    """Bad user input, described in one line: where, which field, what is allowed.

    Args:
        message: What is wrong, in words.
        source: The file (or ``"--option"``) the bad value came from.
        line: 1-based line number within ``source`` when it is a file.
        field: The column, key or option name holding the bad value.
        valid: The valid choices or range, shown after the message.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        valid: str | Iterable[str] | None = None,
    ) -> None:
        self.source = None if source is None else str(source)
        self.line = line
        self.field = field
        if valid is not None and not isinstance(valid, str):
            valid = ", ".join(str(v) for v in valid)
        self.valid = valid
        where = ""
        if self.source is not None:
            where = self.source if line is None else f"{self.source}:{line}"
            where += ": "
        what = f"{field}: " if field else ""
        tail = f" (valid: {valid})" if valid else ""
        super().__init__(f"{where}{what}{message}{tail}")


def require_positive(value: float, field: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` if it is a finite positive number, else raise :class:`InputError`."""
    ok = value >= 0 if allow_zero else value > 0
    if not (ok and value == value and value != float("inf")):
        bound = ">= 0" if allow_zero else "> 0"
        raise InputError(f"must be a finite number {bound}, got {value}", field=field)
    return value
