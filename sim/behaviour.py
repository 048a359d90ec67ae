"""The contact center with people in it: customers, CSRs with strategies, conversations.

:class:`BehaviourCenter` extends the queueing model (``model.py``) with MODEL.md sections
2 to 5 and 7. Customers raise issues at their own rates; each issue opens a contact; the
CSR who answers plays a conversation of moves (``conversation.py``) whose talk time is
the handle time; the customer remembers the contact (``memory.py``) and their emotional
account moves; an overdraft is churn; an unresolved issue comes back as a repeat contact.

The events run in a compiled loop (:mod:`sim.event_loop`) over arrays this class
builds and owns; the customer agents read their rows of the customer table, and the
CSR agents are brought up to date at the end of each day.

Common random numbers: the customer base, every candidate contact (time, who, the issue,
patience) and the CSRs' skills come from their own named streams, so every policy run
with the same seed faces the same people and the same issues at the same times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
from scipy import stats

from sim import event_loop as ev
from sim.arrivals import SECONDS_PER_DAY, ArrivalProfile, sample_arrivals
from sim.conversation import CONSULT, FAILURE, HELP, NATURES, VENTING, Conversations
from sim.conversation_loop import STATE_SIZE
from sim.customers import (
    BALANCE,
    CELL,
    CHURNED,
    CONTACTS,
    LAST_RESOLVED,
    PERSONA,
    PROPENSITY,
    TEMPERAMENT,
    VALUE,
    create_population,
)
from sim.floor import ROUTINGS, Floor
from sim.memory import MemoryParams
from sim.model import INF, ContactCenter, OperationsConfig
from sim.moves import MOVES, PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters
from sim.records import IntervalSums, summarize
from sim.staffing import Staffing

#: Outcome counters kept per (temperament, persona) cell.
COUNTERS = (
    "issues",
    "contacts",
    "repeats",
    "answered",
    "abandoned",
    "escalations",
    "complaints",
    "resolved",
    "first_resolved",
    "concession",
    "csat_sum",
    "concluded",
    "talk_first_s",
    "answered_first",
    "stress_sum",
    "invalid_concessions",
)

#: Anger traces are kept for the first calls of angry choleric customers, the case the
#: trainers' anger-curve chart shows (DOMAIN.md sections 2 and 3).
TRACE_TEMPERAMENT = TEMPERAMENTS.index("choleric")
TRACE_PERSONA = PERSONAS.index("angry")
TRACE_LIMIT = 150

CONTACT_FIELDS = (
    "contact_id",
    "issue_id",
    "customer",
    "temperament",
    "persona",
    "nature",
    "valid",
    "attempt",
    "csr",
    "strategy",
    "arrival_s",
    "answered_s",
    "end_s",
    "wait_s",
    "moves",
    "start_anger",
    "peak_anger",
    "final_anger",
    "outcome",
    "escalated",
    "complaint",
    "resolved",
    "concession",
    "balance_before",
    "balance_after",
    "churned",
)


def weekday_profile(first_contacts_per_day: float, days: int) -> ArrivalProfile:
    """The default arrival profile: the packaged weekday shape repeated for ``days`` days.

    The shape is the mean share of a weekday's calls in each 30-minute interval of the
    Anonymous Bank data (Brown et al. 2005; see ``sim/data/README.md``).
    """
    text = resources.files("sim.data").joinpath("weekday_profile.csv").read_text()
    shape = pd.read_csv(pd.io.common.StringIO(text))
    share = shape["share"].to_numpy(dtype=float)
    share = share / share.sum()
    width = SECONDS_PER_DAY / len(share)
    starts = np.concatenate(
        [d * SECONDS_PER_DAY + np.arange(len(share)) * width for d in range(days)]
    )
    expected = np.tile(share * first_contacts_per_day, days)
    labels = tuple(
        f"day {d + 1} {s}" for d in range(days) for s in shape["interval_start"].astype(str)
    )
    return ArrivalProfile(starts, np.full(len(starts), width), expected, labels, "weekday_profile")


@dataclass(frozen=True)
class Traits:
    """Per-temperament and per-persona numbers, as lists for fast lookup."""

    reactivity: list[float]
    recovery: list[float]
    expressiveness: list[float]
    grudge: list[float]
    base_anger: list[float]
    talk_factor: list[float]
    insult_rate: list[float]
    invalid_share: list[float]
    anger_offset: list[float]
    vent_need: list[float]
    respect_need: list[float]
    urgency: list[float]

    def of_caller(self, temperament: int, persona: int) -> tuple[float, ...]:
        """What a conversation needs of a customer type (``Conversations.play_call``)."""
        return self._callers[temperament][persona]

    def __post_init__(self) -> None:
        callers = [
            [
                (
                    self.reactivity[t],
                    self.recovery[t],
                    self.expressiveness[t],
                    self.talk_factor[q],
                    self.insult_rate[q],
                    self.vent_need[q],
                    self.respect_need[q],
                )
                for q in range(len(self.talk_factor))
            ]
            for t in range(len(self.reactivity))
        ]
        object.__setattr__(self, "_callers", callers)

    @classmethod
    def from_parameters(cls, p: Parameters) -> Traits:
        def t(name: str) -> list[float]:
            return [float(p[f"temperament.{x}.{name}"]) for x in TEMPERAMENTS]

        def q(name: str) -> list[float]:
            return [float(p[f"persona.{x}.{name}"]) for x in PERSONAS]

        return cls(
            t("reactivity"),
            t("recovery"),
            t("expressiveness"),
            t("grudge"),
            t("base_anger"),
            q("talk_factor"),
            q("insult_rate"),
            q("invalid_share"),
            q("anger_offset"),
            q("vent_need"),
            q("respect_need"),
            q("urgency"),
        )


class BehaviourCenter(ContactCenter):
    """The contact center with customers, strategies and conversations.

    The events run in the compiled loop of :mod:`sim.event_loop`, on the arrays this
    class builds: the customer agents read their rows of ``customer_table``; the CSR
    agents' counters and stress are copied from the loop at the end of each day.

    Args:
        params: Model parameters (defaults overridden by the user).
        floor: The service policy (strategy mix, routing, levers), built by ``policies/``.
        seed: Replication seed; the same seed faces every policy (common random numbers).
        profile: Expected first contacts per interval; default: the weekday shape times
            ``scenario.first_contacts_per_day`` for ``scenario.days`` days.
        staffing: Front-line head count over time; default: the floor's or
            ``operations.csrs``.
        keep_contacts: Keep one record per contact (for ``contacts.parquet``).
        trace_anger: Keep each call's anger after every move (for charts).
    """

    #: Contacts (with their open issues) the arrays hold at first; they double as needed.
    initial_slots = 1024

    def __init__(
        self,
        params: Parameters,
        floor: Floor,
        seed: int = 0,
        profile: ArrivalProfile | None = None,
        staffing: Staffing | None = None,
        keep_contacts: bool = False,
        trace_anger: bool = False,
    ) -> None:
        self.params = params
        self.p = params.to_dict()  # a plain dict, for the many lookups of set-up
        self.floor = floor
        days = int(params["scenario.days"])
        if profile is None:
            profile = weekday_profile(params["scenario.first_contacts_per_day"], days)
        self.days = max(1, int(math.ceil(profile.horizon_s / SECONDS_PER_DAY - 1e-9)))
        if staffing is None:
            staffing = Staffing.fixed(floor.csrs or params["operations.csrs"])
        config = OperationsConfig(
            profile=profile,
            staffing=staffing,
            sl_threshold_s=params["operations.sl_threshold_s"],
            warmup_s=min(params["operations.warmup_days"] * SECONDS_PER_DAY, profile.horizon_s / 2),
            supervisors=params["operations.supervisors"],
        )
        self.traits = Traits.from_parameters(params)
        self.mp = MemoryParams.from_parameters(params)
        self.keep_contacts = keep_contacts
        self.trace_anger = trace_anger
        super().__init__(config, seed=seed, keep_records=False)
        self.customer_table, self.customers = create_population(
            self, params, self.streams.generator("population")
        )
        self.conversations = Conversations(params, self.streams.generator("conversation"))
        self._conversation_rng = self.conversations.buf.rng
        self._outcome_rng = self.streams.generator("outcomes")
        self._candidates = self.streams.generator("candidates")
        self._setup_csrs()
        self.cap = float(params["customers.issue_propensity_cap"])
        self._sums: list[IntervalSums] | None = None  # per tier, made at the first flush
        self._day_loaded = -1
        self._st = self._build_state()
        # A cohort whose emotional accounts are followed day by day (for charts): the
        # first customers of the base, a random sample, the same for every policy.
        self.cohort = self.customers[: int(params["scenario.cohort_size"])]
        self.account_rows: list[tuple[int, int, float, bool]] = []
        self._snapshot(0)

    # --- set-up ----------------------------------------------------------------------------
    def _setup_csrs(self) -> None:
        p, floor = self.params, self.floor
        rng = self.streams.generator("csr_skills")
        front = self.csrs[0]
        names = ("empathy", "problem_solving", "perception", "self_control")
        uniforms = rng.random((len(front), len(names)))
        kappa = p["csr.skill_concentration"]
        skills = np.empty_like(uniforms)
        for i, name in enumerate(names):
            mean = float(np.clip(p[f"csr.{name}"] + floor.training, 0.01, 0.99))
            # The inverse CDF of the same uniforms keeps CSRs comparable across training
            # levels (common random numbers).
            skills[:, i] = stats.beta.ppf(uniforms[:, i], mean * kappa, (1 - mean) * kappa)
        authority = (
            floor.concession_authority
            if floor.concession_authority is not None
            else p["csr.concession_authority"]
        )
        for csr, strategy, row in zip(front, floor.assign(len(front)), skills, strict=True):
            csr.strategy = strategy
            csr.skills = tuple(float(x) for x in row)
            csr.authority = authority
            csr.stress = 0.0
            csr.free_since_s = 0.0
        for sup in self.csrs[1] if len(self.csrs) > 1 else []:
            level = float(np.clip(p["csr.supervisor_skill"] + floor.training, 0.01, 0.99))
            sup.strategy = floor.supervisor_strategy
            sup.skills = (level,) * 4
            sup.authority = p["csr.supervisor_authority"]
            sup.stress = 0.0
            sup.free_since_s = 0.0

    # --- the compiled loop's state ----------------------------------------------------------
    def _build_state(self) -> ev.State:
        """The arrays of :mod:`sim.event_loop`, with the CSRs on duty and shifts scheduled."""
        p, tr, mp, floor = self.p, self.traits, self.mp, self.floor
        front = self.csrs[0]
        sups = self.csrs[1] if len(self.csrs) > 1 else []
        agents = front + sups
        # Strategies as rule programs, stacked; each CSR points at its own.
        programs: dict[int, int] = {}
        distinct = []
        for csr in agents:
            if id(csr.strategy.program) not in programs:
                programs[id(csr.strategy.program)] = len(distinct)
                distinct.append(csr.strategy.program)
        width = max(prog.rules.shape[1] for prog in distinct)
        # Zero padding adds ALWAYS terms, which hold: the conditions are unchanged.
        prules = np.zeros((sum(len(prog.rules) for prog in distinct), width))
        pchoices = np.zeros((sum(len(prog.choices) for prog in distinct), width - 1))
        pmeta = np.zeros((len(distinct), 5), dtype=np.int64)
        r = c = 0
        for i, prog in enumerate(distinct):
            prules[r : r + len(prog.rules), : prog.rules.shape[1]] = prog.rules
            pchoices[c : c + len(prog.choices), : prog.choices.shape[1]] = prog.choices
            pmeta[i] = (r, prog.table_rows, c, len(prog.choices), len(prog.rules))
            r, c = r + len(prog.rules), c + len(prog.choices)
        kf = np.zeros((len(agents), ev.KF))
        ki = np.zeros((len(agents), ev.KI), dtype=np.int64)
        for k, csr in enumerate(agents):
            kf[k, ev.K_AUTHORITY] = csr.authority
            kf[k, ev.K_SKILLS : ev.K_SKILLS + 4] = csr.skills
            ki[k, ev.K_TIER], ki[k, ev.K_POSITION] = csr.tier, csr.position
            ki[k, ev.K_PROGRAM] = programs[id(csr.strategy.program)]
        sizes = [len(tier) for tier in self.csrs]
        ti = np.zeros((len(sizes), ev.TI), dtype=np.int64)
        ti[:, ev.T_SIZE] = sizes
        ti[:, ev.T_OFFSET] = np.cumsum([0, *sizes[:-1]])
        pv = np.zeros(ev.PV)
        values = {
            ev.P_CAP: self.cap,
            ev.P_FAILURE_WITHDRAWAL: p["issues.failure_withdrawal"],
            ev.P_LOSS_AVERSION: mp.loss_aversion,
            ev.P_MEAN_PATIENCE: p["customers.mean_patience_s"],
            ev.P_PATIENCE_ANGER: p["customers.patience_anger_factor"],
            ev.P_CALLBACK_WEIGHT: p["customers.callback_wait_weight"],
            ev.P_WAIT_ANGER: p["customers.wait_anger_per_min"],
            ev.P_STRESS_HALF_LIFE_MIN: p["csr.stress_half_life_min"],
            ev.P_STRESS_PER_ANGRY: p["csr.stress_per_angry_call"],
            ev.P_COMPLAINT_ANGER: p["conversation.complaint_anger"],
            ev.P_ABANDON_WITHDRAWAL: p["customers.abandon_withdrawal"],
            ev.P_TRAINING: p["customers.invalid_concession_training"],
            ev.P_FOLLOW_UP: float(bool(floor.follow_up)),
            ev.P_FOLLOW_UP_GAIN: mp.follow_up_gain,
            ev.P_RETURN_PROBABILITY: p["issues.return_probability"],
            ev.P_MAX_CONTACTS: p["issues.max_contacts"],
            ev.P_REDIAL_MIN: p["issues.mean_redial_min"],
            ev.P_REPEAT_DAYS: p["issues.mean_repeat_delay_days"],
            ev.P_REPEAT_ANGER: p["issues.repeat_anger"],
            ev.P_UNRESOLVED_WITHDRAWAL: p["issues.unresolved_withdrawal"],
            ev.P_HORIZON: self.horizon_s,
            ev.P_ROUTING: ROUTINGS.index(floor.routing),
            ev.P_CALLBACK_WAIT: INF if floor.callback_wait_s is None else floor.callback_wait_s,
            ev.P_KEEP: float(self.keep_contacts),
            ev.P_TRACE: float(self.trace_anger),
            ev.P_TRACE_TEMPERAMENT: TRACE_TEMPERAMENT,
            ev.P_TRACE_PERSONA: TRACE_PERSONA,
            ev.P_CSAT_SCALE: mp.csat_scale,
            ev.P_TIERS: len(self.tiers),
            ev.P_TALKER: PERSONAS.index("talker"),
        }
        for i, v in values.items():
            pv[i] = v
        assert len(values) == ev.PV
        tt = np.array(
            [tr.reactivity, tr.recovery, tr.expressiveness, tr.grudge, tr.base_anger]
        ).T.copy()
        tq = np.array(
            [
                tr.talk_factor,
                tr.insult_rate,
                tr.invalid_share,
                tr.anger_offset,
                tr.vent_need,
                tr.respect_need,
                tr.urgency,
            ]
        ).T.copy()
        # Match routing: expressive, angry or rude customers need empathy; the rest need
        # solving.
        rough = [PERSONAS.index(x) for x in ("angry", "rude", "arguer")]
        needs_empathy = np.array(
            [
                [int(tr.expressiveness[t] > 0.5 or q in rough) for q in range(len(PERSONAS))]
                for t in range(len(TEMPERAMENTS))
            ],
            dtype=np.int64,
        )
        conv = self.conversations
        max_moves = conv.cp.max_moves
        slots = self.initial_slots
        n_shifts = len(self._events) + 2  # and the head counts at time 0
        buffer = conv.buf.size
        gi = np.zeros(ev.GI, dtype=np.int64)
        gi[ev.G_CONV_POS] = gi[ev.G_OUT_POS] = buffer  # empty: the first take draws
        gf = np.zeros(ev.GF)
        gf[ev.G_AHT] = 300.0  # running mean handle time, s (for callback offers)
        events = slots + len(agents) + n_shifts
        rows = 4 * slots if self.keep_contacts else 0
        st = ev.State(
            gi=gi,
            gf=gf,
            pv=pv,
            memory=mp.vector(),
            cf=self.customer_table.f,
            ci=self.customer_table.i,
            sf=np.zeros((slots, ev.SF)),
            si=np.zeros((slots, ev.SI), dtype=np.int64),
            smoves=np.zeros((slots if self.keep_contacts else 1, 2 * max_moves), dtype=np.int64),
            free=np.zeros(slots, dtype=np.int64),
            kf=kf,
            ki=ki,
            ti=ti,
            idle=np.zeros((len(sizes), max(sizes)), dtype=np.int64),
            q=np.zeros((len(sizes), slots, 3)),
            ev=np.zeros((events, 6)),
            tt=tt,
            tq=tq,
            needs_empathy=needs_empathy,
            tally=np.zeros((len(COUNTERS), len(TEMPERAMENTS) * len(PERSONAS))),
            rec=np.zeros((4 * slots, 8)),
            rowf=np.zeros((rows, ev.RF)),
            rowi=np.zeros((rows, ev.RI), dtype=np.int64),
            rowmoves=np.zeros((rows, 2 * max_moves), dtype=np.int64),
            trf=np.zeros((TRACE_LIMIT if self.trace_anger else 0, max_moves + 1)),
            tri=np.zeros((TRACE_LIMIT if self.trace_anger else 0, 4), dtype=np.int64),
            day_f=np.zeros((0, 7)),
            day_i=np.zeros((0, 3), dtype=np.int64),
            passing=np.zeros(0, dtype=np.int64),
            moves_rows=conv.rows,
            persona_mod=conv.persona_mod,
            cp=conv.cp_vector,
            prules=prules,
            pchoices=pchoices,
            pmeta=pmeta,
            scratch=np.zeros(STATE_SIZE),
            used=np.zeros(len(conv.rows), dtype=np.int64),
            moves=np.zeros(max_moves, dtype=np.int64),
            trace=np.zeros(max_moves + 1),
            conv_u=np.zeros(buffer),
            conv_n=np.zeros(buffer),
            out_u=np.zeros(buffer),
            out_n=np.zeros(buffer),
        )
        st.free[:] = np.arange(slots)[::-1]  # slot 0 is taken first
        gi[ev.G_FREE] = slots
        # As the queueing core starts: the second tier, then the front line, come on duty
        # at time 0 (before any arrival); a staffing schedule's changes are events too.
        shifts = [(0.0, 1, self.config.supervisors)] if len(sizes) > 1 else []
        if self.config.staffing.is_fixed:
            shifts.append((0.0, 0, int(self.config.staffing.counts[0])))
        else:
            shifts += [(t, a, b) for t, _, _, a, b in sorted(self._events, key=lambda e: e[1])]
        self._events.clear()
        for t, tier, count in shifts:
            ev.schedule(st.ev, st.gi, t, ev.SHIFT, tier, count, 0.0)
        self._n_shifts = n_shifts
        return st

    def _grow(self) -> None:
        """Make room for the next event where it lacks: double the slots (and what is sized
        by them), grow the record buffers, or neither."""
        st = self._st
        slots = len(st.free)
        changes = {}
        if st.gi[ev.G_FREE] < 1:
            new = 2 * slots
            changes["sf"] = _grown(st.sf, new)
            changes["si"] = _grown(st.si, new)
            if self.keep_contacts:
                changes["smoves"] = _grown(st.smoves, new)
            free = np.zeros(new, dtype=np.int64)
            free[: st.gi[ev.G_FREE]] = st.free[: st.gi[ev.G_FREE]]
            added = np.arange(slots, new)[::-1]
            free[st.gi[ev.G_FREE] : st.gi[ev.G_FREE] + len(added)] = added
            st.gi[ev.G_FREE] += len(added)
            changes["free"] = free
            fifo = ROUTINGS[int(st.pv[ev.P_ROUTING])] not in ("value", "anger")
            q = np.zeros((st.q.shape[0], new, st.q.shape[2]))
            for tier in range(q.shape[0]):
                n = st.ti[tier, ev.T_Q_N]
                # A ring is unwrapped to start at 0; a heap is already there.
                head = st.ti[tier, ev.T_Q_HEAD] if fifo else 0
                q[tier, :n] = st.q[tier, (head + np.arange(n)) % slots]
            changes["q"] = q
            st.ti[:, ev.T_Q_HEAD] = 0
            slots = new
        changes.update(self._event_room(slots, len(st.day_f)))
        need = slots + 4
        if st.gi[ev.G_RECORDS] + need > len(st.rec):
            changes["rec"] = _grown(st.rec, 2 * (st.gi[ev.G_RECORDS] + need))
        if self.keep_contacts and st.gi[ev.G_ROWS] + need > len(st.rowf):
            rows = 2 * (st.gi[ev.G_ROWS] + need)
            for name in ("rowf", "rowi", "rowmoves"):
                changes[name] = _grown(getattr(st, name), rows)
        self._st = st._replace(**changes)

    def _event_room(self, slots: int, candidates: int) -> dict:
        """Grown event heap arrays, if it could overflow: pending events are at most one
        per slot, one per CSR, the shifts and the day's candidates."""
        st = self._st
        need = slots + len(st.ki) + self._n_shifts + candidates
        return {} if need <= len(st.ev) else {"ev": _grown(st.ev, need)}

    def _advance(self, t_stop: float) -> None:
        self._st.gf[ev.G_NOW] = self.now
        rngs = (self._conversation_rng, self._outcome_rng)
        while ev.advance(self._st, t_stop, *rngs) == ev.NEED_ROOM:
            self._grow()
        self.now = float(self._st.gf[ev.G_NOW])

    def _finish(self) -> None:
        """After the drain: whoever is still queued hangs up or is still waiting."""
        st = self._st
        st.gf[ev.G_NOW] = self.now
        self._grow()  # the drain concludes queued contacts: room for their records and rows
        ev.drain(self._st, max(self.now, self.horizon_s), self._conversation_rng, self._outcome_rng)
        self._flush()

    def _sync_csrs(self) -> None:
        """Copy the CSRs' counters and stress from the loop's arrays to the agents."""
        st = self._st
        for k, csr in enumerate(a for tier in self.csrs for a in tier):
            csr.contacts_handled = int(st.ki[k, ev.K_HANDLED])
            csr.busy_s = float(st.kf[k, ev.K_BUSY_S])
            csr.stress = float(st.kf[k, ev.K_STRESS])
            csr.free_since_s = float(st.kf[k, ev.K_FREE_SINCE])

    @property
    def callbacks(self) -> int:
        """Callbacks offered and taken."""
        return int(self._st.gi[ev.G_CALLBACKS])

    @property
    def counters(self) -> dict[str, np.ndarray]:
        """Outcome counters as (temperament x persona) arrays."""
        shape = (len(TEMPERAMENTS), len(PERSONAS))
        return {name: self._st.tally[i].reshape(shape).copy() for i, name in enumerate(COUNTERS)}

    @property
    def anger_traces(self) -> list[tuple[str, int, int, list[float]]]:
        """Anger before and after each move of traced calls: (strategy, temperament,
        persona, anger trace)."""
        st = self._st
        agents = [a for tier in self.csrs for a in tier]
        out = []
        for x in range(int(st.gi[ev.G_TRACES])):
            k, t, q, n = st.tri[x].tolist()
            out.append((getattr(agents[k].strategy, "name", "?"), t, q, st.trf[x, :n].tolist()))
        return out

    # --- the clock: a day at a time ---------------------------------------------------------
    def draw_arrivals(self) -> list[float]:
        """No arrivals up front: each day's candidates are drawn when the day begins."""
        return []

    def step(self) -> None:
        """Draw the day's candidate contacts, then advance the clock by a day."""
        day = int(self.now // SECONDS_PER_DAY + 1e-9)
        if day != self._day_loaded and day < self.days:
            self._load_day(day)
        super().step()

    def _load_day(self, day: int) -> None:
        """Candidate contacts of ``day``: times at ``cap`` x the first-contact rate, each
        with a customer drawn uniformly and its own draws for the issue and patience."""
        prof = self.config.profile
        lo, hi = day * SECONDS_PER_DAY, (day + 1) * SECONDS_PER_DAY
        keep = (prof.starts_s >= lo - 1e-9) & (prof.starts_s < hi - 1e-9)
        sub = ArrivalProfile(
            prof.starts_s[keep],
            prof.widths_s[keep],
            prof.expected[keep] * self.cap,
            (),
            prof.source,
        )
        rng = self._candidates
        times = sample_arrivals(sub, rng) if keep.any() else np.empty(0)
        n = len(times)
        p = self.params
        customers = self.customers
        who = rng.integers(0, len(customers), n)
        threshold = rng.random(n) * self.cap
        # Thinning: a candidate becomes a contact if its customer is still a customer and
        # its draw falls under the customer's issue rate. Rates only rise (training by
        # concessions), so what fails now can only pass later today if the rate rises:
        # sim.event_loop.rate_rose schedules those; the rest never reach the event loop.
        table = self.customer_table
        passing = np.flatnonzero(
            (threshold < table.f[who, PROPENSITY]) & (table.i[who, CHURNED] == 0)
        )
        u_nature, u_kind, u_invalid = rng.random(n), rng.random(n), rng.random(n)
        m_sev, m_diff = p["issues.mean_severity"], p["issues.mean_difficulty"]
        severity = rng.beta(4 * m_sev, 4 * (1 - m_sev), n)
        difficulty = rng.beta(4 * m_diff, 4 * (1 - m_diff), n)
        patience = rng.exponential(1.0, n)
        # Each candidate's issue, as the customer would open it (DOMAIN.md section 4): a
        # claimed failure (valid or not, an emergency or not, with compensation asked) or
        # a communication issue; the opening anger follows temperament, persona, severity.
        tr = self.traits
        persona, temperament = table.i[who, PERSONA], table.i[who, TEMPERAMENT]
        failure = u_nature < p["issues.failure_share"]
        venting = u_kind < p["issues.venting_share"]
        help_seeking = u_kind < (1 + p["issues.venting_share"]) / 2
        nature = np.where(
            failure, FAILURE, np.where(venting, VENTING, np.where(help_seeking, HELP, CONSULT))
        )
        valid = ~failure | (u_invalid >= np.asarray(tr.invalid_share)[persona])
        emergency = np.maximum(severity, 0.8)
        severity = np.where(
            failure,
            np.where(u_kind < p["issues.emergency_share"], emergency, severity),
            severity * 0.6,
        )
        asked = np.where(failure, p["issues.remedy_per_severity"] * severity, 0.0)
        factor = np.where(
            failure,
            1.0,
            np.where(venting, p["issues.venting_anger"], p["issues.communication_anger"]),
        )
        anger = (
            np.asarray(tr.base_anger)[temperament] * (0.4 + 0.6 * severity) * factor
            + np.asarray(tr.anger_offset)[persona]
        )
        anger = np.minimum(1.0, np.maximum(0.0, anger))
        day_f = np.empty((n, 7))
        day_f[:, ev.D_TIME], day_f[:, ev.D_THRESHOLD] = times, threshold
        day_f[:, ev.D_SEVERITY], day_f[:, ev.D_DIFFICULTY] = severity, difficulty
        day_f[:, ev.D_ASKED], day_f[:, ev.D_ANGER], day_f[:, ev.D_PATIENCE] = asked, anger, patience
        day_i = np.empty((n, 3), dtype=np.int64)
        day_i[:, ev.D_WHO], day_i[:, ev.D_NATURE], day_i[:, ev.D_VALID] = who, nature, valid
        self._st = self._st._replace(day_f=day_f, day_i=day_i, passing=passing.astype(np.int64))
        self._st = self._st._replace(**self._event_room(len(self._st.free), n))
        self._st.gi[ev.G_NEXT_ARRIVAL] = 0
        self._day_loaded = day

    # --- day-by-day aggregation keeps memory flat ---------------------------------------
    def end_of_step(self) -> None:
        """Fold the day's contact records into the interval sums and drop them; note the
        cohort's account balances; update the CSR agents."""
        self._flush()
        self._snapshot(int(round(min(self.now, self.horizon_s) / SECONDS_PER_DAY)))
        self._sync_csrs()

    def _snapshot(self, day: int) -> None:
        if self.account_rows and self.account_rows[-1][0] == day:
            return
        n = len(self.cohort)
        table = self.customer_table
        self.account_rows.extend(
            zip(
                [day] * n,
                [c.unique_id for c in self.cohort],
                table.f[:n, BALANCE].tolist(),
                (table.i[:n, CHURNED] == 1).tolist(),
                strict=True,
            )
        )

    def accounts_frame(self) -> pd.DataFrame:
        """Daily account balances of the followed cohort (day, customer, balance, churned)."""
        return pd.DataFrame.from_records(
            self.account_rows, columns=("day", "customer", "balance", "churned")
        )

    def _flush(self) -> None:
        cfg = self.config
        if self._sums is None:
            self._sums = [IntervalSums(cfg.profile, cfg.staffing, cfg.sl_threshold_s, 0)]
            if len(self.tiers) > 1:
                sup = Staffing.fixed(cfg.supervisors)
                self._sums.append(IntervalSums(cfg.profile, sup, cfg.sl_threshold_s, 1))
        st = self._st
        n = int(st.gi[ev.G_RECORDS])
        if n == 0:
            return
        table = st.rec[:n]
        for sums in self._sums:
            sums.add(table)
        st.gi[ev.G_RECORDS] = 0

    # --- results ----------------------------------------------------------------------------
    def interval_table(self, tier: int = 0) -> pd.DataFrame:
        """Per-interval sums of a tier (contacts counted by the interval they arrived in)."""
        self._flush()
        if tier < len(self._sums):
            return self._sums[tier].frame()
        cfg = self.config
        return IntervalSums(cfg.profile, cfg.staffing, cfg.sl_threshold_s, tier).frame()

    def contacts_frame(self) -> pd.DataFrame:
        """One row per concluded contact (needs ``keep_contacts=True``)."""
        st = self._st
        n = int(st.gi[ev.G_ROWS]) if self.keep_contacts else 0
        rf, ri = st.rowf[:n], st.rowi[:n]
        uid = np.array([c.unique_id for c in self.customers], dtype=np.int64)
        who = ri[:, ev.RI_CUSTOMER]
        csr = ri[:, ev.RI_CSR]
        names = [getattr(a.strategy, "name", "") for a in self.csrs[0]]
        moves = [
            " ".join(MOVES[m] for m in row[:k])
            for row, k in zip(st.rowmoves[:n].tolist(), ri[:, ev.RI_MOVES].tolist(), strict=True)
        ]
        columns = {
            "contact_id": ri[:, ev.RI_CID],
            "issue_id": ri[:, ev.RI_IID],
            "customer": uid[who],
            "temperament": np.array(TEMPERAMENTS, dtype=object)[
                self.customer_table.i[who, TEMPERAMENT]
            ],
            "persona": np.array(PERSONAS, dtype=object)[self.customer_table.i[who, PERSONA]],
            "nature": np.array(NATURES, dtype=object)[ri[:, ev.RI_NATURE]],
            "valid": ri[:, ev.RI_VALID] == 1,
            "attempt": ri[:, ev.RI_ATTEMPT],
            "csr": csr,
            "strategy": [names[k] if k >= 0 else "" for k in csr.tolist()],
            "arrival_s": rf[:, ev.RF_ARRIVAL],
            "answered_s": rf[:, ev.RF_ANSWERED],
            "end_s": rf[:, ev.RF_END],
            "wait_s": rf[:, ev.RF_WAIT],
            "moves": moves,
            "start_anger": rf[:, ev.RF_START_ANGER],
            "peak_anger": rf[:, ev.RF_PEAK],
            "final_anger": rf[:, ev.RF_FINAL],
            "outcome": np.where(ri[:, ev.RI_ABANDONED] == 1, "abandoned", "answered").astype(
                object
            ),
            "escalated": ri[:, ev.RI_ESCALATED] == 1,
            "complaint": ri[:, ev.RI_COMPLAINT] == 1,
            "resolved": ri[:, ev.RI_RESOLVED] == 1,
            "concession": rf[:, ev.RF_CONCESSION],
            "balance_before": rf[:, ev.RF_BALANCE_BEFORE],
            "balance_after": rf[:, ev.RF_BALANCE_AFTER],
            "churned": ri[:, ev.RI_CHURNED] == 1,
        }
        assert tuple(columns) == CONTACT_FIELDS
        return pd.DataFrame(columns)

    def summary(self) -> dict:
        """Operations metrics of the front line plus the behaviour outcomes."""
        out = summarize(self.interval_table(0), self.config.warmup_s)
        if len(self.tiers) > 1:
            sup = summarize(self.interval_table(1), self.config.warmup_s)
            out["supervisor_asa_s"] = sup["asa_s"]
            out["supervisor_abandonment_rate"] = sup["abandonment_rate"]
        out.update(self.outcomes())
        return out

    def outcomes(self) -> dict:
        """Retention, escalation, resolution, cost and satisfaction, with breakdowns."""
        c = {k: v for k, v in self.counters.items()}
        n_t, n_p = len(TEMPERAMENTS), len(PERSONAS)
        table = self.customer_table
        gone = table.i[:, CHURNED] == 1
        touched = table.i[:, CONTACTS] > 0
        last = table.i[:, LAST_RESOLVED]

        def per_cell(mask: np.ndarray) -> np.ndarray:
            counts = np.bincount(table.i[mask, CELL], minlength=n_t * n_p)
            return counts.reshape(n_t, n_p).astype(float)

        everyone = np.ones(len(gone), dtype=bool)
        base, churned = per_cell(everyone), per_cell(gone)
        contacted, contacted_kept = per_cell(touched), per_cell(touched & ~gone)
        # Summed one by one, in the customers' order, as a running total would.
        lost = sum(table.f[gone, VALUE].tolist(), 0.0)
        retained_value = sum(table.f[~gone, VALUE].tolist(), 0.0)
        kept_after = {
            flag: [int((last == flag).sum()), int(((last == flag) & ~gone).sum())]
            for flag in (True, False)
        }
        years = self.params["scenario.valuation_years"]
        p = self.params
        hours_staffed = (
            float(
                self.config.staffing.staffed_seconds(
                    self.config.profile.starts_s, self.config.profile.widths_s
                ).sum()
            )
            / 3600.0
        )
        labor = hours_staffed * p["scenario.csr_wage_per_hour"] + (
            self.config.supervisors
            * self.horizon_s
            / 3600.0
            * p["scenario.supervisor_wage_per_hour"]
        )

        def rates(axis: int | None) -> dict:
            def s(name, arr=None):
                a = c[name] if arr is None else arr
                return a.sum() if axis is None else a.sum(axis=axis)

            with np.errstate(invalid="ignore", divide="ignore"):
                return {
                    "customers": s("", base),
                    "retention_rate": 1.0 - s("", churned) / s("", base),
                    "churned_customers": s("", churned),
                    "issues": s("issues"),
                    "contacts": s("contacts"),
                    "escalations": s("escalations"),
                    "escalation_rate": s("escalations") / s("answered"),
                    "complaint_rate": s("complaints") / s("answered"),
                    "fcr_rate": s("first_resolved") / s("issues"),
                    "repeat_contacts": s("repeats"),
                    "repeat_contacts_per_issue": s("repeats") / s("issues"),
                    "concession_per_contact": s("concession") / s("answered"),
                    "csat": s("csat_sum") / s("concluded"),
                }

        total = rates(None)
        with np.errstate(invalid="ignore", divide="ignore"):
            answered = c["answered"].sum()
            out = {
                "retention_rate": float(total["retention_rate"]),
                "retention_rate_contacted": float(contacted_kept.sum() / contacted.sum())
                if contacted.sum()
                else math.nan,
                "churned_customers": int(churned.sum()),
                "lost_value": float(lost * years),
                "issues": int(total["issues"]),
                "contacts": int(total["contacts"]),
                "escalation_rate": float(total["escalation_rate"]),
                "complaint_rate": float(total["complaint_rate"]),
                "fcr_rate": float(total["fcr_rate"]),
                "repeat_contacts_per_issue": float(total["repeat_contacts_per_issue"]),
                "aht_first_contact_s": float(c["talk_first_s"].sum() / c["answered_first"].sum())
                if c["answered_first"].sum()
                else math.nan,
                "concession_cost": float(c["concession"].sum()),
                "concession_per_contact": float(c["concession"].sum() / answered)
                if answered
                else math.nan,
                "invalid_concessions": int(c["invalid_concessions"].sum()),
                "mean_csr_stress": float(c["stress_sum"].sum() / answered)
                if answered
                else math.nan,
                "csat": float(total["csat"]),
                "labor_cost": float(labor),
                "net_value": float(retained_value * years - c["concession"].sum() - labor),
                "callbacks": self.callbacks,
                "retention_after_resolved": _share(kept_after[True]),
                "retention_after_unresolved": _share(kept_after[False]),
                "repeats_note": "arrival volumes are expected first contacts; repeat contacts come on top",
            }
        by_t, by_p = rates(1), rates(0)
        out["by_temperament"] = {
            name: {k: _num(v[i]) for k, v in by_t.items()} for i, name in enumerate(TEMPERAMENTS)
        }
        out["by_persona"] = {
            name: {k: _num(v[i]) for k, v in by_p.items()} for i, name in enumerate(PERSONAS)
        }
        return out


def _num(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else math.nan


def _share(pair: list[int]) -> float:
    return pair[1] / pair[0] if pair[0] else math.nan


def _grown(a: np.ndarray, rows: int) -> np.ndarray:
    """``a`` with ``rows`` rows (along its first axis), zero-filled beyond the old ones."""
    out = np.zeros((rows, *a.shape[1:]), dtype=a.dtype)
    out[: len(a)] = a
    return out
