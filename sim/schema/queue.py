"""The queue and what it records: events, queue entries, candidate contacts, interval records
and sums, contact rows, anger traces, counters and the run's globals."""

from __future__ import annotations

from sim.schema.table import Table, f, i

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
