"""The customer base: persistent Mesa agents with temperament, persona and an emotional
account (MODEL.md section 2; DOMAIN.md sections 1 to 3)."""

from __future__ import annotations

import gc
import math

import mesa
import numpy as np

from sim.errors import InputError
from sim.moves import PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters


class Customer(mesa.Agent):
    """A customer of the company, alive for the whole horizon until they churn.

    Attributes:
        temperament: Index into ``TEMPERAMENTS``.
        persona: Index into ``PERSONAS``.
        balance: Emotional account, account units; below 0 the customer leaves.
        value: Revenue per year, currency.
        propensity: Issue rate relative to the average customer (trained upward by
            concessions to invalid claims).
        churned: Whether the customer has left.
        index: Position in the customer base (row of the model's per-customer arrays).
        contacts, complaints, escalations, failures, unresolved: History counts.
    """

    def __init__(
        self,
        model: mesa.Model,
        temperament: int,
        persona: int,
        balance: float,
        value: float,
        propensity: float,
        tenure_years: float,
        index: int = 0,
    ) -> None:
        super().__init__(model)
        self.index = index  # position in the customer base (row of per-customer arrays)
        self.temperament = temperament
        self.persona = persona
        self.cell = temperament * len(PERSONAS) + persona  # index of outcome counters
        self.balance = balance
        self.start_balance = balance
        self.value = value
        self.propensity = propensity
        self.start_propensity = propensity
        self.tenure_years = tenure_years
        self.churned = False
        self.churned_s = math.nan
        self.contacts = 0
        self.complaints = 0
        self.escalations = 0
        self.failures = 0
        self.unresolved = 0


def _shares(params: Parameters, table: str, names: tuple[str, ...]) -> np.ndarray:
    shares = np.array([params[f"{table}.{n}.share"] for n in names], dtype=float)
    if abs(shares.sum() - 1.0) > 1e-6:
        raise InputError(
            f"shares sum to {shares.sum():g}", field=f"{table}.*.share", valid="shares summing to 1"
        )
    return shares


def create_population(
    model: mesa.Model, params: Parameters, rng: np.random.Generator, size: int | None = None
) -> list[Customer]:
    """Draw the customer base; the same seed gives the same customers to every policy.

    Starting balances grow with tenure (MODEL.md section 2): balance = (base + per-year x
    tenure) x lognormal noise; value is lognormal around its mean.
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
    # Building the base is one burst of allocations that makes no garbage: with the
    # collector on, it would walk the growing base dozens of times for nothing (about 40%
    # of the build time, measured). It is switched back on at once, whatever happens.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [
            Customer(model, int(t), int(p), float(b), float(v), float(r), float(y), k)
            for k, (t, p, b, v, r, y) in enumerate(
                zip(temperament, persona, balance, value, propensity, tenure, strict=True)
            )
        ]
    finally:
        if collecting:
            gc.enable()
