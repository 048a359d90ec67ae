"""The customer base: persistent Mesa agents with temperament, persona and an emotional
account (MODEL.md section 2; DOMAIN.md sections 1 to 3).

What changes during a run (balance, issue rate, history) lives in the columns of a
:class:`CustomerTable`, one row per customer, which the compiled event loop
(:mod:`sim.event_loop`) updates; each :class:`Customer` agent reads and writes its own
row through attributes, so the agents stay the model's view of its people.
"""

from __future__ import annotations

import gc
import math

import mesa
import numpy as np

from sim.errors import InputError
from sim.moves import PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters

# Columns of CustomerTable.f (float64).
BALANCE, PROPENSITY, CHURNED_S, VALUE, START_BALANCE, START_PROPENSITY = range(6)
# Columns of CustomerTable.i (int64); LAST_RESOLVED is -1 before the first concluded contact.
TEMPERAMENT, PERSONA, CELL, CHURNED, CONTACTS, COMPLAINTS, ESCALATIONS = range(7)
FAILURES, UNRESOLVED, LAST_RESOLVED = range(7, 10)


class CustomerTable:
    """The customers' state as columns (one row per customer).

    Attributes:
        f: float64[customers, 6]: balance (account units), propensity (issue rate relative
            to the average customer), churned_s (when they left, s; NaN if not), value
            (currency per year), and the balance and propensity at the start.
        i: int64[customers, 10]: temperament, persona, counter cell, churned (0/1), and
            the history counts contacts, complaints, escalations, failures, unresolved,
            and last_resolved (-1 none yet, 0 no, 1 yes).
    """

    def __init__(self, n: int) -> None:
        self.f = np.zeros((n, 6))
        self.f[:, CHURNED_S] = math.nan
        self.i = np.zeros((n, 10), dtype=np.int64)
        self.i[:, LAST_RESOLVED] = -1


class _Column:
    """An agent attribute stored in column ``col`` of the table's float (``f``) or integer
    (``i``) part, read as ``kind``."""

    def __init__(self, part: str, col: int, kind: type = float) -> None:
        self.part, self.col, self.kind = part, col, kind

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return self.kind(getattr(agent.table, self.part)[agent.index, self.col])

    def __set__(self, agent, value) -> None:
        getattr(agent.table, self.part)[agent.index, self.col] = value


class Customer(mesa.Agent):
    """A customer of the company, alive for the whole horizon until they churn.

    Attributes:
        temperament: Index into ``TEMPERAMENTS``.
        persona: Index into ``PERSONAS``.
        balance: Emotional account, account units; below 0 the customer leaves.
        value: Revenue per year, currency.
        propensity: Issue rate relative to the average customer (trained upward by
            concessions to invalid claims).
        churned: Whether the customer has left; churned_s: when, s.
        index: Position in the customer base (row of the customer table).
        contacts, complaints, escalations, failures, unresolved: History counts.
        last_resolved: Whether their last concluded contact was resolved (None: none yet).
    """

    balance = _Column("f", BALANCE)
    propensity = _Column("f", PROPENSITY)
    churned_s = _Column("f", CHURNED_S)
    churned = _Column("i", CHURNED, bool)
    contacts = _Column("i", CONTACTS, int)
    complaints = _Column("i", COMPLAINTS, int)
    escalations = _Column("i", ESCALATIONS, int)
    failures = _Column("i", FAILURES, int)
    unresolved = _Column("i", UNRESOLVED, int)
    start_balance = _Column("f", START_BALANCE)
    start_propensity = _Column("f", START_PROPENSITY)

    def __init__(
        self,
        model: mesa.Model,
        table: CustomerTable,
        index: int,
        temperament: int,
        persona: int,
        value: float,
        tenure_years: float,
    ) -> None:
        super().__init__(model)
        self.table = table
        self.index = index
        self.temperament = temperament
        self.persona = persona
        self.value = value
        self.tenure_years = tenure_years

    @property
    def last_resolved(self) -> bool | None:
        last = int(self.table.i[self.index, LAST_RESOLVED])
        return None if last < 0 else bool(last)


def _shares(params: Parameters, table: str, names: tuple[str, ...]) -> np.ndarray:
    shares = np.array([params[f"{table}.{n}.share"] for n in names], dtype=float)
    if abs(shares.sum() - 1.0) > 1e-6:
        raise InputError(
            f"shares sum to {shares.sum():g}", field=f"{table}.*.share", valid="shares summing to 1"
        )
    return shares


def create_population(
    model: mesa.Model, params: Parameters, rng: np.random.Generator, size: int | None = None
) -> tuple[CustomerTable, list[Customer]]:
    """Draw the customer base; the same seed gives the same customers to every policy.

    Starting balances grow with tenure (MODEL.md section 2): balance = (base + per-year x
    tenure) x lognormal noise; value is lognormal around its mean.

    Returns:
        The customers' state table and their agents (agent ``k`` owns row ``k``).
    """
    n = int(size if size is not None else params["scenario.customers"])
    temperament = rng.choice(
        len(TEMPERAMENTS), size=n, p=_shares(params, "temperament", TEMPERAMENTS)
    )
    persona = rng.choice(len(PERSONAS), size=n, p=_shares(params, "persona", PERSONAS))
    tenure = rng.exponential(params["customers.mean_tenure_years"], n)
    cv = params["customers.balance_noise_cv"]
    s2 = math.log1p(cv * cv)
    noise = rng.lognormal(-s2 / 2, math.sqrt(s2), n)
    balance = (
        params["customers.balance_base"] + params["customers.balance_per_tenure_year"] * tenure
    ) * noise
    vcv = params["customers.value_cv"]
    v2 = math.log1p(vcv * vcv)
    mean_value = params["customers.mean_value_per_year"]
    value = (
        rng.lognormal(math.log(mean_value) - v2 / 2, math.sqrt(v2), n)
        if mean_value > 0
        else np.zeros(n)
    )
    rate = np.array([params[f"persona.{p}.issue_rate"] for p in PERSONAS])[persona]
    propensity = rate / rate.mean()
    table = CustomerTable(n)
    table.f[:, BALANCE] = table.f[:, START_BALANCE] = balance
    table.f[:, PROPENSITY] = table.f[:, START_PROPENSITY] = propensity
    table.f[:, VALUE] = value
    table.i[:, TEMPERAMENT] = temperament
    table.i[:, PERSONA] = persona
    table.i[:, CELL] = temperament * len(PERSONAS) + persona
    # Building the base is one burst of allocations that makes no garbage: with the
    # collector on, it would walk the growing base dozens of times for nothing (about 40%
    # of the build time, measured). It is switched back on at once, whatever happens.
    collecting = gc.isenabled()
    gc.disable()
    try:
        agents = [
            Customer(model, table, k, int(t), int(p), float(v), float(y))
            for k, (t, p, v, y) in enumerate(
                zip(
                    temperament.tolist(),
                    persona.tolist(),
                    value.tolist(),
                    tenure.tolist(),
                    strict=True,
                )
            )
        ]
    finally:
        if collecting:
            gc.enable()
    return table, agents
