"""The event heap: what can happen, and when.

Events are rows of :data:`sim.schema.EVENT` in a binary heap ordered by time, then by
the order of scheduling (the SimPy rule: ties are broken deterministically). Nothing is
ever scheduled before the clock: :func:`schedule` counts any such event in the globals'
``late_events``, and the loop stops at once when it sees one (causality, enforced).
"""

from __future__ import annotations

from sim.engine import compiled, inline
from sim.engine.heap import pop_first, sift_up

# Event kinds; what ``a``, ``b`` and ``x`` hold.
END = 0  # CSR a (row of the CSR table) ends the call with the contact in slot b; x: answered
SHIFT = 1  # tier a gets head count b
ARRIVE = 2  # the repeat contact in slot b arrives
CANDIDATE = 3  # day candidate b, enabled by a risen issue rate, arrives
ABANDON = 4  # contact number a, in slot b, hangs up if still waiting (x: its deadline)
KINDS = ("end", "shift", "arrive", "candidate", "abandon")


@inline
def schedule(st, t, kind, a, b, x):
    """Put an event on the heap at ``t`` (s); equal times keep the order of scheduling."""
    g = st.globals[0]
    if t < g["now"]:
        g["late_events"] += 1
    n = g["events"]
    e = st.events[n]
    e["key"], e["order"], e["kind"] = t, g["seq"], kind
    e["a"], e["b"], e["x"] = a, b, x
    g["seq"] += 1
    g["events"] = n + 1
    sift_up(st.events, n, st.event_tmp)


@inline
def pop_event(st):
    """Move the earliest event to the end of the heap's used part; returns its row."""
    g = st.globals[0]
    pop_first(st.events, g["events"], st.event_tmp)
    g["events"] -= 1
    return g["events"]


@compiled
def put(st, t, kind, a, b, x):
    """:func:`schedule`, callable from Python (the model's set-up schedules the shifts)."""
    schedule(st, t, kind, a, b, x)
