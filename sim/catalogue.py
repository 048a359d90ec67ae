"""What the model is made of: moves, temperaments, personas and issue natures.

The names here are the model's vocabulary; their numbers (effects, traits) are data
from the parameter file, turned by the functions below into the engine's tables
(:mod:`sim.schema`). Strategies refer to moves by name and get their numbers from
:data:`MOVES`; nothing in ``sim/`` names a strategy.
"""

from __future__ import annotations

import numpy as np

from sim.parameters import Parameters
from sim.schema import MOVE, PERSONA, TEMPERAMENT

#: Move names in catalogue order; a move's number is its index here (MODEL.md section 4).
MOVES: tuple[str, ...] = (
    "listen",
    "let_vent",
    "empathy",
    "apology",
    "assure_effort",
    "find_agreement",
    "closed_question",
    "explain_steps",
    "offer_alternatives",
    "concede",
    "split_difference",
    "solve",
    "insist_policy",
    "argue_facts",
    "deflect",
    "postpone",
    "set_limits",
    "manage_time",
    "transfer",
    "close",
)
MOVE_INDEX: dict[str, int] = {name: i for i, name in enumerate(MOVES)}

#: The move a CSR falls into when taking the bait (DOMAIN.md section 8: arguing back).
BAIT_MOVE = MOVE_INDEX["argue_facts"]
#: The move of a CSR handing a call over (DOMAIN.md section 8).
HANDOVER_MOVE = MOVE_INDEX["transfer"]
#: The move that closes a call that has run out of moves.
CLOSE_MOVE = MOVE_INDEX["close"]

#: DOMAIN.md section 2.
TEMPERAMENTS: tuple[str, ...] = ("choleric", "sanguine", "phlegmatic", "melancholic")
#: DOMAIN.md section 3 (``regular``: no marked behaviour type).
PERSONAS: tuple[str, ...] = (
    "regular",
    "angry",
    "arguer",
    "talker",
    "chronic_complainer",
    "rude",
    "demanding",
)
#: The persona a CSR can recognise as a talker (and manage the time of).
TALKER = PERSONAS.index("talker")

#: Issue natures (DOMAIN.md section 4): a claimed failure of duty, or a communication
#: complaint (help-seeking, consultative, venting).
NATURES: tuple[str, ...] = ("failure", "help_seeking", "consultative", "venting")
FAILURE, HELP, CONSULT, VENTING = range(4)


def move_table(params: Parameters) -> np.ndarray:
    """The move catalogue: one row per move of :data:`MOVES` (``moves.*``)."""
    return _traits(params, MOVE, "moves", MOVES)


def persona_move_table(params: Parameters) -> np.ndarray:
    """``[persona, move]``: multiplier of the move's effect on anger (``persona_move.*``;
    pairs not given are 1)."""
    mod = np.ones((len(PERSONAS), len(MOVES)))
    for p, persona in enumerate(PERSONAS):
        for m, move in enumerate(MOVES):
            key = f"persona_move.{persona}.{move}"
            if key in params:
                mod[p, m] = params[key]
    return mod


def _traits(params: Parameters, table, group: str, names: tuple[str, ...]) -> np.ndarray:
    """Rows of ``table`` for each of ``names``, read from ``<group>.<name>.<field>``."""
    rows = table.allocate(len(names))
    for k, name in enumerate(names):
        for field in table.names:
            rows[k][field] = params[f"{group}.{name}.{field}"]
    return rows


def temperament_table(params: Parameters) -> np.ndarray:
    """Traits of each temperament of :data:`TEMPERAMENTS` (``temperament.*``)."""
    return _traits(params, TEMPERAMENT, "temperament", TEMPERAMENTS)


def persona_table(params: Parameters) -> np.ndarray:
    """Traits of each persona of :data:`PERSONAS` (``persona.*``)."""
    return _traits(params, PERSONA, "persona", PERSONAS)
