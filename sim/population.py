"""The customer base and each day's candidate issues, drawn with NumPy.

Customers (MODEL.md section 2) are drawn once per replication: temperament, persona,
tenure-based emotional account, value, issue rate. Each day, candidate contacts are
drawn at ``cap`` times the first-contact rate, each with a customer drawn uniformly and
its own draws for the issue, the opening anger and the patience; a candidate becomes a
contact when its draw falls under its customer's issue rate (thinning). Every policy
run with the same seed sees the same customers and the same candidates (common random
numbers): what differs is only which of them pass, as the customers' rates and accounts
change.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from importlib import resources

import numpy as np

from sim.arrivals import SECONDS_PER_DAY, ArrivalProfile, sample_arrivals
from sim.catalogue import CONSULT, FAILURE, HELP, PERSONAS, TEMPERAMENTS, VENTING
from sim.errors import InputError
from sim.parameters import Parameters
from sim.schema import CANDIDATE, CUSTOMER


def weekday_profile(first_contacts_per_day: float, days: int) -> ArrivalProfile:
    """The default arrival profile: the packaged weekday shape repeated for ``days`` days.

    The shape is the mean share of a weekday's calls in each 30-minute interval of the
    Anonymous Bank data (Brown et al. 2005; see ``sim/data/README.md``).
    """
    text = resources.files("sim.data").joinpath("weekday_profile.csv").read_text()
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    clock = [r[0] for r in rows]
    share = np.array([float(r[1]) for r in rows])
    share = share / share.sum()
    width = SECONDS_PER_DAY / len(share)
    starts = np.concatenate(
        [d * SECONDS_PER_DAY + np.arange(len(share)) * width for d in range(days)]
    )
    expected = np.tile(share * first_contacts_per_day, days)
    labels = tuple(f"day {d + 1} {s}" for d in range(days) for s in clock)
    return ArrivalProfile(starts, np.full(len(starts), width), expected, labels, "weekday_profile")


def _shares(params: Parameters, table: str, names: tuple[str, ...]) -> np.ndarray:
    shares = np.array([params[f"{table}.{n}.share"] for n in names], dtype=float)
    if abs(shares.sum() - 1.0) > 1e-6:
        raise InputError(
            f"shares sum to {shares.sum():g}", field=f"{table}.*.share", valid="shares summing to 1"
        )
    return shares


def draw_customers(
    params: Parameters, rng: np.random.Generator, attrition: np.random.Generator
) -> np.ndarray:
    """The customer base (:data:`sim.schema.CUSTOMER` rows); the same seed gives the same
    customers to every policy.

    Starting balances grow with tenure: balance = (base + per-year x tenure) x lognormal
    noise; value is lognormal around its mean; the issue rate follows the persona. Each
    customer also has a time at which they would leave for reasons that have nothing to
    do with service (moving, a better rate elsewhere): exponential at
    ``customers.background_churn_per_year``, from its own stream ``attrition``.
    """
    n = int(params["scenario.customers"])
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
    per_year = params["customers.background_churn_per_year"]
    leaves = (
        attrition.exponential(365.0 * SECONDS_PER_DAY / per_year, n)
        if per_year > 0
        else np.full(n, math.inf)
    )
    rows = CUSTOMER.allocate(
        n, churned_s=math.nan, last_resolved=-1, first_problem=-1, first_problem_csat=math.nan
    )
    rows["leaves_s"] = leaves
    rows["balance"] = rows["start_balance"] = balance
    rows["propensity"] = rows["start_propensity"] = propensity
    rows["value"] = value
    rows["tenure_years"] = tenure
    rows["temperament"] = temperament
    rows["persona"] = persona
    rows["cell"] = temperament * len(PERSONAS) + persona
    return rows


def day_profile(profile: ArrivalProfile, day: int, factor: float = 1.0) -> ArrivalProfile | None:
    """The part of ``profile`` in ``day`` (0-based), its counts times ``factor``."""
    lo, hi = day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY
    keep = (profile.starts_s >= lo - 1e-9) & (profile.starts_s < hi - 1e-9)
    if not keep.any():
        return None
    return ArrivalProfile(
        profile.starts_s[keep],
        profile.widths_s[keep],
        profile.expected[keep] * factor,
        (),
        profile.source,
    )


def draw_candidates(
    params: Parameters,
    profile: ArrivalProfile,
    day: int,
    customers: np.ndarray,
    rng: np.random.Generator,
    volume: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate contacts of ``day`` and those that pass thinning at the day's start.

    ``volume`` scales the day's expected first contacts (day-to-day variation).

    Returns:
        The candidates (:data:`sim.schema.CANDIDATE` rows, in time order) and the
        indices of those that pass now: their customer is still a customer and their
        draw falls under the customer's issue rate. Rates only rise (training by
        concessions), so what fails now can only pass later today if the rate rises:
        the engine's ``rate_rose`` schedules those.
    """
    cap = params["customers.issue_propensity_cap"]
    # The profile counts first contacts; the problems kept silent come on top.
    sub = day_profile(profile, day, cap * volume / (1.0 - silent_fraction(params)))
    times = sample_arrivals(sub, rng) if sub is not None else np.empty(0)
    n = len(times)
    p = params
    who = rng.integers(0, len(customers), n)
    threshold = rng.random(n) * cap
    passing = np.flatnonzero(
        (threshold < customers["propensity"][who]) & (customers["churned"][who] == 0)
    )
    u_nature, u_kind, u_invalid = rng.random(n), rng.random(n), rng.random(n)
    m_sev, m_diff = p["issues.mean_severity"], p["issues.mean_difficulty"]
    k_sev, k_diff = p["issues.severity_concentration"], p["issues.difficulty_concentration"]
    severity = rng.beta(k_sev * m_sev, k_sev * (1 - m_sev), n)
    difficulty = rng.beta(k_diff * m_diff, k_diff * (1 - m_diff), n)
    patience = rng.exponential(1.0, n)
    # Each candidate's issue, as the customer would open it (DOMAIN.md section 4): a
    # claimed failure (valid or not, an emergency or not, with compensation asked) or a
    # communication issue; the opening anger follows temperament, persona, severity.
    persona, temperament = customers["persona"][who], customers["temperament"][who]
    failure = u_nature < p["issues.failure_share"]
    venting_share = p["issues.venting_share"]
    venting = u_kind < venting_share
    # Of the communication issues that are not venting, this share seeks help; the rest
    # are consultative.
    help_seeking = u_kind < venting_share + (1 - venting_share) * p["issues.help_share"]
    nature = np.where(
        failure, FAILURE, np.where(venting, VENTING, np.where(help_seeking, HELP, CONSULT))
    )
    invalid_share = np.array([p[f"persona.{x}.invalid_share"] for x in PERSONAS])
    valid = ~failure | (u_invalid >= invalid_share[persona])
    emergency = np.maximum(severity, p["issues.emergency_severity"])
    severity = np.where(
        failure,
        np.where(u_kind < p["issues.emergency_share"], emergency, severity),
        severity * p["issues.communication_severity"],
    )
    asked = np.where(failure, p["issues.remedy_per_severity"] * severity, 0.0)
    factor = np.where(
        failure,
        1.0,
        np.where(venting, p["issues.venting_anger"], p["issues.communication_anger"]),
    )
    base_anger = np.array([p[f"temperament.{x}.base_anger"] for x in TEMPERAMENTS])
    offset = np.array([p[f"persona.{x}.anger_offset"] for x in PERSONAS])
    floor = p["issues.anger_severity_floor"]
    anger = base_anger[temperament] * (floor + (1 - floor) * severity) * factor + offset[persona]
    anger = np.minimum(1.0, np.maximum(0.0, anger))
    # A problem the customer keeps to themselves (Goodman 2005: about half of the
    # dissatisfied never complain to the front line); the quiet temperaments more often.
    silent_share = np.array([p[f"temperament.{x}.silent_share"] for x in TEMPERAMENTS])
    silent = failure & (rng.random(n) < silent_share[temperament])
    day_rows = CANDIDATE.allocate(n)
    day_rows["time_s"], day_rows["threshold"] = times, threshold
    day_rows["severity"], day_rows["difficulty"] = severity, difficulty
    day_rows["asked"], day_rows["anger"], day_rows["patience"] = asked, anger, patience
    day_rows["who"], day_rows["nature"], day_rows["valid"] = who, nature, valid
    day_rows["silent"] = silent
    return day_rows, passing.astype(np.int64)


def silent_fraction(params: Parameters) -> float:
    """The expected share of new issues that customers keep to themselves: failures
    (not questions) times each temperament's silent share, by its share of the base."""
    shares = _shares(params, "temperament", TEMPERAMENTS)
    silent = np.array([params[f"temperament.{x}.silent_share"] for x in TEMPERAMENTS])
    return float(params["issues.failure_share"] * (shares * silent).sum())


def daily_volumes(params: Parameters, days: int, rng: np.random.Generator) -> np.ndarray:
    """Each day's volume relative to the forecast: lognormal with mean 1 and log-sd
    ``scenario.daily_volume_sigma``, from its own stream (the same days for every
    policy)."""
    sigma = params["scenario.daily_volume_sigma"]
    if sigma == 0:
        return np.ones(days)
    return rng.lognormal(-0.5 * sigma * sigma, sigma, days)


def queue_arrivals(
    profile: ArrivalProfile,
    patience_s: float | None,
    handle: Callable[[int], np.ndarray],
    arrivals_rng: np.random.Generator,
    patience_rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Every arrival of a queue-only run, drawn up front, each quantity from its own
    stream: ``time_s`` (sorted), ``patience`` (s; inf: never hangs up) and ``handle_s``
    (``handle(n)`` draws them). Columns, not rows: a day's table is made from slices
    (:func:`arrivals_of_day`)."""
    times = sample_arrivals(profile, arrivals_rng)
    n = len(times)
    patience = (
        np.full(n, math.inf) if patience_s is None else patience_rng.exponential(patience_s, n)
    )
    return {"time_s": times, "patience": patience, "handle_s": handle(n)}


def arrivals_of_day(
    arrivals: dict[str, np.ndarray], day: int, last: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The day's part of :func:`queue_arrivals` as candidates that all pass (the last
    day takes whatever is left)."""
    bounds = [day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY]
    lo, hi = np.searchsorted(arrivals["time_s"], bounds)
    if last:
        hi = len(arrivals["time_s"])
    rows = CANDIDATE.allocate(hi - lo)
    for name, column in arrivals.items():
        rows[name] = column[lo:hi]
    return rows, np.arange(hi - lo, dtype=np.int64)
