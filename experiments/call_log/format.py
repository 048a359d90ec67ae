"""How a vendor names the columns, outcomes and times of its export, and the usable calls."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

#: Values read as "no value" in any time or number column.
MISSING = frozenset({"", "nan", "nat", "na", "n/a", "none", "null"})
#: Above this share of bad rows the log is refused rather than fitted on what is left.
MAX_BAD_SHARE = 0.5
#: An ISO-8601 UTC offset at the end of a time stamp (``Z``, ``+02:00``, ``-0500``).
OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
SECONDS = "seconds"
ISO = "iso"


@dataclass(frozen=True)
class LogFormat:
    """How a vendor's export names things.

    Attributes:
        arrived: Column of the arrival time.
        answered: Column of the answer time (empty for an abandoned call).
        ended: Column of the end time (hang-up time of an abandoned call).
        outcome: Column of the outcome label.
        waited: Optional column of the wait, s: where given, the wait of an abandoned call
            is read from it instead of ``ended - arrived``.
        answered_labels: Outcome labels of answered calls (matched case-insensitively).
        abandoned_labels: Outcome labels of abandoned calls.
        time_format: ``iso`` (ISO-8601), ``seconds`` (numbers of seconds after
            ``origin``) or a ``strptime`` format such as ``%d/%m/%Y %H:%M:%S``.
        origin: Date-time that ``seconds`` count from (ISO-8601).
        encoding: Text encoding of a CSV file.
    """

    arrived: str = "arrived"
    answered: str = "answered"
    ended: str = "ended"
    outcome: str = "outcome"
    waited: str | None = None
    answered_labels: tuple[str, ...] = ("answered",)
    abandoned_labels: tuple[str, ...] = ("abandoned",)
    time_format: str = ISO
    origin: str = "1970-01-01"
    encoding: str = "utf-8"

    @property
    def time_valid(self) -> str:
        """The expected time format, in words."""
        if self.time_format == ISO:
            return "ISO-8601, e.g. 2024-03-15T09:30:00"
        if self.time_format == SECONDS:
            return f"seconds after {self.origin}"
        return f"the format {self.time_format}"


@dataclass(frozen=True)
class CallLog:
    """The usable calls of a log.

    Attributes:
        calls: One row per usable call: ``arrived`` (arrival, local wall-clock time as
            written in the log), ``answered`` (bool), ``wait_s`` (arrival to answer or
            hang-up, s) and ``handle_s`` (answer to end, s; NaN when abandoned).
        source: The file read.
        rows: Data rows in the file (blank lines not counted).
        skipped: Rows left out because a field was missing or wrong.
        first_problem: ``file:line: field: what`` of the first skipped row, if any.
    """

    calls: pd.DataFrame
    source: str
    rows: int
    skipped: int
    first_problem: str | None

    @property
    def warning(self) -> str | None:
        """The one-line warning about skipped rows, or None when none was skipped."""
        if not self.skipped:
            return None
        return (
            f"skipped {self.skipped:,} of {self.rows:,} rows that could not be used "
            f"(first: {self.first_problem})"
        )
