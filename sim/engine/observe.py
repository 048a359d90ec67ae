"""Observation: the only writer of records, counters, kept contact rows and traces.

Mechanisms call these functions to say what happened; nothing here changes the model.
Interval records (:data:`sim.schema.RECORD`) feed the operations metrics; the counters
(:data:`sim.schema.COUNTER`, one row per temperament x persona cell) feed the outcomes;
contact rows (:data:`sim.schema.CONTACT_ROW`) are kept on request.
"""

from __future__ import annotations

import math

from sim.engine import helper, inline
from sim.memory import csat

# Record outcomes (as sim.records).
WAITING, ANSWERED, ABANDONED = 0, 1, 2


@inline
def interval_of(starts, t):
    """The reporting interval holding time ``t`` (clipped to the first and the last)."""
    lo, hi = 0, starts.shape[0] - 1
    if t < starts[0]:
        return 0
    while lo < hi:  # the last start <= t
        mid = (lo + hi + 1) // 2
        if starts[mid] <= t:
            lo = mid
        else:
            hi = mid - 1
    return lo


@inline
def record(st, slot_no, wait, outcome, start, end, position):
    """A contact's outcome at its current tier: added to the interval sums (and kept as
    a record on request)."""
    P = st.params[0]
    slot = st.slots[slot_no]
    tier = slot["tier"]
    arrival = slot["tier_arrival_s"]
    if P["keep_records"] > 0.0:
        g = st.globals[0]
        r = g["records"]
        g["records"] = r + 1
        row = st.records[r]
        row["contact_id"], row["tier"], row["arrival_s"] = slot["cid"], tier, arrival
        row["wait_s"], row["outcome"], row["start_s"], row["end_s"] = wait, outcome, start, end
        row["csr"] = position
    starts = st.interval_starts
    sums = st.intervals[tier, interval_of(starts, arrival)]
    sums["offered"] += 1.0
    sums["wait_all_s"] += wait
    if wait > 0:
        sums["waited"] += 1.0
    if outcome == ANSWERED:
        sums["answered"] += 1.0
        sums["wait_answered_s"] += wait
        sums["handle_s"] += end - start
        if wait <= P["sl_threshold_s"]:
            sums["answered_within_sl"] += 1.0
        _busy(st, tier, start, end)
    elif outcome == ABANDONED:
        sums["abandoned"] += 1.0
    else:
        sums["waiting_at_end"] += 1.0


@inline
def _busy(st, tier, start, end):
    """A call's time in each interval it spans (nothing before the first interval or
    after the horizon)."""
    starts = st.interval_starts
    k = starts.shape[0]
    i = interval_of(starts, start)
    while i < k:
        edge = starts[i + 1] if i + 1 < k else st.params[0]["horizon_s"]
        lo = start if start > starts[i] else starts[i]
        hi = end if end < edge else edge
        if hi > lo:
            st.intervals[tier, i]["busy_s"] += hi - lo
        if end <= edge:
            break
        i += 1


@inline
def _cell(st, slot):
    return st.counters[st.customers[slot["customer"]]["cell"]]


@inline
def issue_opened(st, customer):
    st.counters[st.customers[customer]["cell"]]["issues"] += 1


@inline
def silent_issue(st, customer):
    st.counters[st.customers[customer]["cell"]]["silent_issues"] += 1


@inline
def contact_opened(st, slot):
    cell = _cell(st, slot)
    cell["contacts"] += 1
    if slot["attempt"] > 1:
        cell["repeats"] += 1


@inline
def front_line_answered(st, slot):
    """A front-line call ended (its talk time is the slot's ``last_talk_s``)."""
    cell = _cell(st, slot)
    cell["answered"] += 1
    if slot["attempt"] == 1:
        cell["talk_first_s"] += slot["last_talk_s"]
        cell["answered_first"] += 1
    cell["stress_sum"] += slot["stress"]


@inline
def hung_up(st, slot):
    """A front-line caller hung up waiting."""
    _cell(st, slot)["abandoned"] += 1


@inline
def invalid_concession(st, slot):
    _cell(st, slot)["invalid_concessions"] += 1


@inline
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
