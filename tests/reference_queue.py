"""A plain-Python queue, kept as a readable oracle for the compiled engine.

This is the M/M/c+M (or M/G/c+M) contact center written as directly as possible: a
heap of timed events ordered by ``(time, order of scheduling)``, one FCFS queue per
tier, idle CSRs longest-idle first, head counts that change at shift events, and a
hang-up event at each waiting caller's deadline. It draws its arrivals, patience
and handle times from the same named streams as :class:`sim.model.ContactCenter` with
people off, so the two must agree record for record.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque

from sim.model import OperationsConfig, draw_handle_times
from sim.population import queue_arrivals
from sim.records import ABANDONED, ANSWERED, WAITING
from sim.streams import Streams

INF = math.inf
END, SHIFT, HANG_UP = 0, 1, 4
#: A record: (contact_id, tier, arrival_s, wait_s, outcome, start_s, end_s, csr).
RECORD_FIELDS = ("contact_id", "tier", "arrival_s", "wait_s", "outcome", "start_s", "end_s", "csr")


class Contact:
    __slots__ = ("cid", "arrival_s", "deadline_s", "handle_s", "tier", "waiting")

    def __init__(self, cid: int, arrival_s: float, deadline_s: float, handle_s: float) -> None:
        self.cid, self.arrival_s, self.deadline_s, self.handle_s = (
            cid,
            arrival_s,
            deadline_s,
            handle_s,
        )
        self.tier = 0
        self.waiting = False  # in a queue now


class Tier:
    """CSRs with an idle list (longest idle first) and one FCFS queue."""

    def __init__(self, index: int, size: int) -> None:
        self.index = index
        self.size = size
        self.idle: deque[int] = deque()
        self.on_duty = [False] * size
        self.busy = [False] * size
        self.listed = [False] * size
        self.queue: deque[Contact] = deque()

    def make_idle(self, k: int) -> None:
        self.busy[k] = False
        if not self.listed[k]:
            self.listed[k] = True
            self.idle.append(k)

    def idle_csr(self) -> int | None:
        while self.idle:
            k = self.idle.popleft()
            self.listed[k] = False
            if self.on_duty[k] and not self.busy[k]:
                return k
        return None


class ReferenceQueue:
    """Run a queue-only scenario; ``records`` holds one tuple per contact and tier."""

    def __init__(self, config: OperationsConfig, seed: int = 0) -> None:
        self.config = config
        streams = Streams(seed)
        arrivals = queue_arrivals(
            config.profile,
            config.patience_s,
            lambda n: draw_handle_times(
                streams.generator("handle_time"), n, config.aht_s, config.aht_cv, config.handle_time
            ),
            streams.generator("arrivals"),
            streams.generator("patience"),
        )
        self.arrivals = list(
            zip(
                arrivals["time_s"].tolist(),
                arrivals["patience"].tolist(),
                arrivals["handle_s"].tolist(),
                strict=True,
            )
        )
        self.now = 0.0
        self.records: list[tuple] = []
        self.events: list[tuple] = []
        self.seq = itertools.count()
        self.cid = itertools.count()
        self.tiers = [Tier(0, config.staffing.max_csrs)]
        if config.supervisors > 0:
            self.tiers.append(Tier(1, config.supervisors))
            self.set_head_count(1, config.supervisors)
        if config.staffing.is_fixed:
            self.set_head_count(0, int(config.staffing.counts[0]))
        else:
            for t, count in zip(config.staffing.breaks_s, config.staffing.counts, strict=True):
                self.schedule(float(t), SHIFT, 0, int(count))

    def schedule(self, t: float, kind: int, a, b) -> None:
        heapq.heappush(self.events, (t, next(self.seq), kind, a, b))

    def run(self) -> ReferenceQueue:
        time_i, patience_i, handle_i = 0, 1, 2
        i = 0
        while True:
            next_arrival = self.arrivals[i][time_i] if i < len(self.arrivals) else INF
            if self.events and self.events[0][0] <= next_arrival:
                t, _, kind, a, b = heapq.heappop(self.events)
                self.now = t
                if kind == END:
                    self.end(a, b, t)
                elif kind == HANG_UP:
                    if a.waiting:  # still in the queue at the deadline: hangs up
                        a.waiting = False
                        self.abandon(a)
                else:
                    self.set_head_count(a, b)
            elif next_arrival < INF:
                row = self.arrivals[i]
                i += 1
                self.now = next_arrival
                contact = Contact(
                    next(self.cid), next_arrival, next_arrival + row[patience_i], row[handle_i]
                )
                self.arrive(contact, next_arrival)
            else:
                break
        end = max(self.now, self.config.profile.horizon_s)
        for tier in self.tiers:
            for contact in tier.queue:
                if contact.waiting:  # callers who never hang up, still waiting
                    self.record(contact, end - contact.arrival_s, WAITING, math.nan, math.nan, -1)
            tier.queue.clear()
        return self

    def arrive(self, contact: Contact, t: float) -> None:
        tier = self.tiers[contact.tier]
        k = tier.idle_csr() if tier.idle else None
        if k is None:
            contact.waiting = True
            tier.queue.append(contact)
            if contact.deadline_s < INF:
                self.schedule(contact.deadline_s, HANG_UP, contact, None)
        else:
            self.start(tier, k, contact, t)

    def start(self, tier: Tier, k: int, contact: Contact, t: float) -> None:
        tier.busy[k] = True
        self.schedule(t + contact.handle_s, END, (tier.index, k), (contact, t))

    def next_contact(self, tier: Tier) -> Contact | None:
        """The first caller still waiting (those who hung up are skipped)."""
        while tier.queue:
            contact = tier.queue.popleft()
            if contact.waiting:
                contact.waiting = False
                return contact
        return None

    def end(self, who: tuple[int, int], what: tuple[Contact, float], t: float) -> None:
        tier_index, k = who
        contact, started = what
        tier = self.tiers[tier_index]
        self.record(contact, started - contact.arrival_s, ANSWERED, started, t, k)
        if tier.on_duty[k]:
            nxt = self.next_contact(tier)
            if nxt is None:
                tier.make_idle(k)
            else:
                self.start(tier, k, nxt, t)
        else:
            tier.busy[k] = False

    def abandon(self, contact: Contact) -> None:
        when = contact.deadline_s
        self.record(contact, when - contact.arrival_s, ABANDONED, math.nan, math.nan, -1)

    def set_head_count(self, tier_index: int, count: int) -> None:
        tier = self.tiers[tier_index]
        for k in range(tier.size):
            if k < count and not tier.on_duty[k]:
                tier.on_duty[k] = True
                if not tier.busy[k]:
                    tier.make_idle(k)
            elif k >= count:
                tier.on_duty[k] = False
        while any(c.waiting for c in tier.queue):
            k = tier.idle_csr()
            if k is None:
                break
            nxt = self.next_contact(tier)
            if nxt is None:
                tier.make_idle(k)
                break
            self.start(tier, k, nxt, self.now)

    def record(self, contact, wait, outcome, start, end, csr) -> None:
        self.records.append(
            (contact.cid, contact.tier, contact.arrival_s, wait, outcome, start, end, csr)
        )
