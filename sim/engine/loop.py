"""The dispatcher: every event up to a time, in order (``advance``), and the end
(``drain``).

The day's arrivals come from the day table (:data:`sim.schema.CANDIDATE`) in time order
and are merged with the event heap rather than pushed on it; ties go to the heap. Each
event kind has one handler. Before each event the loop checks there is room for what it
can create; if not it returns :data:`NEED_ROOM` and the model grows the tables
(:mod:`sim.state`) before calling again: nothing of that event has happened yet.
"""

from __future__ import annotations

import math

from sim.engine import compiled
from sim.engine import observe as obs
from sim.engine.aftermath import free_slot
from sim.engine.contact import (
    abandon,
    arrive,
    contact_arrives,
    end,
    first_contact,
    hang_up,
    queue_arrival,
    set_head_count,
)
from sim.engine.events import ABANDON, ARRIVE, CANDIDATE, END, pop_event
from sim.engine.queues import dequeue

INF = math.inf
#: What :func:`advance` returns.
DONE, NEED_ROOM, LATE_EVENT = 0, 1, 2
#: Queue entries and events an event can add at most, besides one per CSR and per day
#: candidate (a new head count starts a call per CSR; a risen issue rate can schedule
#: the rest of the day's candidates of one customer).
MARGIN = 8


@compiled
def room_needed(st):
    """Whether a table could overflow during the next event (then grow it first)."""
    g = st.globals[0]
    slots = st.free.shape[0]
    if g["free"] < 1:
        return True
    if st.params[0]["keep_records"] > 0.0 and g["records"] > st.records.shape[0] - slots - MARGIN:
        return True
    if st.params[0]["keep_contacts"] > 0.0 and g["rows"] > st.rows.shape[0] - slots - MARGIN:
        return True
    if g["events"] > st.events.shape[0] - st.csrs.shape[0] - st.day.shape[0] - MARGIN:
        return True
    for tier_no in range(st.tiers.shape[0]):
        if st.tiers[tier_no]["q_n"] > st.queue.shape[1] - MARGIN:
            return True
    return False


@compiled
def advance(st, t_stop, rngs):
    """Process every event up to ``t_stop`` (s).

    Returns:
        DONE; NEED_ROOM when a table must grow first; LATE_EVENT if anything was ever
        scheduled before the clock (a defect: the run must stop).
    """
    g = st.globals[0]
    day, passing = st.day, st.passing
    n_arrivals = passing.shape[0]
    people = st.params[0]["people"] > 0.0
    while True:
        if g["late_events"] > 0:
            return LATE_EVENT
        if room_needed(st):
            return NEED_ROOM
        i = g["next_arrival"]
        next_arrival = day[passing[i]]["time_s"] if i < n_arrivals else INF
        if g["events"] > 0 and st.events[0]["key"] <= next_arrival:
            if st.events[0]["key"] > t_stop:
                return DONE
            e = st.events[pop_event(st)]
            t, kind, a, b, x = e["key"], e["kind"], e["a"], e["b"], e["x"]
            if t < g["now"]:
                g["late_events"] += 1
                return LATE_EVENT
            g["now"] = t
            if kind == END:
                end(st, a, b, x, t, rngs)
            elif kind == ABANDON:
                hang_up(st, a, b, t, rngs)
            elif kind == ARRIVE:
                cust = st.customers[st.slots[b]["customer"]]
                if cust["churned"] or t >= cust["leaves_s"]:
                    free_slot(st, b)  # the customer has left meanwhile
                else:
                    contact_arrives(st, b, t)
                    arrive(st, b, t, rngs)
            elif kind == CANDIDATE:
                slot_no = first_contact(st, b, t)
                if slot_no >= 0:
                    arrive(st, slot_no, t, rngs)
            else:
                set_head_count(st, a, b, rngs)
        else:
            if next_arrival > t_stop or next_arrival == INF:
                return DONE
            g["now"] = next_arrival
            g["next_arrival"] = i + 1
            if people:
                slot_no = first_contact(st, passing[i], next_arrival)
            else:
                slot_no = queue_arrival(st, passing[i], next_arrival)
            if slot_no >= 0:
                arrive(st, slot_no, next_arrival, rngs)


@compiled
def drain(st, end_s, rngs):
    """After the last event: whoever is still queued hangs up at their deadline, or is
    recorded as still waiting at ``end_s`` (s)."""
    for tier_no in range(st.tiers.shape[0]):
        while st.tiers[tier_no]["waiting"] > 0:
            slot_no = dequeue(st, tier_no)
            slot = st.slots[slot_no]
            if slot["deadline_s"] < INF:
                abandon(st, slot_no, rngs)
            else:
                obs.record(
                    st, slot_no, end_s - slot["tier_arrival_s"], obs.WAITING, math.nan, math.nan, -1
                )
