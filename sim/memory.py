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

import numpy as np
from numba import njit

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

    def vector(self) -> np.ndarray:
        """The weights :func:`remembered_value` reads, in the order of the ``M_*`` indices."""
        return np.array(
            [
                self.peak_weight,
                self.anger_weight,
                self.resolved_gain,
                self.remedy_gain,
                self.courtesy_gain,
                self.wait_loss_per_min,
                self.escalation_loss,
                self.recovery_erosion,
            ]
        )


#: Order of :meth:`MemoryParams.vector` (what the compiled functions below read).
(
    M_PEAK_WEIGHT,
    M_ANGER_WEIGHT,
    M_RESOLVED_GAIN,
    M_REMEDY_GAIN,
    M_COURTESY_GAIN,
    M_WAIT_LOSS_PER_MIN,
    M_ESCALATION_LOSS,
    M_RECOVERY_EROSION,
) = range(8)


@njit(cache=True)
def remembered_anger(peak: float, end: float, peak_weight: float) -> float:
    """Peak-end: the remembered badness of a contact, 0..1."""
    return peak_weight * peak + (1.0 - peak_weight) * end


@njit(cache=True)
def remembered_value(
    m: np.ndarray,
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

    Compiled, so that the event loop (``sim.event_loop``) and Python callers share one
    definition; :func:`experience` is the readable entry point.

    Args:
        m: ``MemoryParams.vector()``.
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
    erosion = m[M_RECOVERY_EROSION] ** float(max(0, prior_failures))
    gains = m[M_RESOLVED_GAIN] * (1.0 if resolved else 0.0) + m[M_COURTESY_GAIN] * courtesy
    if asked:
        gains += m[M_REMEDY_GAIN] * remedy_share
    losses = (
        m[M_ANGER_WEIGHT] * remembered_anger(peak, end, m[M_PEAK_WEIGHT])
        + m[M_WAIT_LOSS_PER_MIN] * wait_s / 60.0
        + m[M_ESCALATION_LOSS] * (1.0 if escalated else 0.0)
    )
    return gains * erosion - losses


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
    return remembered_value(
        mp.vector(),
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
