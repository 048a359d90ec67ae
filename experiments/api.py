"""ccsim from Python, the Mesa way: build a model, step it a day at a time, collect.

>>> from experiments import build_model
>>> model = build_model("negotiate", days=5, seed=1, params={"operations.csrs": 30})
>>> while model.running:
...     model.step()                      # one simulated day
>>> model.outcomes()["retention_rate"]    # what `ccsim run --json` prints

:class:`ContactCenterModel` is the same model built from plain keyword arguments, so
that ``mesa.batch_run`` and Mesa's visualisation can rebuild it; parameter overrides
may also be given as keyword arguments with their dotted names
(``**{"operations.csrs": 30}``), which lets ``batch_run`` sweep them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.model import ContactCenter


def _waiting(model: ContactCenter) -> int:
    return int(model.state.tiers["waiting"].sum())


def _churned(model: ContactCenter) -> int:
    return int(model.state.customers["churned"].sum())


def _mean_stress(model: ContactCenter) -> float:
    csrs = model.state.csrs
    front = csrs[csrs["tier"] == 0]
    return float(front["stress"].mean()) if len(front) else float("nan")


def _contacts(model: ContactCenter) -> int:
    return int(model.state.counters["contacts"].sum())


def _mean_balance(model: ContactCenter) -> float:
    customers = model.state.customers
    kept = customers["churned"] == 0
    return float(customers["balance"][kept].mean()) if kept.any() else float("nan")


#: What a :class:`ContactCenterModel` collects after every day, unless told otherwise.
MODEL_REPORTERS = {
    "day": "day",
    "contacts": _contacts,
    "churned_customers": _churned,
    "mean_balance": _mean_balance,
    "waiting": _waiting,
    "mean_csr_stress": _mean_stress,
}


class ContactCenterModel(ContactCenter):
    """A contact center with people, built from plain keyword arguments.

    Args:
        policy: A preset name (``ccsim policies``) or a policy TOML file.
        days: Days to simulate (default ``scenario.days``).
        seed: The replication seed (the same seed gives the same customers, issues and
            arrivals to every policy); None draws one (Mesa's tools pass None when not
            given seeds), kept in ``model.seed``.
        params: Parameter overrides by dotted key, as ``--set`` takes them.
        csrs: Front-line head count (overrides the policy's and the parameters').
        schedule: A staffing schedule CSV (``interval_start,csrs``).
        arrivals: An interval-volume CSV of expected first contacts, with ``date``.
        date: Date or range in ``arrivals``: ``YYYY-MM-DD[:YYYY-MM-DD]``.
        keep_contacts: Keep one row per contact (``contacts_frame()``).
        trace_anger: Keep anger traces of some calls.
        model_reporters, agent_reporters, agenttype_reporters: For the model's
            ``mesa.DataCollector`` (default: :data:`MODEL_REPORTERS`), which collects at
            the start and after every step.
        rng: Accepted for Mesa's tools, which may pass it: the seed, if given.
        **overrides: More parameter overrides by dotted key (``**{"operations.csrs": 30}``).
    """

    def __init__(
        self,
        policy: str | Path = "mixed-floor",
        days: int | None = None,
        seed: int | None = 0,
        params: Mapping[str, Any] | None = None,
        *,
        csrs: int | None = None,
        schedule: str | Path | None = None,
        arrivals: str | Path | None = None,
        date: str | None = None,
        keep_contacts: bool = False,
        trace_anger: bool = False,
        model_reporters: Mapping[str, Any] | None = None,
        agent_reporters: Mapping[str, Any] | None = None,
        agenttype_reporters: Mapping[type, Mapping[str, Any]] | None = None,
        rng: int | None = None,
        **overrides: Any,
    ) -> None:
        from experiments.runner import Scenario, Task, model_parts
        from policies.policy import load_policy
        from sim.errors import InputError

        unknown = [k for k in overrides if "." not in k]
        if unknown:
            raise InputError(
                f"unexpected argument {unknown[0]!r}",
                field="ContactCenterModel",
                valid="policy, days, seed, params, csrs, schedule, arrivals, date, "
                "or a parameter by its dotted key",
            )
        values = {**(params or {}), **overrides}
        if days is not None:
            values["scenario.days"] = int(days)
        scenario = Scenario(
            overrides=values,
            arrivals=None if arrivals is None else str(arrivals),
            date=date,
            csrs=csrs,
            schedule=None if schedule is None else str(schedule),
            keep_contacts=keep_contacts,
            trace_anger=trace_anger,
        )
        chosen = load_policy(policy)
        self.policy = chosen
        operations, people = model_parts(
            Task(chosen, scenario, int(seed if rng is None else rng), 0)
        )
        super().__init__(
            operations,
            people,
            seed=int(seed if rng is None else rng),
            keep_contacts=keep_contacts,
            trace_anger=trace_anger,
        )
        self.datacollector = mesa.DataCollector(
            model_reporters=dict(MODEL_REPORTERS if model_reporters is None else model_reporters),
            agent_reporters=dict(agent_reporters or {}),
            agenttype_reporters={k: dict(v) for k, v in (agenttype_reporters or {}).items()},
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """Simulate one day, then collect."""
        super().step()
        self.datacollector.collect(self)


def build_model(
    policy: str | Path = "mixed-floor",
    *,
    days: int | None = None,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    **options: Any,
) -> ContactCenterModel:
    """A :class:`ContactCenterModel`: ``step()`` simulates a day, ``running`` turns
    False at the horizon, ``agents`` are the live customers and CSRs, and ``outcomes()``
    equals ``ccsim run --json`` with the same seed and settings.

    Args:
        policy: A preset name or a policy TOML file.
        days: Days to simulate (default ``scenario.days``).
        seed: The replication seed (``ccsim run --seed``).
        params: Parameter overrides by dotted key, as ``--set`` takes them.
        **options: Other keyword arguments of :class:`ContactCenterModel` (``csrs``,
            ``schedule``, ``arrivals``, ``date``, reporters).
    """
    return ContactCenterModel(policy, days, seed, params, **options)


def agent_frame(model: ContactCenter, kind: str = "customers") -> Any:
    """A snapshot of the customers' or CSRs' table as a DataFrame (one row per agent)."""
    from sim.schema import CSR, CUSTOMER

    table, rows = (
        (CUSTOMER, model.state.customers) if kind == "customers" else (CSR, model.state.csrs)
    )
    frame = table.frame(np.asarray(rows))
    agents = model.customers if kind == "customers" else model.csrs
    frame.insert(0, "agent", [a.unique_id for a in agents])
    return frame
