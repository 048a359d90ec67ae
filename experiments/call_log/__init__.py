"""A call log: an ACD's per-call export, read, checked and reduced to what fitting needs.

One row per call: when it arrived, when it was answered (empty if never), when it ended,
and whether it was answered or abandoned. Vendors name the columns and the outcomes
differently and write times in different ways, so :class:`LogFormat` maps them. A call's
*wait* is the time from arrival to answer (answered) or to hang-up (abandoned); its
*handle time* is the time from answer to end (answered calls only).

An abandoned call's hang-up time is its ``ended`` time, as ACD logs record it. ccsim's own
``--contacts`` export leaves ``end_s`` empty for an abandoned contact and keeps its wait
in ``wait_s`` instead: map that with ``waited`` (``--waited wait_s``).

Bad rows are reported by file, line (row for Parquet) and field. A few are skipped with a
warning; a log that is empty or mostly unusable is refused (:class:`sim.errors.InputError`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.call_log.format import CallLog, LogFormat
from experiments.call_log.reading import (
    blank_rows,
    clean_text,
    read_csv,
    read_parquet,
    resolve_columns,
)
from experiments.call_log.rows import check_rows, line_locator, row_locator
from sim.errors import InputError

__all__ = ["CallLog", "LogFormat", "read_call_log"]


def read_call_log(path: str | Path, fmt: LogFormat | None = None) -> CallLog:
    """Read a CSV or Parquet call log and check every row.

    Args:
        path: The log, ``.csv`` (any other suffix is read as CSV too) or ``.parquet``.
        fmt: Column names, outcome labels and time format (defaults: ``arrived``,
            ``answered``, ``ended``, ``outcome``, ISO-8601, ``answered``/``abandoned``).

    Returns:
        The usable calls and a count of the rows left out.

    Raises:
        InputError: a missing file or column, a file that is not text in the given
            encoding, an empty log, one without answered calls, or one where more than
            half of the rows are unusable; the message names the file, line and field.
    """
    fmt = fmt or LogFormat()
    both = {x.strip().lower() for x in fmt.answered_labels} & {
        x.strip().lower() for x in fmt.abandoned_labels
    }
    if both:
        raise InputError(
            f"{sorted(both)[0]!r} is both an answered and an abandoned label",
            field="--answered-label",
        )
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", source=path)
    if path.suffix.lower() == ".parquet":
        raw = read_parquet(path)
        locate = row_locator(path)
    else:
        raw = read_csv(path, fmt.encoding)
        locate = line_locator(path)
    columns = resolve_columns(raw, fmt, path)
    kept = [c for c in raw.columns if str(c).startswith("__")]
    raw = pd.DataFrame(
        {
            **{role: clean_text(raw[found]) for role, found in columns.items()},
            **{c: raw[c] for c in kept},
        }
    )
    lines = raw.pop("__line__").to_numpy() if "__line__" in raw else np.arange(len(raw)) + 2
    blank = blank_rows(raw, list(columns))
    raw, lines = raw.loc[~blank].reset_index(drop=True), lines[~blank]
    if raw.empty:
        raise InputError("no calls in the log (only a header, or no rows)", source=path)
    return check_rows(raw, lines, fmt, path, locate)
