"""The operations layer of a run: arrivals, staffing, tiers, handle times, patience.

:class:`OperationsConfig` is what a queue needs to know; with people on,
:func:`people_operations` derives it from the parameters and the policy, and
:class:`People` carries the behaviour layer beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim import population
from sim.arrivals import SECONDS_PER_DAY, ArrivalProfile
from sim.errors import InputError
from sim.floor import Floor
from sim.parameters import Parameters
from sim.staffing import Staffing, planned_staffing

HANDLE_TIME_DISTRIBUTIONS = ("exponential", "lognormal")


@dataclass(frozen=True)
class OperationsConfig:
    """The operations layer of a run: arrivals, staffing, handle time, patience.

    Attributes:
        profile: Expected first contacts per interval.
        staffing: Front-line head count over time.
        aht_s: Mean drawn handle time, s (people off, or people on with drawn service).
        aht_cv: Coefficient of variation of the handle time (lognormal only).
        handle_time: ``"exponential"`` or ``"lognormal"``.
        patience_s: Mean patience (exponential), s, people off; None: callers never hang
            up. With people on, patience follows ``customers.mean_patience_s``.
        sl_threshold_s: Service-level threshold, s.
        warmup_s: Intervals starting before this time are left out of the summary, s.
        supervisors: Size of the second tier (0: no second tier).
    """

    profile: ArrivalProfile
    staffing: Staffing
    aht_s: float = 300.0
    aht_cv: float = 1.0
    handle_time: str = "exponential"
    patience_s: float | None = None
    sl_threshold_s: float = 20.0
    warmup_s: float = 0.0
    supervisors: int = 0

    def __post_init__(self) -> None:
        checks = {
            "aht_s": self.aht_s > 0,
            "aht_cv": self.aht_cv > 0,
            "sl_threshold_s": self.sl_threshold_s >= 0,
            "warmup_s": 0 <= self.warmup_s < self.profile.horizon_s,
        }
        if self.patience_s is not None:
            checks["patience_s"] = self.patience_s > 0
        for name, ok in checks.items():
            value = getattr(self, name)
            if not (ok and np.isfinite(value)):
                valid = "below the horizon" if name == "warmup_s" else "a finite number > 0"
                raise InputError(f"impossible value {value}", field=name, valid=valid)
        if self.handle_time not in HANDLE_TIME_DISTRIBUTIONS:
            raise InputError(
                f"unknown distribution {self.handle_time!r}",
                field="handle_time",
                valid=HANDLE_TIME_DISTRIBUTIONS,
            )

    @property
    def handle_sigma(self) -> float:
        """Sigma of the log of a lognormal handle time (0 for exponential)."""
        if self.handle_time == "exponential":
            return 0.0
        return math.sqrt(math.log1p(self.aht_cv * self.aht_cv))


def draw_handle_times(
    rng: np.random.Generator, n: int, mean_s: float, cv: float, distribution: str
) -> np.ndarray:
    """``n`` handle times, s: exponential, or lognormal with the given mean and CV."""
    if distribution == "exponential":
        return rng.exponential(mean_s, n)
    sigma2 = math.log1p(cv * cv)
    return rng.lognormal(math.log(mean_s) - sigma2 / 2.0, math.sqrt(sigma2), n)


@dataclass(frozen=True)
class People:
    """The behaviour layer of a run: who the customers are and how the floor works.

    Attributes:
        params: Model parameters.
        floor: The service policy (strategy mix, routing, levers), built by ``policies/``.
    """

    params: Parameters
    floor: Floor


def people_operations(
    params: Parameters,
    floor: Floor,
    profile: ArrivalProfile | None = None,
    staffing: Staffing | None = None,
) -> OperationsConfig:
    """The operations layer of a run with people, from its parameters and policy.

    Args:
        params: Model parameters.
        floor: The policy (its head count, if it sets one).
        profile: Expected first contacts per interval; default: the weekday shape times
            ``scenario.first_contacts_per_day`` for ``scenario.days`` days.
        staffing: Front-line head count over time; default: the floor's head count, or
            with ``operations.staffing = "planned"`` a roster planned for the forecast
            (:func:`planned_for`), or ``operations.csrs`` (also when the user sets it).
    """
    if profile is None:
        profile = population.weekday_profile(
            params["scenario.first_contacts_per_day"], int(params["scenario.days"])
        )
    if staffing is None:
        if floor.csrs:
            staffing = Staffing.fixed(floor.csrs)
        elif params["operations.staffing"] == "planned" and not params.given("operations.csrs"):
            staffing = planned_for(params, profile)
        else:
            staffing = Staffing.fixed(params["operations.csrs"])
    return OperationsConfig(
        profile=profile,
        staffing=staffing,
        sl_threshold_s=params["operations.sl_threshold_s"],
        warmup_s=min(params["operations.warmup_days"] * SECONDS_PER_DAY, profile.horizon_s / 2),
        supervisors=params["operations.supervisors"],
    )


def planned_for(params: Parameters, profile: ArrivalProfile) -> Staffing:
    """The roster a planner would make for the forecast: Erlang A for
    ``operations.planned_service_level`` at the planned handle time, the forecast of
    first contacts grossed up for repeats and transfers
    (``operations.planned_contacts_per_first_contact``)."""
    return planned_staffing(
        profile.starts_s,
        profile.widths_s,
        profile.expected * params["operations.planned_contacts_per_first_contact"],
        aht_s=params["operations.planned_aht_s"],
        patience_s=params["customers.mean_patience_s"],
        sl_threshold_s=params["operations.sl_threshold_s"],
        target_sl=params["operations.planned_service_level"],
        min_csrs=params["operations.min_csrs"],
    )
