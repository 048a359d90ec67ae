"""When contacts arrive: constant-rate Poisson or an interval-volume table.

Operations planners keep arrivals as interval volumes (date, interval start, calls). A
day's counts are read as the expected arrivals of a non-homogeneous Poisson process with a
piecewise-constant rate (count / interval length), which is how Brown et al. (2005) found
call-center arrivals to behave within short intervals (docs/model.md, section 7.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import InputError, require_positive
from sim.inputs import read_csv

SECONDS_PER_DAY = 86_400.0
REQUIRED_COLUMNS = ("date", "interval_start", "calls")


@dataclass(frozen=True)
class ArrivalProfile:
    """A piecewise-constant arrival rate over the horizon.

    Attributes:
        starts_s: Start of each interval, seconds from the start of the horizon.
        widths_s: Length of each interval, s (all equal but for a last partial one).
        expected: Expected arrivals in each interval (calls).
        labels: A human-readable label per interval (e.g. ``1999-03-15 10:00``).
        source: Where the volumes came from (a file path or ``"constant"``).
        sha256: SHA-256 of the volume file's bytes, if read from one.
    """

    starts_s: np.ndarray
    widths_s: np.ndarray
    expected: np.ndarray
    labels: tuple[str, ...]
    source: str
    sha256: str | None = None

    @property
    def horizon_s(self) -> float:
        """End of the last interval, s."""
        return float(self.starts_s[-1] + self.widths_s[-1]) if len(self.starts_s) else 0.0

    @property
    def length_s(self) -> float:
        """Nominal interval length, s."""
        return float(self.widths_s.max()) if len(self.widths_s) else 0.0

    @property
    def rate_per_s(self) -> np.ndarray:
        """Arrival rate in each interval, contacts per second."""
        return self.expected / self.widths_s

    def interval_of(self, times_s: np.ndarray) -> np.ndarray:
        """Index of the interval holding each time (clipped to the last interval)."""
        idx = np.searchsorted(self.starts_s, times_s, side="right") - 1
        return np.clip(idx, 0, len(self.starts_s) - 1)

    def scaled(self, factor: float) -> ArrivalProfile:
        """The same shape with every expected count multiplied by ``factor``."""
        return ArrivalProfile(
            self.starts_s,
            self.widths_s,
            self.expected * factor,
            self.labels,
            self.source,
            self.sha256,
        )


def constant_profile(
    arrival_rate_per_h: float, hours: float, interval_min: float = 30.0
) -> ArrivalProfile:
    """A homogeneous Poisson profile reported in intervals of ``interval_min`` minutes.

    Args:
        arrival_rate_per_h: Arrival rate, contacts per hour.
        hours: Length of the horizon, h. A last partial interval is kept as a shorter
            interval's worth of expected arrivals.
        interval_min: Reporting interval length, minutes.
    """
    require_positive(arrival_rate_per_h, "arrival_rate_per_h")
    require_positive(hours, "hours")
    require_positive(interval_min, "interval_min")
    length = interval_min * 60.0
    horizon = hours * 3600.0
    n = int(np.ceil(horizon / length - 1e-9))
    starts = np.arange(n, dtype=float) * length
    widths = np.minimum(length, horizon - starts)
    expected = arrival_rate_per_h / 3600.0 * widths
    labels = tuple(_clock_label(s) for s in starts)
    return ArrivalProfile(starts, widths, expected, labels, "constant")


def _clock_label(seconds: float) -> str:
    day, rest = divmod(int(round(seconds)), int(SECONDS_PER_DAY))
    h, m = divmod(rest // 60, 60)
    return f"day {day + 1} {h:02d}:{m:02d}"


def parse_date_range(text: str, *, field: str = "--date") -> tuple[dt.date, dt.date]:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DD:YYYY-MM-DD`` (inclusive) into two dates."""
    parts = text.split(":")
    if len(parts) not in (1, 2):
        raise InputError(f"cannot read {text!r}", field=field, valid="YYYY-MM-DD[:YYYY-MM-DD]")
    try:
        first = dt.date.fromisoformat(parts[0].strip())
        last = dt.date.fromisoformat(parts[-1].strip())
    except ValueError:
        raise InputError(
            f"cannot read {text!r}", field=field, valid="YYYY-MM-DD[:YYYY-MM-DD]"
        ) from None
    if last < first:
        raise InputError(f"range {text!r} ends before it starts", field=field)
    return first, last


def _parse_clock(text: str) -> float:
    """Seconds after midnight of ``HH:MM`` or ``HH:MM:SS`` (seconds kept, not dropped)."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
        raise ValueError(text)
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) == 3 else 0
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 60):
        raise ValueError(text)
    return hours * 3600.0 + minutes * 60.0 + seconds


def _clock_text(seconds: float) -> str:
    """``HH:MM``, or ``HH:MM:SS`` when the time has seconds."""
    whole = int(round(seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" if s == 0 else f"{h:02d}:{m:02d}:{s:02d}"


def read_interval_volumes(
    path: str | Path,
) -> tuple[dict[dt.date, list[tuple[float, float, int]]], str]:
    """Read an interval-volume CSV into ``{date: [(start_s, calls, line), ...]}``.

    The file needs the columns ``date`` (YYYY-MM-DD), ``interval_start`` (HH:MM or
    HH:MM:SS) and ``calls`` (a number >= 0); other columns (e.g. ``weekday``) are ignored.
    It must be UTF-8 text; its separator may be a comma, semicolon, tab or bar.

    Returns:
        The rows by date, and the SHA-256 of the file's bytes.

    Raises:
        InputError: naming the file, line and field of the first problem found.
    """
    table = read_csv(path, REQUIRED_COLUMNS)
    i_date, i_start, i_calls = (table.column(c) for c in REQUIRED_COLUMNS)
    days: dict[dt.date, list[tuple[float, float, int]]] = {}
    for line_no, row in table.rows:
        try:
            day = dt.date.fromisoformat(row[i_date].strip())
        except ValueError:
            raise InputError(
                f"cannot read {row[i_date][:40]!r}",
                source=path,
                line=line_no,
                field="date",
                valid="YYYY-MM-DD",
            ) from None
        try:
            start = _parse_clock(row[i_start])
        except ValueError:
            raise InputError(
                f"cannot read {row[i_start][:40]!r}",
                source=path,
                line=line_no,
                field="interval_start",
                valid="HH:MM or HH:MM:SS, 00:00 to 23:59:59",
            ) from None
        try:
            calls = float(row[i_calls])
        except ValueError:
            calls = -1.0
        if not (calls >= 0 and np.isfinite(calls)):
            raise InputError(
                f"cannot read {row[i_calls][:40]!r}",
                source=path,
                line=line_no,
                field="calls",
                valid="a finite number >= 0",
            )
        days.setdefault(day, []).append((start, calls, line_no))
    if not days:
        raise InputError("no data rows", source=path, line=2)
    return days, table.sha256


def profile_from_file(path: str | Path, date: str, *, sha256: str | None = None) -> ArrivalProfile:
    """The arrival profile of a date or inclusive date range of an interval-volume CSV.

    Args:
        path: The interval-volume CSV (see :func:`read_interval_volumes`).
        date: ``YYYY-MM-DD`` or ``YYYY-MM-DD:YYYY-MM-DD``; consecutive days are laid end to
            end, day ``d`` starting at ``d * 86400`` s.
        sha256: The SHA-256 the file had when the run was planned, if known: a file whose
            contents changed since is refused rather than silently read.

    Raises:
        InputError: for a malformed file, a date not in the file, uneven or overlapping
            intervals, no calls at all, or contents that changed.
    """
    first, last = parse_date_range(date)
    days, digest = read_interval_volumes(path)
    if sha256 is not None and digest != sha256:
        raise InputError("changed while ccsim was running; rerun the command", source=path)
    span = (last - first).days + 1
    wanted = [first + dt.timedelta(days=d) for d in range(span)]
    absent = [d for d in wanted if d not in days]
    if absent:
        dates = sorted(days)
        raise InputError(
            f"{absent[0].isoformat()} is not in the file",
            source=path,
            field="--date",
            valid=f"dates {dates[0].isoformat()} to {dates[-1].isoformat()}",
        )
    length = _interval_length(path, days[first])
    starts, expected, labels = [], [], []
    for offset, day in enumerate(wanted):
        rows = sorted(days[day])
        if _interval_length(path, rows) != length:
            raise InputError(
                "interval length differs from the first day's",
                source=path,
                line=rows[0][2],
                field="interval_start",
            )
        for start, calls, _ in rows:
            starts.append(offset * SECONDS_PER_DAY + start)
            expected.append(calls)
            labels.append(f"{day.isoformat()} {_clock_text(start)}")
    total = float(np.sum(expected))
    if total <= 0:
        raise InputError(
            f"no calls on {date}: every interval is 0",
            source=path,
            field="calls",
            valid="at least one interval with calls > 0",
        )
    return ArrivalProfile(
        np.asarray(starts),
        np.full(len(starts), length),
        np.asarray(expected, dtype=float),
        tuple(labels),
        str(path),
        digest,
    )


def _interval_length(path: str | Path, rows: list[tuple[float, float, int]]) -> float:
    """The common spacing of a day's interval starts, s.

    A day's intervals are ``[start, start + length)``: evenly spaced, none repeated, and
    the last must end by midnight, or it would overlap the next day's first (and its time
    on duty would be counted twice).
    """
    rows = sorted(rows)
    starts = [r[0] for r in rows]
    if len(starts) < 2:
        return SECONDS_PER_DAY - starts[0] if starts else SECONDS_PER_DAY
    gaps = np.diff(starts)
    if np.any(gaps <= 0) or np.ptp(gaps) > 1e-9:
        bad = rows[int(np.argmax(gaps != gaps[0])) + 1 if np.any(gaps != gaps[0]) else 1]
        raise InputError(
            "interval starts must be evenly spaced and not repeated",
            source=path,
            line=bad[2],
            field="interval_start",
        )
    length = float(gaps[0])
    if starts[-1] + length > SECONDS_PER_DAY + 1e-9:
        raise InputError(
            f"the interval at {_clock_text(starts[-1])} runs past midnight "
            f"({length / 60:g} min long, the spacing of the day's starts) and would "
            "overlap the next day",
            source=path,
            line=rows[-1][2],
            field="interval_start",
            valid="intervals of one length that fit in the day",
        )
    return length


def sample_arrivals(profile: ArrivalProfile, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times (s) of the non-homogeneous Poisson process of ``profile``.

    Per interval, the count is Poisson with the interval's expected value and the times are
    uniform within it: the exact construction for a piecewise-constant rate.
    """
    counts = rng.poisson(profile.expected)
    starts = np.repeat(profile.starts_s, counts)
    widths = np.repeat(profile.widths_s, counts)
    times = starts + rng.random(len(starts)) * widths
    times.sort(kind="stable")
    return times
