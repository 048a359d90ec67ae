"""Live floor: a small center with one policy, watched through the day, day by day.

The floor is the Mesa-native model (:class:`experiments.api.ContactCenterModel`): the
day is advanced in slices with ``advance_to`` (which ends each day with the model's
``step()``, so the model's DataCollector sees every day), and after each slice the
floor notes who is waiting and how many CSRs are busy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sim.arrivals import SECONDS_PER_DAY

#: A slice of the day, s: the resolution of the "through the day" chart.
SLICE_S = 1800.0


@dataclass(frozen=True)
class FloorSettings:
    """A small center.

    Attributes:
        policy: A preset name or a policy TOML file.
        csrs: Front-line head count.
        days: Horizon, days.
        customers: Customers in the base.
        first_contacts_per_day: Expected first contacts on an average day.
        seed: Replication seed.
    """

    policy: str = "negotiate"
    csrs: int = 6
    days: int = 5
    customers: int = 3000
    first_contacts_per_day: float = 600.0
    seed: int = 1


@dataclass(eq=False)  # one floor is one running model: compared by identity
class LiveFloor:
    """A running center and what has been seen of it.

    Attributes:
        settings: What it simulates.
        model: The Mesa model.
        through_day: One row per slice: ``day``, ``hour`` (of the day), ``waiting``
            (callers in the queue), ``busy`` (CSRs on a call).
        by_day: The model's DataCollector table, one row per finished day (day 0: the
            start): contacts, churned customers, mean balance, waiting, mean CSR stress.
    """

    settings: FloorSettings
    model: object = field(repr=False)
    through_day: list[dict] = field(default_factory=list)

    @classmethod
    def build(cls, settings: FloorSettings) -> LiveFloor:
        """A fresh floor at the start of day 0.

        Raises:
            InputError: a bad policy or value (the CLI's one-line message).
        """
        from experiments.api import ContactCenterModel

        model = ContactCenterModel(
            settings.policy,
            days=settings.days,
            seed=settings.seed,
            params={
                "scenario.customers": settings.customers,
                "scenario.first_contacts_per_day": settings.first_contacts_per_day,
            },
            csrs=settings.csrs,
        )
        return cls(settings, model)

    @property
    def running(self) -> bool:
        """False once the horizon is reached."""
        return bool(self.model.running)

    @property
    def day(self) -> int:
        """Days finished."""
        return int(self.model.day)

    def advance(self) -> None:
        """Simulate one slice of the day (the last slice of a day ends it)."""
        if not self.running:
            return
        day_end = (self.model.day + 1) * SECONDS_PER_DAY
        t = min(self.model.now + SLICE_S, day_end)
        day = self.model.day
        self.model.advance_to(t if t < day_end else day_end)
        self._note(day, t - day * SECONDS_PER_DAY)

    def next_day(self) -> None:
        """Simulate to the end of the current day."""
        day = self.model.day
        while self.running and self.model.day == day:
            self.advance()

    def _note(self, day: int, second_of_day: float) -> None:
        tiers = self.model.state.tiers
        self.through_day.append(
            {
                "day": day,
                "hour": second_of_day / 3600.0,
                "waiting": int(tiers["waiting"][0]),
                "busy": int(tiers["size"][0] - tiers["idle_n"][0]),
            }
        )

    def today(self) -> pd.DataFrame:
        """The slices of the day under way (or of the last day, once finished)."""
        frame = pd.DataFrame(self.through_day, columns=["day", "hour", "waiting", "busy"])
        if frame.empty:
            return frame
        return frame[frame["day"] == frame["day"].max()]

    def by_day(self) -> pd.DataFrame:
        """The model's daily table (its DataCollector)."""
        return self.model.datacollector.get_model_vars_dataframe()
