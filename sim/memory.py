"""How a contact is remembered, and what that does to the emotional account.

MODEL.md section 5: the account changes by the *remembered* experience, not the average
one. Remembered anger is a mix of the worst and the final moment (peak-end, Kahneman et
al. 1993); the outcome (resolved, remedy received), the wait and courtesy add to it (the
three parts of perceived justice, Tax, Brown and Chandrashekaran 1998); losses weigh
loss-aversion times more than gains (Tversky and Kahneman 1992), and a customer's grudge
on top. Gains of a recovery erode with every earlier failure (Maxham and Netemeyer 2002).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.parameters import Parameters


@dataclass(frozen=True)
class MemoryParams:
    """The ``memory.*`` and ``customers.*`` numbers of remembering."""

    peak_weight: float
    anger_weight: float
    resolved_gain: float
    remedy_gain: float
    courtesy_gain: float
    wait_loss_per_min: float
    escalation_loss: float
    recovery_erosion: float
    follow_up_gain: float
    csat_scale: float
    loss_aversion: float

    @classmethod
    def from_parameters(cls, p: Parameters) -> MemoryParams:
        return cls(
            **{
                k: p[f"memory.{k}"]
                for k in (
                    "peak_weight",
                    "anger_weight",
                    "resolved_gain",
                    "remedy_gain",
                    "courtesy_gain",
                    "wait_loss_per_min",
                    "escalation_loss",
                    "recovery_erosion",
                    "follow_up_gain",
                    "csat_scale",
                )
            },
            loss_aversion=p["customers.loss_aversion"],
        )


def remembered_anger(peak: float, end: float, peak_weight: float) -> float:
    """Peak-end: the remembered badness of a contact, 0..1."""
    return peak_weight * peak + (1.0 - peak_weight) * end


def experience(
    mp: MemoryParams,
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
        mp: Memory parameters.
        peak: Worst anger during the contact, 0..1.
        end: Anger at the end, 0..1.
        resolved: Whether the issue was resolved.
        remedy_share: Share of the remedy asked that was received (None: none asked).
        courtesy: Share of the need for respect that was met, 0..1.
        wait_s: Time spent waiting in queues for this contact, s.
        escalated: Whether the customer had to demand a supervisor or complain.
        prior_failures: Failures the customer had experienced before this issue.
    """
    erosion = mp.recovery_erosion ** max(0, prior_failures)
    gains = mp.resolved_gain * resolved + mp.courtesy_gain * courtesy
    if remedy_share is not None:
        gains += mp.remedy_gain * remedy_share
    losses = (
        mp.anger_weight * remembered_anger(peak, end, mp.peak_weight)
        + mp.wait_loss_per_min * wait_s / 60.0
        + mp.escalation_loss * escalated
    )
    return gains * erosion - losses


def account_change(value: float, loss_aversion: float, grudge: float) -> float:
    """Deposit a pleasant experience as it is; withdraw an unpleasant one amplified."""
    return value if value >= 0.0 else value * loss_aversion * grudge


def csat(value: float, scale: float) -> float:
    """A 0..1 satisfaction proxy of a remembered experience (logistic)."""
    return 1.0 / (1.0 + math.exp(-value / scale))
