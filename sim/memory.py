"""How a contact is remembered, and what that does to the emotional account.

MODEL.md section 5: the account changes by the *remembered* experience, not the average
one. Remembered anger is a mix of the worst and the final moment (peak-end, Kahneman et
al. 1993); the outcome (resolved, remedy received), the wait and courtesy add to it (the
three parts of perceived justice, Tax, Brown and Chandrashekaran 1998); losses weigh
loss-aversion times more than gains (Tversky and Kahneman 1992), and a customer's grudge
on top. Gains of a recovery erode with every earlier failure (Maxham and Netemeyer 2002).

The formulas are compiled, so that the engine (:mod:`sim.engine.aftermath`) and Python
callers share one definition; :func:`experience` is the readable entry point.
"""

from __future__ import annotations

import math

from numba import njit

from sim.engine import helper
from sim.parameters import Parameters


@njit(cache=True)
def remembered_anger(peak: float, end: float, peak_weight: float) -> float:
    """Peak-end: the remembered badness of a contact, 0..1."""
    return peak_weight * peak + (1.0 - peak_weight) * end


@helper
def remembered_value(
    P,
    peak: float,
    end: float,
    resolved: bool,
    asked: bool,
    remedy_share: float,
    courtesy: float,
    wait_s: float,
    escalated: bool,
    prior_failures: int,
) -> float:
    """The remembered experience of a contact, account units (positive: pleasant).

    Args:
        P: The engine's parameters (a :data:`sim.engine_params.PARAMS` row): the
            ``memory.*`` weights.
        peak: Worst anger during the contact, 0..1.
        end: Anger at the end, 0..1.
        resolved: Whether the issue was resolved.
        asked: Whether a remedy was asked for (else ``remedy_share`` is ignored).
        remedy_share: Share of the remedy asked that was received, 0..1.
        courtesy: Share of the need for respect that was met, 0..1.
        wait_s: Time spent waiting in queues for this contact, s.
        escalated: Whether the customer had to demand a supervisor or complain.
        prior_failures: Failures the customer had experienced before this issue.
    """
    erosion = P["recovery_erosion"] ** float(max(0, prior_failures))
    gains = P["resolved_gain"] * (1.0 if resolved else 0.0) + P["courtesy_gain"] * courtesy
    if asked:
        gains += P["remedy_gain"] * remedy_share
    losses = (
        P["anger_weight"] * remembered_anger(peak, end, P["peak_weight"])
        + P["wait_loss_per_min"] * wait_s / 60.0
        + P["escalation_loss"] * (1.0 if escalated else 0.0)
    )
    return gains * erosion - losses


@njit(cache=True)
def _value(P, peak, end, resolved, asked, remedy_share, courtesy, wait_s, escalated, failures):
    return remembered_value(
        P[0], peak, end, resolved, asked, remedy_share, courtesy, wait_s, escalated, failures
    )


def experience(
    params: Parameters,
    *,
    peak: float,
    end: float,
    resolved: bool,
    remedy_share: float | None,
    courtesy: float,
    wait_s: float,
    escalated: bool,
    prior_failures: int,
) -> float:
    """The remembered experience of a contact, account units (positive: pleasant).

    Args:
        params: Model parameters (the ``memory.*`` weights are read).
        peak: Worst anger during the contact, 0..1.
        end: Anger at the end, 0..1.
        resolved: Whether the issue was resolved.
        remedy_share: Share of the remedy asked that was received (None: none asked).
        courtesy: Share of the need for respect that was met, 0..1.
        wait_s: Time spent waiting in queues for this contact, s.
        escalated: Whether the customer had to demand a supervisor or complain.
        prior_failures: Failures the customer had experienced before this issue.
    """
    from sim.engine_params import engine_params

    return _value(
        engine_params(params),
        peak,
        end,
        bool(resolved),
        remedy_share is not None,
        0.0 if remedy_share is None else float(remedy_share),
        courtesy,
        wait_s,
        bool(escalated),
        int(prior_failures),
    )


@njit(cache=True)
def account_change(value: float, loss_aversion: float, grudge: float) -> float:
    """Deposit a pleasant experience as it is; withdraw an unpleasant one amplified."""
    return value if value >= 0.0 else value * loss_aversion * grudge


@njit(cache=True)
def csat(value: float, scale: float) -> float:
    """A 0..1 satisfaction proxy of a remembered experience (logistic)."""
    return 1.0 / (1.0 + math.exp(-value / scale))
