"""The people's outcomes of a run (MODEL.md section 7), computed after it from the
engine's counters and customer table: retention, escalation, resolution, repeats, cost,
satisfaction and net value, overall and by temperament and persona."""

from __future__ import annotations

import math

import numpy as np

from sim.catalogue import MOVES, NATURES, PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters
from sim.schema import COUNTER

REPEATS_NOTE = "arrival volumes are expected first contacts; repeat contacts come on top"


def counters_by_cell(counters: np.ndarray) -> dict[str, np.ndarray]:
    """Each counter of :data:`sim.schema.COUNTER` as a (temperament x persona) array."""
    shape = (len(TEMPERAMENTS), len(PERSONAS))
    return {name: counters[name].reshape(shape).copy() for name in COUNTER.names}


def people_outcomes(
    params: Parameters,
    customers: np.ndarray,
    counters: np.ndarray,
    *,
    labor_cost: float,
    callbacks: int,
    days: float,
) -> dict:
    """Retention, escalation, resolution, cost and satisfaction, with breakdowns.

    Args:
        params: The run's parameters.
        customers: The customer table at the end of the run.
        counters: The engine's outcome counters.
        labor_cost: Paid CSR and supervisor time, currency.
        callbacks: Callback offers taken.
        days: Length of the horizon, days (for yearly rates).
    """
    c = counters_by_cell(counters)
    n_t, n_p = len(TEMPERAMENTS), len(PERSONAS)
    gone = customers["churned"] == 1
    touched = customers["contacts"] > 0
    last = customers["last_resolved"]

    def per_cell(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(customers["cell"][mask], minlength=n_t * n_p)
        return counts.reshape(n_t, n_p).astype(float)

    base, churned = per_cell(np.ones(len(gone), dtype=bool)), per_cell(gone)
    contacted, contacted_kept = per_cell(touched), per_cell(touched & ~gone)
    # Summed one by one, in the customers' order, as a running total would.
    lost = sum(customers["value"][gone].tolist(), 0.0)
    retained_value = sum(customers["value"][~gone].tolist(), 0.0)
    kept_after = {
        flag: [int((last == flag).sum()), int(((last == flag) & ~gone).sum())]
        for flag in (True, False)
    }
    years = params["scenario.valuation_years"]

    def rates(axis: int | None) -> dict:
        def s(name, arr=None):
            a = c[name] if arr is None else arr
            return a.sum() if axis is None else a.sum(axis=axis)

        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                "customers": s("", base),
                "retention_rate": 1.0 - s("", churned) / s("", base),
                "churned_customers": s("", churned),
                "issues": s("issues"),
                "contacts": s("contacts"),
                "escalations": s("escalations"),
                "escalation_rate": s("escalations") / s("answered"),
                "complaint_rate": s("complaints") / s("answered"),
                # As the industry measures it (SQM Group): of the first contacts a CSR
                # answered, the share that resolved the issue; callers who hung up in the
                # queue were not served at all (abandonment counts them).
                "fcr_rate": s("first_resolved") / s("answered_first"),
                "repeat_contacts": s("repeats"),
                "repeat_contacts_per_issue": s("repeats") / s("issues"),
                "concession_per_contact": s("concession") / s("answered"),
                "csat": s("csat_sum") / s("concluded"),
            }

    total = rates(None)
    answered = c["answered"].sum()
    first = c["answered_first"].sum()
    years_run = days / 365.0
    n = len(gone)
    service = customers["churn_cause"] == 1
    out = {
        "retention_rate": float(total["retention_rate"]),
        "annualized_churn": _per_year(gone.sum() / n, years_run),
        "annualized_service_churn": _per_year(service.sum() / n, years_run),
        "service_churned_customers": int(service.sum()),
        "contacts_per_customer_year": float(c["contacts"].sum() / n / years_run),
        "silent_issues": int(c["silent_issues"].sum()),
        "silent_share": float(
            c["silent_issues"].sum() / (c["silent_issues"].sum() + c["issues"].sum())
        )
        if c["issues"].sum()
        else math.nan,
        "retention_rate_contacted": float(contacted_kept.sum() / contacted.sum())
        if contacted.sum()
        else math.nan,
        "churned_customers": int(churned.sum()),
        "lost_value": float(lost * years),
        "issues": int(total["issues"]),
        "contacts": int(total["contacts"]),
        "escalation_rate": float(total["escalation_rate"]),
        "complaint_rate": float(total["complaint_rate"]),
        "fcr_rate": float(total["fcr_rate"]),
        "repeat_contacts_per_issue": float(total["repeat_contacts_per_issue"]),
        "aht_first_contact_s": float(c["talk_first_s"].sum() / first) if first else math.nan,
        "concession_cost": float(c["concession"].sum()),
        "concession_per_contact": float(c["concession"].sum() / answered) if answered else math.nan,
        "invalid_concessions": int(c["invalid_concessions"].sum()),
        "mean_csr_stress": float(c["stress_sum"].sum() / answered) if answered else math.nan,
        "csat": float(total["csat"]),
        "labor_cost": float(labor_cost),
        "net_value": float(retained_value * years - c["concession"].sum() - labor_cost),
        "callbacks": int(callbacks),
        "retention_after_resolved": _share(kept_after[True]),
        "retention_after_unresolved": _share(kept_after[False]),
        "repeats_note": REPEATS_NOTE,
    }
    # Loyalty by what became of the customer's first problem (TARP's arms): the share of
    # those customers not lost to service by the end of the horizon.
    arm = customers["first_problem"]
    for name, codes in ARMS.items():
        mask = np.isin(arm, codes)
        out[f"kept_{name}"] = float((~service[mask]).mean()) if mask.any() else math.nan
        scores = customers["first_problem_csat"][mask]
        scores = scores[~np.isnan(scores)]
        out[f"satisfied_{name}"] = float(scores.mean()) if len(scores) else math.nan
    by_t, by_p = rates(1), rates(0)
    out["by_temperament"] = {
        name: {k: _num(v[i]) for k, v in by_t.items()} for i, name in enumerate(TEMPERAMENTS)
    }
    out["by_persona"] = {
        name: {k: _num(v[i]) for k, v in by_p.items()} for i, name in enumerate(PERSONAS)
    }
    return out


#: The fates of a first problem (``CUSTOMER.first_problem`` codes), as TARP grouped
#: customers: did not complain, complained and not resolved (open at the end included),
#: resolved, resolved at the first contact.
ARMS = {
    "silent": (1,),
    "unresolved": (0, 2),
    "resolved_later": (3,),
    "resolved_first": (4,),
}


def _per_year(share: float, years: float) -> float:
    """A share lost over ``years`` as a yearly rate (constant hazard)."""
    return float(1.0 - (1.0 - share) ** (1.0 / years)) if years > 0 else math.nan


def _num(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else math.nan


def _share(pair: list[int]) -> float:
    return pair[1] / pair[0] if pair[0] else math.nan


def contact_table(st, n: int, *, customer_ids: np.ndarray, strategies: list[str]):
    """The first ``n`` kept contact rows of the engine's state as a DataFrame, with
    names for the codes (customer agent ids, temperaments, personas, natures, moves,
    strategies)."""
    import pandas as pd

    rows = st.rows[:n]
    customers = st.customers
    who = rows["customer"]
    csr = rows["csr"]
    moves = [
        " ".join(MOVES[m] for m in row[:k])
        for row, k in zip(st.row_moves[:n].tolist(), rows["n_moves"].tolist(), strict=True)
    ]

    def named(names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        return np.array(names, dtype=object)[codes]

    return pd.DataFrame(
        {
            "contact_id": rows["contact_id"],
            "issue_id": rows["issue_id"],
            "customer": customer_ids[who] if n else who,
            "temperament": named(TEMPERAMENTS, customers["temperament"][who]),
            "persona": named(PERSONAS, customers["persona"][who]),
            "nature": named(NATURES, rows["nature"]),
            "valid": rows["valid"] == 1,
            "attempt": rows["attempt"],
            "csr": csr,
            "strategy": [strategies[k] if k >= 0 else "" for k in csr.tolist()],
            "arrival_s": rows["arrival_s"],
            "answered_s": rows["answered_s"],
            "end_s": rows["end_s"],
            "wait_s": rows["wait_s"],
            "moves": moves,
            "start_anger": rows["start_anger"],
            "peak_anger": rows["peak_anger"],
            "final_anger": rows["final_anger"],
            "outcome": np.where(rows["abandoned"] == 1, "abandoned", "answered").astype(object),
            "escalated": rows["escalated"] == 1,
            "complaint": rows["complaint"] == 1,
            "resolved": rows["resolved"] == 1,
            "concession": rows["concession"],
            "balance_before": rows["balance_before"],
            "balance_after": rows["balance_after"],
            "churned": rows["churned"] == 1,
        }
    )
