"""The contact center with people in it: customers, CSRs with strategies, conversations.

:class:`BehaviourCenter` extends the queueing model (``model.py``) with MODEL.md sections
2 to 5 and 7. Customers raise issues at their own rates; each issue opens a contact; the
CSR who answers plays a conversation of moves (``conversation.py``) whose talk time is
the handle time; the customer remembers the contact (``memory.py``) and their emotional
account moves; an overdraft is churn; an unresolved issue comes back as a repeat contact.

Common random numbers: the customer base, every candidate contact (time, who, the issue,
patience) and the CSRs' skills come from their own named streams, so every policy run
with the same seed faces the same people and the same issues at the same times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from sim.arrivals import SECONDS_PER_DAY, ArrivalProfile, sample_arrivals
from sim.conversation import (
    CONSULT,
    FAILURE,
    HELP,
    NATURES,
    VENTING,
    Call,
    Conversations,
    Issue,
    RandomBuffer,
)
from sim.customers import Customer, create_population
from sim.floor import Floor
from sim.memory import MemoryParams, account_change, csat, experience
from sim.model import ARRIVE, INF, ContactCenter, OperationsConfig
from sim.moves import MOVES, PERSONAS, TEMPERAMENTS
from sim.parameters import Parameters
from sim.queueing import Contact, Tier
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


class ContactState:
    """What the model keeps about one contact while it is in the system."""

    __slots__ = (
        "callback",
        "issue",
        "anger",
        "patience_unit",
        "calls",
        "wait_s",
        "balance_before",
        "attempt",
        "csr",
        "answered_s",
        "stress",
        "arrival_s",
    )

    def __init__(self, issue: Issue, anger: float, patience_unit: float, attempt: int) -> None:
        self.issue = issue
        self.anger = anger
        self.patience_unit = patience_unit
        self.calls: list[Call] = []
        self.wait_s = 0.0
        self.balance_before = math.nan
        self.attempt = attempt
        self.csr = -1
        self.answered_s = math.nan
        self.stress = 0.0
        self.arrival_s = math.nan
        self.callback = False


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
        self.p = params.to_dict()  # a plain dict: looked up several times per contact
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
        self.customers: list[Customer] = create_population(
            self, params, self.streams.generator("population")
        )
        self.conversations = Conversations(params, self.streams.generator("conversation"))
        self.outcome_rng = RandomBuffer(self.streams.generator("outcomes"))
        self._candidates = self.streams.generator("candidates")
        # Issue rates and departures as arrays, to thin a day's candidates in one go.
        self._propensity = np.array([c.propensity for c in self.customers])
        self._gone = np.zeros(len(self.customers), dtype=bool)
        self._persona = np.array([c.persona for c in self.customers])
        self._temperament = np.array([c.temperament for c in self.customers])
        self._setup_csrs()
        self.cap = float(params["customers.issue_propensity_cap"])
        # Plain lists indexed by temperament * n_personas + persona: a counter is bumped
        # several times per contact, and list indexing is much cheaper than NumPy's.
        self._counts = {name: [0.0] * (len(TEMPERAMENTS) * len(PERSONAS)) for name in COUNTERS}
        # The same lists by attribute, for the hot path: self._tally.issues[cust.cell] += 1.
        self._tally = SimpleNamespace(**self._counts)
        self.contact_rows: list[tuple] = []
        self.anger_traces: list[tuple[str, int, int, list[float]]] = []
        self._sums: list[IntervalSums] | None = None  # per tier, made at the first flush
        self._issue_ids = 0
        self._day_loaded = -1
        self._aht_estimate = 300.0  # running mean handle time, s (for callback offers)
        self.callbacks = 0
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

    def queue_priority(self, tier: int):
        """Priority routing from the floor: most valuable or angriest caller first."""
        routing = self.floor.routing
        if routing == "value":
            return lambda contact: -contact.customer.value
        if routing == "anger":
            return lambda contact: -contact.info.anger
        return None

    def on_queue(self, contact: Contact, tier: Tier) -> None:
        """Offer a callback when the expected wait is long (a policy lever).

        The expected wait is the queue ahead times the running mean handle time over the
        CSRs on duty (the estimate a real IVR announces). A caller who takes the callback
        no longer hangs up, and feels only part of the wait (customers.callback_wait_weight:
        not being on hold, and having chosen, DOMAIN.md section 1).
        """
        limit = self.floor.callback_wait_s
        if limit is None or tier.index != 0:
            return
        on_duty = sum(tier.on_duty) or 1
        expected = (len(tier) + 1) * self._aht_estimate / on_duty
        if expected > limit:
            contact.deadline_s = INF
            contact.info.callback = True
            self.callbacks += 1

    def choose_csr(self, tier: Tier, contact: Contact) -> int | None:
        """With ``match`` routing, the idle CSR whose skills best fit the customer."""
        if self.floor.routing != "match" or len(tier.idle) < 2:
            return tier.idle_csr()
        cust = contact.customer
        # Expressive, angry or rude customers need empathy; the rest need solving.
        needs_empathy = self.traits.expressiveness[cust.temperament] > 0.5 or PERSONAS[
            cust.persona
        ] in ("angry", "rude", "arguer")
        skill = 0 if needs_empathy else 1
        csrs = self.csrs[tier.index]
        candidates = [k for k in tier.idle if tier.on_duty[k] and not tier.busy[k]]
        if not candidates:
            return tier.idle_csr()
        best = max(candidates, key=lambda k: (csrs[k].skills[skill], -k))
        tier.take_idle(best)
        return best

    # --- arrivals: candidate first contacts, thinned by who is still a customer ------------
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
        # _rate_rose schedules those; the rest never reach the event loop.
        passing = np.flatnonzero((threshold < self._propensity[who]) & ~self._gone[who])
        self._arrivals = times[passing].tolist()
        self._cand_index = passing.tolist()
        self._next_arrival = 0
        self._day_candidates = (times, who, threshold)
        self._cand_customer = who.tolist()
        u_nature, u_kind, u_invalid = rng.random(n), rng.random(n), rng.random(n)
        m_sev, m_diff = p["issues.mean_severity"], p["issues.mean_difficulty"]
        severity = rng.beta(4 * m_sev, 4 * (1 - m_sev), n)
        difficulty = rng.beta(4 * m_diff, 4 * (1 - m_diff), n)
        patience = rng.exponential(1.0, n)
        # Each candidate's issue, as the customer would open it (DOMAIN.md section 4): a
        # claimed failure (valid or not, an emergency or not, with compensation asked) or
        # a communication issue; the opening anger follows temperament, persona, severity.
        tr = self.traits
        persona, temperament = self._persona[who], self._temperament[who]
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
        self._cand = (
            nature.tolist(),
            valid.tolist(),
            severity.tolist(),
            difficulty.tolist(),
            asked.tolist(),
            anger.tolist(),
            patience.tolist(),
        )
        self._day_loaded = day

    def make_contact(self, i: int, t: float) -> Contact | None:
        """The ``i``-th candidate of the day that passed thinning: a first contact, unless
        its customer has left since the day began."""
        return self._first_contact(self._cand_index[i], t)

    def _rate_rose(self, cust: Customer, old: float, new: float) -> None:
        """Schedule today's candidates of ``cust`` still to come that pass at the new
        issue rate but failed at the old one (exactly what thinning at call time gives)."""
        times, who, threshold = self._day_candidates
        late = (who == cust.index) & (threshold >= old) & (threshold < new) & (times > self.now)
        for k in np.flatnonzero(late).tolist():
            self.schedule(float(times[k]), ARRIVE, _Candidate(k), None)

    def _first_contact(self, i: int, t: float) -> Contact | None:
        """Day candidate number ``i`` at ``t``: its issue, and the contact it makes."""
        cust = self.customers[self._cand_customer[i]]
        if cust.churned:
            return None
        nature, valid, severity, difficulty, asked, anger, patience = self._cand
        self._issue_ids += 1
        issue = Issue(self._issue_ids, nature[i], valid[i], severity[i], difficulty[i], asked[i])
        if issue.nature == FAILURE and issue.valid:
            # The failure itself is a withdrawal, before the customer calls (DOMAIN.md 1).
            cust.failures += 1
            cust.balance += account_change(
                -self.p["issues.failure_withdrawal"] * issue.severity,
                self.mp.loss_aversion,
                self.traits.grudge[cust.temperament],
            )
            if cust.balance < 0:
                self._churn(cust, t)
                return None
        issue.opening_anger = anger[i]
        state = ContactState(issue, anger[i], patience[i], attempt=1)
        self._tally.issues[cust.cell] += 1
        return self._new_contact(cust, state, t)

    def _new_contact(self, cust: Customer, state: ContactState, t: float) -> Contact:
        deadline = t + self._patience(cust, state)
        contact = Contact(next(self._cid), t, deadline, 0.0, 0, cust)
        contact.info = state
        state.balance_before = cust.balance
        state.arrival_s = t
        cust.contacts += 1
        self._tally.contacts[cust.cell] += 1
        if state.attempt > 1:
            self._tally.repeats[cust.cell] += 1
        return contact

    def _patience(self, cust: Customer, state: ContactState) -> float:
        """Patience, s: shorter when angrier and when urgent (MODEL.md section 2)."""
        p = self.p
        mean = (
            p["customers.mean_patience_s"]
            * math.exp(-p["customers.patience_anger_factor"] * state.anger)
            / self.traits.urgency[cust.persona]
        )
        return state.patience_unit * mean

    def admit(self, contact: Contact | _Candidate, t: float) -> Contact | None:
        """A repeat contact is due: dropped if the customer has left meanwhile (or a
        candidate first contact enabled by a risen issue rate)."""
        if contact.__class__ is _Candidate:
            return self._first_contact(contact.k, t)
        cust = contact.customer
        if cust.churned:
            return None
        state = contact.info
        fresh = self._new_contact(cust, state, t)
        return fresh

    # --- service ----------------------------------------------------------------------------
    def begin_service(self, contact: Contact, csr, now: float) -> float:
        """Play the conversation; its talk time is the handle time."""
        state: ContactState = contact.info
        cust: Customer = contact.customer
        tr, p = self.traits, self.p
        t, q = cust.temperament, cust.persona
        wait = now - contact.arrival_s
        if state.callback:
            wait *= p["customers.callback_wait_weight"]
        state.wait_s += wait
        # Waiting raises anger (MODEL.md section 2).
        anger = min(
            1.0, state.anger + p["customers.wait_anger_per_min"] * wait / 60.0 * tr.reactivity[t]
        )
        # Stress decays while the CSR was idle (MODEL.md section 3).
        idle = now - csr.free_since_s
        if idle > 0:
            csr.stress *= 0.5 ** (idle / (60.0 * p["csr.stress_half_life_min"]))
        if contact.tier == 0:
            state.csr = csr.position
            state.answered_s = now
            state.stress = csr.stress
        conv = self.conversations
        trace = (
            self.trace_anger
            and t == TRACE_TEMPERAMENT
            and q == TRACE_PERSONA
            and contact.tier == 0
            and len(self.anger_traces) < TRACE_LIMIT
        )
        call, insult_stress = conv.play_call(
            state.issue,
            csr.strategy,
            anger=anger,
            temperament=t,
            persona=q,
            traits=tr.of_caller(t, q),
            skills=csr.skills,
            stress=csr.stress,
            authority=csr.authority,
            tier=contact.tier,
            can_escalate=len(self.tiers) > 1,
            trace=trace,
        )
        angry = (
            max(0.0, call.peak - 0.6)
            * 10.0
            * p["csr.stress_per_angry_call"]
            * (1.0 - csr.skills[3])
        )
        csr.stress = min(1.0, csr.stress + insult_stress + angry)
        csr.free_since_s = now + call.talk_s
        if contact.tier == 0:
            self._aht_estimate += 0.01 * (call.talk_s - self._aht_estimate)
        state.calls.append(call)
        state.anger = call.anger
        if trace:
            self.anger_traces.append((getattr(csr.strategy, "name", "?"), t, q, call.trace))
        return call.talk_s

    def finish_service(self, contact: Contact, csr, now: float) -> int | None:
        """After the call: pass an escalation to the supervisors, or conclude the contact."""
        state: ContactState = contact.info
        call = state.calls[-1]
        cust = contact.customer
        if contact.tier == 0:
            self._tally.answered[cust.cell] += 1
            if state.attempt == 1:
                self._tally.talk_first_s[cust.cell] += call.talk_s
                self._tally.answered_first[cust.cell] += 1
            self._tally.stress_sum[cust.cell] += state.stress
        if call.escalated and contact.tier == 0 and len(self.tiers) > 1:
            contact.deadline_s = now + self._patience(cust, state)
            return 1
        self._conclude(contact, now, abandoned=False)
        return None

    def on_abandon(self, contact: Contact, when: float) -> None:
        """A caller hung up waiting: a withdrawal, and the issue is still open."""
        if contact.tier == 0:
            self._tally.abandoned[contact.customer.cell] += 1
        contact.info.wait_s += when - contact.arrival_s
        self._conclude(contact, when, abandoned=True)

    # --- memory, account, churn, repeats -------------------------------------------------
    def _conclude(self, contact: Contact, now: float, abandoned: bool) -> None:
        state: ContactState = contact.info
        cust: Customer = contact.customer
        issue = state.issue
        tr, mp, p = self.traits, self.mp, self.p
        t = cust.temperament
        calls = state.calls
        j = self.outcome_rng.take(4)
        u = self.outcome_rng.u
        complaint = False
        if calls:
            last = calls[-1]
            resolved = last.resolved and not abandoned
            end = last.anger
            if len(calls) == 1:  # the usual case, without the generators below
                peak, conceded, escalated = last.peak, last.conceded, last.escalated
                conceded_invalid = last.conceded_invalid
            else:
                peak = max(c.peak for c in calls)
                conceded = sum(c.conceded for c in calls)
                escalated = any(c.escalated for c in calls)
                conceded_invalid = any(c.conceded_invalid for c in calls)
            issue.remedy_left, issue.fix_left, issue.info_left = last.remedy, last.fix, last.info
            issue.conceded += conceded
            if (
                not resolved
                and end >= p["conversation.complaint_anger"]
                and u[j] < tr.expressiveness[t]
            ):
                complaint = True  # a formal complaint (DOMAIN.md section 4)
            value = experience(
                mp,
                peak=peak,
                end=end,
                resolved=resolved,
                remedy_share=(1.0 - last.remedy) if issue.asked > 0 else None,
                courtesy=1.0 - last.respect,
                wait_s=state.wait_s,
                escalated=escalated or complaint,
                prior_failures=cust.failures
                - (1 if issue.nature == FAILURE and issue.valid else 0),
            )
            if abandoned:
                value -= p["customers.abandon_withdrawal"]
            if conceded_invalid:
                # Conceding to an invalid claim trains the customer to complain more.
                old = cust.propensity
                cust.propensity = min(
                    self.cap, old * (1 + p["customers.invalid_concession_training"])
                )
                if cust.propensity > old:
                    self._propensity[cust.index] = cust.propensity
                    self._rate_rose(cust, old, cust.propensity)
                self._tally.invalid_concessions[cust.cell] += 1
            self._tally.concession[cust.cell] += conceded
            if escalated or complaint:
                self._tally.escalations[cust.cell] += 1
                cust.escalations += 1
            if complaint:
                self._tally.complaints[cust.cell] += 1
                cust.complaints += 1
        else:
            resolved, peak, end, conceded, escalated = False, state.anger, state.anger, 0.0, False
            value = -p["customers.abandon_withdrawal"] - mp.wait_loss_per_min * state.wait_s / 60.0
        if resolved:
            issue.resolved = True
            self._tally.resolved[cust.cell] += 1
            if state.attempt == 1:
                issue.first_resolved = True
                self._tally.first_resolved[cust.cell] += 1
        change = account_change(value, mp.loss_aversion, tr.grudge[t])
        if resolved and self.floor.follow_up:
            change += mp.follow_up_gain
        cust.balance += change
        cust.last_resolved = resolved
        self._tally.csat_sum[cust.cell] += csat(value, mp.csat_scale)
        self._tally.concluded[cust.cell] += 1
        if cust.balance < 0:
            self._churn(cust, now)
        elif not resolved:
            self._repeat_or_give_up(cust, state, now, u[j + 1], u[j + 2], u[j + 3], abandoned)
        if self.keep_contacts:
            self._keep_row(
                contact,
                state,
                cust,
                now,
                abandoned,
                escalated,
                complaint,
                resolved,
                conceded,
                peak,
                end,
            )

    def _repeat_or_give_up(
        self,
        cust: Customer,
        state: ContactState,
        now: float,
        u_return: float,
        u_delay: float,
        u_patience: float,
        abandoned: bool = False,
    ) -> None:
        p, tr = self.p, self.traits
        t = cust.temperament
        issue = state.issue
        issue.contacts = state.attempt
        returns = p["issues.return_probability"] * (0.4 + 0.6 * tr.expressiveness[t])
        if state.attempt < p["issues.max_contacts"] and u_return < returns:
            # A caller who hung up in the queue redials soon; an unresolved issue comes
            # back days later.
            mean_delay = (
                p["issues.mean_redial_min"] * 60.0
                if abandoned
                else p["issues.mean_repeat_delay_days"] * SECONDS_PER_DAY
            )
            delay = -math.log(1.0 - u_delay) * mean_delay
            when = now + delay
            if when < self.horizon_s:
                anger = min(
                    1.0,
                    issue.opening_anger
                    + p["issues.repeat_anger"] * state.attempt * tr.reactivity[t],
                )
                nxt = ContactState(
                    issue, anger, -math.log(1.0 - u_patience), attempt=state.attempt + 1
                )
                self.add_contact(_pending(nxt, cust, when))
            return
        # Giving up on an unresolved issue: a silent withdrawal (MODEL.md section 5).
        cust.unresolved += 1
        cust.balance += account_change(
            -p["issues.unresolved_withdrawal"], self.mp.loss_aversion, tr.grudge[t]
        )
        if cust.balance < 0:
            self._churn(cust, now)

    def _churn(self, cust: Customer, now: float) -> None:
        cust.churned = True
        self._gone[cust.index] = True
        cust.churned_s = now

    @property
    def counters(self) -> dict[str, np.ndarray]:
        """Outcome counters as (temperament x persona) arrays."""
        shape = (len(TEMPERAMENTS), len(PERSONAS))
        return {k: np.asarray(v).reshape(shape) for k, v in self._counts.items()}

    def _keep_row(
        self,
        contact,
        state,
        cust,
        now,
        abandoned,
        escalated,
        complaint,
        resolved,
        conceded,
        peak,
        end,
    ) -> None:
        call = state.calls[0] if state.calls else None
        csr = self.csrs[0][state.csr] if state.csr >= 0 else None
        self.contact_rows.append(
            (
                contact.cid,
                state.issue.iid,
                cust.unique_id,
                TEMPERAMENTS[cust.temperament],
                PERSONAS[cust.persona],
                NATURES[state.issue.nature],
                state.issue.valid,
                state.attempt,
                state.csr,
                getattr(csr.strategy, "name", "") if csr else "",
                state.arrival_s,
                state.answered_s,
                now if state.calls else math.nan,
                state.wait_s,
                " ".join(MOVES[m] for c in state.calls for m in c.moves),
                call.start_anger if call else state.anger,
                peak,
                end,
                "abandoned" if abandoned else "answered",
                escalated,
                complaint,
                resolved,
                conceded,
                state.balance_before,
                cust.balance,
                cust.churned,
            )
        )

    # --- day-by-day aggregation keeps memory flat ---------------------------------------
    def end_of_step(self) -> None:
        """Fold the day's finished contact records into the interval sums and drop them;
        note the cohort's account balances."""
        self._flush()
        self._snapshot(int(round(min(self.now, self.horizon_s) / SECONDS_PER_DAY)))

    def _snapshot(self, day: int) -> None:
        if self.account_rows and self.account_rows[-1][0] == day:
            return
        for cust in self.cohort:
            self.account_rows.append((day, cust.unique_id, cust.balance, cust.churned))

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
        if not self.records:
            return
        table = np.array(self.records, dtype=float)
        for sums in self._sums:
            sums.add(table)
        self.records.clear()

    def _finish(self) -> None:
        super()._finish()
        self._flush()

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
        return pd.DataFrame.from_records(self.contact_rows, columns=CONTACT_FIELDS)

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
        base = np.zeros((n_t, n_p))
        churned = np.zeros((n_t, n_p))
        lost = 0.0
        retained_value = 0.0
        contacted = np.zeros((n_t, n_p))
        contacted_kept = np.zeros((n_t, n_p))
        kept_after = {True: [0, 0], False: [0, 0]}
        for cust in self.customers:
            cell = (cust.temperament, cust.persona)
            base[cell] += 1
            if cust.contacts:
                contacted[cell] += 1
            last = getattr(cust, "last_resolved", None)
            if cust.churned:
                churned[cell] += 1
                lost += cust.value
            else:
                retained_value += cust.value
                if cust.contacts:
                    contacted_kept[cell] += 1
            if last is not None:
                kept_after[last][0] += 1
                kept_after[last][1] += not cust.churned
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
                "callbacks": int(self.callbacks),
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


class _Candidate:
    """A day candidate enabled after the day began (see ``BehaviourCenter._rate_rose``)."""

    __slots__ = ("k",)

    def __init__(self, k: int) -> None:
        self.k = k


def _pending(state: ContactState, cust: Customer, when: float) -> Contact:
    """A repeat contact scheduled for ``when`` (its deadline is set when it arrives)."""
    contact = Contact(-1, when, INF, 0.0, 0, cust)
    contact.info = state
    return contact
