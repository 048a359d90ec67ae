"""Every table of the engine, declared once: field names, types, units and meanings.

The compiled engine (:mod:`sim.engine`) keeps the whole state of a run in NumPy
structured arrays, one per table below, and reads and writes their fields by name
(``slot["anger"]``). The same code runs compiled by Numba and, with
``NUMBA_DISABLE_JIT=1``, as plain Python over the same arrays. Nothing outside this
module knows a column number.

A *slot* holds one contact together with its issue: it lives from the issue's first
contact until the issue is resolved or dropped, and each repeat contact about the issue
reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Field:
    """One field of a table.

    Attributes:
        name: The field's name, as the engine reads it.
        kind: ``"f8"`` (float64) or ``"i8"`` (int64; flags are 0/1).
        unit: Unit of the value.
        meaning: What it holds.
    """

    name: str
    kind: str
    unit: str
    meaning: str


def f(name: str, unit: str, meaning: str) -> Field:
    """A float64 field."""
    return Field(name, "f8", unit, meaning)


def i(name: str, unit: str, meaning: str) -> Field:
    """An int64 field (counts, indices, and 0/1 flags)."""
    return Field(name, "i8", unit, meaning)


@dataclass(frozen=True)
class Table:
    """A table of the engine: a NumPy structured dtype with documented fields."""

    name: str
    meaning: str
    fields: tuple[Field, ...]

    @cached_property
    def dtype(self) -> np.dtype:
        """The structured dtype (aligned, as Numba prefers)."""
        return np.dtype([(x.name, x.kind) for x in self.fields], align=True)

    @property
    def names(self) -> tuple[str, ...]:
        """Field names in declaration order."""
        return tuple(x.name for x in self.fields)

    def allocate(self, n: int | tuple[int, ...], **fill: float) -> np.ndarray:
        """A zeroed array of ``n`` rows; ``fill`` sets whole fields (e.g. ``churned_s=nan``)."""
        out = np.zeros(n, dtype=self.dtype)
        for name, value in fill.items():
            out[name] = value
        return out

    def frame(self, rows: np.ndarray):
        """The rows as a pandas DataFrame, one column per field."""
        import pandas as pd

        return pd.DataFrame({name: rows[name] for name in self.names})


def grown(rows: np.ndarray, n: int) -> np.ndarray:
    """``rows`` with ``n`` rows along the first axis, zero-filled beyond the old ones."""
    out = np.zeros((n, *rows.shape[1:]), dtype=rows.dtype)
    out[: len(rows)] = rows
    return out


CUSTOMER = Table(
    "customer",
    "One customer of the base (MODEL.md section 2); agent k of the model owns row k.",
    (
        f("balance", "account units", "emotional account now; below 0 the customer leaves"),
        f("propensity", "ratio", "issue rate relative to the average customer"),
        f("churned_s", "s", "when the customer left (NaN while a customer)"),
        f("value", "currency/year", "revenue the customer brings"),
        f("start_balance", "account units", "balance at the start of the horizon"),
        f("start_propensity", "ratio", "issue rate at the start"),
        f("tenure_years", "years", "tenure at the start"),
        f(
            "first_problem_csat",
            "0-1",
            "satisfaction with how the first problem ended (NaN: none yet)",
        ),
        f(
            "leaves_s",
            "s",
            "when the customer leaves for reasons other than service (inf: not in the horizon)",
        ),
        i("temperament", "index", "into catalogue.TEMPERAMENTS"),
        i("persona", "index", "into catalogue.PERSONAS"),
        i("cell", "index", "temperament x persona cell of the outcome counters"),
        i("churned", "0/1", "the customer has left"),
        i("churn_cause", "code", "why: 0 still a customer, 1 service (overdraft), 2 other reasons"),
        i("contacts", "contacts", "contacts made so far"),
        i("complaints", "contacts", "formal complaints filed so far"),
        i("escalations", "contacts", "contacts escalated so far"),
        i("failures", "issues", "real service failures suffered so far"),
        i("unresolved", "issues", "issues given up unresolved so far"),
        i("last_resolved", "-1/0/1", "whether the last concluded contact was resolved (-1 none)"),
        i("silent", "issues", "problems the customer suffered without contacting the center"),
        i(
            "first_problem",
            "code",
            "the first problem's fate: -1 none yet, 0 open, 1 kept silent, "
            "2 complained and not resolved, 3 resolved later, 4 resolved at the first contact",
        ),
    ),
)

SLOT = Table(
    "slot",
    "A contact and its issue (the issue's fields are kept from contact to contact).",
    (
        # The contact.
        f("anger", "0-1", "the customer's anger now"),
        f("patience_unit", "1", "standard exponential draw of this contact's patience"),
        f("wait_s", "s", "time waited in queues (callback waits weighted)"),
        f("balance_before", "account units", "account balance when the contact arrived"),
        f("answered_s", "s", "when the front line answered (NaN if not)"),
        f("stress", "0-1", "the answering CSR's stress"),
        f("arrival_s", "s", "when the contact arrived"),
        f("tier_arrival_s", "s", "when it joined its current tier's queue"),
        f("deadline_s", "s", "when the caller hangs up if still waiting (inf: never)"),
        f("priority", "1", "queue priority (smaller first)"),
        f("handle_s", "s", "drawn handle time (when service is drawn, not talked)"),
        i("customer", "index", "row of the customer table (-1 with people off)"),
        i("cid", "number", "contact number (unique in a run)"),
        i("tier", "index", "0 front line, 1 supervisors"),
        i("attempt", "number", "1 for the first contact about the issue"),
        i("csr", "index", "front-line position that answered (-1 none)"),
        i("callback", "0/1", "took a callback offer"),
        i("calls", "calls", "calls played (front line, then supervisor)"),
        i("queued", "0/1", "waiting in a queue now"),
        i("abandoned", "0/1", "the caller hung up waiting"),
        i("tracked", "0/1", "the issue is its customer's first problem (its fate is kept)"),
        i("moves0", "moves", "moves of the first call (kept with contact rows)"),
        i("moves1", "moves", "moves of the second call"),
        # What the contact's calls left.
        f("start_anger", "0-1", "opening anger of the first call"),
        f("peak", "0-1", "worst anger over the contact's calls"),
        f("conceded", "currency", "conceded over the contact's calls"),
        f("last_anger", "0-1", "anger at the end of the last call"),
        f("last_remedy", "0-1", "unmet need for remedy after the last call"),
        f("last_fix", "0-1", "fix still needed after the last call"),
        f("last_info", "0-1", "unmet need for information after the last call"),
        f("last_respect", "0-1", "unmet need for respect after the last call"),
        f("last_talk_s", "s", "talk time of the last call"),
        i("escalated", "0/1", "any call escalated"),
        i("conceded_invalid", "0/1", "any call conceded to an invalid claim"),
        i("resolved", "0/1", "the last call resolved the issue"),
        # The issue.
        i("iid", "number", "issue number"),
        i("nature", "index", "into catalogue.NATURES"),
        i("valid", "0/1", "the claim is true (communication issues are valid)"),
        f("severity", "0-1", "how bad the issue is"),
        f("difficulty", "0-1", "how hard a failure is to fix"),
        f("asked", "currency", "compensation asked (0 if none)"),
        f("opening_anger", "0-1", "anger with which the issue first opened"),
        f("remedy_left", "0-1", "need for remedy still open"),
        f("fix_left", "0-1", "fix still needed"),
        f("info_left", "0-1", "need for information still open"),
        f("next_anger", "0-1", "opening anger of the scheduled repeat contact"),
        f("next_patience_unit", "1", "patience draw of the scheduled repeat contact"),
    ),
)

CSR = Table(
    "csr",
    "A CSR (tier 0) or supervisor (tier 1); the front line comes first.",
    (
        f("stress", "0-1", "stress now"),
        f("free_since_s", "s", "when the last call ended (stress decays while idle)"),
        f("busy_s", "s", "time spent in calls"),
        f("authority", "currency", "largest concession per contact"),
        f("empathy", "0-1", "how well soothing moves land"),
        f("problem_solving", "0-1", "how well solving moves fix"),
        f("perception", "0-1", "how accurately the customer is read"),
        f("self_control", "0-1", "resistance to stress and to taking the bait"),
        i("tier", "index", "0 front line, 1 supervisors"),
        i("position", "index", "place within the tier (also the shift order)"),
        i("program", "index", "row of the program table (its strategy)"),
        i("handled", "contacts", "calls handled"),
        i("on_duty", "0/1", "on shift"),
        i("busy", "0/1", "in a call"),
        i("listed", "0/1", "in the tier's idle list"),
    ),
)

TIER = Table(
    "tier",
    "A pool of CSRs with its idle list (a ring) and its queue (a ring, or a heap).",
    (
        i("offset", "index", "first row of the tier's CSRs"),
        i("size", "CSRs", "positions in the tier"),
        i("idle_head", "index", "head of the idle ring"),
        i("idle_n", "CSRs", "entries in the idle ring"),
        i("q_head", "index", "head of the queue ring (FIFO)"),
        i("q_n", "entries", "queue entries, including callers who already hung up"),
        i("waiting", "contacts", "contacts waiting now"),
    ),
)

EVENT = Table(
    "event",
    "A row of the event heap, ordered by (key, order): time, then order of scheduling.",
    (
        f("key", "s", "when the event happens"),
        f("order", "number", "scheduling sequence (ties keep the order of scheduling)"),
        i("kind", "code", "engine.events kinds: END, SHIFT, ARRIVE, CANDIDATE, ABANDON"),
        i("a", "number", "the event's first argument"),
        i("b", "number", "the event's second argument"),
        f("x", "s", "the event's time argument"),
    ),
)

QUEUE_ENTRY = Table(
    "queue_entry",
    "A contact in a queue: a ring in arrival order, or a heap by (priority, contact).",
    (
        f("key", "1", "priority (smaller first)"),
        f("order", "number", "contact number (ties, and recognising a caller gone)"),
        i("slot", "index", "the contact's slot"),
    ),
)

CANDIDATE = Table(
    "candidate",
    "A candidate contact of the day: an issue that may arise (people on), or an arrival.",
    (
        f("time_s", "s", "when it would arrive"),
        f("threshold", "ratio", "becomes a contact if below the customer's issue rate"),
        f("severity", "0-1", "the issue's severity"),
        f("difficulty", "0-1", "the issue's difficulty"),
        f("asked", "currency", "compensation asked"),
        f("anger", "0-1", "opening anger"),
        f("patience", "1 or s", "patience: a standard exponential draw (people on), or s"),
        f("handle_s", "s", "drawn handle time (people off)"),
        i("who", "index", "customer (people on)"),
        i("nature", "index", "issue nature"),
        i("valid", "0/1", "the claim is true"),
        i("silent", "0/1", "a problem the customer will not contact the center about"),
    ),
)

RECORD = Table(
    "record",
    "One contact at one tier once its outcome is final: what the interval sums count.",
    (
        i("contact_id", "number", "contact number"),
        i("tier", "index", "0 front line, 1 supervisors"),
        f("arrival_s", "s", "when it joined this tier's queue"),
        f("wait_s", "s", "time in queue (until answered, abandoned or the end)"),
        i("outcome", "code", "records.ANSWERED, ABANDONED or WAITING"),
        f("start_s", "s", "when answered (NaN if never)"),
        f("end_s", "s", "when the call ended (NaN if never answered)"),
        i("csr", "index", "position of the CSR who answered (-1 none)"),
    ),
)

INTERVAL = Table(
    "interval",
    "Additive sums of one tier's contacts in one reporting interval (by arrival), and the "
    "busy time spent in it: every operations metric is a ratio of these.",
    (
        f("offered", "contacts", "contacts that joined the tier's queue"),
        f("answered", "contacts", "answered"),
        f("abandoned", "contacts", "hung up waiting"),
        f("waiting_at_end", "contacts", "still waiting at the end of the run"),
        f("waited", "contacts", "waited at all"),
        f("answered_within_sl", "contacts", "answered within the service-level threshold"),
        f("wait_answered_s", "s", "waits of the answered"),
        f("wait_all_s", "s", "waits of all"),
        f("handle_s", "s", "handle times of the answered"),
        f("busy_s", "CSR-s", "time CSRs spent in calls within the interval"),
    ),
)

CONTACT_ROW = Table(
    "contact_row",
    "One concluded contact, kept for per-contact output (--contacts).",
    (
        f("arrival_s", "s", "when the contact arrived"),
        f("answered_s", "s", "when answered (NaN if not)"),
        f("end_s", "s", "when concluded (NaN if never answered)"),
        f("wait_s", "s", "time waited"),
        f("start_anger", "0-1", "opening anger"),
        f("peak_anger", "0-1", "worst anger"),
        f("final_anger", "0-1", "anger at the end"),
        f("concession", "currency", "conceded"),
        f("balance_before", "account units", "balance at arrival"),
        f("balance_after", "account units", "balance after the contact"),
        i("contact_id", "number", "contact number"),
        i("issue_id", "number", "issue number"),
        i("customer", "index", "row of the customer table"),
        i("nature", "index", "issue nature"),
        i("valid", "0/1", "claim is true"),
        i("attempt", "number", "1 for the first contact about the issue"),
        i("csr", "index", "front-line position (-1 none)"),
        i("abandoned", "0/1", "hung up waiting"),
        i("escalated", "0/1", "escalated"),
        i("complaint", "0/1", "ended in a formal complaint"),
        i("resolved", "0/1", "resolved"),
        i("churned", "0/1", "the customer left"),
        i("n_moves", "moves", "moves kept (first two calls)"),
        i("calls", "calls", "calls played"),
    ),
)

TRACE = Table(
    "trace",
    "An anger trace of a traced call (the values are kept in a matrix beside it).",
    (
        i("csr", "index", "row of the CSR table"),
        i("temperament", "index", "the customer's temperament"),
        i("persona", "index", "the customer's persona"),
        i("length", "values", "opening anger plus one value per move"),
    ),
)

#: The columns of a call's trace (``play``'s ``trace`` matrix), one row at the opening
#: and one after each move: anger (0..1), the needs left to vent, for respect, for a
#: remedy and for information (0..1), the fix left (0..1), and the talk time so far (s,
#: without the call's overhead).
CALL_TRACE = ("anger", "vent", "respect", "remedy", "info", "fix", "talk_s")

COUNTER = Table(
    "counter",
    "Outcome counters of one temperament x persona cell.",
    (
        f("issues", "issues", "issues raised"),
        f("contacts", "contacts", "contacts made"),
        f("repeats", "contacts", "repeat contacts"),
        f("answered", "contacts", "front-line calls answered"),
        f("abandoned", "contacts", "front-line callers who hung up"),
        f("escalations", "contacts", "contacts escalated or ending in a complaint"),
        f("complaints", "contacts", "formal complaints"),
        f("resolved", "contacts", "contacts that resolved their issue"),
        f("first_resolved", "issues", "issues resolved at the first contact"),
        f("concession", "currency", "conceded"),
        f("csat_sum", "0-1", "sum of CSAT over concluded contacts"),
        f("concluded", "contacts", "contacts concluded"),
        f("talk_first_s", "s", "front-line talk time of first contacts"),
        f("answered_first", "contacts", "first contacts answered"),
        f("stress_sum", "0-1", "sum of the answering CSRs' stress"),
        f("invalid_concessions", "contacts", "contacts that conceded to an invalid claim"),
        f("silent_issues", "issues", "problems suffered without a contact"),
    ),
)

GLOBALS = Table(
    "globals",
    "The engine's scalars (one row).",
    (
        i("seq", "number", "next event sequence number"),
        i("cid", "number", "next contact number"),
        i("iid", "number", "issues opened"),
        i("callbacks", "contacts", "callback offers taken"),
        i("next_arrival", "index", "next passing candidate of the day"),
        i("events", "events", "events in the heap"),
        i("free", "slots", "free slots on the stack"),
        i("records", "rows", "records written since the last flush"),
        i("rows", "rows", "contact rows kept"),
        i("traces", "rows", "traces kept"),
        i("late_events", "events", "events scheduled before the clock (must stay 0)"),
        f("now", "s", "the clock"),
        f("aht_s", "s", "running mean handle time (for callback offers)"),
    ),
)

TEMPERAMENT = Table(
    "temperament",
    "Traits of a temperament (DOMAIN.md section 2).",
    (
        f("reactivity", "ratio", "multiplier of anger raised by a bad move"),
        f("recovery", "ratio", "multiplier of anger lowered by a good move"),
        f("expressiveness", "0-1", "how readily anger becomes voice"),
        f("grudge", "ratio", "weight of withdrawals on the account"),
        f("base_anger", "0-1", "opening anger of a full-severity issue"),
    ),
)

PERSONA = Table(
    "persona",
    "Traits of a behaviour type (DOMAIN.md section 3).",
    (
        f("talk_factor", "ratio", "multiplier of every move's talk time"),
        f("insult_rate", "1/move", "chance per move, times anger, of an insult"),
        f("invalid_share", "probability", "share of claimed failures that are not valid"),
        f("anger_offset", "0-1", "added to every opening anger"),
        f("vent_need", "0-1", "need to vent at the start"),
        f("respect_need", "0-1", "need for respect at the start"),
        f("urgency", "ratio", "divides patience"),
        f("needs_empathy", "0/1", "match routing sends them to the most empathic CSR"),
    ),
)

MOVE = Table(
    "move",
    "Base effects of a move of the catalogue (moves.* parameters).",
    (
        f("talk_s", "s", "talk time"),
        f("soothe", "0-1", "anger lowered when it lands"),
        f("provoke", "0-1", "anger raised"),
        f("premature", "0-1", "anger raised per unit of unmet need to vent"),
        f("vent", "0-1", "share of the need to vent released"),
        f("respect", "-1..1", "share of the need for respect met (negative: disrespect)"),
        f("info", "0-1", "share of the need for information met"),
        f("fix", "ratio", "progress toward fixing a valid failure"),
        f("diagnose", "0-1", "progress in finding the real need"),
        f("remedy", "0-1", "share of the need for remedy met"),
        f("grant", "0-1", "share of the remedy asked that is paid"),
        f("manage_time", "0/1", "brings a talker's talk factor back toward 1"),
        f("ends", "0/1", "ends the call"),
        f("hands_over", "0/1", "passes the call to a supervisor"),
        f("sincere", "0/1", "lands only if sincere"),
    ),
)

PROGRAM = Table(
    "program",
    "Where a strategy's rule program lies in the stacked rule and choice matrices.",
    (
        i("rule_start", "row", "first rule row"),
        i("table_rows", "rows", "rows per rule table"),
        i("choice_start", "row", "first choice row"),
        i("choices", "rows", "choice rows"),
        i("rules", "rows", "rule rows in all"),
    ),
)

CALL = Table(
    "call",
    "One call's state: what the conversation loop reads, and what it leaves.",
    (
        # Updated in place by the moves.
        f("anger", "0-1", "the customer's anger"),
        f("vent", "0-1", "unmet need to vent"),
        f("respect", "0-1", "unmet need for respect"),
        f("remedy", "0-1", "unmet need for remedy"),
        f("info", "0-1", "unmet need for information"),
        f("fix", "0-1", "fix still needed"),
        f("diagnosis", "0-1", "how far the real need has been found"),
        f("conceded", "currency", "conceded so far"),
        f("peak", "0-1", "worst anger so far"),
        # Inputs.
        f("asked", "currency", "compensation asked"),
        f("valid", "0/1", "the claim is true"),
        f("nature", "index", "issue nature"),
        f("seen_valid", "0/1", "the CSR believes the claim"),
        f("seen_talker", "0/1", "the CSR recognises a talker"),
        f("front_line", "0/1", "answered by the front line"),
        f("can_escalate", "0/1", "a second tier exists"),
        f("reactivity", "ratio", "the customer's reactivity"),
        f("recovery", "ratio", "the customer's recovery"),
        f("expressiveness", "0-1", "the customer's expressiveness"),
        f("talk_factor", "ratio", "the customer's talk factor"),
        f("insult_rate", "1/move", "the customer's insult rate"),
        f("difficulty", "0-1", "the issue's difficulty"),
        f("empathy", "0-1", "the CSR's empathy"),
        f("solving", "0-1", "the CSR's problem solving"),
        f("perception", "0-1", "the CSR's perception"),
        f("control", "0-1", "the CSR's self-control"),
        f("stress", "0-1", "the CSR's stress at the start"),
        f("authority", "currency", "the CSR's concession authority"),
        f("tracing", "0/1", "keep anger after each move"),
        # Outputs.
        f("n_moves", "moves", "moves made"),
        f("insulted_last", "0/1", "insulted on the last move"),
        f("talk_s", "s", "talk time, overhead included"),
        f("stress_gain", "0-1", "stress added by insults"),
        f("conceded_invalid", "0/1", "conceded to an invalid claim"),
        f("insults", "insults", "insults received"),
        f("escalated", "0/1", "the customer demanded a supervisor, or was handed over"),
        f("handed_over", "0/1", "the CSR handed the call over"),
        f("resolved", "0/1", "the issue's primary need was met"),
    ),
)
