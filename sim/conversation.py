"""A conversation: a sequence of moves meeting a customer (MODEL.md section 4).

Each move changes the customer's anger and four needs (vent, respect, remedy,
information), makes progress on fixing a failure, may cost a concession, and takes talk
time. How much depends on who is on both ends: the customer's temperament (reactivity,
recovery) and persona (the move x persona table, talk factor, insults), and the CSR's
skills, reduced by stress. A strategy is only a policy that picks the next move from what
the CSR perceives (:class:`Call` is what it sees); the outcome emerges from the moves.

The inner loop works on plain floats and lists: it runs tens of times per contact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.moves import BAIT_MOVE, CLOSE_MOVE, HANDOVER_MOVE, PERSONAS, Catalogue
from sim.parameters import Parameters

# Issue natures (DOMAIN.md section 4): a claimed failure of duty, or a communication
# complaint (help-seeking, consultative, venting).
FAILURE, HELP, CONSULT, VENTING = 0, 1, 2, 3
NATURES = ("failure", "help_seeking", "consultative", "venting")
TALKER = PERSONAS.index("talker")


class Strategy(Protocol):
    """How a CSR handles a call: picks the next move from what it perceives.

    Implementations live in ``policies/``; the simulation only calls ``next_move``.
    """

    name: str

    def next_move(self, call: Call) -> int:
        """The number of the next move (see ``sim.moves.MOVES``)."""
        ...


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
        self.info_left = {FAILURE: 0.3 if valid else 0.9, HELP: 1.0, CONSULT: 1.0, VENTING: 0.1}[
            nature
        ]
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


class RandomBuffer:
    """Uniform and standard-normal draws taken from a generator in large batches.

    Drawing one number at a time from NumPy costs more than the move it decides; a batch
    turned into a Python list costs a few nanoseconds a number.
    """

    def __init__(self, rng: np.random.Generator, size: int = 65_536) -> None:
        self.rng = rng
        self.size = size
        self.u: list[float] = []
        self.n: list[float] = []
        self.pos = 0

    def take(self, k: int) -> int:
        """Reserve ``k`` uniforms and ``k`` normals; returns the index of the first."""
        if self.pos + k > len(self.u):
            self.u = self.rng.random(max(self.size, k)).tolist()
            self.n = self.rng.standard_normal(max(self.size, k)).tolist()
            self.pos = 0
        start = self.pos
        self.pos += k
        return start


class Call:
    """One conversation in progress: the true state, and what the CSR perceives of it.

    A strategy reads the ``seen_*`` fields, ``used`` (moves made so far, by number),
    ``n_moves`` and the cues; everything else is the customer's private state.

    Attributes:
        anger: The customer's anger, 0..1.
        vent, respect, remedy, info, fix: Unmet needs, 0..1 (fix: progress still needed).
        seen_anger, seen_vent, seen_respect, seen_remedy, seen_info, seen_fix: The CSR's
            reading of the same, with an error that shrinks with perception.
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
        "seen_anger",
        "seen_vent",
        "seen_respect",
        "seen_remedy",
        "seen_info",
        "seen_fix",
        "seen_valid",
        "seen_persona",
        "seen_temperament",
        "insulted",
        "used",
        "n_moves",
        "moves",
        "talk_s",
        "conceded",
        "conceded_invalid",
        "escalated",
        "handed_over",
        "resolved",
        "complaint",
        "insults",
        "asked",
        "nature",
        "valid",
        "tier",
        "strategy",
        "trace",
    )

    def __init__(self, n_moves_catalogue: int) -> None:
        self.used = [0] * n_moves_catalogue
        self.n_moves = 0
        self.moves: list[int] = []
        self.trace: list[float] | None = None
        self.talk_s = 0.0
        self.conceded = 0.0
        self.conceded_invalid = False
        self.escalated = False
        self.handed_over = False
        self.resolved = False
        self.complaint = False
        self.insults = 0
        self.insulted = False
        self.diagnosis = 0.0


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
        self.n_catalogue = len(self.cat.columns["talk_s"])

    def open_call(
        self,
        issue: Issue,
        anger: float,
        persona: int,
        temperament: int,
        persona_vent: float,
        persona_respect: float,
        perception: float,
        tier: int = 0,
        trace: bool = False,
    ) -> Call:
        """A call about ``issue`` opening at ``anger``, with the customer's needs.

        The need to vent and for respect grow with anger (an angry customer sends two
        messages, facts and feelings: DOMAIN.md section 3).
        """
        call = Call(self.n_catalogue)
        call.anger = call.peak = call.start_anger = anger
        call.vent = min(1.0, persona_vent * (0.3 + anger) if issue.nature != VENTING else 1.0)
        call.respect = min(1.0, persona_respect * (0.4 + anger))
        call.remedy = issue.remedy_left
        call.info = issue.info_left
        call.fix = issue.fix_left
        call.asked = issue.asked
        call.nature = issue.nature
        call.valid = issue.valid
        call.tier = tier
        if trace:
            call.trace = [anger]
        # What the CSR recognises: the customer's type, with probability = perception.
        j = self.buf.take(3)
        u = self.buf.u
        call.seen_persona = persona if u[j] < perception else 0
        call.seen_temperament = temperament if u[j + 1] < perception else -1
        call.seen_valid = issue.valid if u[j + 2] < 0.5 + 0.5 * perception else not issue.valid
        return call

    def converse(
        self,
        call: Call,
        strategy: Strategy,
        *,
        reactivity: float,
        recovery: float,
        expressiveness: float,
        persona: int,
        talk_factor: float,
        insult_rate: float,
        difficulty: float,
        skills: tuple[float, float, float, float],
        stress: float,
        authority: float,
        can_escalate: bool,
    ) -> float:
        """Play the call to its end; returns the CSR stress added by insults.

        Args:
            call: The opened call (modified in place).
            strategy: Picks the moves.
            reactivity, recovery, expressiveness: The customer's temperament traits.
            persona: The customer's persona number (row of the move x persona table).
            talk_factor: The persona's talk-time multiplier.
            insult_rate: The persona's insult chance per move at full anger.
            difficulty: How hard the issue is to fix, 0..1.
            skills: The CSR's (empathy, problem solving, perception, self-control).
            stress: The CSR's stress at the start of the call, 0..1.
            authority: Largest concession the CSR may grant, currency.
            can_escalate: Whether a second tier exists to escalate to.
        """
        cp, col = self.cp, self.cat.columns
        mod = self.cat.persona_mod[persona]
        talk_col, soothe_col, provoke_col = col["talk_s"], col["soothe"], col["provoke"]
        premature_col, vent_col, respect_col = col["premature"], col["vent"], col["respect"]
        info_col, fix_col, diag_col = col["info"], col["fix"], col["diagnose"]
        remedy_col, grant_col, manage_col = col["remedy"], col["grant"], col["manage_time"]
        ends_col, over_col, sincere_col = col["ends"], col["hands_over"], col["sincere"]
        empathy0, solving0, perception0, control = skills
        sigma = cp.talk_sigma
        half_var = 0.5 * sigma * sigma
        noise = cp.anger_noise
        seen_noise = cp.perception_noise * (1.0 - perception0)
        threshold = cp.escalation_anger + cp.escalation_span * (1.0 - expressiveness)
        block, gate = cp.listening_block, cp.vent_gate
        max_moves = cp.max_moves
        j = self.buf.take(5 * max_moves)
        u, nrm = self.buf.u, self.buf.n
        stress_gain = 0.0
        talk = 0.0
        anger = call.anger
        exp = math.exp
        while True:
            # What the CSR perceives before choosing (MODEL.md section 3: perception).
            call.anger = anger
            call.seen_anger = anger + seen_noise * nrm[j]
            call.seen_vent = call.vent + seen_noise * nrm[j + 1]
            call.seen_respect = call.respect + seen_noise * nrm[j + 2]
            call.seen_remedy = call.remedy
            call.seen_info = call.info + seen_noise * nrm[j + 3]
            call.seen_fix = call.fix
            effective = 1.0 - cp.stress_skill_penalty * stress
            empathy = empathy0 * effective
            solving = solving0 * effective
            if call.n_moves >= max_moves - 1:
                m = CLOSE_MOVE
            elif stress > cp.handover_stress and can_escalate and anger > 0.6 and call.tier == 0:
                m = HANDOVER_MOVE
            elif call.insulted and u[j] < cp.slip_rate * stress * (1.0 - control):
                m = BAIT_MOVE  # taking the bait (DOMAIN.md section 8)
            else:
                m = strategy.next_move(call)
            call.used[m] += 1
            call.n_moves += 1
            call.moves.append(m)
            talk += talk_col[m] * talk_factor * exp(sigma * nrm[j + 4] - half_var)
            if manage_col[m] > 0.0:
                talk_factor = 1.0 + (talk_factor - 1.0) * 0.3
            # Anger: provocation (times reactivity), solutions before venting, soothing
            # that lands with empathy and after venting, all shaped by the persona.
            vent = call.vent
            rise = (provoke_col[m] * mod[m] + premature_col[m] * vent) * reactivity
            calm = soothe_col[m] * mod[m] * recovery * (0.4 + 0.6 * empathy) * (1.0 - gate * vent)
            if sincere_col[m] > 0.0 and empathy < cp.insincere_empathy:
                # An insincere apology harms, the more the less sincere (DOMAIN.md 6).
                rise += soothe_col[m] * mod[m] * reactivity * (1.0 - empathy / cp.insincere_empathy)
                calm = 0.0
            anger += rise - calm + noise * nrm[j + 1]
            anger = 0.0 if anger < 0.0 else (1.0 if anger > 1.0 else anger)
            # Needs; progress on the problem brings relief (DOMAIN.md sections 2 and 7).
            listening = 1.0 - block * anger
            call.vent = vent * (1.0 - vent_col[m])
            r = respect_col[m]
            call.respect = (
                call.respect * (1.0 - r) if r >= 0.0 else call.respect + (1.0 - call.respect) * -r
            )
            progress = 0.0
            if info_col[m] > 0.0:
                met = call.info * info_col[m] * listening
                call.info -= met
                progress += 0.5 * met
            call.diagnosis += diag_col[m] * (1.0 - call.diagnosis)
            if fix_col[m] > 0.0 and call.fix > 0.0:
                gain = (
                    fix_col[m]
                    * solving
                    * (0.5 + 0.5 * call.diagnosis)
                    * (1.0 - 0.5 * difficulty)
                    * listening
                    * (0.5 + u[j + 1])
                )
                gain = min(gain, call.fix)
                call.fix -= gain
                progress += gain
            if remedy_col[m] > 0.0 and call.remedy > 0.0:
                want = call.remedy * call.asked
                pay = min(grant_col[m] * want, max(0.0, authority - call.conceded))
                share = (
                    remedy_col[m]
                    if grant_col[m] == 0.0
                    else remedy_col[m] * (pay / (grant_col[m] * want) if want > 0 else 1.0)
                )
                progress += 0.5 * call.remedy * share
                call.remedy *= 1.0 - share
                call.conceded += pay
                if pay > 0.0 and not call.valid:
                    call.conceded_invalid = True
            if progress > 0.0:
                anger -= cp.progress_relief * recovery * progress
                anger = 0.0 if anger < 0.0 else anger
            # The customer's reaction: insults feed the CSR's stress.
            call.insulted = u[j + 2] < insult_rate * anger
            if call.insulted:
                call.insults += 1
                gain = cp.stress_per_insult * (1.0 - control)
                stress = min(1.0, stress + gain)
                stress_gain += gain
            if anger > call.peak:
                call.peak = anger
            if call.trace is not None:
                call.trace.append(anger)
            j += 5
            if over_col[m] > 0.0:
                call.handed_over = call.escalated = can_escalate
                break
            if ends_col[m] > 0.0:
                break
            if anger >= threshold and can_escalate and call.tier == 0:
                call.escalated = True  # the customer demands a supervisor
                break
        call.anger = anger
        call.talk_s += talk + cp.call_overhead_s
        call.resolved = self.is_resolved(call)
        return stress_gain

    def is_resolved(self, call: Call) -> bool:
        """Whether the issue's primary need is met (fix, information, venting, or remedy)."""
        tol = self.cp.resolved_need
        if call.nature == FAILURE:
            if call.valid:
                return call.fix <= tol
            # An invalid claim ends when explained, or when the customer was given what
            # they asked for.
            return call.info <= tol or (call.asked > 0 and call.remedy <= tol)
        if call.nature == VENTING:
            return call.vent <= tol and call.respect <= 0.5
        return call.info <= tol
