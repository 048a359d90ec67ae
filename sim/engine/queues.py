"""Tiers: who is idle, who waits, and who answers whom (routing).

Each tier (the front line, the supervisors) has an idle list, longest idle first (work
is shared fairly, ties are broken deterministically), and a queue: FCFS in a ring, or,
with priority routing, a heap by (priority, contact number). A caller who hangs up is
withdrawn at once (the queue keeps their entry, skipped when reached: a "ghost"); the
tier's ``waiting`` counts the callers really there.
"""

from __future__ import annotations

from sim.engine import helper, inline
from sim.engine.heap import pop_first, sift_up

#: Queue disciplines, numbered as ``sim.floor.ROUTINGS``.
FIFO, BY_VALUE, BY_ANGER, MATCH = range(4)


@inline
def by_priority(P):
    routing = int(P["routing"])
    return routing == BY_VALUE or routing == BY_ANGER  # noqa: PLR1714 (numba: no `in`)


# --- the queue ------------------------------------------------------------------------------
@inline
def enqueue(st, tier_no, slot_no, key):
    """The contact in ``slot_no`` joins the tier's queue with priority ``key``."""
    tier, slot = st.tiers[tier_no], st.slots[slot_no]
    q = st.queue[tier_no]
    n = tier["q_n"]
    tier["q_n"] = n + 1
    tier["waiting"] += 1
    slot["queued"] = 1
    slot["priority"] = key
    if by_priority(st.params[0]):
        e = q[n]
        e["key"], e["order"], e["slot"] = key, slot["cid"], slot_no
        sift_up(q, n, st.queue_tmp)
    else:
        e = q[(tier["q_head"] + n) % q.shape[0]]
        e["key"], e["order"], e["slot"] = key, slot["cid"], slot_no


@inline
def _live(st, tier_no, e):
    """Whether a queue entry is a caller still waiting (not the ghost of one who hung
    up, or of a contact whose slot has since been reused)."""
    slot = st.slots[e["slot"]]
    return slot["queued"] == 1 and slot["tier"] == tier_no and slot["cid"] == int(e["order"])


@inline
def dequeue(st, tier_no):
    """Remove and return the slot of the first caller waiting (-1: nobody)."""
    tier = st.tiers[tier_no]
    q = st.queue[tier_no]
    priority = by_priority(st.params[0])
    while tier["q_n"] > 0:
        n = tier["q_n"]
        tier["q_n"] = n - 1
        if priority:
            pop_first(q, n, st.queue_tmp)
            e = q[n - 1]
        else:
            head = tier["q_head"]
            tier["q_head"] = (head + 1) % q.shape[0]
            e = q[head]
        if _live(st, tier_no, e):
            slot_no = e["slot"]
            st.slots[slot_no]["queued"] = 0
            tier["waiting"] -= 1
            return slot_no
    return -1


@inline
def withdraw(st, slot_no):
    """The caller in ``slot_no`` hangs up: no longer waiting (their entry is a ghost)."""
    slot = st.slots[slot_no]
    slot["queued"] = 0
    st.tiers[slot["tier"]]["waiting"] -= 1


# --- idle CSRs ---------------------------------------------------------------------------------
@inline
def make_idle(st, k):
    """CSR ``k`` is free: it joins the end of its tier's idle list."""
    csr = st.csrs[k]
    csr["busy"] = 0
    if csr["listed"] == 0:
        csr["listed"] = 1
        tier_no = csr["tier"]
        tier = st.tiers[tier_no]
        n = tier["idle_n"]
        st.idle[tier_no, (tier["idle_head"] + n) % tier["size"]] = k
        tier["idle_n"] = n + 1


@inline
def idle_csr(st, tier_no):
    """The longest-idle CSR on duty, removed from the idle list; -1 if none."""
    tier = st.tiers[tier_no]
    size = tier["size"]
    while tier["idle_n"] > 0:
        head = tier["idle_head"]
        k = st.idle[tier_no, head]
        tier["idle_head"] = (head + 1) % size
        tier["idle_n"] -= 1
        csr = st.csrs[k]
        csr["listed"] = 0
        if csr["on_duty"] == 1 and csr["busy"] == 0:
            return k
    return -1


@helper
def _take_idle(st, tier_no, k):
    """Remove CSR ``k`` from the idle list (chosen by skill)."""
    tier = st.tiers[tier_no]
    size, head, n = tier["size"], tier["idle_head"], tier["idle_n"]
    found = False
    for r in range(n):
        here = (head + r) % size
        if found:
            st.idle[tier_no, (here - 1) % size] = st.idle[tier_no, here]
        elif st.idle[tier_no, here] == k:
            found = True
    tier["idle_n"] = n - 1
    st.csrs[k]["listed"] = 0


@helper
def choose_csr(st, tier_no, slot_no):
    """Which idle CSR answers (-1: nobody). With match routing, the CSR whose skill best
    fits the customer's type as the contact center's records know it (its true type):
    the most empathic for expressive, angry, arguing or rude customers, the best problem
    solver for the rest."""
    P = st.params[0]
    tier = st.tiers[tier_no]
    if int(P["routing"]) != MATCH or tier["idle_n"] < 2:
        return idle_csr(st, tier_no)
    cust = st.customers[st.slots[slot_no]["customer"]]
    empathy = (
        st.temperaments[cust["temperament"]]["expressiveness"] > P["empathy_expressiveness"]
        or st.personas[cust["persona"]]["needs_empathy"] > 0.0
    )
    size, head = tier["size"], tier["idle_head"]
    best = -1
    best_skill = 0.0
    for r in range(tier["idle_n"]):
        k = st.idle[tier_no, (head + r) % size]
        csr = st.csrs[k]
        if csr["on_duty"] != 1 or csr["busy"] != 0:
            continue
        skill = csr["empathy"] if empathy else csr["problem_solving"]
        # The highest skill; among equals, the first position.
        if best < 0 or skill > best_skill or (skill == best_skill and k < best):
            best, best_skill = k, skill
    if best < 0:
        return idle_csr(st, tier_no)
    _take_idle(st, tier_no, best)
    return best


@inline
def on_duty(st, tier_no):
    """CSRs of the tier on duty now."""
    tier = st.tiers[tier_no]
    n = 0
    for k in range(tier["offset"], tier["offset"] + tier["size"]):
        n += st.csrs[k]["on_duty"]
    return n
