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

from sim.moves import BAIT_MOVE, CLOSE_MOVE, FIELDS, HANDOVER_MOVE, PERSONAS, Catalogue
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

    def release(self, end: int) -> None:
        """Give back what was reserved beyond index ``end`` (it was not used)."""
        if end < self.pos:
            self.pos = end

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
        # One tuple of effects per move: a single lookup per move in the inner loop.
        self.rows = [tuple(self.cat.columns[f][m] for f in FIELDS) for m in range(self.n_catalogue)]

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
        cp = self.cp
        rows = self.rows
        mod = self.cat.persona_mod[persona]
        empathy0, solving0, perception0, control = skills
        sigma = cp.talk_sigma
        half_var = 0.5 * sigma * sigma
        noise = cp.anger_noise
        seen_noise = cp.perception_noise * (1.0 - perception0)
        threshold = cp.escalation_anger + cp.escalation_span * (1.0 - expressiveness)
        block, gate, relief = cp.listening_block, cp.vent_gate, cp.progress_relief
        insincere, penalty = cp.insincere_empathy, cp.stress_skill_penalty
        slip, handover, per_insult = cp.slip_rate, cp.handover_stress, cp.stress_per_insult
        max_moves = cp.max_moves
        front_line = call.tier == 0
        j = self.buf.take(5 * max_moves)
        u, nrm = self.buf.u, self.buf.n
        stress_gain = 0.0
        talk = 0.0
        # The true state lives in locals during the loop (written back at the end); the
        # strategy reads only what the CSR perceives, written to the call each turn.
        anger = call.anger
        vent, respect, remedy = call.vent, call.respect, call.remedy
        info, fix, diagnosis = call.info, call.fix, call.diagnosis
        conceded, asked, valid = call.conceded, call.asked, call.valid
        used, moves, trace = call.used, call.moves, call.trace
        peak = call.peak
        n_moves = call.n_moves
        insulted = call.insulted
        effective = 1.0 - penalty * stress
        empathy, solving = empathy0 * effective, solving0 * effective
        fix_scale = (1.0 - 0.5 * difficulty) * solving
        exp = math.exp
        while True:
            # What the CSR perceives before choosing (MODEL.md section 3: perception).
            call.seen_anger = anger + seen_noise * nrm[j]
            call.seen_vent = vent + seen_noise * nrm[j + 1]
            call.seen_respect = respect + seen_noise * nrm[j + 2]
            call.seen_remedy = remedy
            call.seen_info = info + seen_noise * nrm[j + 3]
            call.seen_fix = fix
            call.n_moves = n_moves
            call.insulted = insulted
            if n_moves >= max_moves - 1:
                m = CLOSE_MOVE
            elif stress > handover and can_escalate and anger > 0.6 and front_line:
                m = HANDOVER_MOVE
            elif insulted and u[j] < slip * stress * (1.0 - control):
                m = BAIT_MOVE  # taking the bait (DOMAIN.md section 8)
            else:
                m = strategy.next_move(call)
            (
                talk_m,
                soothe_m,
                provoke_m,
                premature_m,
                vent_m,
                respect_m,
                info_m,
                fix_m,
                diag_m,
                remedy_m,
                grant_m,
                manage_m,
                ends_m,
                over_m,
                sincere_m,
            ) = rows[m]
            used[m] += 1
            n_moves += 1
            moves.append(m)
            talk += talk_m * talk_factor * exp(sigma * nrm[j + 4] - half_var)
            if manage_m > 0.0:
                talk_factor = 1.0 + (talk_factor - 1.0) * 0.3
            # Anger: provocation (times reactivity), solutions before venting, soothing
            # that lands with empathy and after venting, all shaped by the persona.
            mod_m = mod[m]
            rise = (provoke_m * mod_m + premature_m * vent) * reactivity
            if soothe_m > 0.0:
                if sincere_m > 0.0 and empathy < insincere:
                    # An insincere apology harms, the more the less sincere (DOMAIN.md 6).
                    rise += soothe_m * mod_m * reactivity * (1.0 - empathy / insincere)
                else:
                    rise -= (
                        soothe_m * mod_m * recovery * (0.4 + 0.6 * empathy) * (1.0 - gate * vent)
                    )
            anger += rise + noise * nrm[j + 1]
            anger = 0.0 if anger < 0.0 else (1.0 if anger > 1.0 else anger)
            # Needs; progress on the problem brings relief (DOMAIN.md sections 2 and 7).
            listening = 1.0 - block * anger
            vent *= 1.0 - vent_m
            respect = (
                respect * (1.0 - respect_m)
                if respect_m >= 0.0
                else respect + (1.0 - respect) * -respect_m
            )
            progress = 0.0
            if info_m > 0.0:
                met = info * info_m * listening
                info -= met
                progress += 0.5 * met
            if diag_m > 0.0:
                diagnosis += diag_m * (1.0 - diagnosis)
            if fix_m > 0.0 and fix > 0.0:
                gain = fix_m * fix_scale * (0.5 + 0.5 * diagnosis) * listening * (0.5 + u[j + 1])
                gain = fix if gain > fix else gain
                fix -= gain
                progress += gain
            if remedy_m > 0.0 and remedy > 0.0:
                want = remedy * asked
                pay = min(grant_m * want, max(0.0, authority - conceded))
                share = (
                    remedy_m
                    if grant_m == 0.0
                    else remedy_m * (pay / (grant_m * want) if want > 0 else 1.0)
                )
                progress += 0.5 * remedy * share
                remedy *= 1.0 - share
                conceded += pay
                if pay > 0.0 and not valid:
                    call.conceded_invalid = True
            if progress > 0.0:
                anger -= relief * recovery * progress
                anger = 0.0 if anger < 0.0 else anger
            # The customer's reaction: insults feed the CSR's stress.
            insulted = u[j + 2] < insult_rate * anger
            if insulted:
                call.insults += 1
                gain = per_insult * (1.0 - control)
                stress = min(1.0, stress + gain)
                stress_gain += gain
                effective = 1.0 - penalty * stress
                empathy, solving = empathy0 * effective, solving0 * effective
                fix_scale = (1.0 - 0.5 * difficulty) * solving
            if anger > peak:
                peak = anger
            if trace is not None:
                trace.append(anger)
            j += 5
            if over_m > 0.0:
                call.handed_over = call.escalated = can_escalate
                break
            if ends_m > 0.0:
                break
            if anger >= threshold and can_escalate and front_line:
                call.escalated = True  # the customer demands a supervisor
                break
        self.buf.release(j)
        call.anger, call.peak, call.n_moves, call.insulted = anger, peak, n_moves, insulted
        call.vent, call.respect, call.remedy = vent, respect, remedy
        call.info, call.fix, call.diagnosis, call.conceded = info, fix, diagnosis, conceded
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
