"""The contact center as a Mesa model: one model, one engine, with or without people.

:class:`ContactCenter` owns the clock and the days. Each ``step()`` is one simulated
day: the day's candidate contacts are drawn (with people) or taken from the drawn
arrivals (the queue alone), and the compiled engine (:mod:`sim.engine`) processes every
event of the day: arrivals, routing, calls, escalation, hanging up, and with people the
memory, the account, churn and repeats. After the last day the center drains.

With people off, a contact's service is a drawn handle time (exponential or lognormal):
the M/M/c+M (Erlang A) queue, or M/G/c+M, with time-varying arrivals and staffing. With
people on, service is a conversation of moves between a customer and a CSR, and the
customers and CSRs are Mesa agents (:mod:`sim.agents`), views on the engine's rows.
"""

from __future__ import annotations

import gc
import math

import mesa
import numpy as np

from sim import catalogue, population
from sim.agents import CSR, Customer
from sim.arrivals import SECONDS_PER_DAY
from sim.engine.events import SHIFT, put
from sim.engine.loop import DONE, LATE_EVENT, NEED_ROOM, advance, drain
from sim.engine_params import engine_params
from sim.floor import ROUTINGS, Floor
from sim.operations import (  # noqa: F401 (re-exported: the model's inputs)
    OperationsConfig,
    People,
    draw_handle_times,
    people_operations,
)
from sim.parameters import Parameters
from sim.readouts import ReadOuts
from sim.rule_program import RuleProgram
from sim.schema import CSR as CSR_TABLE
from sim.schema import CUSTOMER
from sim.staffing import Staffing
from sim.state import State, build_state, grow, with_day
from sim.streams import Streams

INF = math.inf
#: Anger traces are kept for the first calls of angry choleric customers, the case the
#: trainers' anger-curve chart shows (DOMAIN.md sections 2 and 3), at most this many.
TRACE_LIMIT = 150


class ContactCenter(ReadOuts, mesa.Model):
    """A contact center: tiers of CSRs serving contacts, one queue per tier.

    One ``step()`` advances the clock by a day (the last one also drains the center);
    ``running`` turns False at the end of the horizon. ``run()`` steps until then.

    Args:
        operations: Arrivals, staffing, tiers, and the drawn handle times and patience
            used with people off.
        people: The behaviour layer; None for the queue alone.
        seed: The replication seed; every random stream is derived from it by name.
        drawn_service: With people on, replace each call's talk time by a handle time
            drawn as with people off (conversations are still played): a test switch
            that makes the queue checkable against Erlang A.
        keep_records: Keep every interval record (``records_frame()``).
        keep_contacts: Keep one row per concluded contact (``contacts_frame()``).
        trace_anger: Keep anger traces of some calls (``anger_traces``).
    """

    step_s = SECONDS_PER_DAY
    #: Contacts (with their open issues) the tables hold at first; they double as needed.
    initial_slots = 1024

    def __init__(
        self,
        operations: OperationsConfig,
        people: People | None = None,
        *,
        seed: int = 0,
        drawn_service: bool = False,
        keep_records: bool = False,
        keep_contacts: bool = False,
        trace_anger: bool = False,
    ) -> None:
        super().__init__(rng=int(seed))
        self.config = operations
        self.people = people
        self.seed = int(seed)
        self.streams = Streams(seed)
        self.horizon_s = operations.profile.horizon_s
        self.days = max(1, math.ceil(self.horizon_s / SECONDS_PER_DAY - 1e-9))
        self.params = people.params if people else Parameters()
        self.keep_records = keep_records
        self.keep_contacts = keep_contacts and people is not None
        self.records: list[np.ndarray] = []
        self.day = 0  # days simulated so far
        self._loaded_day = -1  # the day whose candidates the engine holds
        # The engine's random buffers (sim.engine.draws), each from its own stream.
        self._rngs = tuple(
            self.streams.generator(name) for name in ("conversation", "outcomes", "service")
        )
        self._candidates = self.streams.generator("candidates")
        # Day-to-day variation of the built-in forecast (a volume file's days are real).
        self._volumes = (
            population.daily_volumes(self.params, self.days, self.streams.generator("volume"))
            if people is not None and operations.profile.source == "weekday_profile"
            else np.ones(self.days)
        )
        self._st = self._build(drawn_service, trace_anger)
        self._arrivals = None if people else self._draw_arrivals()
        # CSRs first, then customers: Mesa numbers agents in the order they are made.
        names = self._strategy_names()
        self.csrs = [CSR(self, self._st.csrs, k, names[k]) for k in range(len(self._st.csrs))]
        # Customer agents are made when first asked for (``customers``, ``agents``): a
        # run that only reports outcomes never pays for 100,000 Python objects. Their
        # Mesa ids are known already: they follow the CSRs'.
        self._customers: list[Customer] | None = None if people is not None else []
        self._customer_id0 = (self.csrs[-1].unique_id + 1) if self.csrs else 1
        # A cohort whose emotional accounts are followed day by day (for charts): the
        # first customers of the base (a random sample), the same for every policy.
        self.cohort_size = (
            min(int(self.params["scenario.cohort_size"]), len(self._st.customers)) if people else 0
        )
        self.account_rows: list[tuple[int, int, float, bool]] = []
        self._snapshot(0)
        self.running = True

    # --- set-up ---------------------------------------------------------------------------
    def _build(self, drawn_service: bool, trace_anger: bool) -> State:
        ops, people, p = self.config, self.people, self.params
        tier_sizes = [ops.staffing.max_csrs] + ([ops.supervisors] if ops.supervisors else [])
        routing = ROUTINGS.index(people.floor.routing) if people else 0
        callback = people.floor.callback_wait_s if people else None
        pv = engine_params(
            p,
            people=1.0 if people else 0.0,
            drawn_service=1.0 if (drawn_service or not people) else 0.0,
            service_mean_s=ops.aht_s,
            service_sigma=ops.handle_sigma,
            horizon_s=self.horizon_s,
            tiers=len(tier_sizes),
            routing=routing,
            callback_wait_s=INF if callback is None else callback,
            follow_up=float(bool(people and people.floor.follow_up)),
            keep_contacts=float(self.keep_contacts),
            trace=float(trace_anger and people is not None),
            trace_temperament=catalogue.TEMPERAMENTS.index("choleric"),
            trace_persona=catalogue.PERSONAS.index("angry"),
            talker=catalogue.TALKER,
            sl_threshold_s=ops.sl_threshold_s,
            keep_records=float(self.keep_records),
        )
        if people is not None:
            customers = population.draw_customers(
                p, self.streams.generator("population"), self.streams.generator("attrition")
            )
            csrs, programs = self._csr_table(tier_sizes)
        else:
            customers = CUSTOMER.allocate(1)
            csrs, programs = CSR_TABLE.allocate(sum(tier_sizes)), []
            positions = np.concatenate([np.arange(n) for n in tier_sizes])
            csrs["tier"] = np.repeat(np.arange(len(tier_sizes)), tier_sizes)
            csrs["position"] = positions
        st = build_state(
            params=pv,
            customers=customers,
            csrs=csrs,
            tier_sizes=tier_sizes,
            temperaments=catalogue.temperament_table(p),
            personas=catalogue.persona_table(p),
            moves=catalogue.move_table(p),
            persona_mod=catalogue.persona_move_table(p),
            programs=programs or [_EMPTY_PROGRAM],
            slots=self.initial_slots,
            keep_contacts=self.keep_contacts,
            trace_limit=TRACE_LIMIT if pv[0]["trace"] else 0,
            interval_starts=ops.profile.starts_s,
            shifts=len(ops.staffing.counts) + 1,
        )
        # The second tier, then the front line, come on duty at time 0 (before any
        # arrival); a staffing schedule's changes are events too.
        if len(tier_sizes) > 1:
            put(st, 0.0, SHIFT, 1, ops.supervisors, 0.0)
        if ops.staffing.is_fixed:
            put(st, 0.0, SHIFT, 0, int(ops.staffing.counts[0]), 0.0)
        else:
            for t, count in zip(ops.staffing.breaks_s, ops.staffing.counts, strict=True):
                put(st, float(t), SHIFT, 0, int(count), 0.0)
        return st

    def _csr_table(self, tier_sizes: list[int]) -> tuple[np.ndarray, list]:
        """The CSRs (skills drawn from their own stream) and their strategies' programs."""
        from scipy import special  # only needed with people (scipy.stats costs 1 s)

        p, floor = self.params, self.people.floor
        n_front = tier_sizes[0]
        rows = CSR_TABLE.allocate(sum(tier_sizes))
        rows["tier"] = np.repeat(np.arange(len(tier_sizes)), tier_sizes)
        rows["position"] = np.concatenate([np.arange(n) for n in tier_sizes])
        skills = ("empathy", "problem_solving", "perception", "self_control")
        uniforms = self.streams.generator("csr_skills").random((n_front, len(skills)))
        kappa = p["csr.skill_concentration"]
        for i, name in enumerate(skills):
            mean = float(np.clip(p[f"csr.{name}"] + floor.training, 0.01, 0.99))
            # The inverse CDF of the same uniforms keeps CSRs comparable across training
            # levels (common random numbers).
            rows[name][:n_front] = special.betaincinv(
                mean * kappa, (1 - mean) * kappa, uniforms[:, i]
            )
            sup = float(np.clip(p["csr.supervisor_skill"] + floor.training, 0.01, 0.99))
            rows[name][n_front:] = sup
        authority = floor.concession_authority
        rows["authority"][:n_front] = (
            p["csr.concession_authority"] if authority is None else authority
        )
        rows["authority"][n_front:] = p["csr.supervisor_authority"]
        strategies = floor.assign(n_front) + [floor.supervisor_strategy] * (len(rows) - n_front)
        programs: list = []
        index: dict[int, int] = {}
        for k, strategy in enumerate(strategies):
            key = id(strategy.program)
            if key not in index:
                index[key] = len(programs)
                programs.append(strategy.program)
            rows[k]["program"] = index[key]
        self._strategies = strategies
        return rows, programs

    def _strategy_names(self) -> list[str]:
        strategies = getattr(self, "_strategies", None)
        if strategies is None:
            return [""] * len(self._st.csrs)
        return [getattr(s, "name", "") for s in strategies]

    def _draw_arrivals(self) -> np.ndarray:
        """Every arrival of a queue-only run, drawn up front from its own streams."""
        ops = self.config
        return population.queue_arrivals(
            ops.profile,
            ops.patience_s,
            lambda n: draw_handle_times(
                self.streams.generator("handle_time"), n, ops.aht_s, ops.aht_cv, ops.handle_time
            ),
            self.streams.generator("arrivals"),
            self.streams.generator("patience"),
        )

    # --- the clock: a day at a time ------------------------------------------------------
    @property
    def now(self) -> float:
        """The clock, s from the start of the horizon."""
        return float(self._st.globals[0]["now"])

    @property
    def state(self) -> State:
        """The engine's tables (read them; the engine owns them)."""
        return self._st

    def step(self) -> None:
        """Simulate one day; after the last one, drain the center and stop."""
        if not self.running:
            return
        self._load_today()
        last = self.day + 1 >= self.days
        self._run_until(INF if last else (self.day + 1) * SECONDS_PER_DAY)
        if last:
            self._st = grow(self._st)  # the drain may conclude every contact still queued
            drain(self._st, max(self.now, self.horizon_s), self._rngs)
            self.running = False
        self.day += 1
        self._background_departures(min(self.day * SECONDS_PER_DAY, self.horizon_s))
        self._flush()
        self._snapshot(self.day)

    def advance_to(self, t: float) -> None:
        """Simulate up to ``t`` (s from the start of the horizon), e.g. an hour at a time
        to watch a day unfold; the days passed on the way end as :meth:`step` ends them.
        """
        while self.running and t >= (self.day + 1) * SECONDS_PER_DAY:
            self.step()
        if self.running and t >= self.now:
            self._load_today()
            self._run_until(t)

    def _background_departures(self, until_s: float) -> None:
        """Customers who left before ``until_s`` for reasons other than service are
        counted as gone (the engine has treated them as gone since they left)."""
        if self.people is None:
            return
        rows = self._st.customers
        leaving = (rows["churned"] == 0) & (rows["leaves_s"] <= until_s)
        rows["churned"][leaving] = 1
        rows["churn_cause"][leaving] = 2
        rows["churned_s"][leaving] = rows["leaves_s"][leaving]

    def _load_today(self) -> None:
        if self._loaded_day != self.day and self.day < self.days:
            self._st = with_day(self._st, *self._day_candidates(self.day))
            self._loaded_day = self.day

    def _run_until(self, t_stop: float) -> None:
        self._advance(t_stop)
        g = self._st.globals[0]
        g["now"] = max(g["now"], min(t_stop, self.horizon_s))

    def run(self) -> ContactCenter:
        """Run to the end of the horizon and the drain; returns the model."""
        while self.running:
            self.step()
        return self

    def _day_candidates(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        if self.people is None:
            return population.arrivals_of_day(self._arrivals, day, day + 1 >= self.days)
        return population.draw_candidates(
            self.params,
            self.config.profile,
            day,
            self._st.customers,
            self._candidates,
            self._volumes[day],
        )

    def _advance(self, t_stop: float) -> None:
        while True:
            status = advance(self._st, t_stop, self._rngs)
            if status == DONE:
                return
            if status == LATE_EVENT:
                raise RuntimeError(
                    "an event was scheduled before the clock (a defect of the engine)"
                )
            assert status == NEED_ROOM
            self._st = grow(self._st)

    # --- day-by-day aggregation keeps memory flat -------------------------------------------
    def _flush(self) -> None:
        """Keep the day's records, if asked, and empty the engine's record buffer."""
        g = self._st.globals[0]
        n = int(g["records"])
        if n and self.keep_records:
            self.records.append(self._st.records[:n].copy())
        g["records"] = 0

    @property
    def customers(self) -> list[Customer]:
        """The customer agents (made on first use), agent ``k`` viewing row ``k``."""
        if self._customers is None:
            self._customers = _customer_agents(self, self._st.customers)
            assert self._customers[0].unique_id == self._customer_id0
        return self._customers

    @property
    def agents(self):
        """All agents (Mesa's ``AgentSet``): CSRs and customers."""
        self.customers  # noqa: B018 (made on first use)
        return super().agents

    @property
    def agents_by_type(self):
        """Agents by class (Mesa's ``agents_by_type``)."""
        self.customers  # noqa: B018 (made on first use)
        return super().agents_by_type

    @property
    def cohort(self) -> list[Customer]:
        """The customers whose accounts are followed day by day."""
        return self.customers[: self.cohort_size]

    def _snapshot(self, day: int) -> None:
        if not self.cohort_size or (self.account_rows and self.account_rows[-1][0] == day):
            return
        n = self.cohort_size
        rows = self._st.customers
        self.account_rows.extend(
            zip(
                [day] * n,
                range(self._customer_id0, self._customer_id0 + n),
                rows["balance"][:n].tolist(),
                (rows["churned"][:n] == 1).tolist(),
                strict=True,
            )
        )

    def release(self) -> None:
        """Let the model be garbage-collected once its results have been read.

        Mesa before 3.4 keeps a reference to every model in a class attribute
        (``Agent._ids``, mesa issue #3179), so a worker running many replications would
        keep them all; dropping that reference lets Python free the model.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)


#: The rule program of CSRs without a strategy (people off: no conversations).
_EMPTY_PROGRAM = RuleProgram.build([[]])


def compile_engine() -> None:
    """Compile (or load from the cache) every entry point of the engine, by running a
    tiny center with people and without, and a lab call.

    Worker processes load what this compiles from the cache instead of each compiling
    it again: the experiment runner calls it once before starting them.
    """
    from types import SimpleNamespace

    from sim.arrivals import constant_profile
    from sim.catalogue import CLOSE_MOVE
    from sim.lab import play_calls
    from sim.rule_program import TableRule

    program = RuleProgram.build([[TableRule(CLOSE_MOVE, 1)]])
    strategy = SimpleNamespace(name="close", program=program)
    floor = Floor(name="warm-up", strategies=((strategy, 1.0),), supervisor_strategy=strategy)
    p = Parameters({"scenario.customers": 100, "scenario.first_contacts_per_day": 20.0,
                    "scenario.days": 1, "operations.csrs": 1, "operations.supervisors": 1})  # fmt: skip
    ContactCenter(people_operations(p, floor), People(p, floor), seed=0).run()
    queue = OperationsConfig(constant_profile(20.0, 1.0), Staffing.fixed(1), patience_s=60.0)
    ContactCenter(queue, seed=0).run()
    play_calls(strategy, n=1, params=p)


def _customer_agents(model: ContactCenter, rows: np.ndarray) -> list[Customer]:
    """One agent per row of the customer table.

    Making 50,000 agents is one burst of allocations that leaves no garbage; with the
    collector on, it would walk the growing base dozens of times for nothing (about 40%
    of the build time, measured). It is switched back on at once, whatever happens.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return [Customer(model, rows, k) for k in range(len(rows))]
    finally:
        if collecting:
            gc.enable()
