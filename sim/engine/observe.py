"""Observation: the only writer of records, counters, kept contact rows and traces.

Mechanisms call these functions to say what happened; nothing here changes the model.
Interval records (:data:`sim.schema.RECORD`) feed the operations metrics; the counters
(:data:`sim.schema.COUNTER`, one row per temperament x persona cell) feed the outcomes;
contact rows (:data:`sim.schema.CONTACT_ROW`) are kept on request.
"""

from __future__ import annotations

import math

from sim.engine import helper
from sim.memory import csat

# Record outcomes (as sim.records).
WAITING, ANSWERED, ABANDONED = 0, 1, 2


@helper
def record(st, slot_no, wait, outcome, start, end, position):
    """A contact's outcome at its current tier, for the interval sums."""
    g = st.globals[0]
    r = g["records"]
    g["records"] = r + 1
    slot, row = st.slots[slot_no], st.records[r]
    row["contact_id"], row["tier"], row["arrival_s"] = (
        slot["cid"],
        slot["tier"],
        slot["tier_arrival_s"],
    )
    row["wait_s"], row["outcome"], row["start_s"], row["end_s"] = wait, outcome, start, end
    row["csr"] = position


@helper
def _cell(st, slot):
    return st.counters[st.customers[slot["customer"]]["cell"]]


@helper
def issue_opened(st, customer):
    st.counters[st.customers[customer]["cell"]]["issues"] += 1


@helper
def contact_opened(st, slot):
    cell = _cell(st, slot)
    cell["contacts"] += 1
    if slot["attempt"] > 1:
        cell["repeats"] += 1


@helper
def front_line_answered(st, slot):
    """A front-line call ended (its talk time is the slot's ``last_talk_s``)."""
    cell = _cell(st, slot)
    cell["answered"] += 1
    if slot["attempt"] == 1:
        cell["talk_first_s"] += slot["last_talk_s"]
        cell["answered_first"] += 1
    cell["stress_sum"] += slot["stress"]


@helper
def hung_up(st, slot):
    """A front-line caller hung up waiting."""
    _cell(st, slot)["abandoned"] += 1


@helper
def invalid_concession(st, slot):
    _cell(st, slot)["invalid_concessions"] += 1


@helper
def contact_concluded(st, slot, answered, resolved, escalated, complaint, conceded, value):
    """A contact's end: its outcome, cost and remembered value (account units)."""
    P = st.params[0]
    cell = _cell(st, slot)
    if answered:
        cell["concession"] += conceded
        if escalated or complaint:
            cell["escalations"] += 1
        if complaint:
            cell["complaints"] += 1
    if resolved:
        cell["resolved"] += 1
        if slot["attempt"] == 1:
            cell["first_resolved"] += 1
    cell["csat_sum"] += csat(value, P["csat_scale"])
    cell["concluded"] += 1


@helper
def keep_row(st, slot_no, now, abandoned, escalated, complaint, resolved, conceded, peak, end):
    """One row per concluded contact (``--contacts``), with the moves of its first two
    calls."""
    g = st.globals[0]
    slot = st.slots[slot_no]
    c = slot["customer"]
    r = g["rows"]
    g["rows"] = r + 1
    row = st.rows[r]
    calls = slot["calls"]
    row["arrival_s"], row["answered_s"] = slot["arrival_s"], slot["answered_s"]
    row["end_s"] = now if calls else math.nan
    row["wait_s"] = slot["wait_s"]
    row["start_anger"] = slot["start_anger"] if calls else slot["anger"]
    row["peak_anger"], row["final_anger"], row["concession"] = peak, end, conceded
    row["balance_before"] = slot["balance_before"]
    row["balance_after"] = st.customers[c]["balance"]
    row["contact_id"], row["issue_id"], row["customer"] = slot["cid"], slot["iid"], c
    row["nature"], row["valid"] = slot["nature"], slot["valid"]
    row["attempt"], row["csr"] = slot["attempt"], slot["csr"]
    row["abandoned"] = 1 if abandoned else 0
    row["escalated"] = 1 if escalated else 0
    row["complaint"] = 1 if complaint else 0
    row["resolved"] = 1 if resolved else 0
    row["churned"] = st.customers[c]["churned"]
    width = st.slot_moves.shape[1] // 2
    n = 0
    for call in range(min(calls, 2)):
        made = slot["moves0"] if call == 0 else slot["moves1"]
        for x in range(made):
            st.row_moves[r, n] = st.slot_moves[slot_no, call * width + x]
            n += 1
    row["n_moves"], row["calls"] = n, calls
