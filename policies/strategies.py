"""The five conflict-handling strategies and the adaptive one, as policies over moves.

A strategy is an ordered list of rules ``(move, when, at_most)``: at each turn the CSR
makes the first move whose condition holds on what it perceives and that it has made
fewer than ``at_most`` times in the call. That is all a strategy is (docs/domain.md section 5):
which moves, in which order, under which perceived conditions. Nothing else in ccsim
knows these names; retention, escalation and cost come from the moves meeting customers.

Conditions are a tiny fixed vocabulary, parsed (never evaluated as code):
``always``, ``anger>0.5``, ``anger<0.3``, ``vent>0.3``, ``respect>0.3``, ``info>0.3``,
``fix>0``, ``remedy>0.2``, ``valid``, ``invalid``, ``talker``, ``insulted``, joined by
``&``. Quantities are the CSR's reading of the customer, with its perception error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sim.catalogue import MOVE_INDEX, MOVES
from sim.errors import InputError
from sim.rule_program import ABOVE, BELOW, FLAGS, SEEN, RuleProgram, TableRule, Term

_COMPARE = re.compile(r"^\s*([a-z]+)\s*([<>])\s*(\d+(?:\.\d*)?|\.\d+)\s*$")
VOCABULARY = (*FLAGS, *(f"{q}>x" for q in SEEN), *(f"{q}<x" for q in SEEN))


def parse_condition(
    text: str, *, source: str | None = None, line: int | None = None
) -> tuple[Term, ...]:
    """Parse a condition such as ``anger>0.6 & valid`` into the terms it joins."""
    terms: list[Term] = []
    for term in text.split("&"):
        term = term.strip()
        if term in FLAGS:
            terms.append(Term(FLAGS[term]))
            continue
        match = _COMPARE.match(term)
        if not match or match.group(1) not in SEEN:
            raise InputError(
                f"unknown condition {term!r}",
                source=source,
                line=line,
                field="when",
                valid=VOCABULARY,
            )
        kind = ABOVE if match.group(2) == ">" else BELOW
        terms.append(Term(kind, SEEN.index(match.group(1)), float(match.group(3))))
    return tuple(terms)


@dataclass(frozen=True)
class Rule:
    """Make ``move`` when ``when`` holds, at most ``at_most`` times in a call."""

    move: str
    when: str = "always"
    at_most: int = 1


class RuleStrategy:
    """A strategy given as an ordered list of rules; closes when no rule applies.

    Args:
        name: A label for output.
        rules: The rules, in order of priority.
        source: Where the rules came from (for error messages).

    Attributes:
        program: The rule table the simulation's conversation loop reads.
    """

    def __init__(self, name: str, rules: Sequence[Rule], source: str | None = None) -> None:
        self.name = name
        self.rules = tuple(rules)
        self.table = tuple(_table_rule(rule, source) for rule in self.rules)
        self.program = RuleProgram.build([self.table])

    def __repr__(self) -> str:
        return f"RuleStrategy({self.name!r}, {len(self.rules)} rules)"


def _table_rule(rule: Rule, source: str | None) -> TableRule:
    if rule.move not in MOVE_INDEX:
        raise InputError(f"unknown move {rule.move!r}", source=source, field="move", valid=MOVES)
    if rule.at_most < 1:
        raise InputError("must be >= 1", source=source, field="at_most")
    return TableRule(MOVE_INDEX[rule.move], rule.at_most, parse_condition(rule.when, source=source))


class AdaptiveStrategy:
    """Chooses one strategy per call from the first reading of the customer.

    Args:
        name: A label for output.
        choices: ``(condition, strategy)`` pairs tried in order on the opening reading.
        default: The strategy when no condition holds.

    Attributes:
        program: The rule tables (the default's first) and the conditions choosing them.
    """

    def __init__(
        self, name: str, choices: Sequence[tuple[str, RuleStrategy]], default: RuleStrategy
    ) -> None:
        self.name = name
        self.choices = tuple((parse_condition(c), s) for c, s in choices)
        self.default = default
        tables = [default.table] + [s.table for _, s in self.choices]
        self.program = RuleProgram.build(
            tables, [(k + 1, terms) for k, (terms, _) in enumerate(self.choices)]
        )


#: How every strategy opens: listen to what the problem is (docs/domain.md section 7).
OPENING: tuple[Rule, ...] = (Rule("listen"),)
#: The job every strategy does, the same way and with the same budget: fix what is
#: broken, answer what is asked, keep a talker to the point, close (docs/domain.md section 7).
#: Strategies differ only in how they meet emotion, claims and disagreement, before it.
TASK: tuple[Rule, ...] = (
    Rule("manage_time", "talker"),
    Rule("solve", "fix>0.3", 3),
    Rule("explain_steps", "info>0.3", 2),
    Rule("close"),
)

#: How each of the five styles of docs/domain.md section 5 meets conflict.
CONFLICT: dict[str, tuple[Rule, ...]] = {
    # Low concern for both: sidestep it. Deflect the heat, defer money and disputes, hand
    # over or end a call that gets too hot.
    "avoid": (
        Rule("deflect", "anger>0.4"),
        Rule("transfer", "anger>0.75"),
        Rule("close", "anger>0.6"),
        Rule("postpone", "remedy>0.2"),
        Rule("postpone", "invalid"),
    ),
    # High cooperation, low assertiveness: give in. Apologise, let them talk, concede
    # what is asked, invalid claims included.
    "accommodate": (
        Rule("apology", "anger>0.3"),
        Rule("let_vent", "vent>0.4"),
        Rule("concede", "remedy>0.05"),
    ),
    # Low cooperation, high assertiveness: hold to policy. Dispute invalid claims, refuse
    # compensation beyond policy, argue with the heated, set limits.
    "compete": (
        Rule("insist_policy", "invalid"),
        Rule("argue_facts", "invalid"),
        Rule("insist_policy", "remedy>0.2"),
        Rule("argue_facts", "anger>0.5"),
        Rule("set_limits", "anger>0.7"),
    ),
    # Middle, middle: some acknowledgement, split the difference on money.
    "compromise": (
        Rule("empathy", "anger>0.5"),
        Rule("split_difference", "remedy>0.05"),
    ),
    # High, high: let them vent, acknowledge, steer, find the real need, and offer
    # alternatives the customer chooses from (valid claims).
    "negotiate": (
        Rule("let_vent", "vent>0.3", 3),
        Rule("empathy", "anger>0.25"),
        Rule("apology", "anger>0.3"),
        Rule("closed_question", "anger>0.6"),
        Rule("find_agreement", "anger>0.5"),
        Rule("offer_alternatives", "remedy>0.2 & valid"),
    ),
}

#: The five strategies as rule lists: the opening, the style's conflict moves, the job.
BUILT_IN_RULES: dict[str, tuple[Rule, ...]] = {
    name: OPENING + conflict + TASK for name, conflict in CONFLICT.items()
}


def built_in(name: str) -> RuleStrategy:
    """One of the five built-in strategies by name."""
    try:
        return RuleStrategy(name, BUILT_IN_RULES[name])
    except KeyError:
        raise InputError(
            f"unknown strategy {name!r}", field="strategy", valid=(*BUILT_IN_RULES, "adaptive")
        ) from None


def adaptive() -> AdaptiveStrategy:
    """The built-in adaptive rule (docs/domain.md section 5: a good CSR adapts).

    Negotiate with the angry, the arguers, the rude and anyone who sounds heated;
    compromise (quick, fair) with calm customers; negotiate's time management for talkers.
    """
    negotiate = built_in("negotiate")
    return AdaptiveStrategy(
        "adaptive",
        [("anger>0.45", negotiate), ("talker", negotiate), ("invalid", negotiate)],
        default=built_in("compromise"),
    )
