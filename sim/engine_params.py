"""The engine's parameter record: every number the compiled code reads, by name.

Most fields are copied from a parameter of ``defaults.toml`` (the key is given beside
the field); the rest are derived from the run's set-up (the policy's levers, the mode,
the horizon). :func:`engine_params` fills the record by name, so the order of fields
never matters anywhere.
"""

from __future__ import annotations

import math

import numpy as np

from sim.parameters import Parameters
from sim.schema import Table, f

#: Fields copied from a parameter: field -> parameter key.
FROM_PARAMETERS: dict[str, str] = {
    # Customers and issues.
    "cap": "customers.issue_propensity_cap",
    "failure_withdrawal": "issues.failure_withdrawal",
    "loss_aversion": "customers.loss_aversion",
    "mean_patience_s": "customers.mean_patience_s",
    "patience_anger": "customers.patience_anger_factor",
    "callback_weight": "customers.callback_wait_weight",
    "wait_anger_per_min": "customers.wait_anger_per_min",
    "abandon_withdrawal": "customers.abandon_withdrawal",
    "invalid_training": "customers.invalid_concession_training",
    "return_probability": "issues.return_probability",
    "return_floor": "issues.return_floor",
    "max_contacts": "issues.max_contacts",
    "redial_min": "issues.mean_redial_min",
    "repeat_days": "issues.mean_repeat_delay_days",
    "repeat_anger": "issues.repeat_anger",
    "unresolved_withdrawal": "issues.unresolved_withdrawal",
    "info_need_failure": "issues.info_need_failure",
    "info_need_invalid": "issues.info_need_invalid",
    "info_need_venting": "issues.info_need_venting",
    "info_need_question": "issues.info_need_question",
    # CSRs.
    "stress_half_life_min": "csr.stress_half_life_min",
    "stress_per_angry": "csr.stress_per_angry_call",
    "angry_call_anger": "csr.angry_call_anger",
    "stress_per_insult": "csr.stress_per_insult",
    "stress_skill_penalty": "csr.stress_skill_penalty",
    "slip_rate": "csr.slip_rate",
    "handover_stress": "csr.handover_stress",
    "handover_anger": "csr.handover_anger",
    "claim_reading_floor": "csr.claim_reading_floor",
    # Conversations.
    "call_overhead_s": "conversation.call_overhead_s",
    "max_moves": "conversation.max_moves",
    "anger_noise": "conversation.anger_noise",
    "perception_noise": "conversation.perception_noise",
    "listening_block": "conversation.listening_block",
    "vent_gate": "conversation.vent_gate",
    "progress_relief": "conversation.progress_relief",
    "escalation_anger": "conversation.escalation_anger",
    "escalation_span": "conversation.escalation_span",
    "complaint_anger": "conversation.complaint_anger",
    "resolved_need": "conversation.resolved_need",
    "insincere_empathy": "conversation.insincere_empathy",
    "soothe_floor": "conversation.soothe_skill_floor",
    "difficulty_effect": "conversation.difficulty_effect",
    "diagnosis_floor": "conversation.diagnosis_floor",
    "fix_noise": "conversation.fix_noise",
    "info_progress": "conversation.info_progress",
    "remedy_progress": "conversation.remedy_progress",
    "managed_talk": "conversation.managed_talk_share",
    "vent_resolution_respect": "conversation.vent_resolution_respect",
    "vent_at_calm": "conversation.vent_at_calm",
    "respect_at_calm": "conversation.respect_at_calm",
    # Memory (MODEL.md section 5).
    "peak_weight": "memory.peak_weight",
    "anger_weight": "memory.anger_weight",
    "resolved_gain": "memory.resolved_gain",
    "remedy_gain": "memory.remedy_gain",
    "courtesy_gain": "memory.courtesy_gain",
    "wait_loss_per_min": "memory.wait_loss_per_min",
    "escalation_loss": "memory.escalation_loss",
    "recovery_erosion": "memory.recovery_erosion",
    "follow_up_gain": "memory.follow_up_gain",
    "csat_scale": "memory.csat_scale",
    # Operations.
    "aht_smoothing": "operations.aht_smoothing",
    "initial_aht_s": "operations.initial_aht_s",
}

#: Fields set from the run's set-up: field -> meaning.
DERIVED: dict[str, str] = {
    "people": "1: customers and conversations; 0: the queue alone",
    "drawn_service": "1: handle times are drawn (exogenous), not the conversation's talk time",
    "service_mean_s": "mean of a drawn handle time, s",
    "service_sigma": "sigma of a lognormal drawn handle time (0: exponential)",
    "horizon_s": "end of the horizon, s",
    "tiers": "tiers of CSRs (2 with supervisors)",
    "routing": "queue discipline, index into floor.ROUTINGS",
    "callback_wait_s": "offer a callback when the expected wait exceeds this, s (inf: never)",
    "follow_up": "1: resolved issues get a follow-up contact",
    "keep_contacts": "1: keep a row per concluded contact",
    "trace": "1: keep anger traces",
    "trace_temperament": "temperament whose calls are traced",
    "trace_persona": "persona whose calls are traced",
    "talker": "the persona a CSR recognises as a talker",
    "empathy_expressiveness": "match routing: expressiveness above which empathy is wanted",
    "talk_sigma": "sigma of a move's lognormal talk-time noise (from its CV)",
    "sl_threshold_s": "service-level threshold, s",
    "keep_records": "1: keep every interval record besides the sums",
}

PARAMS = Table(
    "params",
    "Every number the compiled engine reads (one row).",
    tuple(f(name, "", key) for name, key in FROM_PARAMETERS.items())
    + tuple(f(name, "", meaning) for name, meaning in DERIVED.items()),
)


def engine_params(params: Parameters, **derived: float) -> np.ndarray:
    """The engine's parameter record (one row), filled by name.

    Args:
        params: Model parameters.
        **derived: Values of :data:`DERIVED` fields; those not given are 0, except
            ``callback_wait_s`` (inf: never), ``routing`` (FIFO) and the values that
            follow from ``params``.

    Raises:
        KeyError: for a name that is not a field.
    """
    row = PARAMS.allocate(1)
    for name, key in FROM_PARAMETERS.items():
        row[name] = params[key]
    cv = params["conversation.talk_time_cv"]
    row["talk_sigma"] = math.sqrt(math.log1p(cv * cv))
    row["callback_wait_s"] = math.inf
    row["empathy_expressiveness"] = params["routing.empathy_expressiveness"]
    for name, value in derived.items():
        if name not in DERIVED:
            raise KeyError(f"{name!r} is not a derived engine parameter")
        row[name] = value
    return row
