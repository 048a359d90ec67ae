"""The people of the contact center as Mesa agents: customers and CSRs.

An agent is a view on its row of the engine's tables (:mod:`sim.schema`): reading
``customer.balance`` or ``csr.stress`` reads the row the compiled engine updates, so
agents are current after every step of the model and nothing is ever copied back.
Agents of a type are reached the Mesa way: ``model.agents_by_type[Customer]``.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.catalogue import PERSONAS, TEMPERAMENTS


class _Field:
    """An agent attribute stored in a field of the agent's row, read as ``kind``."""

    def __init__(self, name: str, kind: type = float) -> None:
        self.name, self.kind = name, kind

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return self.kind(agent._rows[self.name][agent.index])

    def __set__(self, agent, value) -> None:
        agent._rows[self.name][agent.index] = value


class Customer(mesa.Agent):
    """A customer of the company, alive for the whole horizon until they churn.

    Attributes:
        index: Row of the customer table.
        temperament, persona: Names (``catalogue.TEMPERAMENTS``, ``PERSONAS``).
        balance: Emotional account, account units; below 0 the customer leaves.
        propensity: Issue rate relative to the average customer.
        value: Revenue per year, currency.
        churned: Whether the customer has left; churned_s: when, s; churn_cause: 1 an
            overdrawn account (service), 2 other reasons (``leaves_s``: when they would).
        contacts, complaints, escalations, failures, unresolved: History counts.
        last_resolved: Whether their last concluded contact was resolved (None: none yet).
    """

    balance = _Field("balance")
    propensity = _Field("propensity")
    value = _Field("value")
    churned_s = _Field("churned_s")
    start_balance = _Field("start_balance")
    start_propensity = _Field("start_propensity")
    tenure_years = _Field("tenure_years")
    churned = _Field("churned", bool)
    churn_cause = _Field("churn_cause", int)
    leaves_s = _Field("leaves_s")
    contacts = _Field("contacts", int)
    complaints = _Field("complaints", int)
    escalations = _Field("escalations", int)
    failures = _Field("failures", int)
    unresolved = _Field("unresolved", int)

    def __init__(self, model: mesa.Model, rows: np.ndarray, index: int) -> None:
        super().__init__(model)
        self._rows = rows
        self.index = index

    @property
    def temperament(self) -> str:
        return TEMPERAMENTS[int(self._rows["temperament"][self.index])]

    @property
    def persona(self) -> str:
        return PERSONAS[int(self._rows["persona"][self.index])]

    @property
    def last_resolved(self) -> bool | None:
        last = int(self._rows["last_resolved"][self.index])
        return None if last < 0 else bool(last)


class CSR(mesa.Agent):
    """A customer service representative (tier 0) or a supervisor (tier 1).

    Attributes:
        index: Row of the CSR table.
        tier: 0 for the front line, 1 for the supervisors.
        position: Place within the tier (also its shift order).
        strategy: Name of the strategy the CSR follows.
        stress, empathy, problem_solving, perception, self_control: 0..1.
        authority: Largest concession per contact, currency.
        on_duty, busy: Whether on shift, and in a call, now.
        contacts_handled: Calls handled; busy_s: time in calls, s.
    """

    stress = _Field("stress")
    free_since_s = _Field("free_since_s")
    busy_s = _Field("busy_s")
    authority = _Field("authority")
    empathy = _Field("empathy")
    problem_solving = _Field("problem_solving")
    perception = _Field("perception")
    self_control = _Field("self_control")
    tier = _Field("tier", int)
    position = _Field("position", int)
    contacts_handled = _Field("handled", int)
    on_duty = _Field("on_duty", bool)
    busy = _Field("busy", bool)

    def __init__(self, model: mesa.Model, rows: np.ndarray, index: int, strategy: str) -> None:
        super().__init__(model)
        self._rows = rows
        self.index = index
        self.strategy = strategy

    @property
    def skills(self) -> tuple[float, float, float, float]:
        """(empathy, problem solving, perception, self-control)."""
        return (self.empathy, self.problem_solving, self.perception, self.self_control)
