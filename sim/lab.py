"""A conversation lab: calls played without a queue, for one kind of customer.

Trainers and tests ask "what does this strategy do to an angry choleric customer?". The
lab plays many calls of one temperament and persona against one strategy with the model's
own conversation engine and parameters, and returns what happened to each call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.conversation import FAILURE, NATURES, Conversations, Issue, Strategy
from sim.moves import MOVES, PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters


@dataclass(frozen=True)
class Caller:
    """The customer side of the lab's calls.

    Attributes:
        temperament: A name of ``TEMPERAMENTS``.
        persona: A name of ``PERSONAS``.
        anger: Opening anger, 0..1.
        nature: Issue nature (a name of ``NATURES``).
        valid: Whether a claimed failure is real.
        severity: 0..1.
        difficulty: 0..1.
        asked: Compensation asked, currency.
    """

    temperament: str = "choleric"
    persona: str = "angry"
    anger: float = 0.6
    nature: str = "failure"
    valid: bool = True
    severity: float = 0.6
    difficulty: float = 0.3
    asked: float = 24.0


def play_calls(
    strategy: Strategy,
    caller: Caller = Caller(),
    *,
    params: Parameters | None = None,
    n: int = 200,
    seed: int = 0,
    skills: tuple[float, float, float, float] | None = None,
    stress: float = 0.0,
    authority: float | None = None,
) -> pd.DataFrame:
    """Play ``n`` calls of ``caller`` against ``strategy``; one row per call.

    Returns:
        Columns: call, start_anger, peak_anger, final_anger, talk_s, resolved, escalated,
        conceded, conceded_invalid, insults, moves (space-separated), trace (anger after
        each move, element 0 the opening anger), vent, respect, remedy, info, fix (needs
        left at the end).
    """
    params = params or Parameters()
    from sim.behaviour import Traits  # the per-type tables; avoids a cycle at import

    tr = Traits.from_parameters(params)
    conv = Conversations(params, np.random.default_rng(seed))
    t, q = TEMPERAMENTS.index(caller.temperament), PERSONAS.index(caller.persona)
    nature = NATURES.index(caller.nature)
    if skills is None:
        skills = tuple(
            params[f"csr.{k}"] for k in ("empathy", "problem_solving", "perception", "self_control")
        )
    if authority is None:
        authority = params["csr.concession_authority"]
    rows = []
    for i in range(n):
        issue = Issue(
            i,
            nature,
            caller.valid,
            caller.severity,
            caller.difficulty,
            caller.asked if nature == FAILURE else 0.0,
        )
        call, _ = conv.play_call(
            issue,
            strategy,
            anger=caller.anger,
            temperament=t,
            persona=q,
            traits=tr.of_caller(t, q),
            skills=skills,
            stress=stress,
            authority=authority,
            trace=True,
        )
        rows.append(
            {
                "call": i,
                "start_anger": call.start_anger,
                "peak_anger": call.peak,
                "final_anger": call.anger,
                "talk_s": call.talk_s,
                "resolved": call.resolved,
                "escalated": call.escalated,
                "conceded": call.conceded,
                "conceded_invalid": call.conceded_invalid,
                "insults": call.insults,
                "moves": " ".join(MOVES[m] for m in call.moves),
                "trace": list(call.trace),
                "vent": call.vent,
                "respect": call.respect,
                "remedy": call.remedy,
                "info": call.info,
                "fix": call.fix,
            }
        )
    return pd.DataFrame(rows)
