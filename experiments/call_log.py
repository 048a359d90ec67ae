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

import csv
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

#: Values read as "no value" in any time or number column.
MISSING = frozenset({"", "nan", "nat", "na", "n/a", "none", "null"})
#: Above this share of bad rows the log is refused rather than fitted on what is left.
MAX_BAD_SHARE = 0.5
#: An ISO-8601 UTC offset at the end of a time stamp (``Z``, ``+02:00``, ``-0500``).
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
_SECONDS = "seconds"
_ISO = "iso"


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
    time_format: str = _ISO
    origin: str = "1970-01-01"
    encoding: str = "utf-8"

    @property
    def time_valid(self) -> str:
        """The expected time format, in words."""
        if self.time_format == _ISO:
            return "ISO-8601, e.g. 2024-03-15T09:30:00"
        if self.time_format == _SECONDS:
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
        raw = _read_parquet(path)
        locate = _row_locator(path)
    else:
        raw = _read_csv(path, fmt.encoding)
        locate = _line_locator(path)
    columns = _resolve_columns(raw, fmt, path)
    kept = [c for c in raw.columns if str(c).startswith("__")]
    raw = pd.DataFrame(
        {
            **{role: _clean_text(raw[found]) for role, found in columns.items()},
            **{c: raw[c] for c in kept},
        }
    )
    lines = raw.pop("__line__").to_numpy() if "__line__" in raw else np.arange(len(raw)) + 2
    blank = _blank_rows(raw, list(columns))
    raw, lines = raw.loc[~blank].reset_index(drop=True), lines[~blank]
    if raw.empty:
        raise InputError("no calls in the log (only a header, or no rows)", source=path)
    return _check_rows(raw, lines, fmt, path, locate)


# --- reading ---------------------------------------------------------------------------------


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several types for a file that is not Parquet
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"cannot read as Parquet ({reason})", source=path) from None


def _read_csv(path: Path, encoding: str) -> pd.DataFrame:
    """All cells as text; ``__line__`` holds each row's line number in the file."""
    # utf-8-sig reads UTF-8 and drops the byte-order mark some spreadsheets write.
    encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", field="--encoding") from None
    try:
        with warnings.catch_warnings():
            # A row with more fields than the header is only a warning to pandas (it
            # would drop data): make it an error and read the file the careful way.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
                encoding=encoding,
            )
    except UnicodeDecodeError as err:
        raise _not_text(path, encoding, err) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", source=path) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning):
        return _read_csv_row_by_row(path, encoding)
    frame.columns = [str(c).strip() for c in frame.columns]
    # Without quoted line breaks, data row i is on line i + 2 (the header is line 1);
    # blank lines are kept as rows so that the count stays right.
    frame["__line__"] = np.arange(len(frame)) + 2
    return frame


def _read_csv_row_by_row(path: Path, encoding: str) -> pd.DataFrame:
    """The slow path for ragged files: a row with the wrong number of fields is kept as a
    row of empty cells with a note, so that it is reported with its line."""
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        rows, lines, ragged = [], [], []
        for row in reader:
            lines.append(reader.line_num)
            if len(row) == len(header):
                rows.append(row)
                ragged.append("")
            else:
                rows.append([""] * len(header))
                # An empty line is blank, not ragged.
                ragged.append(
                    f"expected {len(header)} fields, found {len(row)}" if any(row) else ""
                )
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame["__line__"] = np.asarray(lines, dtype=np.int64)
    frame["__ragged__"] = ragged
    return frame


def _not_text(path: Path, encoding: str, err: UnicodeDecodeError) -> InputError:
    data = path.read_bytes()
    # pandas decodes in chunks: find the first bad byte in the whole file again.
    try:
        data.decode(encoding)
        line = None
    except UnicodeDecodeError as whole:
        line = data.count(b"\n", 0, whole.start) + 1
    return InputError(
        f"not {encoding.removesuffix('-sig')} text (byte {err.object[err.start]:#04x}); "
        "re-save it as UTF-8 or give its encoding with --encoding, e.g. latin-1",
        source=path,
        line=line,
    )


def _resolve_columns(raw: pd.DataFrame, fmt: LogFormat, path: Path) -> dict[str, str]:
    """``{role: column in the file}``: exact names first, then ignoring case."""
    wanted = {
        "arrived": fmt.arrived,
        "answered": fmt.answered,
        "ended": fmt.ended,
        "outcome": fmt.outcome,
    }
    if fmt.waited is not None:
        wanted["waited"] = fmt.waited
    present = [c for c in raw.columns if not str(c).startswith("__")]
    lowered = {str(c).strip().lower(): c for c in present}
    found: dict[str, str] = {}
    for role, name in wanted.items():
        if name in present:
            found[role] = name
        elif name.strip().lower() in lowered:
            found[role] = lowered[name.strip().lower()]
        else:
            shown = ", ".join(str(c) for c in present[:12]) + (", ..." if len(present) > 12 else "")
            raise InputError(
                f"no column {name!r} for the {role} {'time' if role != 'outcome' else 'label'};"
                f" map yours with --{role} NAME (columns in the file: {shown or 'none'})",
                source=path,
                line=None if path.suffix.lower() == ".parquet" else 1,
            )
    if len(set(found.values())) < len(found):
        raise InputError(
            "one column is mapped to two roles", source=path, valid=", ".join(found.values())
        )
    return found


def _blank_rows(raw: pd.DataFrame, roles: list[str]) -> np.ndarray:
    blank = np.ones(len(raw), dtype=bool)
    for role in roles:
        blank &= _missing(raw[role])
    if "__ragged__" in raw:
        blank &= raw["__ragged__"].to_numpy() == ""
    return blank


def _is_text(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)
    )


def _clean_text(values: pd.Series) -> pd.Series:
    """Text cells stripped, missing ones as ""; numbers and times (Parquet) as they are.
    Done once per column: string conversions dominate the time to read a large log."""
    if not _is_text(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):  # Parquet writes labels so
        values = values.astype(object)
    return values.fillna("").astype(str).str.strip()


def _missing(values: pd.Series) -> np.ndarray:
    if not _is_text(values):
        return values.isna().to_numpy()
    return values.str.lower().isin(MISSING).to_numpy()


# --- parsing ---------------------------------------------------------------------------------


def _row_locator(path: Path) -> Callable[[int], str]:
    return lambda line: f"{path} row {line - 1}"


def _line_locator(path: Path) -> Callable[[int], str]:
    return lambda line: f"{path}:{line}"


def _times(values: pd.Series, fmt: LogFormat) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since 1970-01-01 of each value: the instant (for durations) and the local
    wall clock as written (for the time of day); NaN where missing or unreadable.

    Stamps with UTC offsets are compared as instants, so a log that crosses a change of
    daylight-saving time gets its waits right, while the interval of the day stays the
    one on the center's clock.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return _datetime_seconds(values)
    if fmt.time_format == _SECONDS:
        origin = pd.Timestamp(fmt.origin)
        base = (origin - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
        seconds = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float) + base
        return seconds, seconds
    text = values
    pattern = "ISO8601" if fmt.time_format == _ISO else fmt.time_format
    with warnings.catch_warnings():
        # pandas 2 parses mixed offsets into objects with a FutureWarning; pandas 3 raises.
        warnings.simplefilter("ignore", FutureWarning)
        try:
            parsed = pd.to_datetime(text, format=pattern, errors="coerce")
        except ValueError:
            parsed = None
    if parsed is None or not pd.api.types.is_datetime64_any_dtype(parsed):
        # Mixed UTC offsets (a daylight-saving change): instants in UTC, and the wall
        # clock read from the stamps without their offsets.
        try:
            instants = pd.to_datetime(text, format=pattern, errors="coerce", utc=True)
        except ValueError as err:  # a format pandas cannot use at all, e.g. '%Q'
            raise InputError(
                f"cannot use {fmt.time_format!r}: {err}",
                field="--time-format",
                valid="iso, seconds, or a strptime format such as %Y-%m-%d %H:%M:%S",
            ) from None
        wall = (
            pd.to_datetime(
                text.str.replace(_OFFSET, "", regex=True), format="ISO8601", errors="coerce"
            )
            if fmt.time_format == _ISO
            else instants.dt.tz_localize(None)
        )
        return _datetime_seconds(instants)[0], _datetime_seconds(wall)[1]
    return _datetime_seconds(parsed)


def _datetime_seconds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    epoch = pd.Timestamp("1970-01-01")
    if getattr(values.dt, "tz", None) is not None:
        wall = values.dt.tz_localize(None)
        instant = values.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        wall = instant = values
    as_seconds = lambda s: ((s - epoch) / pd.Timedelta(seconds=1)).to_numpy(  # noqa: E731
        dtype=float, na_value=np.nan
    )
    return as_seconds(instant), as_seconds(wall)


@dataclass
class _Problem:
    """Rows failing one check, and how to describe the first of them."""

    rows: np.ndarray
    field: str
    describe: Callable[[int], str]


def _check_rows(
    raw: pd.DataFrame,
    lines: np.ndarray,
    fmt: LogFormat,
    path: Path,
    locate: Callable[[int], str],
) -> CallLog:
    n = len(raw)
    problems: list[_Problem] = []
    if "__ragged__" in raw:
        ragged = raw["__ragged__"].to_numpy()
        problems.append(_Problem(ragged != "", "", lambda i: str(ragged[i])))

    outcome = raw["outcome"].astype(str)
    label = outcome.str.lower().to_numpy()
    answered_labels = {x.strip().lower() for x in fmt.answered_labels}
    abandoned_labels = {x.strip().lower() for x in fmt.abandoned_labels}
    is_answered = np.isin(label, list(answered_labels))
    is_abandoned = np.isin(label, list(abandoned_labels))
    labels = ", ".join([*fmt.answered_labels, *fmt.abandoned_labels])
    problems.append(
        _Problem(
            ~(is_answered | is_abandoned),
            fmt.outcome,
            lambda i: (
                f"unknown outcome {outcome.iloc[i]!r} (valid: {labels}; map others with "
                "--answered-label/--abandoned-label)"
                if label[i]
                else "no outcome (empty cell)"
            ),
        )
    )

    def time_column(role: str, column: str, needed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = raw[role]
        instant, wall = _times(values, fmt)
        missing = _missing(values)
        problems.append(
            _Problem(needed & missing, column, lambda i: f"no {role} time (empty cell)")
        )
        problems.append(
            _Problem(
                needed & ~missing & np.isnan(instant),
                column,
                lambda i: f"cannot read {values.iloc[i]!r} (valid: {fmt.time_valid})",
            )
        )
        return instant, wall

    arrived, arrived_wall = time_column("arrived", fmt.arrived, np.ones(n, dtype=bool))
    answered, _ = time_column("answered", fmt.answered, is_answered)
    hang_up_from_ended = is_abandoned if fmt.waited is None else np.zeros(n, dtype=bool)
    ended, _ = time_column("ended", fmt.ended, is_answered | hang_up_from_ended)

    wait = np.full(n, np.nan)
    wait[is_answered] = answered[is_answered] - arrived[is_answered]
    if fmt.waited is None:
        wait[is_abandoned] = ended[is_abandoned] - arrived[is_abandoned]
    else:
        waited_raw = raw["waited"]
        waited = pd.to_numeric(waited_raw, errors="coerce").to_numpy(dtype=float)
        missing = _missing(waited_raw)
        problems.append(
            _Problem(is_abandoned & missing, fmt.waited, lambda i: "no wait (empty cell)")
        )
        problems.append(
            _Problem(
                is_abandoned & ~missing & ~np.isfinite(waited),
                fmt.waited,
                lambda i: f"cannot read {waited_raw.iloc[i]!r} (valid: seconds >= 0)",
            )
        )
        wait[is_abandoned] = waited[is_abandoned]
    handle = np.where(is_answered, ended - answered, np.nan)

    with np.errstate(invalid="ignore"):
        problems.append(
            _Problem(
                is_answered & (wait < 0),
                fmt.answered,
                lambda i: f"answered {-wait[i]:g} s before it arrived",
            )
        )
        problems.append(
            _Problem(
                is_answered & (handle < 0),
                fmt.ended,
                lambda i: f"ended {-handle[i]:g} s before it was answered",
            )
        )
        problems.append(
            _Problem(
                is_abandoned & (wait < 0),
                fmt.ended if fmt.waited is None else fmt.waited,
                lambda i: (
                    f"hung up {-wait[i]:g} s before it arrived"
                    if fmt.waited is None
                    else f"negative wait {wait[i]:g} s"
                ),
            )
        )

    bad = np.zeros(n, dtype=bool)
    for problem in problems:
        bad |= problem.rows
    skipped = int(bad.sum())
    first_problem = None
    if skipped:
        # The first bad row of the file, and the first check it fails.
        first = int(np.flatnonzero(bad)[0])
        problem = next(p for p in problems if p.rows[first])
        field = f"{problem.field}: " if problem.field else ""
        first_problem = f"{locate(int(lines[first]))}: {field}{problem.describe(first)}"
    if skipped > MAX_BAD_SHARE * n:
        raise InputError(
            f"{skipped:,} of {n:,} rows cannot be used, too many to fit; the first is "
            f"{first_problem}"
        )
    _no_hang_up_times(problems, is_abandoned, fmt, path)
    good = ~bad
    calls = pd.DataFrame(
        {
            "arrived": pd.to_datetime(arrived_wall[good], unit="s"),
            "answered": is_answered[good],
            "wait_s": wait[good],
            "handle_s": handle[good],
        }
    )
    if not calls["answered"].any():
        raise InputError("no answered call in the log: handle time cannot be fitted", source=path)
    return CallLog(calls, str(path), n, skipped, first_problem)


def _no_hang_up_times(
    problems: list[_Problem], is_abandoned: np.ndarray, fmt: LogFormat, path: Path
) -> None:
    """Refuse a log whose abandoned calls all lack a hang-up time: skipping them would
    leave no abandonment at all and make every caller look infinitely patient."""
    if fmt.waited is not None or not is_abandoned.any():
        return
    lacking = np.zeros_like(is_abandoned)
    for problem in problems:
        if problem.field == fmt.ended:
            lacking |= problem.rows & is_abandoned
    if lacking[is_abandoned].all():
        raise InputError(
            "no abandoned call has a readable hang-up time; map a column of waits in "
            "seconds with --waited NAME (ccsim's --contacts export: --waited wait_s)",
            source=path,
            field=fmt.ended,
        )
