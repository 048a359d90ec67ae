"""The engine's state: every table of a run, allocated, filled and grown here.

:class:`State` is the tuple of arrays the compiled engine (:mod:`sim.engine`) reads and
writes; each field is one table of :mod:`sim.schema` (or a plain matrix beside one).
:func:`build_state` makes it for a run, :func:`grow` makes room when the engine asks for
it (nothing of the pending event has happened then), :func:`compact_queues` drops the
entries of callers who hung up.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim.catalogue import MOVES, PERSONAS, TEMPERAMENTS
from sim.engine.draws import BUFFERS
from sim.engine.loop import MARGIN
from sim.engine.queues import BY_ANGER, BY_VALUE
from sim.rule_program import RULE_HEAD, TERM_WIDTH, RuleProgram
from sim.schema import (
    CALL,
    CALL_TRACE,
    CANDIDATE,
    CONTACT_ROW,
    COUNTER,
    EVENT,
    GLOBALS,
    INTERVAL,
    PROGRAM,
    QUEUE_ENTRY,
    RECORD,
    SLOT,
    TIER,
    TRACE,
    grown,
)

#: Random numbers per batch of each buffer (sim.engine.draws).
DRAW_BATCH = 65_536

State = namedtuple(
    "State",
    (
        "globals",  # GLOBALS[1]
        "params",  # PARAMS[1] (sim.engine_params)
        "customers",  # CUSTOMER[customers] (one row with people off)
        "slots",  # SLOT[slots]
        "slot_moves",  # int64[slots or 1, 2 x max moves]: moves of kept contacts' calls
        "free",  # int64[slots]: a stack of free slots (globals.free of them)
        "csrs",  # CSR[CSRs]: the front line, then the supervisors
        "tiers",  # TIER[tiers]
        "idle",  # int64[tiers, largest tier]: idle rings
        "queue",  # QUEUE_ENTRY[tiers, capacity]: rings, or heaps by priority
        "queue_tmp",  # QUEUE_ENTRY[1]: the heap's moving row
        "events",  # EVENT[capacity]: the event heap
        "event_tmp",  # EVENT[1]
        "temperaments",  # TEMPERAMENT[4]
        "personas",  # PERSONA[7]
        "counters",  # COUNTER[temperament x persona cells]
        "intervals",  # INTERVAL[tiers, reporting intervals]: the operations sums
        "interval_starts",  # float64[reporting intervals]: their starts, s
        "records",  # RECORD[capacity]: since the last flush (kept on request only)
        "rows",  # CONTACT_ROW[capacity] (none unless contacts are kept)
        "row_moves",  # int64[rows, 2 x max moves]
        "traces",  # TRACE[limit]
        "trace_values",  # float64[limit, max moves + 1]
        "day",  # CANDIDATE[the day's candidates]
        "passing",  # int64: candidates passing at the day's start, in time order
        "moves",  # MOVE[moves]: the catalogue
        "persona_mod",  # float64[personas, moves]
        "rules",  # float64: the strategies' rule tables, stacked (sim.rule_program)
        "choices",  # float64: their adaptive choices, stacked
        "programs",  # PROGRAM[strategies]
        "call",  # CALL[1]: the call being played
        "used",  # int64[moves]: scratch of the call
        "call_moves",  # int64[max moves]
        "call_trace",  # float64[max moves + 1, len(CALL_TRACE)]
        "draws_u",  # float64[BUFFERS, batch]: pre-drawn uniforms (sim.engine.draws)
        "draws_n",  # float64[BUFFERS, batch]: pre-drawn standard normals
        "draw_pos",  # int64[BUFFERS]
    ),
)


def stack_programs(programs: list[RuleProgram]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule programs stacked into one rule matrix, one choice matrix, and the
    :data:`sim.schema.PROGRAM` rows saying where each lies."""
    width = max(RULE_HEAD + TERM_WIDTH, *(prog.rules.shape[1] for prog in programs))
    # Zero padding adds ALWAYS terms, which hold: the conditions are unchanged.
    rules = np.zeros((sum(len(prog.rules) for prog in programs), width))
    choices = np.zeros((sum(len(prog.choices) for prog in programs), width - 1))
    table = PROGRAM.allocate(len(programs))
    r = c = 0
    for k, prog in enumerate(programs):
        rules[r : r + len(prog.rules), : prog.rules.shape[1]] = prog.rules
        choices[c : c + len(prog.choices), : prog.choices.shape[1]] = prog.choices
        row = table[k]
        row["rule_start"], row["table_rows"] = r, prog.table_rows
        row["choice_start"], row["choices"], row["rules"] = c, len(prog.choices), len(prog.rules)
        r, c = r + len(prog.rules), c + len(prog.choices)
    return rules, choices, table


def build_state(
    *,
    params: np.ndarray,
    customers: np.ndarray,
    csrs: np.ndarray,
    tier_sizes: list[int],
    temperaments: np.ndarray,
    personas: np.ndarray,
    moves: np.ndarray,
    persona_mod: np.ndarray,
    programs: list[RuleProgram],
    slots: int,
    keep_contacts: bool,
    trace_limit: int,
    interval_starts: np.ndarray,
    shifts: int,
) -> State:
    """A run's state before its first event (no CSR on duty yet), with room for
    ``shifts`` head-count changes to be scheduled."""
    max_moves = int(params[0]["max_moves"])
    tiers = TIER.allocate(len(tier_sizes))
    tiers["size"] = tier_sizes
    tiers["offset"] = np.cumsum([0, *tier_sizes[:-1]])
    rules, choices, program_rows = stack_programs(programs)
    g = GLOBALS.allocate(1)
    g["aht_s"] = params[0]["initial_aht_s"]
    g["free"] = slots
    rows = 4 * slots if keep_contacts else 0
    return State(
        globals=g,
        params=params,
        customers=customers,
        slots=SLOT.allocate(slots),
        slot_moves=np.zeros((slots if keep_contacts else 1, 2 * max_moves), dtype=np.int64),
        free=np.arange(slots, dtype=np.int64)[::-1].copy(),  # slot 0 is taken first
        csrs=csrs,
        tiers=tiers,
        idle=np.zeros((len(tier_sizes), max(tier_sizes)), dtype=np.int64),
        queue=QUEUE_ENTRY.allocate((len(tier_sizes), slots)),
        queue_tmp=QUEUE_ENTRY.allocate(1),
        events=EVENT.allocate(slots + len(csrs) + shifts + 4 * MARGIN),
        event_tmp=EVENT.allocate(1),
        temperaments=temperaments,
        personas=personas,
        counters=COUNTER.allocate(len(TEMPERAMENTS) * len(PERSONAS)),
        intervals=INTERVAL.allocate((len(tier_sizes), len(interval_starts))),
        interval_starts=np.asarray(interval_starts, dtype=np.float64),
        records=RECORD.allocate(4 * slots if params[0]["keep_records"] else 0),
        rows=CONTACT_ROW.allocate(rows),
        row_moves=np.zeros((rows, 2 * max_moves), dtype=np.int64),
        traces=TRACE.allocate(trace_limit),
        trace_values=np.zeros((trace_limit, max_moves + 1)),
        day=CANDIDATE.allocate(0),
        passing=np.zeros(0, dtype=np.int64),
        moves=moves,
        persona_mod=persona_mod,
        rules=rules,
        choices=choices,
        programs=program_rows,
        call=CALL.allocate(1),
        used=np.zeros(len(MOVES), dtype=np.int64),
        call_moves=np.zeros(max_moves, dtype=np.int64),
        call_trace=np.zeros((max_moves + 1, len(CALL_TRACE))),
        draws_u=np.zeros((BUFFERS, DRAW_BATCH)),
        draws_n=np.zeros((BUFFERS, DRAW_BATCH)),
        # Empty: the first reservation of each buffer draws its first batch.
        draw_pos=np.full(BUFFERS, DRAW_BATCH, dtype=np.int64),
    )


def with_day(st: State, day: np.ndarray, passing: np.ndarray) -> State:
    """The state with a new day's candidates (and room for the events they may bring)."""
    st = st._replace(day=day, passing=passing)
    st.globals[0]["next_arrival"] = 0
    return _event_room(st)


def _event_room(st: State) -> State:
    g = st.globals[0]
    need = int(g["events"]) + len(st.csrs) + len(st.day) + 2 * MARGIN
    return st if need <= len(st.events) else st._replace(events=grown(st.events, 2 * need))


def grow(st: State) -> State:
    """Room for the next event wherever it lacks: double the slots, compact or grow the
    queues, grow the event heap and the record buffers."""
    g = st.globals[0]
    changes = {}
    slots = len(st.free)
    if g["free"] < 1:
        new = 2 * slots
        changes["slots"] = grown(st.slots, new)
        if len(st.slot_moves) > 1:
            changes["slot_moves"] = grown(st.slot_moves, new)
        free = np.zeros(new, dtype=np.int64)
        n = int(g["free"])
        free[:n] = st.free[:n]
        added = np.arange(slots, new)[::-1]
        free[n : n + len(added)] = added
        g["free"] = n + len(added)
        changes["free"] = free
        slots = new
    st = st._replace(**changes)
    if (st.tiers["q_n"] > st.queue.shape[1] - MARGIN).any():
        st = compact_queues(st)
    st = _event_room(st)
    changes = {}
    need = slots + 2 * MARGIN
    if st.params[0]["keep_records"] and g["records"] + need > len(st.records):
        changes["records"] = grown(st.records, 2 * (int(g["records"]) + need))
    if len(st.slot_moves) > 1 and g["rows"] + need > len(st.rows):
        n = 2 * (int(g["rows"]) + need)
        changes["rows"] = grown(st.rows, n)
        changes["row_moves"] = grown(st.row_moves, n)
    return st._replace(**changes)


def compact_queues(st: State) -> State:
    """Drop the entries of callers who hung up; grow a queue still too full for the next
    event. The order of service of those still waiting is unchanged."""
    capacity = st.queue.shape[1]
    by_priority = int(st.params[0]["routing"]) in (BY_VALUE, BY_ANGER)
    live = []
    for tier_no, tier in enumerate(st.tiers):
        n, head = int(tier["q_n"]), int(tier["q_head"])
        if by_priority:
            entries = st.queue[tier_no, :n]
        else:
            entries = st.queue[tier_no, (head + np.arange(n)) % capacity]
        slot = st.slots[entries["slot"]]
        keep = entries[
            (slot["queued"] == 1) & (slot["tier"] == tier_no) & (slot["cid"] == entries["order"])
        ]
        # Sorted by (priority, contact): a valid heap; a ring keeps its order.
        if by_priority:
            keep = np.sort(keep, order=["key", "order"])
        live.append(keep)
    while max(len(x) for x in live) + 2 * MARGIN > capacity:
        capacity *= 2
    queue = QUEUE_ENTRY.allocate((len(live), capacity))
    for tier_no, keep in enumerate(live):
        queue[tier_no, : len(keep)] = keep
        st.tiers[tier_no]["q_n"] = len(keep)
        st.tiers[tier_no]["q_head"] = 0
    return st._replace(queue=queue)
