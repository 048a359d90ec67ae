"""A conversation lab: calls played without a queue, for one kind of customer.

Trainers and tests ask "what does this strategy do to an angry choleric customer?". The
lab plays calls of one temperament and persona against one strategy through the very
function the model uses to answer a call (:func:`sim.engine.call.play_call`: the same
opening, the same moves, escalation included when a second tier exists), with the
model's parameters, and returns what happened to each call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.catalogue import (
    FAILURE,
    MOVES,
    NATURES,
    PERSONAS,
    TALKER,
    TEMPERAMENTS,
    VENTING,
    move_table,
    persona_move_table,
    persona_table,
    temperament_table,
)
from sim.engine.call import lab_call
from sim.engine.draws import BUFFERS
from sim.engine_params import engine_params
from sim.parameters import Parameters
from sim.protocols import Strategy
from sim.schema import CALL, CALL_TRACE, CSR, SLOT
from sim.state import DRAW_BATCH


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
        asked: Compensation asked, currency (failures only).
    """

    temperament: str = "choleric"
    persona: str = "angry"
    anger: float = 0.6
    nature: str = "failure"
    valid: bool = True
    severity: float = 0.6
    difficulty: float = 0.3
    asked: float = 24.0


def issue_row(params: Parameters, caller: Caller) -> np.ndarray:
    """The caller's issue as a one-row slot table, its open needs as the model opens them
    (``sim.engine.contact.first_contact``)."""
    nature = NATURES.index(caller.nature)
    slot = SLOT.allocate(1)
    row = slot[0]
    asked = caller.asked if nature == FAILURE else 0.0
    row["nature"], row["valid"] = nature, int(caller.valid or nature != FAILURE)
    row["severity"], row["difficulty"], row["asked"] = caller.severity, caller.difficulty, asked
    row["remedy_left"] = 1.0 if asked > 0 else 0.0
    row["fix_left"] = 1.0 if (nature == FAILURE and row["valid"]) else 0.0
    if nature == FAILURE:
        key = "issues.info_need_failure" if row["valid"] else "issues.info_need_invalid"
    else:
        key = "issues.info_need_venting" if nature == VENTING else "issues.info_need_question"
    row["info_left"] = params[key]
    return slot


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
    can_escalate: bool | None = None,
) -> pd.DataFrame:
    """Play ``n`` front-line calls of ``caller`` against ``strategy``; one row per call.

    Args:
        strategy: Picks the moves (its rule program).
        caller: Who calls, about what.
        params: Model parameters (default: the defaults).
        n: Calls to play, each with its own draws from one stream.
        seed: Seed of the conversation's random stream.
        skills: The CSR's (empathy, problem solving, perception, self-control);
            default: the mean skills ``csr.*``.
        stress: The CSR's stress at the start of each call.
        authority: Largest concession, currency; default ``csr.concession_authority``.
        can_escalate: Whether the customer can demand a supervisor; default: whether
            the model has a second tier (``operations.supervisors`` > 0).

    Returns:
        Columns: call, start_anger, peak_anger, final_anger, talk_s, resolved, escalated,
        conceded, conceded_invalid, insults, moves (space-separated), trace (anger after
        each move, element 0 the opening anger), vent, respect, remedy, info, fix (needs
        left at the end), steps (float64[moves + 1, len(CALL_TRACE)]: the columns of
        :data:`sim.schema.CALL_TRACE` at the opening and after each move).
    """
    params = params or Parameters()
    if skills is None:
        skills = tuple(
            params[f"csr.{k}"] for k in ("empathy", "problem_solving", "perception", "self_control")
        )
    if authority is None:
        authority = params["csr.concession_authority"]
    if can_escalate is None:
        can_escalate = params["operations.supervisors"] > 0
    t, q = TEMPERAMENTS.index(caller.temperament), PERSONAS.index(caller.persona)
    pv = engine_params(params, talker=TALKER, tiers=2 if can_escalate else 1)
    csr = CSR.allocate(1)
    names = ("empathy", "problem_solving", "perception", "self_control")
    for name, value in zip(names, skills, strict=True):
        csr[name] = value
    csr["stress"], csr["authority"] = stress, authority
    program = strategy.program
    max_moves = int(params["conversation.max_moves"])
    call = CALL.allocate(1)
    used = np.zeros(len(MOVES), dtype=np.int64)
    moves = np.zeros(max_moves, dtype=np.int64)
    trace = np.zeros((max_moves + 1, len(CALL_TRACE)))
    draws_u, draws_n = np.zeros((BUFFERS, DRAW_BATCH)), np.zeros((BUFFERS, DRAW_BATCH))
    draw_pos = np.full(BUFFERS, DRAW_BATCH, dtype=np.int64)
    rng = np.random.default_rng(seed)
    tables = (temperament_table(params), persona_table(params))
    cat, mod = move_table(params), persona_move_table(params)
    rows = []
    for i in range(n):
        slot = issue_row(params, caller)
        lab_call(
            call, pv, slot, csr, *tables, t, q, caller.anger, bool(can_escalate),
            cat, mod, program.rules, program.table_rows, program.choices, used, moves, trace,
            draws_u, draws_n, draw_pos, (rng, rng, rng),
        )  # fmt: skip
        c = call[0]
        k = int(c["n_moves"])
        rows.append(
            {
                "call": i,
                "start_anger": caller.anger,
                "peak_anger": float(c["peak"]),
                "final_anger": float(c["anger"]),
                "talk_s": float(c["talk_s"]),
                "resolved": bool(c["resolved"]),
                "escalated": bool(c["escalated"]),
                "conceded": float(c["conceded"]),
                "conceded_invalid": bool(c["conceded_invalid"]),
                "insults": int(c["insults"]),
                "moves": " ".join(MOVES[m] for m in moves[:k]),
                "trace": trace[: k + 1, 0].tolist(),
                "vent": float(c["vent"]),
                "respect": float(c["respect"]),
                "remedy": float(c["remedy"]),
                "info": float(c["info"]),
                "fix": float(c["fix"]),
                "steps": trace[: k + 1].copy(),
            }
        )
    return pd.DataFrame(rows)
