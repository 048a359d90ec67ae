"""The people of a run: customers, their issue slots (a contact with its issue), CSRs and tiers."""

from __future__ import annotations

from sim.schema.table import Table, f, i

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
