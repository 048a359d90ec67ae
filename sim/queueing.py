"""The queueing parts of the contact center: contacts, and tiers of CSRs with a queue.

A contact is a plain object, not a Mesa agent: hundreds of thousands of them pass through
a run and each lives for minutes, so they are kept as light as possible (the foundation
issue allows it). The people, CSRs and customers, are Mesa agents (see ``agents.py``).
With people in the model, the same queues are kept as arrays (``sim.event_loop``), where
priority routing and skill-based routing are added.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class Contact:
    """One contact (a call) while it is in the system.

    Attributes:
        cid: Sequence number, unique within a run.
        arrival_s: When it joined the current tier's queue, s.
        deadline_s: When the caller hangs up if still waiting, s (inf: never).
        handle_s: Pre-drawn handle time, s (used when no conversation model is given).
        tier: The tier whose queue it is in (0 front line, 1 supervisors).
    """

    __slots__ = ("cid", "arrival_s", "deadline_s", "handle_s", "tier")

    def __init__(
        self, cid: int, arrival_s: float, deadline_s: float, handle_s: float = 0.0, tier: int = 0
    ) -> None:
        self.cid = cid
        self.arrival_s = arrival_s
        self.deadline_s = deadline_s
        self.handle_s = handle_s
        self.tier = tier


class Tier:
    """A pool of CSRs with one queue: the front line, or the supervisors' second tier.

    Idle CSRs are kept longest-idle first, so that work is shared fairly and ties are
    broken deterministically. The queue is FCFS. Abandonment is lazy: a contact whose deadline has passed is found and recorded as
    abandoned (at its deadline) when a CSR next looks at the queue, which is exact for
    these disciplines and saves an event per contact.

    Args:
        index: 0 for the front line, 1 for the second tier.
        size: Number of CSR positions.
    """

    def __init__(self, index: int, size: int) -> None:
        self.index = index
        self.size = size
        self.idle: deque[int] = deque()
        self.on_duty = [False] * size
        self.busy = [False] * size
        self._listed = [False] * size  # in the idle list (stale entries are skipped)
        self._fifo: deque[Contact] = deque()

    def __len__(self) -> int:
        """Contacts in queue (including some that may already have hung up)."""
        return len(self._fifo)

    def enqueue(self, contact: Contact) -> None:
        """Put a contact at the end of the queue."""
        self._fifo.append(contact)

    def next_contact(self, now: float, abandon: Callable[[Contact], None]) -> Contact | None:
        """The next contact to serve at ``now``; those who hung up go to ``abandon``."""
        fifo = self._fifo
        while fifo:
            contact = fifo.popleft()
            if contact.deadline_s < now:
                abandon(contact)
            else:
                return contact
        return None

    def make_idle(self, k: int) -> None:
        """CSR ``k`` is free: it joins the end of the idle list."""
        self.busy[k] = False
        if not self._listed[k]:
            self._listed[k] = True
            self.idle.append(k)

    def idle_csr(self) -> int | None:
        """The longest-idle CSR on duty, removed from the idle list, or None."""
        idle, on_duty, busy, listed = self.idle, self.on_duty, self.busy, self._listed
        while idle:
            k = idle.popleft()
            listed[k] = False
            if on_duty[k] and not busy[k]:
                return k
        return None

    def drain(self) -> list[Contact]:
        """Remove and return every contact still in the queue (end of the run)."""
        out = list(self._fifo)
        self._fifo.clear()
        return out
