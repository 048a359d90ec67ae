"""From command-line options to a model configuration (validated once, here)."""

from __future__ import annotations

from pathlib import Path

from sim.arrivals import ArrivalProfile, constant_profile, profile_from_file
from sim.errors import InputError
from sim.model import OperationsConfig
from sim.staffing import Staffing, read_schedule


def arrival_profile(
    arrival_rate_per_h: float | None,
    hours: float | None,
    arrivals: Path | None,
    date: str | None,
    interval_min: float = 30.0,
) -> ArrivalProfile:
    """The arrival profile from ``--arrival-rate/--hours`` or ``--arrivals FILE --date D``."""
    if arrivals is not None:
        if date is None:
            raise InputError(
                "--arrivals needs --date", field="--date", valid="YYYY-MM-DD[:YYYY-MM-DD]"
            )
        if hours is not None:
            raise InputError("give either --hours or --arrivals, not both", field="--hours")
        return profile_from_file(arrivals, date)
    if date is not None:
        raise InputError("--date needs --arrivals FILE", field="--date")
    return constant_profile(arrival_rate_per_h or 0.0, hours or 0.0, interval_min)


def staffing(csrs: int, schedule: Path | None, days: int) -> Staffing:
    """A fixed head count, or the schedule file repeated over ``days`` days."""
    if schedule is not None:
        return read_schedule(schedule, days=days)
    return Staffing.fixed(csrs)


def operations_config(
    *,
    profile: ArrivalProfile,
    staff: Staffing,
    aht_s: float,
    aht_cv: float | None,
    handle_time: str | None,
    patience_s: float | None,
    sl_threshold_s: float,
    warmup_s: float,
    supervisors: int = 0,
) -> OperationsConfig:
    """The operations configuration; lognormal handle time is implied by ``--aht-cv``."""
    if handle_time is None:
        handle_time = "lognormal" if aht_cv is not None else "exponential"
    if warmup_s >= profile.horizon_s:
        raise InputError(
            f"warm-up ({warmup_s / 3600:g} h) is not shorter than the horizon "
            f"({profile.horizon_s / 3600:g} h)",
            field="--warmup-hours",
        )
    return OperationsConfig(
        profile=profile,
        staffing=staff,
        aht_s=aht_s,
        aht_cv=1.0 if aht_cv is None else aht_cv,
        handle_time=handle_time,
        patience_s=patience_s,
        sl_threshold_s=sl_threshold_s,
        warmup_s=warmup_s,
        supervisors=supervisors,
    )


def profile_days(profile: ArrivalProfile) -> int:
    """Whole days the profile spans (at least 1), for repeating a daily schedule."""
    return max(1, int(-(-profile.horizon_s // 86_400)))
