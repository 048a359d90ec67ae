"""The contact center as a Mesa model on a continuous, event-driven clock.

The model owns a heap of timed events, ordered by ``(time, sequence)`` so that ties are
broken deterministically by the order in which events were scheduled (the SimPy rule).
Pre-drawn first contacts are merged with the heap rather than pushed on it, and a caller
who runs out of patience is found lazily when a CSR next looks at the queue, so a contact
costs two heap operations: that is what makes the queueing core fast.

Without a conversation model (``behaviour off``) this is the M/M/c+M (Erlang A) queue, or
M/G/c+M with lognormal handle times, with time-varying arrivals and staffing.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass

import mesa
import numpy as np
import pandas as pd

from sim.agents import CSR
from sim.arrivals import ArrivalProfile, sample_arrivals
from sim.errors import InputError
from sim.queueing import Contact, Tier
from sim.records import (
    ABANDONED,
    ANSWERED,
    WAITING,
    ContactRecord,
    interval_sums,
    records_frame,
    summarize,
)
from sim.staffing import Staffing
from sim.streams import Streams

INF = math.inf
END, SHIFT = 0, 1
HANDLE_TIME_DISTRIBUTIONS = ("exponential", "lognormal")


@dataclass(frozen=True)
class OperationsConfig:
    """The operations layer of a run: arrivals, staffing, handle time, patience.

    Attributes:
        profile: Expected first contacts per interval.
        staffing: Front-line head count over time.
        aht_s: Mean handle time, s (used when there is no conversation model).
        aht_cv: Coefficient of variation of the handle time (lognormal only).
        handle_time: ``"exponential"`` or ``"lognormal"``.
        patience_s: Mean patience (exponential), s; None for callers who never hang up.
        sl_threshold_s: Service-level threshold, s.
        warmup_s: Intervals starting before this time are left out of the summary, s.
        supervisors: Size of the second tier (0: no second tier).
    """

    profile: ArrivalProfile
    staffing: Staffing
    aht_s: float = 300.0
    aht_cv: float = 1.0
    handle_time: str = "exponential"
    patience_s: float | None = None
    sl_threshold_s: float = 20.0
    warmup_s: float = 0.0
    supervisors: int = 0

    def __post_init__(self) -> None:
        checks = {
            "aht_s": self.aht_s > 0,
            "aht_cv": self.aht_cv > 0,
            "sl_threshold_s": self.sl_threshold_s >= 0,
            "warmup_s": 0 <= self.warmup_s < self.profile.horizon_s,
        }
        if self.patience_s is not None:
            checks["patience_s"] = self.patience_s > 0
        for name, ok in checks.items():
            value = getattr(self, name)
            if not (ok and np.isfinite(value)):
                valid = "below the horizon" if name == "warmup_s" else "a finite number > 0"
                raise InputError(f"impossible value {value}", field=name, valid=valid)
        if self.handle_time not in HANDLE_TIME_DISTRIBUTIONS:
            raise InputError(
                f"unknown distribution {self.handle_time!r}",
                field="handle_time",
                valid=HANDLE_TIME_DISTRIBUTIONS,
            )


def draw_handle_times(
    rng: np.random.Generator, n: int, mean_s: float, cv: float, distribution: str
) -> np.ndarray:
    """``n`` handle times, s: exponential, or lognormal with the given mean and CV."""
    if distribution == "exponential":
        return rng.exponential(mean_s, n)
    sigma2 = math.log1p(cv * cv)
    return rng.lognormal(math.log(mean_s) - sigma2 / 2.0, math.sqrt(sigma2), n)


class ContactCenter(mesa.Model):
    """A contact center: tiers of CSR agents serving contacts from one queue per tier.

    One ``step()`` advances the clock by a day (or to the end of the horizon), processing
    every event in between; after the last arrival the center drains: contacts still
    waiting are answered or hang up. ``run()`` steps until done.

    With people in it (``sim.behaviour.BehaviourCenter``) the same events, in the same
    order, are processed by a compiled loop (``sim.event_loop``) that also plays the
    conversations; the subclass keeps this class's clock, day steps and results.

    Args:
        config: The operations configuration.
        seed: The replication seed; every random stream is derived from it by name.
        keep_records: Keep every contact record (for per-contact output).
    """

    step_s = 86_400.0

    def __init__(self, config: OperationsConfig, seed: int = 0, keep_records: bool = True) -> None:
        super().__init__(rng=int(seed))
        self.config = config
        self.seed = int(seed)
        self.streams = Streams(seed)
        self.now = 0.0
        self.horizon_s = config.profile.horizon_s
        self.keep_records = keep_records
        self.records: list[ContactRecord] = []
        self._events: list[tuple] = []
        self._seq = itertools.count()
        self._cid = itertools.count()
        self.tiers = [Tier(0, config.staffing.max_csrs)]
        self.csrs: list[list[CSR]] = [[CSR(self, 0, k) for k in range(config.staffing.max_csrs)]]
        if config.supervisors > 0:
            self.tiers.append(Tier(1, config.supervisors))
            self.csrs.append([CSR(self, 1, k) for k in range(config.supervisors)])
            self._set_head_count(1, config.supervisors)
        staffing = config.staffing
        if staffing.is_fixed:
            self._set_head_count(0, int(staffing.counts[0]))
        else:
            for t, count in zip(staffing.breaks_s, staffing.counts, strict=True):
                self.schedule(float(t), SHIFT, 0, int(count))
        self._arrivals = self.draw_arrivals()
        self._next_arrival = 0
        self.running = True

    # --- arrivals ------------------------------------------------------------------------
    def draw_arrivals(self) -> list[float]:
        """First-contact arrival times (s) and, here, each contact's patience and handle time."""
        cfg = self.config
        times = sample_arrivals(cfg.profile, self.streams.generator("arrivals"))
        n = len(times)
        if cfg.patience_s is None:
            self._patience = None
        else:
            self._patience = (
                self.streams.generator("patience").exponential(cfg.patience_s, n).tolist()
            )
        self._handle = draw_handle_times(
            self.streams.generator("handle_time"), n, cfg.aht_s, cfg.aht_cv, cfg.handle_time
        ).tolist()
        return times.tolist()

    # --- the clock ----------------------------------------------------------------------
    def schedule(self, t: float, kind: int, a, b) -> None:
        """Put an event on the heap; equal times keep the order of scheduling."""
        heapq.heappush(self._events, (t, next(self._seq), kind, a, b))

    def step(self) -> None:
        """Advance the clock by one day, or to the end of the horizon and the drain."""
        t_stop = (math.floor(self.now / self.step_s + 1e-9) + 1) * self.step_s
        if t_stop >= self.horizon_s:
            t_stop = INF
        self._advance(t_stop)
        self.now = max(self.now, min(t_stop, self.horizon_s))
        self.end_of_step()
        if t_stop == INF:
            self._finish()
            self.running = False

    def end_of_step(self) -> None:
        """Hook at each day boundary (daily bookkeeping in subclasses)."""

    def run(self) -> ContactCenter:
        """Run to the end of the horizon and the drain; returns the model."""
        while self.running:
            self.step()
        return self

    def _advance(self, t_stop: float) -> None:
        events, arrivals = self._events, self._arrivals
        n = len(arrivals)
        i = self._next_arrival
        heappop = heapq.heappop
        while True:
            next_arrival = arrivals[i] if i < n else INF
            if events and events[0][0] <= next_arrival:
                if events[0][0] > t_stop:
                    break
                t, _, kind, a, b = heappop(events)
                self.now = t
                if kind == END:
                    self._end(a, b, t)
                else:
                    self._set_head_count(a, b)
            else:
                if next_arrival > t_stop or next_arrival == INF:
                    break
                self.now = next_arrival
                deadline = INF if self._patience is None else next_arrival + self._patience[i]
                contact = Contact(next(self._cid), next_arrival, deadline, self._handle[i])
                i += 1
                self._arrive(contact, next_arrival)
        self._next_arrival = i

    def _arrive(self, contact: Contact, t: float) -> None:
        tier = self.tiers[contact.tier]
        k = tier.idle_csr() if tier.idle else None
        if k is None:
            tier.enqueue(contact)
        else:
            self._start(tier, k, contact, t)

    def _start(self, tier: Tier, k: int, contact: Contact, t: float) -> None:
        tier.busy[k] = True
        self.schedule(t + contact.handle_s, END, (tier.index, k), (contact, t))

    def _end(self, who: tuple[int, int], what: tuple[Contact, float], t: float) -> None:
        tier_index, k = who
        contact, started = what
        tier = self.tiers[tier_index]
        csr = self.csrs[tier_index][k]
        csr.contacts_handled += 1
        csr.busy_s += t - started
        self._record(contact, started - contact.arrival_s, ANSWERED, started, t, k)
        if tier.on_duty[k]:
            nxt = tier.next_contact(t, self._abandon)
            if nxt is None:
                tier.make_idle(k)
            else:
                self._start(tier, k, nxt, t)
        else:
            tier.busy[k] = False

    def _abandon(self, contact: Contact) -> None:
        when = contact.deadline_s
        self._record(contact, when - contact.arrival_s, ABANDONED, math.nan, math.nan, -1)

    def _set_head_count(self, tier_index: int, count: int) -> None:
        tier = self.tiers[tier_index]
        for k in range(tier.size):
            should = k < count
            if should and not tier.on_duty[k]:
                tier.on_duty[k] = True
                if not tier.busy[k]:
                    tier.make_idle(k)
            elif not should:
                tier.on_duty[k] = False
        # New CSRs take waiting contacts at once.
        while len(tier):
            k = tier.idle_csr()
            if k is None:
                break
            nxt = tier.next_contact(self.now, self._abandon)
            if nxt is None:
                tier.make_idle(k)
                break
            self._start(tier, k, nxt, self.now)

    def _record(
        self, contact: Contact, wait: float, outcome: int, start: float, end: float, csr: int
    ) -> None:
        # A plain tuple in ContactRecord order: the hot path avoids the named-tuple cost.
        self.records.append(
            (contact.cid, contact.tier, contact.arrival_s, wait, outcome, start, end, csr)
        )

    def _finish(self) -> None:
        """After the drain: whoever is still queued hangs up at their deadline or waits on."""
        end = max(self.now, self.horizon_s)
        for tier in self.tiers:
            for contact in tier.drain():
                if contact.deadline_s < INF:
                    self._abandon(contact)
                else:
                    self._record(contact, end - contact.arrival_s, WAITING, math.nan, math.nan, -1)

    def release(self) -> None:
        """Let the model be garbage-collected once its results have been read.

        Mesa before 3.4 keeps a reference to every model in a class attribute
        (``Agent._ids``, mesa issue #3179), so a worker running many replications would
        keep them all; dropping that reference lets Python free the model.
        """
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    # --- results --------------------------------------------------------------------------
    def records_frame(self) -> pd.DataFrame:
        """Every contact record of the run (one row per contact and tier)."""
        return records_frame(self.records)

    def interval_table(self, tier: int = 0) -> pd.DataFrame:
        """Additive per-interval sums of a tier's contacts (see ``records.interval_sums``)."""
        cfg = self.config
        staffing = cfg.staffing if tier == 0 else Staffing.fixed(max(cfg.supervisors, 1))
        return interval_sums(self.records_frame(), cfg.profile, staffing, cfg.sl_threshold_s, tier)

    def summary(self) -> dict[str, float]:
        """The run's operations summary over the intervals after warm-up."""
        return summarize(self.interval_table(), self.config.warmup_s)
