"""When contacts arrive: constant-rate Poisson or an interval-volume table.

Operations planners keep arrivals as interval volumes (date, interval start, calls). A
day's counts are read as the expected arrivals of a non-homogeneous Poisson process with a
piecewise-constant rate (count / interval length), which is how Brown et al. (2005) found
call-center arrivals to behave within short intervals (MODEL.md section 10).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.errors import InputError, require_positive

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
    """

    starts_s: np.ndarray
    widths_s: np.ndarray
    expected: np.ndarray
    labels: tuple[str, ...]
    source: str

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
            self.starts_s, self.widths_s, self.expected * factor, self.labels, self.source
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
    h, m = text.strip().split(":")[:2]
    hours, minutes = int(h), int(m)
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(text)
    return hours * 3600.0 + minutes * 60.0


def read_interval_volumes(path: str | Path) -> dict[dt.date, list[tuple[float, float, int]]]:
    """Read an interval-volume CSV into ``{date: [(start_s, calls, line), ...]}``.

    The file needs the columns ``date`` (YYYY-MM-DD), ``interval_start`` (HH:MM) and
    ``calls`` (a count >= 0); other columns (e.g. ``weekday``) are ignored.

    Raises:
        InputError: naming the file, line and field of the first problem found.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", source=path)
    days: dict[dt.date, list[tuple[float, float, int]]] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InputError("file is empty", source=path, line=1)
        header = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(
                f"missing column {missing[0]!r}", source=path, line=1, valid=REQUIRED_COLUMNS
            )
        i_date, i_start, i_calls = (header.index(c) for c in REQUIRED_COLUMNS)
        for line_no, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise InputError(
                    f"expected {len(header)} fields, found {len(row)}", source=path, line=line_no
                )
            try:
                day = dt.date.fromisoformat(row[i_date].strip())
            except ValueError:
                raise InputError(
                    f"cannot read {row[i_date]!r}",
                    source=path,
                    line=line_no,
                    field="date",
                    valid="YYYY-MM-DD",
                ) from None
            try:
                start = _parse_clock(row[i_start])
            except ValueError:
                raise InputError(
                    f"cannot read {row[i_start]!r}",
                    source=path,
                    line=line_no,
                    field="interval_start",
                    valid="HH:MM",
                ) from None
            try:
                calls = float(row[i_calls])
            except ValueError:
                calls = -1.0
            if not (calls >= 0 and np.isfinite(calls)):
                raise InputError(
                    f"cannot read {row[i_calls]!r}",
                    source=path,
                    line=line_no,
                    field="calls",
                    valid="a number >= 0",
                )
            days.setdefault(day, []).append((start, calls, line_no))
    if not days:
        raise InputError("no data rows", source=path, line=2)
    return days


def profile_from_file(path: str | Path, date: str) -> ArrivalProfile:
    """The arrival profile of a date or inclusive date range of an interval-volume CSV.

    Args:
        path: The interval-volume CSV (see :func:`read_interval_volumes`).
        date: ``YYYY-MM-DD`` or ``YYYY-MM-DD:YYYY-MM-DD``; consecutive days are laid end to
            end, day ``d`` starting at ``d * 86400`` s.

    Raises:
        InputError: for a malformed file, a date not in the file, or uneven intervals.
    """
    first, last = parse_date_range(date)
    days = read_interval_volumes(path)
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
            labels.append(
                f"{day.isoformat()} {int(start // 3600):02d}:{int(start % 3600 // 60):02d}"
            )
    return ArrivalProfile(
        np.asarray(starts),
        np.full(len(starts), length),
        np.asarray(expected, dtype=float),
        tuple(labels),
        str(path),
    )


def _interval_length(path: str | Path, rows: list[tuple[float, float, int]]) -> float:
    """The common spacing of a day's interval starts, s."""
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
    return float(gaps[0])


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
