"""A conversation: a sequence of moves meeting a customer (MODEL.md section 4).

Each move changes the customer's anger and four needs (vent, respect, remedy,
information), makes progress on fixing a failure, may cost a concession, and takes talk
time. How much depends on who is on both ends: the customer's temperament (reactivity,
recovery) and persona (the move x persona table, talk factor, insults), and the CSR's
skills, reduced by stress. A strategy is only a policy that picks the next move from what
the CSR perceives; the outcome emerges from the moves.

The inner loop runs tens of times per contact, so it is compiled
(:mod:`sim.conversation_loop`); this module opens calls and carries their state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.conversation_loop import N_MOVES, PARAMS_SIZE, PEAK, STATE_SIZE, play
from sim.moves import FIELDS, PERSONAS, Catalogue
from sim.parameters import Parameters
from sim.rule_program import RuleProgram

# Issue natures (DOMAIN.md section 4): a claimed failure of duty, or a communication
# complaint (help-seeking, consultative, venting).
FAILURE, HELP, CONSULT, VENTING = 0, 1, 2, 3
NATURES = ("failure", "help_seeking", "consultative", "venting")
TALKER = PERSONAS.index("talker")
#: Room for the loop's outputs at the end of the call's state vector.
_OUTPUT_SLOTS = (0.0,) * (STATE_SIZE - N_MOVES)


class Strategy(Protocol):
    """How a CSR handles a call: rules that pick the next move from what it perceives.

    Implementations live in ``policies/``; the simulation only reads ``program``, the
    rule tables (:class:`sim.rule_program.RuleProgram`) its compiled loop interprets.
    """

    name: str
    program: RuleProgram


class Issue:
    """Something that went wrong (or a question) that makes a customer call.

    Attributes:
        iid: Sequence number of the issue.
        nature: FAILURE, HELP, CONSULT or VENTING.
        valid: Whether a claimed failure is real (communication issues are valid).
        severity: 0..1.
        difficulty: 0..1, how hard a failure is to fix.
        asked: Compensation the customer asks for, currency (0 if none).
        contacts: Contacts made about it so far.
        resolved: Whether it has been resolved.
        first_resolved: Whether it was resolved at its first contact.
    """

    __slots__ = (
        "iid",
        "nature",
        "valid",
        "severity",
        "difficulty",
        "asked",
        "contacts",
        "resolved",
        "first_resolved",
        "opening_anger",
        "remedy_left",
        "fix_left",
        "info_left",
        "conceded",
    )

    def __init__(
        self, iid: int, nature: int, valid: bool, severity: float, difficulty: float, asked: float
    ) -> None:
        self.iid = iid
        self.nature = nature
        self.valid = valid
        self.severity = severity
        self.difficulty = difficulty
        self.asked = asked
        self.contacts = 0
        self.resolved = False
        self.first_resolved = False
        self.opening_anger = 0.0
        # What is still to be done about the issue, carried from one contact to the next.
        self.remedy_left = 1.0 if asked > 0 else 0.0
        self.fix_left = 1.0 if (nature == FAILURE and valid) else 0.0
        # Information still wanted: little for a real failure (it needs fixing), much for
        # an invalid claim (it needs explaining) and for questions; venting wants little.
        if nature == FAILURE:
            self.info_left = 0.3 if valid else 0.9
        else:
            self.info_left = 0.1 if nature == VENTING else 1.0
        self.conceded = 0.0


@dataclass(frozen=True)
class ConversationParams:
    """The numbers of the ``conversation.*`` and ``csr.*`` parameters the loop needs."""

    call_overhead_s: float
    max_moves: int
    talk_sigma: float
    anger_noise: float
    perception_noise: float
    listening_block: float
    vent_gate: float
    progress_relief: float
    escalation_anger: float
    escalation_span: float
    complaint_anger: float
    resolved_need: float
    insincere_empathy: float
    stress_per_insult: float
    stress_skill_penalty: float
    slip_rate: float
    handover_stress: float

    @classmethod
    def from_parameters(cls, p: Parameters) -> ConversationParams:
        cv = p["conversation.talk_time_cv"]
        return cls(
            call_overhead_s=p["conversation.call_overhead_s"],
            max_moves=p["conversation.max_moves"],
            talk_sigma=math.sqrt(math.log1p(cv * cv)),
            anger_noise=p["conversation.anger_noise"],
            perception_noise=p["conversation.perception_noise"],
            listening_block=p["conversation.listening_block"],
            vent_gate=p["conversation.vent_gate"],
            progress_relief=p["conversation.progress_relief"],
            escalation_anger=p["conversation.escalation_anger"],
            escalation_span=p["conversation.escalation_span"],
            complaint_anger=p["conversation.complaint_anger"],
            resolved_need=p["conversation.resolved_need"],
            insincere_empathy=p["conversation.insincere_empathy"],
            stress_per_insult=p["csr.stress_per_insult"],
            stress_skill_penalty=p["csr.stress_skill_penalty"],
            slip_rate=p["csr.slip_rate"],
            handover_stress=p["csr.handover_stress"],
        )

    def vector(self) -> np.ndarray:
        """The numbers the compiled loop reads, in ``sim.conversation_loop``'s order."""
        values = (
            self.call_overhead_s,
            self.max_moves,
            self.talk_sigma,
            self.anger_noise,
            self.perception_noise,
            self.listening_block,
            self.vent_gate,
            self.progress_relief,
            self.escalation_anger,
            self.escalation_span,
            self.resolved_need,
            self.insincere_empathy,
            self.stress_per_insult,
            self.stress_skill_penalty,
            self.slip_rate,
            self.handover_stress,
        )
        assert len(values) == PARAMS_SIZE
        return np.array(values, dtype=np.float64)


class RandomBuffer:
    """Uniform and standard-normal draws taken from a generator in large batches.

    Drawing one number at a time from NumPy costs more than the move it decides. The
    compiled event loop (``sim.event_loop``) keeps the same kind of buffer in its arrays.

    Args:
        rng: The generator drawn from.
        size: Numbers drawn per batch (of each kind).
    """

    def __init__(self, rng: np.random.Generator, size: int = 65_536) -> None:
        self.rng = rng
        self.size = size
        self.u = np.empty(0)
        self.n = np.empty(0)
        self.pos = 0

    def release(self, end: int) -> None:
        """Give back what was reserved beyond index ``end`` (it was not used)."""
        if end < self.pos:
            self.pos = end

    def take(self, k: int) -> int:
        """Reserve ``k`` uniforms and ``k`` normals; returns the index of the first."""
        if self.pos + k > len(self.u):
            self.u = self.rng.random(max(self.size, k))
            self.n = self.rng.standard_normal(max(self.size, k))
            self.pos = 0
        start = self.pos
        self.pos += k
        return start


class Call:
    """One conversation: the customer's state, and the cues the CSR recognised.

    During the call the compiled loop perceives anger and the needs with an error that
    shrinks with the CSR's perception (MODEL.md section 3) and applies the strategy's
    rules to that reading; the cues below are recognised once, when the call opens.

    Attributes:
        anger: The customer's anger, 0..1.
        vent, respect, remedy, info, fix: Unmet needs, 0..1 (fix: progress still needed).
        moves: The moves made (numbers of ``sim.moves.MOVES``).
        trace: Anger before the first move and after each move, if traced.
        seen_valid: Whether the CSR believes the claim is valid.
        seen_persona: The persona the CSR recognises (the true one, or ``regular``).
        seen_temperament: The temperament the CSR recognises (or -1 if unsure).
        insulted: Whether the customer insulted the CSR on the last move.
    """

    __slots__ = (
        "anger",
        "vent",
        "respect",
        "remedy",
        "info",
        "fix",
        "diagnosis",
        "peak",
        "start_anger",
        "seen_valid",
        "seen_persona",
        "seen_temperament",
        "insulted",
        "n_moves",
        "moves",
        "talk_s",
        "conceded",
        "conceded_invalid",
        "escalated",
        "handed_over",
        "resolved",
        "insults",
        "asked",
        "nature",
        "valid",
        "tier",
        "trace",
    )


class Conversations:
    """Runs conversations: the move effects of the catalogue, with the customer and CSR.

    Args:
        params: Model parameters (catalogue, conversation, CSR and temperament tables).
        rng: Generator of the conversation's noise.
    """

    def __init__(self, params: Parameters, rng: np.random.Generator) -> None:
        self.cat = Catalogue.from_parameters(params)
        self.cp = ConversationParams.from_parameters(params)
        self.buf = RandomBuffer(rng)
        n_catalogue = len(self.cat.columns["talk_s"])
        # The compiled loop's inputs: move effects (move x field), the move x persona
        # table, the parameters, and scratch arrays reused from call to call.
        self.rows = np.array(
            [[self.cat.columns[f][m] for f in FIELDS] for m in range(n_catalogue)],
            dtype=np.float64,
        )
        self.persona_mod = np.array(self.cat.persona_mod, dtype=np.float64)
        self.cp_vector = self.cp.vector()
        self.draws_per_call = 5 * self.cp.max_moves  # five draws a move at most
        self._used = np.zeros(n_catalogue, dtype=np.int64)
        self._moves = np.zeros(self.cp.max_moves, dtype=np.int64)
        self._trace = np.zeros(self.cp.max_moves + 1, dtype=np.float64)

    def play_call(
        self,
        issue: Issue,
        strategy: Strategy,
        *,
        anger: float,
        temperament: int,
        persona: int,
        traits: tuple[float, float, float, float, float, float, float],
        skills: tuple[float, float, float, float],
        stress: float,
        authority: float,
        tier: int = 0,
        can_escalate: bool = False,
        trace: bool = False,
    ) -> tuple[Call, float]:
        """Open a call about ``issue`` and play it to its end.

        The call opens at ``anger``; the needs to vent and for respect grow with anger (an
        angry customer sends two messages, facts and feelings: DOMAIN.md section 3). The
        CSR recognises the customer's type with probability = perception. The moves are
        played by the compiled loop :func:`sim.conversation_loop.play`.

        Args:
            issue: What the call is about (its open needs are carried between contacts).
            strategy: Picks the moves (its :class:`~sim.rule_program.RuleProgram`).
            anger: Anger at the opening, 0..1.
            temperament, persona: The customer's type (numbers of ``sim.moves``' tuples).
            traits: The customer's (reactivity, recovery, expressiveness) from the
                temperament and (talk factor, insult rate per move at full anger, need to
                vent, need for respect) from the persona.
            skills: The CSR's (empathy, problem solving, perception, self-control).
            stress: The CSR's stress at the start of the call, 0..1.
            authority: Largest concession the CSR may grant, currency.
            tier: 0 for the front line, 1 for the supervisors.
            can_escalate: Whether a second tier exists to escalate to.
            trace: Keep anger after each move in ``call.trace``.

        Returns:
            The finished call, and the CSR stress added by the customer's insults.
        """
        reactivity, recovery, expressiveness, talk_factor, insult_rate, p_vent, p_respect = traits
        empathy, solving, perception, control = skills
        buf = self.buf
        j = buf.take(3)
        u_persona, u_temperament, u_valid = buf.u[j : j + 3].tolist()
        valid, nature = issue.valid, issue.nature
        seen_persona = persona if u_persona < perception else 0
        seen_valid = valid if u_valid < 0.5 + 0.5 * perception else not valid
        vent = min(1.0, p_vent * (0.3 + anger) if nature != VENTING else 1.0)
        respect = min(1.0, p_respect * (0.4 + anger))
        # The state vector, in the order of sim.conversation_loop's indices.
        s = np.array(
            (
                anger,
                vent,
                respect,
                issue.remedy_left,
                issue.info_left,
                issue.fix_left,
                0.0,  # diagnosis
                0.0,  # conceded
                anger,  # peak
                issue.asked,
                valid,
                nature,
                seen_valid,
                seen_persona == TALKER,
                tier == 0,
                can_escalate,
                reactivity,
                recovery,
                expressiveness,
                talk_factor,
                insult_rate,
                issue.difficulty,
                empathy,
                solving,
                perception,
                control,
                stress,
                authority,
                trace,
                *_OUTPUT_SLOTS,
            ),
            dtype=np.float64,
        )
        j = buf.take(self.draws_per_call)
        program = strategy.program
        moves, traced = self._moves, self._trace
        buf.release(
            play(
                s,
                self._used,
                moves,
                traced,
                self.rows,
                self.persona_mod[persona],
                self.cp_vector,
                program.rules,
                program.table_rows,
                program.choices,
                buf.u,
                buf.n,
                j,
            )
        )
        call = Call()
        (
            call.anger,
            call.vent,
            call.respect,
            call.remedy,
            call.info,
            call.fix,
            call.diagnosis,
            call.conceded,
            call.peak,
        ) = s[: PEAK + 1].tolist()
        (
            n_moves,
            insulted,
            call.talk_s,
            stress_gain,
            conceded_invalid,
            insults,
            escalated,
            handed_over,
            resolved,
        ) = s[N_MOVES:].tolist()
        call.start_anger = anger
        call.asked, call.nature, call.valid, call.tier = issue.asked, nature, valid, tier
        call.seen_persona, call.seen_valid = seen_persona, seen_valid
        call.seen_temperament = temperament if u_temperament < perception else -1
        call.n_moves = n = int(n_moves)
        call.insulted = insulted > 0.0
        call.conceded_invalid = conceded_invalid > 0.0
        call.insults = int(insults)
        call.escalated = escalated > 0.0
        call.handed_over = handed_over > 0.0
        call.resolved = resolved > 0.0
        call.moves = moves[:n].tolist()
        call.trace = [anger, *traced[1 : n + 1].tolist()] if trace else None
        return call, stress_gain
