"""The behaviour model's event loop, compiled with Numba.

:class:`sim.behaviour.BehaviourCenter` keeps the state of a run in arrays (customers,
contacts with their issues, CSRs, queues, the event heap, counters and records) and
hands them here; :func:`advance` then processes every event up to a time, in the same
order and with the same arithmetic as the queueing core of :mod:`sim.model`: arrivals of
first contacts and repeats, routing, conversations (:func:`sim.conversation_loop.play`),
escalation to the second tier, abandonment, and at the end of every contact its memory,
the emotional account, churn and the repeat contact (MODEL.md sections 2 to 5 and 7).

Why compiled: a contact passes through some twenty-five small steps; as Python objects
they cost about 20 us a contact, here about 4 us with its conversation. The arrays are
the model's state, so the customer agents read their own rows (``sim.customers``).

Layout: each table is a float64 and an int64 matrix whose columns are named below. A
contact and its issue share one *slot*: a slot lives from an issue's first contact until
the issue is resolved or dropped, and a repeat contact reuses its issue's slot.
``NUMBA_DISABLE_JIT=1`` runs the same code as plain Python (slowly).
"""

from __future__ import annotations

import math
from collections import namedtuple

from numba import njit

from sim.conversation import FAILURE as _FAILURE
from sim.conversation import VENTING as _VENTING
from sim.conversation_loop import (
    ANGER,
    CONCEDED,
    CONCEDED_INVALID,
    ESCALATED,
    FIX,
    INFO,
    MAX_MOVES,
    N_MOVES,
    PEAK,
    REMEDY,
    RESOLVED,
    RESPECT,
    STATE_SIZE,
    STRESS_GAIN,
    TALK,
    play,
)
from sim.customers import (
    BALANCE,
    CELL,
    CHURNED,
    CHURNED_S,
    COMPLAINTS,
    CONTACTS,
    ESCALATIONS,
    FAILURES,
    LAST_RESOLVED,
    PERSONA,
    PROPENSITY,
    TEMPERAMENT,
    UNRESOLVED,
    VALUE,
)
from sim.memory import M_WAIT_LOSS_PER_MIN, account_change, csat, remembered_value
from sim.records import ABANDONED as _ABANDONED
from sim.records import ANSWERED as _ANSWERED
from sim.records import WAITING as _WAITING

INF = math.inf
#: How every function here is compiled. Without reference counting (``_nrt=False``):
#: the arrays all belong to the caller for the whole call, and passing the state (a tuple
#: of some fifty arrays) to a function would otherwise cost an atomic increment and
#: decrement per array, which measured as a third of the run time. Nothing here allocates.
_compiled = njit(cache=True, _nrt=False)
#: Functions only called from compiled code need no Python entry point.
_helper = njit(cache=True, _nrt=False, no_cpython_wrapper=True)
SECONDS_PER_DAY = 86_400.0

# --- events: kind, and what a and b hold ------------------------------------------------------
END = 0  # a CSR (global index) finishes the contact in slot b; x: when it was answered
SHIFT = 1  # tier a gets head count b
ARRIVE = 2  # the repeat contact in slot b is due
CANDIDATE = 3  # day candidate b, enabled by a risen issue rate, is due

#: Columns of the event heap (all float64: integers up to 2**53 are exact); the first two
#: order it.
EV_T, EV_SEQ, EV_KIND, EV_A, EV_B, EV_X = range(6)
#: Columns of a queue entry: priority, contact number (tie-break), slot.
Q_KEY, Q_CID, Q_SLOT = range(3)

# --- what advance() returns ------------------------------------------------------------------
DONE, NEED_ROOM = 0, 1

# --- slots: a contact and its issue ------------------------------------------------------------
(
    S_ANGER,  # the customer's anger now, 0..1
    S_PATIENCE_UNIT,  # standard exponential draw of this contact's patience
    S_WAIT,  # time waited in queues (callback waits weighted), s
    S_BALANCE_BEFORE,  # account balance when the contact arrived
    S_ANSWERED,  # when the front line answered, s
    S_STRESS,  # the answering CSR's stress, 0..1
    S_ARRIVAL,  # when the contact arrived, s
    S_TIER_ARRIVAL,  # when it joined its current tier's queue, s
    S_DEADLINE,  # when the caller hangs up if still waiting, s
    S_PRIORITY,  # queue priority (smaller first)
    I_SEVERITY,
    I_DIFFICULTY,
    I_ASKED,  # compensation asked, currency
    I_OPENING_ANGER,
    I_REMEDY_LEFT,
    I_FIX_LEFT,
    I_INFO_LEFT,
    C_START_ANGER,  # the first call's opening anger
    C_PEAK,  # worst anger over the contact's calls
    C_CONCEDED,  # conceded over the contact's calls, currency
    C_ANGER,  # the last call's: anger at its end, and the unmet needs
    C_REMEDY,
    C_FIX,
    C_INFO,
    C_RESPECT,
    C_TALK,  # the last call's talk time, s
    S_NEXT_ANGER,  # the repeat contact's opening anger and patience draw
    S_NEXT_PATIENCE,
) = range(28)
SF = 28
(
    S_CUSTOMER,
    S_CID,  # contact number (for records)
    S_TIER,
    S_ATTEMPT,  # 1 for the first contact about the issue
    S_CSR,  # front-line position that answered, -1 none
    S_CALLBACK,  # took a callback offer
    S_CALLS,  # calls played (front line, then supervisor)
    S_ESCALATED,  # any call escalated
    S_CONCEDED_INVALID,  # any call conceded to an invalid claim
    S_RESOLVED,  # the last call resolved the issue
    I_IID,  # issue number
    I_NATURE,
    I_VALID,
    S_MOVES0,  # moves of the first and the second call (kept with contact records)
    S_MOVES1,
    S_ABANDONED,  # the caller hung up waiting
) = range(16)
SI = 16

# --- CSRs (both tiers, front line first) ----------------------------------------------------
K_STRESS, K_FREE_SINCE, K_BUSY_S, K_AUTHORITY = range(4)
K_SKILLS = 4  # empathy, problem solving, perception, self-control at 4..7
KF = 8
K_TIER, K_POSITION, K_PROGRAM, K_HANDLED, K_ON_DUTY, K_BUSY, K_LISTED = range(7)
KI = 7

# --- tiers: CSRs, the idle list (a ring) and the queue (a ring, or a heap by priority) ----
T_OFFSET, T_SIZE, T_IDLE_HEAD, T_IDLE_N, T_Q_HEAD, T_Q_N = range(6)
TI = 6

# --- integer and float globals ---------------------------------------------------------------
(
    G_SEQ,
    G_CID,
    G_IID,
    G_CALLBACKS,
    G_NEXT_ARRIVAL,
    G_EVENTS,
    G_FREE,
    G_RECORDS,
    G_ROWS,
    G_TRACES,
    G_CONV_POS,
    G_OUT_POS,
) = range(12)
GI = 12
G_NOW, G_AHT = range(2)
GF = 2

# --- parameters vector -------------------------------------------------------------------------
(
    P_CAP,
    P_FAILURE_WITHDRAWAL,
    P_LOSS_AVERSION,
    P_MEAN_PATIENCE,
    P_PATIENCE_ANGER,
    P_CALLBACK_WEIGHT,
    P_WAIT_ANGER,
    P_STRESS_HALF_LIFE_MIN,
    P_STRESS_PER_ANGRY,
    P_COMPLAINT_ANGER,
    P_ABANDON_WITHDRAWAL,
    P_TRAINING,
    P_FOLLOW_UP,
    P_FOLLOW_UP_GAIN,
    P_RETURN_PROBABILITY,
    P_MAX_CONTACTS,
    P_REDIAL_MIN,
    P_REPEAT_DAYS,
    P_REPEAT_ANGER,
    P_UNRESOLVED_WITHDRAWAL,
    P_HORIZON,
    P_ROUTING,
    P_CALLBACK_WAIT,
    P_KEEP,
    P_TRACE,
    P_TRACE_TEMPERAMENT,
    P_TRACE_PERSONA,
    P_CSAT_SCALE,
    P_TIERS,
    P_TALKER,
) = range(30)
PV = 30
#: Queue disciplines, numbered as ``sim.floor.ROUTINGS``.
FIFO, BY_VALUE, BY_ANGER, MATCH = range(4)

# --- traits: by temperament, by persona -------------------------------------------------------
R_REACTIVITY, R_RECOVERY, R_EXPRESSIVENESS, R_GRUDGE, R_BASE_ANGER = range(5)
Q_TALK, Q_INSULT, Q_INVALID_SHARE, Q_OFFSET, Q_VENT, Q_RESPECT, Q_URGENCY = range(7)

# --- counters (rows of tally; columns: temperament x persona cells), as behaviour.COUNTERS --
(
    N_ISSUES,
    N_CONTACTS,
    N_REPEATS,
    N_ANSWERED,
    N_ABANDONED,
    N_ESCALATIONS,
    N_COMPLAINTS,
    N_RESOLVED,
    N_FIRST_RESOLVED,
    N_CONCESSION,
    N_CSAT_SUM,
    N_CONCLUDED,
    N_TALK_FIRST_S,
    N_ANSWERED_FIRST,
    N_STRESS_SUM,
    N_INVALID_CONCESSIONS,
) = range(16)

# --- the day's candidate contacts ----------------------------------------------------------
D_TIME, D_THRESHOLD, D_SEVERITY, D_DIFFICULTY, D_ASKED, D_ANGER, D_PATIENCE = range(7)
D_WHO, D_NATURE, D_VALID = range(3)

# --- kept contact rows ------------------------------------------------------------------------
(
    RF_ARRIVAL,
    RF_ANSWERED,
    RF_END,
    RF_WAIT,
    RF_START_ANGER,
    RF_PEAK,
    RF_FINAL,
    RF_CONCESSION,
    RF_BALANCE_BEFORE,
    RF_BALANCE_AFTER,
) = range(10)
RF = 10
(
    RI_CID,
    RI_IID,
    RI_CUSTOMER,
    RI_NATURE,
    RI_VALID,
    RI_ATTEMPT,
    RI_CSR,
    RI_ABANDONED,
    RI_ESCALATED,
    RI_COMPLAINT,
    RI_RESOLVED,
    RI_CHURNED,
    RI_MOVES,
    RI_CALLS,
) = range(14)
RI = 14

#: Everything advance() reads and writes. Arrays only: scalars live in ``gi``/``gf``.
State = namedtuple(
    "State",
    (
        "gi",  # int64[GI] globals
        "gf",  # float64[GF] globals
        "pv",  # float64[PV] parameters
        "memory",  # float64: sim.memory.MemoryParams.vector()
        "cf",  # customers (sim.customers.CustomerTable.f)
        "ci",  # customers (CustomerTable.i)
        "sf",  # float64[slots, SF]
        "si",  # int64[slots, SI]
        "smoves",  # int64[slots or 1, 2 x max moves]: moves of kept contacts
        "free",  # int64[slots]: a stack of free slots (G_FREE of them)
        "kf",  # float64[CSRs, KF]
        "ki",  # int64[CSRs, KI]
        "ti",  # int64[tiers, TI]
        "idle",  # int64[tiers, largest tier]: idle rings
        "q",  # float64[tiers, slots, 3]: queues (rings, or heaps by priority): Q_* columns
        "ev",  # float64[events, 6]: the event heap, EV_* columns
        "tt",  # float64[temperaments, 5] traits
        "tq",  # float64[personas, 7] traits
        "needs_empathy",  # int64[temperaments, personas]: match routing wants empathy
        "tally",  # float64[16, cells] counters
        "rec",  # float64[rows, 8]: interval records (ContactRecord order)
        "rowf",  # kept contacts
        "rowi",
        "rowmoves",
        "trf",  # float64[traces, max moves + 1]: anger traces
        "tri",  # int64[traces, 4]: CSR, temperament, persona, length
        "day_f",  # the day's candidates
        "day_i",
        "passing",  # int64: candidates that passed thinning at the day's start, in order
        "moves_rows",  # conversation inputs (sim.conversation.Conversations)
        "persona_mod",
        "cp",
        "prules",  # strategies' rule programs, stacked
        "pchoices",
        "pmeta",  # int64[programs, 5]: rule start, table rows, choice start, choices, rules
        "scratch",  # float64[STATE_SIZE]: a call's state vector
        "used",
        "moves",
        "trace",
        "conv_u",  # pre-drawn conversation noise
        "conv_n",
        "out_u",  # pre-drawn outcome draws
        "out_n",
    ),
)


# --- binary heaps: the event heap, and queues by priority ----------------------------------
# A heap is the first rows of a matrix ordered by its first two columns: (time, order of
# scheduling) for events, (priority, contact number) for a queue. Both keys are unique,
# so the order of service does not depend on how the heap is arranged.
@_helper
def _before(h, i, j):
    return h[i, 0] < h[j, 0] or (h[i, 0] == h[j, 0] and h[i, 1] < h[j, 1])


@_helper
def _swap_rows(a, i, j):
    for c in range(a.shape[1]):
        a[i, c], a[j, c] = a[j, c], a[i, c]


@_helper
def _sift_up(h, i):
    """Row ``i`` was just added at the end of the heap: move it up to its place."""
    while i > 0:
        parent = (i - 1) // 2
        if not _before(h, i, parent):
            break
        _swap_rows(h, i, parent)
        i = parent


@_helper
def _pop_first(h, n):
    """Move the first of the heap's ``n`` rows to row ``n - 1`` and restore the heap
    over the others."""
    n -= 1
    _swap_rows(h, 0, n)
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _before(h, child + 1, child):
            child += 1
        if not _before(h, child, i):
            break
        _swap_rows(h, i, child)
        i = child


@_compiled
def schedule(ev, gi, t, kind, a, b, x):
    """Put an event on the heap; equal times keep the order of scheduling."""
    i = gi[G_EVENTS]
    gi[G_EVENTS] = i + 1
    ev[i, EV_T], ev[i, EV_SEQ], ev[i, EV_KIND] = t, gi[G_SEQ], kind
    ev[i, EV_A], ev[i, EV_B], ev[i, EV_X] = a, b, x
    gi[G_SEQ] += 1
    _sift_up(ev, i)


@_compiled
def pop_event(ev, gi):
    """Move the earliest event to the end of the heap's used part and return its row."""
    _pop_first(ev, gi[G_EVENTS])
    gi[G_EVENTS] -= 1
    return gi[G_EVENTS]


# --- queues -------------------------------------------------------------------------------------
@_helper
def _enqueue(q, ti, tier, slot, key, cid, by_priority):
    """Put a contact in the tier's queue: FCFS (a ring), or by (priority, contact number)
    (a heap)."""
    n = ti[tier, T_Q_N]
    ti[tier, T_Q_N] = n + 1
    qt = q[tier]
    if by_priority:
        qt[n, Q_KEY], qt[n, Q_CID], qt[n, Q_SLOT] = key, cid, slot
        _sift_up(qt, n)
    else:
        qt[(ti[tier, T_Q_HEAD] + n) % qt.shape[0], Q_SLOT] = slot


@_helper
def _dequeue(q, ti, tier, by_priority):
    """Remove and return the first contact of the tier's queue (which is not empty)."""
    n = ti[tier, T_Q_N]
    ti[tier, T_Q_N] = n - 1
    qt = q[tier]
    if by_priority:
        _pop_first(qt, n)
        return int(qt[n - 1, Q_SLOT])
    head = ti[tier, T_Q_HEAD]
    ti[tier, T_Q_HEAD] = (head + 1) % qt.shape[0]
    return int(qt[head, Q_SLOT])


@_helper
def _by_priority(pv):
    routing = int(pv[P_ROUTING])
    return routing == BY_VALUE or routing == BY_ANGER  # noqa: PLR1714 (numba: no `in` on ints)


@_helper
def _next_contact(st, tier, now, crng, orng):
    """The next contact to serve at ``now`` (-1: none); those who hung up are concluded."""
    q, ti, sf = st.q, st.ti, st.sf
    by_priority = _by_priority(st.pv)
    while ti[tier, T_Q_N] > 0:
        slot = _dequeue(q, ti, tier, by_priority)
        if sf[slot, S_DEADLINE] < now:
            _abandon(st, slot, crng, orng)
        else:
            return slot
    return -1


# --- idle CSRs: longest idle first -------------------------------------------------------------
@_helper
def _make_idle(ki, ti, idle, k):
    ki[k, K_BUSY] = 0
    if ki[k, K_LISTED] == 0:
        ki[k, K_LISTED] = 1
        tier = ki[k, K_TIER]
        n = ti[tier, T_IDLE_N]
        idle[tier, (ti[tier, T_IDLE_HEAD] + n) % ti[tier, T_SIZE]] = k
        ti[tier, T_IDLE_N] = n + 1


@_helper
def _idle_csr(ki, ti, idle, tier):
    """The longest-idle CSR on duty, removed from the idle list; -1 if none."""
    size = ti[tier, T_SIZE]
    while ti[tier, T_IDLE_N] > 0:
        head = ti[tier, T_IDLE_HEAD]
        k = idle[tier, head]
        ti[tier, T_IDLE_HEAD] = (head + 1) % size
        ti[tier, T_IDLE_N] -= 1
        ki[k, K_LISTED] = 0
        if ki[k, K_ON_DUTY] == 1 and ki[k, K_BUSY] == 0:
            return k
    return -1


@_helper
def _take_idle(ki, ti, idle, tier, k):
    """Remove CSR ``k`` from the idle list (chosen by skill)."""
    size, head, n = ti[tier, T_SIZE], ti[tier, T_IDLE_HEAD], ti[tier, T_IDLE_N]
    found = False
    for r in range(n):
        here = (head + r) % size
        if found:
            idle[tier, (here - 1) % size] = idle[tier, here]
        elif idle[tier, here] == k:
            found = True
    ti[tier, T_IDLE_N] = n - 1
    ki[k, K_LISTED] = 0


@_helper
def _choose_csr(st, tier, slot):
    """Which idle CSR answers (-1: nobody); with match routing, the best-suited skill."""
    ki, kf, ti, idle, ci = st.ki, st.kf, st.ti, st.idle, st.ci
    if int(st.pv[P_ROUTING]) != MATCH or ti[tier, T_IDLE_N] < 2:
        return _idle_csr(ki, ti, idle, tier)
    c = st.si[slot, S_CUSTOMER]
    empathy = st.needs_empathy[ci[c, TEMPERAMENT], ci[c, PERSONA]] != 0
    skill = K_SKILLS if empathy else K_SKILLS + 1
    size, head = ti[tier, T_SIZE], ti[tier, T_IDLE_HEAD]
    best = -1
    for r in range(ti[tier, T_IDLE_N]):
        k = idle[tier, (head + r) % size]
        free = ki[k, K_ON_DUTY] == 1 and ki[k, K_BUSY] == 0
        # The highest skill; among equals, the first position.
        if free and (
            best < 0
            or kf[k, skill] > kf[best, skill]
            or (kf[k, skill] == kf[best, skill] and k < best)
        ):
            best = k
    if best < 0:
        return _idle_csr(ki, ti, idle, tier)
    _take_idle(ki, ti, idle, tier, best)
    return best


@_helper
def _set_head_count(st, tier, count, crng, orng):
    """Put the tier's first ``count`` CSRs on duty; new CSRs take waiting contacts."""
    ki, ti, idle = st.ki, st.ti, st.idle
    offset = ti[tier, T_OFFSET]
    for position in range(ti[tier, T_SIZE]):
        k = offset + position
        if position < count and ki[k, K_ON_DUTY] == 0:
            ki[k, K_ON_DUTY] = 1
            if ki[k, K_BUSY] == 0:
                _make_idle(ki, ti, idle, k)
        elif position >= count:
            ki[k, K_ON_DUTY] = 0
    now = st.gf[G_NOW]
    while ti[tier, T_Q_N] > 0:
        k = _idle_csr(ki, ti, idle, tier)
        if k < 0:
            break
        slot = _next_contact(st, tier, now, crng, orng)
        if slot < 0:
            _make_idle(ki, ti, idle, k)
            break
        _start(st, k, slot, now, crng)


# --- contacts -------------------------------------------------------------------------------------
@_helper
def _new_slot(free, gi):
    gi[G_FREE] -= 1
    return free[gi[G_FREE]]


@_helper
def _free_slot(free, gi, slot):
    free[gi[G_FREE]] = slot
    gi[G_FREE] += 1


@_helper
def _patience(sf, si, ci, tq, pv, slot):
    """Patience, s: shorter when angrier and when urgent (MODEL.md section 2)."""
    mean = (
        pv[P_MEAN_PATIENCE]
        * math.exp(-pv[P_PATIENCE_ANGER] * sf[slot, S_ANGER])
        / tq[ci[si[slot, S_CUSTOMER], PERSONA], Q_URGENCY]
    )
    return sf[slot, S_PATIENCE_UNIT] * mean


@_helper
def _first_contact(st, i, t):
    """Day candidate ``i`` at ``t``: its issue, and the contact it makes (-1: none)."""
    ci, cf, pv, day_f, day_i = st.ci, st.cf, st.pv, st.day_f, st.day_i
    c = day_i[i, D_WHO]
    if ci[c, CHURNED] != 0:
        return -1
    gi = st.gi
    gi[G_IID] += 1
    nature, valid = day_i[i, D_NATURE], day_i[i, D_VALID]
    severity = day_f[i, D_SEVERITY]
    if nature == _FAILURE and valid != 0:
        # The failure itself is a withdrawal, before the customer calls (DOMAIN.md 1).
        ci[c, FAILURES] += 1
        cf[c, BALANCE] += account_change(
            -pv[P_FAILURE_WITHDRAWAL] * severity,
            pv[P_LOSS_AVERSION],
            st.tt[ci[c, TEMPERAMENT], R_GRUDGE],
        )
        if cf[c, BALANCE] < 0:
            ci[c, CHURNED] = 1
            cf[c, CHURNED_S] = t
            return -1
    sf, si = st.sf, st.si
    slot = _new_slot(st.free, gi)
    asked = day_f[i, D_ASKED]
    si[slot, I_IID], si[slot, I_NATURE], si[slot, I_VALID] = gi[G_IID], nature, valid
    sf[slot, I_SEVERITY], sf[slot, I_DIFFICULTY] = severity, day_f[i, D_DIFFICULTY]
    sf[slot, I_ASKED] = asked
    # What is still to be done about the issue, carried from one contact to the next.
    sf[slot, I_REMEDY_LEFT] = 1.0 if asked > 0 else 0.0
    sf[slot, I_FIX_LEFT] = 1.0 if (nature == _FAILURE and valid != 0) else 0.0
    # Information still wanted: little for a real failure (it needs fixing), much for an
    # invalid claim (it needs explaining) and for questions; venting wants little.
    if nature == _FAILURE:
        sf[slot, I_INFO_LEFT] = 0.3 if valid != 0 else 0.9
    else:
        sf[slot, I_INFO_LEFT] = 0.1 if nature == _VENTING else 1.0
    sf[slot, I_OPENING_ANGER] = day_f[i, D_ANGER]
    si[slot, S_CUSTOMER] = c
    _open_contact(sf, si, slot, day_f[i, D_ANGER], day_f[i, D_PATIENCE], 1)
    st.tally[N_ISSUES, ci[c, CELL]] += 1
    _new_contact(st, slot, t)
    return slot


@_helper
def _open_contact(sf, si, slot, anger, patience_unit, attempt):
    """A fresh contact about the slot's issue."""
    sf[slot, S_ANGER], sf[slot, S_PATIENCE_UNIT] = anger, patience_unit
    si[slot, S_ATTEMPT] = attempt
    sf[slot, S_WAIT] = 0.0
    sf[slot, S_BALANCE_BEFORE] = math.nan
    sf[slot, S_ANSWERED] = math.nan
    sf[slot, S_STRESS] = 0.0
    sf[slot, S_ARRIVAL] = math.nan
    si[slot, S_CSR] = -1
    si[slot, S_CALLBACK] = 0
    si[slot, S_CALLS] = 0
    si[slot, S_TIER] = 0
    si[slot, S_MOVES0] = 0
    si[slot, S_MOVES1] = 0
    si[slot, S_ABANDONED] = 0


@_helper
def _new_contact(st, slot, t):
    """The contact in ``slot`` arrives at ``t``."""
    sf, si, ci, gi = st.sf, st.si, st.ci, st.gi
    c = si[slot, S_CUSTOMER]
    cell = ci[c, CELL]
    si[slot, S_CID] = gi[G_CID]
    gi[G_CID] += 1
    si[slot, S_TIER] = 0
    sf[slot, S_TIER_ARRIVAL] = t
    sf[slot, S_DEADLINE] = t + _patience(sf, si, ci, st.tq, st.pv, slot)
    sf[slot, S_BALANCE_BEFORE] = st.cf[c, BALANCE]
    sf[slot, S_ARRIVAL] = t
    ci[c, CONTACTS] += 1
    tally = st.tally
    tally[N_CONTACTS, cell] += 1
    if si[slot, S_ATTEMPT] > 1:
        tally[N_REPEATS, cell] += 1


@_helper
def _arrive(st, slot, t, crng, orng):
    ti = st.ti
    tier = st.si[slot, S_TIER]
    k = _choose_csr(st, tier, slot) if ti[tier, T_IDLE_N] > 0 else -1
    if k >= 0:
        _start(st, k, slot, t, crng)
        return
    _on_queue(st, slot, tier)
    pv, sf = st.pv, st.sf
    routing = int(pv[P_ROUTING])
    key = 0.0
    if routing == BY_VALUE:
        key = -st.cf[st.si[slot, S_CUSTOMER], VALUE]
    elif routing == BY_ANGER:
        key = -sf[slot, S_ANGER]
    sf[slot, S_PRIORITY] = key
    _enqueue(st.q, ti, tier, slot, key, st.si[slot, S_CID], _by_priority(pv))


@_helper
def _on_queue(st, slot, tier):
    """Offer a callback when the expected wait is long (a policy lever).

    The expected wait is the queue ahead times the running mean handle time over the
    CSRs on duty (the estimate a real IVR announces). A caller who takes the callback no
    longer hangs up, and feels only part of the wait (customers.callback_wait_weight).
    """
    limit = st.pv[P_CALLBACK_WAIT]
    if limit == INF or tier != 0:
        return
    ti, ki = st.ti, st.ki
    on_duty = 0
    offset = ti[tier, T_OFFSET]
    for k in range(offset, offset + ti[tier, T_SIZE]):
        on_duty += ki[k, K_ON_DUTY]
    if on_duty == 0:
        on_duty = 1
    expected = (ti[tier, T_Q_N] + 1) * st.gf[G_AHT] / on_duty
    if expected > limit:
        st.sf[slot, S_DEADLINE] = INF
        st.si[slot, S_CALLBACK] = 1
        st.gi[G_CALLBACKS] += 1


# --- service --------------------------------------------------------------------------------------
@_helper
def _take(gi, which, k, u, n, rng):
    """Reserve ``k`` pre-drawn numbers (``RandomBuffer.take``); returns the first index.
    An exhausted batch is replaced by a new one drawn from ``rng``."""
    pos = gi[which]
    if pos + k > u.shape[0]:
        # One number at a time (the same stream as a batch), so nothing is allocated.
        for i in range(u.shape[0]):
            u[i] = rng.random()
        for i in range(n.shape[0]):
            n[i] = rng.standard_normal()
        pos = 0
    gi[which] = pos + k
    return pos


@_helper
def _start(st, k, slot, t, crng):
    st.ki[k, K_BUSY] = 1
    duration = _begin_service(st, slot, k, t, crng)
    schedule(st.ev, st.gi, t + duration, END, k, slot, t)


@_helper
def _begin_service(st, slot, k, now, crng):
    """Play the conversation; its talk time is the handle time."""
    sf, si, kf, pv, gi, tt, tq = st.sf, st.si, st.kf, st.pv, st.gi, st.tt, st.tq
    c = si[slot, S_CUSTOMER]
    t, q = st.ci[c, TEMPERAMENT], st.ci[c, PERSONA]
    tier = si[slot, S_TIER]
    wait = now - sf[slot, S_TIER_ARRIVAL]
    if si[slot, S_CALLBACK]:
        wait *= pv[P_CALLBACK_WEIGHT]
    sf[slot, S_WAIT] += wait
    # Waiting raises anger (MODEL.md section 2).
    anger = min(1.0, sf[slot, S_ANGER] + pv[P_WAIT_ANGER] * wait / 60.0 * tt[t, R_REACTIVITY])
    # Stress decays while the CSR was idle (MODEL.md section 3).
    idle = now - kf[k, K_FREE_SINCE]
    if idle > 0:
        kf[k, K_STRESS] *= 0.5 ** (idle / (60.0 * pv[P_STRESS_HALF_LIFE_MIN]))
    stress = kf[k, K_STRESS]
    if tier == 0:
        si[slot, S_CSR] = st.ki[k, K_POSITION]
        sf[slot, S_ANSWERED] = now
        sf[slot, S_STRESS] = stress
    trf = st.trf
    tracing = (
        pv[P_TRACE] > 0.0
        and t == int(pv[P_TRACE_TEMPERAMENT])
        and q == int(pv[P_TRACE_PERSONA])
        and tier == 0
        and gi[G_TRACES] < trf.shape[0]
    )
    # The call opens: the CSR recognises the customer's type with probability = perception;
    # the needs to vent and for respect grow with anger (DOMAIN.md section 3).
    u, nrm = st.conv_u, st.conv_n
    j = _take(gi, G_CONV_POS, 3, u, nrm, crng)
    u_persona, u_valid = u[j], u[j + 2]
    perception = kf[k, K_SKILLS + 2]
    nature, valid = si[slot, I_NATURE], si[slot, I_VALID] > 0
    seen_persona = q if u_persona < perception else 0
    seen_valid = valid if u_valid < 0.5 + 0.5 * perception else not valid
    vent = min(1.0, tq[q, Q_VENT] * (0.3 + anger) if nature != _VENTING else 1.0)
    respect = min(1.0, tq[q, Q_RESPECT] * (0.4 + anger))
    s = st.scratch
    s[0], s[1], s[2] = anger, vent, respect
    s[3], s[4], s[5] = sf[slot, I_REMEDY_LEFT], sf[slot, I_INFO_LEFT], sf[slot, I_FIX_LEFT]
    s[6], s[7], s[8] = 0.0, 0.0, anger
    s[9], s[10], s[11] = sf[slot, I_ASKED], 1.0 if valid else 0.0, float(nature)
    s[12] = 1.0 if seen_valid else 0.0
    s[13] = 1.0 if seen_persona == int(pv[P_TALKER]) else 0.0
    s[14] = 1.0 if tier == 0 else 0.0
    s[15] = 1.0 if pv[P_TIERS] > 1 else 0.0
    s[16], s[17], s[18] = tt[t, R_REACTIVITY], tt[t, R_RECOVERY], tt[t, R_EXPRESSIVENESS]
    s[19], s[20] = tq[q, Q_TALK], tq[q, Q_INSULT]
    s[21] = sf[slot, I_DIFFICULTY]
    for x in range(4):
        s[22 + x] = kf[k, K_SKILLS + x]
    s[26], s[27], s[28] = stress, kf[k, K_AUTHORITY], 1.0 if tracing else 0.0
    for x in range(N_MOVES, STATE_SIZE):
        s[x] = 0.0
    cp = st.cp
    j = _take(gi, G_CONV_POS, 5 * int(cp[MAX_MOVES]), u, nrm, crng)  # five draws a move
    pmeta = st.pmeta
    p = st.ki[k, K_PROGRAM]
    r0, table_rows, c0, nc, nr = pmeta[p, 0], pmeta[p, 1], pmeta[p, 2], pmeta[p, 3], pmeta[p, 4]
    moves, trace = st.moves, st.trace
    # The reservation not used is given back (RandomBuffer.release).
    gi[G_CONV_POS] = play(
        s,
        st.used,
        moves,
        trace,
        st.moves_rows,
        st.persona_mod[q],
        cp,
        st.prules[r0 : r0 + nr],
        table_rows,
        st.pchoices[c0 : c0 + nc],
        u,
        nrm,
        j,
    )
    talk, peak = s[TALK], s[PEAK]
    n_moves = int(s[N_MOVES])
    # What the contact keeps of its calls.
    calls = si[slot, S_CALLS]
    if calls == 0:
        sf[slot, C_START_ANGER] = anger
        sf[slot, C_PEAK] = peak
        sf[slot, C_CONCEDED] = s[CONCEDED]
        si[slot, S_ESCALATED] = 1 if s[ESCALATED] > 0.0 else 0
        si[slot, S_CONCEDED_INVALID] = 1 if s[CONCEDED_INVALID] > 0.0 else 0
    else:
        sf[slot, C_PEAK] = max(sf[slot, C_PEAK], peak)
        sf[slot, C_CONCEDED] += s[CONCEDED]
        if s[ESCALATED] > 0.0:
            si[slot, S_ESCALATED] = 1
        if s[CONCEDED_INVALID] > 0.0:
            si[slot, S_CONCEDED_INVALID] = 1
    sf[slot, C_ANGER], sf[slot, C_REMEDY], sf[slot, C_FIX] = s[ANGER], s[REMEDY], s[FIX]
    sf[slot, C_INFO], sf[slot, C_RESPECT], sf[slot, C_TALK] = s[INFO], s[RESPECT], talk
    si[slot, S_RESOLVED] = 1 if s[RESOLVED] > 0.0 else 0
    if pv[P_KEEP] > 0.0 and calls < 2:
        smoves = st.smoves
        width = smoves.shape[1] // 2
        for x in range(n_moves):
            smoves[slot, calls * width + x] = moves[x]
        si[slot, S_MOVES0 + calls] = n_moves
    si[slot, S_CALLS] = calls + 1
    angry = max(0.0, peak - 0.6) * 10.0 * pv[P_STRESS_PER_ANGRY] * (1.0 - kf[k, K_SKILLS + 3])
    kf[k, K_STRESS] = min(1.0, kf[k, K_STRESS] + s[STRESS_GAIN] + angry)
    kf[k, K_FREE_SINCE] = now + talk
    if tier == 0:
        st.gf[G_AHT] += 0.01 * (talk - st.gf[G_AHT])
    sf[slot, S_ANGER] = s[ANGER]
    if tracing:
        x = gi[G_TRACES]
        gi[G_TRACES] = x + 1
        trf[x, 0] = anger
        for m in range(1, n_moves + 1):
            trf[x, m] = trace[m]
        tri = st.tri
        tri[x, 0], tri[x, 1], tri[x, 2], tri[x, 3] = k, t, q, n_moves + 1
    return talk


@_helper
def _record(st, slot, wait, outcome, start, end, position):
    """A row for the interval sums, in ``ContactRecord`` order."""
    gi, rec = st.gi, st.rec
    r = gi[G_RECORDS]
    gi[G_RECORDS] = r + 1
    rec[r, 0] = st.si[slot, S_CID]
    rec[r, 1] = st.si[slot, S_TIER]
    rec[r, 2] = st.sf[slot, S_TIER_ARRIVAL]
    rec[r, 3], rec[r, 4], rec[r, 5], rec[r, 6], rec[r, 7] = wait, outcome, start, end, position


@_helper
def _end(st, k, slot, started, t, crng, orng):
    """CSR ``k`` finishes the contact in ``slot`` at ``t`` and looks at the queue."""
    ki, kf, sf = st.ki, st.kf, st.sf
    tier = ki[k, K_TIER]
    ki[k, K_HANDLED] += 1
    kf[k, K_BUSY_S] += t - started
    wait = started - sf[slot, S_TIER_ARRIVAL]
    _record(st, slot, wait, _ANSWERED, started, t, ki[k, K_POSITION])
    if _finish_service(st, slot, t, crng, orng):
        st.si[slot, S_TIER] = 1
        sf[slot, S_TIER_ARRIVAL] = t
        _arrive(st, slot, t, crng, orng)
    if ki[k, K_ON_DUTY]:
        nxt = _next_contact(st, tier, t, crng, orng)
        if nxt < 0:
            _make_idle(ki, st.ti, st.idle, k)
        else:
            _start(st, k, nxt, t, crng)
    else:
        ki[k, K_BUSY] = 0


@_helper
def _finish_service(st, slot, now, crng, orng):
    """After the call: pass an escalation to the supervisors (True), or conclude."""
    sf, si, tally = st.sf, st.si, st.tally
    cell = st.ci[si[slot, S_CUSTOMER], CELL]
    front = si[slot, S_TIER] == 0
    if front:
        tally[N_ANSWERED, cell] += 1
        if si[slot, S_ATTEMPT] == 1:
            tally[N_TALK_FIRST_S, cell] += sf[slot, C_TALK]
            tally[N_ANSWERED_FIRST, cell] += 1
        tally[N_STRESS_SUM, cell] += sf[slot, S_STRESS]
    if si[slot, S_ESCALATED] and front and st.pv[P_TIERS] > 1:
        sf[slot, S_DEADLINE] = now + _patience(sf, si, st.ci, st.tq, st.pv, slot)
        return True
    _conclude(st, slot, now, crng, orng)
    return False


@_helper
def _abandon(st, slot, crng, orng):
    """The caller hung up waiting (at their deadline): a withdrawal; the issue stays open."""
    sf = st.sf
    when = sf[slot, S_DEADLINE]
    waited = when - sf[slot, S_TIER_ARRIVAL]
    _record(st, slot, waited, _ABANDONED, math.nan, math.nan, -1)
    if st.si[slot, S_TIER] == 0:
        st.tally[N_ABANDONED, st.ci[st.si[slot, S_CUSTOMER], CELL]] += 1
    sf[slot, S_WAIT] += waited
    st.si[slot, S_ABANDONED] = 1
    _conclude(st, slot, when, crng, orng)


# --- memory, account, churn, repeats ----------------------------------------------------------
@_helper
def _conclude(st, slot, now, crng, orng):
    """The contact ends (answered, or abandoned at ``now``): memory, the account, churn,
    and the repeat if unresolved."""
    sf, si, pv, ci, cf, tally, tt, gi = st.sf, st.si, st.pv, st.ci, st.cf, st.tally, st.tt, st.gi
    abandoned = si[slot, S_ABANDONED] != 0
    c = si[slot, S_CUSTOMER]
    t, cell = ci[c, TEMPERAMENT], ci[c, CELL]
    u = st.out_u
    j = _take(gi, G_OUT_POS, 4, u, st.out_n, orng)
    complaint = False
    if si[slot, S_CALLS] > 0:
        resolved = si[slot, S_RESOLVED] > 0 and not abandoned
        end = sf[slot, C_ANGER]
        peak, conceded = sf[slot, C_PEAK], sf[slot, C_CONCEDED]
        escalated = si[slot, S_ESCALATED] > 0
        sf[slot, I_REMEDY_LEFT] = sf[slot, C_REMEDY]
        sf[slot, I_FIX_LEFT] = sf[slot, C_FIX]
        sf[slot, I_INFO_LEFT] = sf[slot, C_INFO]
        if not resolved and end >= pv[P_COMPLAINT_ANGER] and u[j] < tt[t, R_EXPRESSIVENESS]:
            complaint = True  # a formal complaint (DOMAIN.md section 4)
        real_failure = si[slot, I_NATURE] == _FAILURE and si[slot, I_VALID] > 0
        value = remembered_value(
            st.memory,
            peak,
            end,
            resolved,
            sf[slot, I_ASKED] > 0,
            1.0 - sf[slot, C_REMEDY],
            1.0 - sf[slot, C_RESPECT],
            sf[slot, S_WAIT],
            escalated or complaint,
            ci[c, FAILURES] - (1 if real_failure else 0),
        )
        if abandoned:
            value -= pv[P_ABANDON_WITHDRAWAL]
        if si[slot, S_CONCEDED_INVALID]:
            # Conceding to an invalid claim trains the customer to complain more.
            old = cf[c, PROPENSITY]
            new = min(pv[P_CAP], old * (1 + pv[P_TRAINING]))
            cf[c, PROPENSITY] = new
            if new > old:
                rate_rose(st, c, old, new)
            tally[N_INVALID_CONCESSIONS, cell] += 1
        tally[N_CONCESSION, cell] += conceded
        if escalated or complaint:
            tally[N_ESCALATIONS, cell] += 1
            ci[c, ESCALATIONS] += 1
        if complaint:
            tally[N_COMPLAINTS, cell] += 1
            ci[c, COMPLAINTS] += 1
    else:
        resolved, escalated = False, False
        peak = end = sf[slot, S_ANGER]
        conceded = 0.0
        value = -pv[P_ABANDON_WITHDRAWAL] - st.memory[M_WAIT_LOSS_PER_MIN] * sf[slot, S_WAIT] / 60.0
    if resolved:
        tally[N_RESOLVED, cell] += 1
        if si[slot, S_ATTEMPT] == 1:
            tally[N_FIRST_RESOLVED, cell] += 1
    change = account_change(value, pv[P_LOSS_AVERSION], tt[t, R_GRUDGE])
    if resolved and pv[P_FOLLOW_UP] > 0.0:
        change += pv[P_FOLLOW_UP_GAIN]
    cf[c, BALANCE] += change
    ci[c, LAST_RESOLVED] = 1 if resolved else 0
    tally[N_CSAT_SUM, cell] += csat(value, pv[P_CSAT_SCALE])
    tally[N_CONCLUDED, cell] += 1
    repeat = False
    if cf[c, BALANCE] < 0:
        ci[c, CHURNED] = 1
        cf[c, CHURNED_S] = now
    elif not resolved:
        repeat = _repeat_or_give_up(st, slot, now, u[j + 1], u[j + 2], u[j + 3], abandoned)
    if pv[P_KEEP] > 0.0:
        _keep_row(st, slot, now, abandoned, escalated, complaint, resolved, conceded, peak, end)
    if repeat:
        # The issue comes back: the slot now holds the repeat contact.
        _open_contact(
            sf, si, slot, sf[slot, S_NEXT_ANGER], sf[slot, S_NEXT_PATIENCE], si[slot, S_ATTEMPT] + 1
        )
    else:
        _free_slot(st.free, gi, slot)


@_helper
def _repeat_or_give_up(st, slot, now, u_return, u_delay, u_patience, abandoned):
    """Schedule the issue's repeat contact (True); or drop it, and if the customer gives
    up on it, a silent withdrawal (MODEL.md section 5)."""
    pv, tt, sf, ci, cf = st.pv, st.tt, st.sf, st.ci, st.cf
    c = st.si[slot, S_CUSTOMER]
    t = ci[c, TEMPERAMENT]
    attempt = st.si[slot, S_ATTEMPT]
    returns = pv[P_RETURN_PROBABILITY] * (0.4 + 0.6 * tt[t, R_EXPRESSIVENESS])
    if attempt < pv[P_MAX_CONTACTS] and u_return < returns:
        # A caller who hung up in the queue redials soon; an unresolved issue comes back
        # days later.
        mean_delay = pv[P_REDIAL_MIN] * 60.0 if abandoned else pv[P_REPEAT_DAYS] * SECONDS_PER_DAY
        when = now + -math.log(1.0 - u_delay) * mean_delay
        if when >= pv[P_HORIZON]:
            return False
        sf[slot, S_NEXT_ANGER] = min(
            1.0, sf[slot, I_OPENING_ANGER] + pv[P_REPEAT_ANGER] * attempt * tt[t, R_REACTIVITY]
        )
        sf[slot, S_NEXT_PATIENCE] = -math.log(1.0 - u_patience)
        schedule(st.ev, st.gi, when, ARRIVE, 0, slot, 0.0)
        return True
    ci[c, UNRESOLVED] += 1
    cf[c, BALANCE] += account_change(
        -pv[P_UNRESOLVED_WITHDRAWAL], pv[P_LOSS_AVERSION], tt[t, R_GRUDGE]
    )
    if cf[c, BALANCE] < 0:
        ci[c, CHURNED] = 1
        cf[c, CHURNED_S] = now
    return False


@_compiled
def rate_rose(st, c, old, new):
    """Schedule today's candidates of customer ``c`` still to come that pass at the new
    issue rate but failed at the old one (exactly what thinning at call time gives)."""
    now = st.gf[G_NOW]
    day_f, day_i, ev, gi = st.day_f, st.day_i, st.ev, st.gi
    for k in range(day_i.shape[0]):
        if (
            day_i[k, D_WHO] == c
            and day_f[k, D_THRESHOLD] >= old
            and day_f[k, D_THRESHOLD] < new
            and day_f[k, D_TIME] > now
        ):
            schedule(ev, gi, day_f[k, D_TIME], CANDIDATE, 0, k, 0.0)


@_helper
def _keep_row(st, slot, now, abandoned, escalated, complaint, resolved, conceded, peak, end):
    sf, si, gi, rf, ri = st.sf, st.si, st.gi, st.rowf, st.rowi
    c = si[slot, S_CUSTOMER]
    r = gi[G_ROWS]
    gi[G_ROWS] = r + 1
    calls = si[slot, S_CALLS]
    rf[r, RF_ARRIVAL], rf[r, RF_ANSWERED] = sf[slot, S_ARRIVAL], sf[slot, S_ANSWERED]
    rf[r, RF_END] = now if calls else math.nan
    rf[r, RF_WAIT] = sf[slot, S_WAIT]
    rf[r, RF_START_ANGER] = sf[slot, C_START_ANGER] if calls else sf[slot, S_ANGER]
    rf[r, RF_PEAK], rf[r, RF_FINAL], rf[r, RF_CONCESSION] = peak, end, conceded
    rf[r, RF_BALANCE_BEFORE] = sf[slot, S_BALANCE_BEFORE]
    rf[r, RF_BALANCE_AFTER] = st.cf[c, BALANCE]
    ri[r, RI_CID], ri[r, RI_IID], ri[r, RI_CUSTOMER] = si[slot, S_CID], si[slot, I_IID], c
    ri[r, RI_NATURE], ri[r, RI_VALID] = si[slot, I_NATURE], si[slot, I_VALID]
    ri[r, RI_ATTEMPT], ri[r, RI_CSR] = si[slot, S_ATTEMPT], si[slot, S_CSR]
    ri[r, RI_ABANDONED] = 1 if abandoned else 0
    ri[r, RI_ESCALATED] = 1 if escalated else 0
    ri[r, RI_COMPLAINT] = 1 if complaint else 0
    ri[r, RI_RESOLVED] = 1 if resolved else 0
    ri[r, RI_CHURNED] = st.ci[c, CHURNED]
    smoves, rowmoves = st.smoves, st.rowmoves
    width = smoves.shape[1] // 2
    n = 0
    for call in range(min(calls, 2)):
        for x in range(si[slot, S_MOVES0 + call]):
            rowmoves[r, n] = smoves[slot, call * width + x]
            n += 1
    ri[r, RI_MOVES], ri[r, RI_CALLS] = n, calls


# --- the clock --------------------------------------------------------------------------------
@_compiled
def advance(st, t_stop, crng, orng):
    """Process every event up to ``t_stop`` (s); returns DONE, or NEED_ROOM when the
    arrays must grow first (nothing of the next event has happened yet)."""
    gi, gf, ev, day_f, passing, si, ci = st.gi, st.gf, st.ev, st.day_f, st.passing, st.si, st.ci
    n_arrivals = passing.shape[0]
    slots = st.free.shape[0]
    rec_room = st.rec.shape[0] - slots - 4
    row_room = st.rowf.shape[0] - slots - 4 if st.pv[P_KEEP] > 0.0 else slots
    while True:
        # At most one new slot and a record (and row) per slot alive can come of an event.
        if gi[G_FREE] < 1 or gi[G_RECORDS] > rec_room or gi[G_ROWS] > row_room:
            return NEED_ROOM
        i = gi[G_NEXT_ARRIVAL]
        next_arrival = day_f[passing[i], D_TIME] if i < n_arrivals else INF
        if gi[G_EVENTS] > 0 and ev[0, EV_T] <= next_arrival:
            if ev[0, EV_T] > t_stop:
                return DONE
            e = pop_event(ev, gi)
            t, kind = ev[e, EV_T], int(ev[e, EV_KIND])
            a, b, x = int(ev[e, EV_A]), int(ev[e, EV_B]), ev[e, EV_X]
            gf[G_NOW] = t
            if kind == END:
                _end(st, a, b, x, t, crng, orng)
            elif kind == ARRIVE:
                if ci[si[b, S_CUSTOMER], CHURNED]:
                    _free_slot(st.free, gi, b)  # the customer has left meanwhile
                else:
                    _new_contact(st, b, t)
                    _arrive(st, b, t, crng, orng)
            elif kind == CANDIDATE:
                slot = _first_contact(st, b, t)
                if slot >= 0:
                    _arrive(st, slot, t, crng, orng)
            else:
                _set_head_count(st, a, b, crng, orng)
        else:
            if next_arrival > t_stop or next_arrival == INF:
                return DONE
            gf[G_NOW] = next_arrival
            gi[G_NEXT_ARRIVAL] = i + 1
            slot = _first_contact(st, passing[i], next_arrival)
            if slot >= 0:
                _arrive(st, slot, next_arrival, crng, orng)


@_compiled
def drain(st, end, crng, orng):
    """After the last event: whoever is still queued hangs up at their deadline, or is
    recorded as still waiting at ``end`` (s)."""
    ti, sf = st.ti, st.sf
    by_priority = _by_priority(st.pv)
    for tier in range(ti.shape[0]):
        while ti[tier, T_Q_N] > 0:
            slot = _dequeue(st.q, ti, tier, by_priority)
            if sf[slot, S_DEADLINE] < INF:
                _abandon(st, slot, crng, orng)
            else:
                waited = end - sf[slot, S_TIER_ARRIVAL]
                _record(st, slot, waited, _WAITING, math.nan, math.nan, -1)
