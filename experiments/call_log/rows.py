"""Every row of a log checked: times parsed, waits and handle times derived, bad rows
reported by file, line and field."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.call_log.format import (
    ISO,
    MAX_BAD_SHARE,
    OFFSET,
    SECONDS,
    CallLog,
    LogFormat,
)
from experiments.call_log.reading import missing_cells
from sim.errors import InputError


def row_locator(path: Path) -> Callable[[int], str]:
    return lambda line: f"{path} row {line - 1}"


def line_locator(path: Path) -> Callable[[int], str]:
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
    if fmt.time_format == SECONDS:
        origin = pd.Timestamp(fmt.origin)
        base = (origin - pd.Timestamp("1970-01-01")) / pd.Timedelta(seconds=1)
        seconds = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float) + base
        return seconds, seconds
    text = values
    pattern = "ISO8601" if fmt.time_format == ISO else fmt.time_format
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
                text.str.replace(OFFSET, "", regex=True), format="ISO8601", errors="coerce"
            )
            if fmt.time_format == ISO
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


def check_rows(
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
        missing = missing_cells(values)
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
        missing = missing_cells(waited_raw)
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
