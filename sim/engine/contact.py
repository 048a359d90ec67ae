"""A contact's life in the queues: arrival, answer, end of call, escalation, hanging up.

A first contact opens an issue (people on: a day candidate that passed thinning; the
queue alone: the next drawn arrival); a repeat contact reuses its issue's slot. The
contact waits for an idle CSR (a callback may be offered when the wait looks long),
hangs up at its deadline if still waiting, is served (a conversation with people on, a
drawn handle time otherwise), and may be escalated to the supervisors' tier with its
own queue. What is remembered afterwards is :mod:`sim.engine.aftermath`.
"""

from __future__ import annotations

import math

from sim.catalogue import FAILURE, VENTING
from sim.engine import helper, inline
from sim.engine import observe as obs
from sim.engine.aftermath import conclude, free_slot, open_contact, overdrawn
from sim.engine.call import serve
from sim.engine.draws import SERVICE, take
from sim.engine.events import ABANDON, END, schedule
from sim.engine.queues import (
    BY_ANGER,
    BY_VALUE,
    choose_csr,
    dequeue,
    enqueue,
    idle_csr,
    make_idle,
    on_duty,
    withdraw,
)
from sim.memory import account_change, csat

INF = math.inf


@inline
def _new_slot(st):
    g = st.globals[0]
    g["free"] -= 1
    return st.free[g["free"]]


@inline
def patience(st, slot):
    """A caller's patience, s: shorter when angrier and when urgent (MODEL.md 2)."""
    P = st.params[0]
    cust = st.customers[slot["customer"]]
    mean = (
        P["mean_patience_s"]
        * math.exp(-P["patience_anger"] * slot["anger"])
        / st.personas[cust["persona"]]["urgency"]
    )
    return slot["patience_unit"] * mean


@inline
def queue_arrival(st, i, t):
    """Drawn arrival ``i`` (the queue alone) at ``t``, with its patience and handle
    time: its slot."""
    cand = st.day[i]
    g = st.globals[0]
    slot_no = _new_slot(st)
    slot = st.slots[slot_no]
    slot["customer"], slot["attempt"], slot["calls"] = -1, 1, 0
    slot["cid"] = g["cid"]
    g["cid"] += 1
    slot["tier"], slot["arrival_s"], slot["tier_arrival_s"] = 0, t, t
    slot["deadline_s"] = t + cand["patience"]
    slot["handle_s"] = cand["handle_s"]
    slot["queued"], slot["abandoned"] = 0, 0
    return slot_no


@helper
def first_contact(st, i, t):
    """Day candidate ``i`` arrives at ``t``: a customer's issue, and the contact it makes
    (its slot; -1: none). A real failure is a withdrawal before the customer calls
    (docs/domain.md section 1), and may end the relationship there; a problem kept
    silent makes no contact."""
    P = st.params[0]
    cand = st.day[i]
    g = st.globals[0]
    c = cand["who"]
    cust = st.customers[c]
    if cust["churned"] != 0 or t >= cust["leaves_s"]:
        return -1
    nature, valid = cand["nature"], cand["valid"]
    severity = cand["severity"]
    grudge = st.temperaments[cust["temperament"]]["grudge"]
    if nature == FAILURE and valid != 0:
        cust["failures"] += 1
        loss = account_change(-P["failure_withdrawal"] * severity, P["loss_aversion"], grudge)
        cust["balance"] += loss
        if overdrawn(cust, t):
            return -1
    first = nature == FAILURE and cust["first_problem"] == -1
    if cand["silent"]:
        # About half of the dissatisfied never tell the front line (Goodman 2005): the
        # problem stays, remembered as one left unresolved.
        cust["silent"] += 1
        obs.silent_issue(st, c)
        if first:
            cust["first_problem"] = 1
            cust["first_problem_csat"] = csat(-P["unresolved_withdrawal"], P["csat_scale"])
        loss = account_change(-P["unresolved_withdrawal"], P["loss_aversion"], grudge)
        cust["balance"] += loss
        overdrawn(cust, t)
        return -1
    g["iid"] += 1
    slot_no = _new_slot(st)
    slot = st.slots[slot_no]
    asked = cand["asked"]
    slot["iid"], slot["nature"], slot["valid"] = g["iid"], nature, valid
    slot["severity"], slot["difficulty"], slot["asked"] = severity, cand["difficulty"], asked
    # What is still to be done about the issue, carried from one contact to the next.
    slot["remedy_left"] = 1.0 if asked > 0 else 0.0
    slot["fix_left"] = 1.0 if (nature == FAILURE and valid != 0) else 0.0
    # Information still wanted: little for a real failure (it needs fixing), much for an
    # invalid claim (it needs explaining) and for questions; venting wants little.
    if nature == FAILURE:
        slot["info_left"] = P["info_need_failure"] if valid != 0 else P["info_need_invalid"]
    else:
        slot["info_left"] = P["info_need_venting"] if nature == VENTING else P["info_need_question"]
    slot["opening_anger"] = cand["anger"]
    slot["customer"] = c
    slot["tracked"] = 1 if first else 0
    if first:
        cust["first_problem"] = 0
    open_contact(slot, cand["anger"], cand["patience"], 1)
    obs.issue_opened(st, c)
    contact_arrives(st, slot_no, t)
    return slot_no


@helper
def contact_arrives(st, slot_no, t):
    """The customer's contact in ``slot_no`` arrives at ``t`` (first or repeat)."""
    g = st.globals[0]
    slot = st.slots[slot_no]
    cust = st.customers[slot["customer"]]
    slot["cid"] = g["cid"]
    g["cid"] += 1
    slot["tier"] = 0
    slot["tier_arrival_s"] = t
    slot["deadline_s"] = t + patience(st, slot)
    slot["balance_before"] = cust["balance"]
    slot["arrival_s"] = t
    cust["contacts"] += 1
    obs.contact_opened(st, slot)


@helper
def arrive(st, slot_no, t, rngs):
    """The contact joins its tier at ``t``: an idle CSR answers, or it waits."""
    slot = st.slots[slot_no]
    tier_no = slot["tier"]
    k = choose_csr(st, tier_no, slot_no) if st.tiers[tier_no]["idle_n"] > 0 else -1
    if k >= 0:
        start(st, k, slot_no, t, rngs)
        return
    P = st.params[0]
    _offer_callback(st, slot_no, tier_no)
    routing = int(P["routing"])
    key = 0.0
    if routing == BY_VALUE:
        key = -st.customers[slot["customer"]]["value"]
    elif routing == BY_ANGER:
        key = -slot["anger"]
    enqueue(st, tier_no, slot_no, key)
    if slot["deadline_s"] < INF:
        schedule(st, slot["deadline_s"], ABANDON, slot["cid"], slot_no, slot["deadline_s"])


@helper
def _offer_callback(st, slot_no, tier_no):
    """Offer a callback when the expected wait is long (a policy lever).

    The expected wait is the callers waiting ahead times the running mean handle time
    over the CSRs on duty (the estimate a real IVR announces). A caller who takes the
    callback no longer hangs up, and feels only part of the wait
    (``customers.callback_wait_weight``).
    """
    P = st.params[0]
    limit = P["callback_wait_s"]
    if limit == INF or tier_no != 0:
        return
    staffed = max(1, on_duty(st, tier_no))
    expected = (st.tiers[tier_no]["waiting"] + 1) * st.globals[0]["aht_s"] / staffed
    if expected > limit:
        st.slots[slot_no]["deadline_s"] = INF
        st.slots[slot_no]["callback"] = 1
        st.globals[0]["callbacks"] += 1


@helper
def _drawn_service(st, rngs):
    """A drawn handle time, s: exponential, or lognormal with the configured mean."""
    P = st.params[0]
    j = take(st.draws_u, st.draws_n, st.draw_pos, SERVICE, 1, rngs)
    mean, sigma = P["service_mean_s"], P["service_sigma"]
    if sigma > 0.0:
        return math.exp(math.log(mean) - 0.5 * sigma * sigma + sigma * st.draws_n[SERVICE, j])
    return -math.log(1.0 - st.draws_u[SERVICE, j]) * mean


@inline
def start(st, k, slot_no, t, rngs):
    """CSR ``k`` answers the contact in ``slot_no`` at ``t``."""
    P = st.params[0]
    csr = st.csrs[k]
    csr["busy"] = 1
    slot = st.slots[slot_no]
    if P["people"] == 0.0:
        duration = slot["handle_s"]
    else:
        duration = serve(st, slot_no, k, t, rngs)
        if P["drawn_service"] > 0.0:
            duration = _drawn_service(st, rngs)
        csr["free_since_s"] = t + duration
        slot["last_talk_s"] = duration
        if slot["tier"] == 0:
            g = st.globals[0]
            g["aht_s"] += P["aht_smoothing"] * (duration - g["aht_s"])
    schedule(st, t + duration, END, k, slot_no, t)


@inline
def end(st, k, slot_no, started, t, rngs):
    """CSR ``k`` ends the call with the contact in ``slot_no`` at ``t``; the contact is
    escalated or concluded, and the CSR takes the next caller."""
    csr = st.csrs[k]
    tier_no = csr["tier"]
    csr["handled"] += 1
    csr["busy_s"] += t - started
    slot = st.slots[slot_no]
    obs.record(
        st, slot_no, started - slot["tier_arrival_s"], obs.ANSWERED, started, t, csr["position"]
    )
    if st.params[0]["people"] == 0.0:
        free_slot(st, slot_no)
    elif _escalates(st, slot_no, t, rngs):
        slot["tier"] = 1
        slot["tier_arrival_s"] = t
        arrive(st, slot_no, t, rngs)
    if csr["on_duty"]:
        nxt = dequeue(st, tier_no)
        if nxt < 0:
            make_idle(st, k)
        else:
            start(st, k, nxt, t, rngs)
    else:
        csr["busy"] = 0


@helper
def _escalates(st, slot_no, now, rngs):
    """After a call: pass an escalation to the supervisors (True), or conclude."""
    P = st.params[0]
    slot = st.slots[slot_no]
    front = slot["tier"] == 0
    if front:
        obs.front_line_answered(st, slot)
    if slot["escalated"] and front and P["tiers"] > 1:
        slot["deadline_s"] = now + patience(st, slot)
        return True
    conclude(st, slot_no, now, rngs)
    return False


@helper
def hang_up(st, cid, slot_no, t, rngs):
    """Contact ``cid``'s deadline: if still waiting, the caller hangs up (MODEL.md 2)."""
    slot = st.slots[slot_no]
    if slot["queued"] == 0 or slot["cid"] != cid or slot["deadline_s"] != t:
        return  # answered, or the slot has moved on: a stale deadline
    withdraw(st, slot_no)
    abandon(st, slot_no, rngs)


@helper
def abandon(st, slot_no, rngs):
    """The caller hung up waiting, at their deadline: recorded, and with people on a
    withdrawal (the issue stays open)."""
    slot = st.slots[slot_no]
    when = slot["deadline_s"]
    waited = when - slot["tier_arrival_s"]
    obs.record(st, slot_no, waited, obs.ABANDONED, math.nan, math.nan, -1)
    if st.params[0]["people"] == 0.0:
        free_slot(st, slot_no)
        return
    if slot["tier"] == 0:
        obs.hung_up(st, slot)
    slot["wait_s"] += waited
    slot["abandoned"] = 1
    conclude(st, slot_no, when, rngs)


@helper
def set_head_count(st, tier_no, count, rngs):
    """Put the tier's first ``count`` CSRs on duty; new CSRs take waiting callers."""
    tier = st.tiers[tier_no]
    offset = tier["offset"]
    for position in range(tier["size"]):
        k = offset + position
        csr = st.csrs[k]
        if position < count and csr["on_duty"] == 0:
            csr["on_duty"] = 1
            if csr["busy"] == 0:
                make_idle(st, k)
        elif position >= count:
            csr["on_duty"] = 0
    now = st.globals[0]["now"]
    while tier["waiting"] > 0:
        k = idle_csr(st, tier_no)
        if k < 0:
            break
        slot_no = dequeue(st, tier_no)
        if slot_no < 0:
            make_idle(st, k)
            break
        start(st, k, slot_no, now, rngs)
