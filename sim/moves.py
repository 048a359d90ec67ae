"""The move catalogue: what a CSR can say, and its base effects (MODEL.md section 4).

The catalogue is data from the parameter file (``[moves.*]``); this module only turns it
into lists indexed by move number, which is what the conversation's inner loop needs.
Strategies refer to moves by name and get their numbers from :data:`MOVES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.parameters import Parameters

#: Move names in catalogue order; a move's number is its index here.
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

FIELDS = (
    "talk_s",
    "soothe",
    "provoke",
    "premature",
    "vent",
    "respect",
    "info",
    "fix",
    "diagnose",
    "remedy",
    "grant",
    "manage_time",
    "ends",
    "hands_over",
    "sincere",
)

#: The move a CSR falls into when taking the bait (DOMAIN.md section 8: arguing back).
BAIT_MOVE = MOVE_INDEX["argue_facts"]
#: The move of a CSR handing a call over (DOMAIN.md section 8).
HANDOVER_MOVE = MOVE_INDEX["transfer"]
#: The move that closes a call that has run out of moves.
CLOSE_MOVE = MOVE_INDEX["close"]

TEMPERAMENTS: tuple[str, ...] = ("choleric", "sanguine", "phlegmatic", "melancholic")
PERSONAS: tuple[str, ...] = (
    "regular",
    "angry",
    "arguer",
    "talker",
    "chronic_complainer",
    "rude",
    "demanding",
)


@dataclass(frozen=True)
class Catalogue:
    """Move effects as lists indexed by move number, plus the persona modifier table.

    Attributes:
        columns: ``{field: [value per move]}`` for every field of :data:`FIELDS`.
        persona_mod: ``persona_mod[persona][move]`` multiplies the move's effect on anger.
    """

    columns: dict[str, list[float]]
    persona_mod: list[list[float]]

    @classmethod
    def from_parameters(cls, params: Parameters) -> Catalogue:
        """Read the catalogue from ``moves.*`` and ``persona_move.*``."""
        columns = {f: [float(params[f"moves.{m}.{f}"]) for m in MOVES] for f in FIELDS}
        mod = [[1.0] * len(MOVES) for _ in PERSONAS]
        for p, persona in enumerate(PERSONAS):
            for m, move in enumerate(MOVES):
                key = f"persona_move.{persona}.{move}"
                if key in params:
                    mod[p][m] = float(params[key])
        return cls(columns, mod)
