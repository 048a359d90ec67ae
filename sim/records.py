"""Flat contact records and the operations metrics computed from them.

The engine writes one record per contact and tier when the contact's outcome is final
(the Ciw pattern; :data:`sim.schema.RECORD`); every metric is computed afterwards from records, so
that what is reported is what happened. Interval tables hold additive sums, which lets a
long run aggregate day by day and drop the records it no longer needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.arrivals import ArrivalProfile
from sim.staffing import Staffing

ANSWERED, ABANDONED, WAITING = 1, 2, 0
OUTCOME_NAMES = {ANSWERED: "answered", ABANDONED: "abandoned", WAITING: "waiting_at_end"}


#: The additive columns of an interval table; every summary metric is a ratio of these.
SUM_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "waiting_at_end",
    "waited",
    "answered_within_sl",
    "wait_answered_s",
    "wait_all_s",
    "handle_s",
    "busy_s",
    "staffed_s",
)


def interval_sums(
    records: pd.DataFrame,
    profile: ArrivalProfile,
    staffing: Staffing | None,
    sl_threshold_s: float,
    tier: int = 0,
) -> pd.DataFrame:
    """Additive per-interval sums of one tier's records.

    Contacts count in the interval of their arrival; busy time counts in the interval in
    which it is spent (a call straddling two intervals is split between them).

    Args:
        records: Contact records (the fields of :data:`sim.schema.RECORD`).
        profile: The reporting intervals.
        staffing: Head count over time, for staffed CSR-seconds (None: not counted).
        sl_threshold_s: Service-level threshold, s.
        tier: Which tier's records to count.
    """
    sums = IntervalSums(profile, staffing, sl_threshold_s, tier)
    sums.add(records)
    return sums.frame()


class IntervalSums:
    """Additive per-interval sums of one tier computed from records, a batch at a time:
    the readable reference of what the engine adds up as it goes (``observe.record``).

    Args:
        profile: The reporting intervals.
        staffing: Head count over time, for staffed CSR-seconds (None: not counted).
        sl_threshold_s: Service-level threshold, s.
        tier: Which tier's records to count.
    """

    def __init__(
        self,
        profile: ArrivalProfile,
        staffing: Staffing | None,
        sl_threshold_s: float,
        tier: int = 0,
    ) -> None:
        self.profile = profile
        self.staffing = staffing
        self.sl_threshold_s = sl_threshold_s
        self.tier = tier
        self.k = len(profile.starts_s)
        self.edges = np.concatenate([profile.starts_s, [profile.horizon_s]])
        # One row per column of SUM_COLUMNS but the last (staffed time is not a sum of
        # records: it is computed once, in frame()).
        self.sums = np.zeros((len(SUM_COLUMNS) - 1, self.k))

    def add(self, records) -> None:
        """Add records: a :data:`sim.schema.RECORD` array, or a table with its columns."""
        if len(records) == 0:
            return
        mine = np.asarray(records["tier"]) == self.tier

        def column(name: str) -> np.ndarray:
            return np.asarray(records[name], dtype=float)[mine]

        idx = self.profile.interval_of(column("arrival_s"))
        outcome = column("outcome")
        wait = column("wait_s")
        answered = outcome == ANSWERED
        starts, ends = column("start_s"), column("end_s")
        handle = np.where(answered, ends - starts, 0.0)
        k = self.k

        def per_interval(weights: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(idx, weights=weights, minlength=k)[:k]

        self.sums += np.stack(
            [
                per_interval(),
                per_interval(answered.astype(float)),
                per_interval((outcome == ABANDONED).astype(float)),
                per_interval((outcome == WAITING).astype(float)),
                per_interval((wait > 0).astype(float)),
                per_interval((answered & (wait <= self.sl_threshold_s)).astype(float)),
                per_interval(np.where(answered, wait, 0.0)),
                per_interval(wait),
                per_interval(handle),
                np.diff(_busy_until(starts[answered], ends[answered], self.edges)),
            ]
        )

    def frame(self) -> pd.DataFrame:
        """The interval table: one row per interval, the columns of :data:`SUM_COLUMNS`."""
        sums = {name: values for name, values in zip(SUM_COLUMNS[:-1], self.sums, strict=True)}
        return interval_frame(self.profile, sums, self.staffing)


def interval_frame(profile: ArrivalProfile, sums, staffing: Staffing | None) -> pd.DataFrame:
    """The interval table: one row per interval of ``profile``, its sums (by column name:
    the engine's :data:`sim.schema.INTERVAL` rows, or a mapping; None: zeros), and the
    CSR-seconds ``staffing`` puts on duty in it."""
    k = len(profile.starts_s)
    table = pd.DataFrame(
        {
            "interval": np.arange(k),
            "label": list(profile.labels) if len(profile.labels) == k else [""] * k,
            "start_s": profile.starts_s,
            "width_s": profile.widths_s,
        }
    )
    for name in SUM_COLUMNS[:-1]:
        table[name] = np.zeros(k) if sums is None else np.asarray(sums[name], dtype=float)
    table["staffed_s"] = (
        staffing.staffed_seconds(profile.starts_s, profile.widths_s) if staffing else 0.0
    )
    return table


def _busy_until(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Total busy CSR-seconds spent before each of ``times``.

    busy(x) = sum over calls of clip(x - start, 0, duration) = sum_{start<x}(x - start) -
    sum_{end<x}(x - end), evaluated with sorted arrays and cumulative sums in O(n log n).
    """

    def part(points: np.ndarray) -> np.ndarray:
        points = np.sort(points)
        csum = np.concatenate([[0.0], np.cumsum(points)])
        count = np.searchsorted(points, times, side="left")
        return count * times - csum[count]

    return part(starts) - part(ends)


def with_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Add the per-interval metrics (ratios of the sums) to an interval table."""
    out = table.copy()
    rates = ratios(out)
    for key, value in rates.items():
        out[key] = value
    return out


def ratios(sums: pd.DataFrame | pd.Series) -> dict[str, np.ndarray | float]:
    """The operations metrics from additive sums (per row of a table, or of a total).

    Ratios with a zero denominator are NaN (e.g. the ASA of an interval nobody was
    answered in). Occupancy divides busy time by paid time, taken as the larger of the
    scheduled CSR-seconds and the busy time, so a CSR finishing a call after the end of a
    shift counts that overtime as paid (occupancy stays in [0, 1]).
    """

    def div(a, b):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.asarray(b) > 0, np.asarray(a, dtype=float) / np.asarray(b), np.nan)

    offered, answered = sums["offered"], sums["answered"]
    paid = np.maximum(np.asarray(sums["staffed_s"], dtype=float), np.asarray(sums["busy_s"]))
    out = {
        "abandonment_rate": div(sums["abandoned"], offered),
        "p_wait": div(sums["waited"], offered),
        "asa_s": div(sums["wait_answered_s"], answered),
        "mean_wait_s": div(sums["wait_all_s"], offered),
        "service_level": div(sums["answered_within_sl"], offered),
        "occupancy": div(sums["busy_s"], paid),
        "aht_s": div(sums["handle_s"], answered),
    }
    if isinstance(sums, pd.Series):
        out = {k: float(v) for k, v in out.items()}
    return out


def summarize(table: pd.DataFrame, warmup_s: float = 0.0) -> dict[str, float]:
    """The run's summary: counts and metrics over the intervals starting after warm-up.

    Args:
        table: Interval sums (see :func:`interval_sums`).
        warmup_s: Intervals starting before this time (s) are excluded.
    """
    kept = table[table["start_s"] >= warmup_s - 1e-9]
    totals = kept[list(SUM_COLUMNS)].sum()
    summary = {
        "offered": int(totals["offered"]),
        "answered": int(totals["answered"]),
        "abandoned": int(totals["abandoned"]),
        "waiting_at_end": int(totals["waiting_at_end"]),
    }
    summary.update(ratios(totals))
    return summary
