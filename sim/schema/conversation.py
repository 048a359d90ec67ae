"""The conversation's tables: temperaments, personas, moves, rule programs and one call's state."""

from __future__ import annotations

from sim.schema.table import Table, f, i

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

#: The columns of a call's trace (``play``'s ``trace`` matrix), one row at the opening
#: and one after each move: anger (0..1), the needs left to vent, for respect, for a
#: remedy and for information (0..1), the fix left (0..1), and the talk time so far (s,
#: without the call's overhead).
CALL_TRACE = ("anger", "vent", "respect", "remedy", "info", "fix", "talk_s")
