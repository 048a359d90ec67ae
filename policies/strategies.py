"""The five conflict-handling strategies and the adaptive one, as policies over moves.

A strategy is an ordered list of rules ``(move, when, at_most)``: at each turn the CSR
makes the first move whose condition holds on what it perceives and that it has made
fewer than ``at_most`` times in the call. That is all a strategy is (DOMAIN.md section 5):
which moves, in which order, under which perceived conditions. Nothing else in ccsim
knows these names; retention, escalation and cost come from the moves meeting customers.

Conditions are a tiny fixed vocabulary, parsed (never evaluated as code):
``always``, ``anger>0.5``, ``anger<0.3``, ``vent>0.3``, ``respect>0.3``, ``info>0.3``,
``fix>0``, ``remedy>0.2``, ``valid``, ``invalid``, ``talker``, ``insulted``, joined by
``&``. Quantities are the CSR's reading of the customer (``Call.seen_*``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.conversation import TALKER, Call
from sim.errors import InputError
from sim.moves import CLOSE_MOVE, MOVE_INDEX, MOVES

Condition = Callable[[Call], bool]

_QUANTITIES = {
    "anger": "seen_anger",
    "vent": "seen_vent",
    "respect": "seen_respect",
    "info": "seen_info",
    "fix": "seen_fix",
    "remedy": "seen_remedy",
}
_FLAGS: dict[str, Condition] = {
    "always": lambda call: True,
    "valid": lambda call: call.seen_valid,
    "invalid": lambda call: not call.seen_valid,
    "talker": lambda call: call.seen_persona == TALKER,
    "insulted": lambda call: call.insulted,
}
_COMPARE = re.compile(r"^\s*([a-z]+)\s*([<>])\s*([0-9.]+)\s*$")
VOCABULARY = (*_FLAGS, *(f"{q}>x" for q in _QUANTITIES), *(f"{q}<x" for q in _QUANTITIES))


def parse_condition(text: str, *, source: str | None = None, line: int | None = None) -> Condition:
    """Compile a condition such as ``anger>0.6 & valid`` into a function of a call."""
    parts: list[Condition] = []
    for term in text.split("&"):
        term = term.strip()
        if term in _FLAGS:
            parts.append(_FLAGS[term])
            continue
        match = _COMPARE.match(term)
        if not match or match.group(1) not in _QUANTITIES:
            raise InputError(
                f"unknown condition {term!r}",
                source=source,
                line=line,
                field="when",
                valid=VOCABULARY,
            )
        get = operator.attrgetter(_QUANTITIES[match.group(1)])
        threshold = float(match.group(3))
        if match.group(2) == ">":
            parts.append(lambda call, g=get, x=threshold: g(call) > x)
        else:
            parts.append(lambda call, g=get, x=threshold: g(call) < x)
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda call: first(call) and second(call)
    return lambda call: all(p(call) for p in parts)


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
    """

    def __init__(self, name: str, rules: Sequence[Rule], source: str | None = None) -> None:
        self.name = name
        self.rules = tuple(rules)
        compiled = []
        for rule in self.rules:
            if rule.move not in MOVE_INDEX:
                raise InputError(
                    f"unknown move {rule.move!r}", source=source, field="move", valid=MOVES
                )
            if rule.at_most < 1:
                raise InputError("must be >= 1", source=source, field="at_most")
            when = parse_condition(rule.when, source=source)
            # "always" needs no call at all on the hot path.
            compiled.append(
                (
                    MOVE_INDEX[rule.move],
                    None if rule.when.strip() == "always" else when,
                    rule.at_most,
                )
            )
        self._compiled = tuple(compiled)

    def next_move(self, call: Call) -> int:
        """The first applicable move not yet used up; ``close`` when none is left."""
        used = call.used
        for move, when, at_most in self._compiled:
            if used[move] < at_most and (when is None or when(call)):
                return move
        return CLOSE_MOVE

    def __repr__(self) -> str:
        return f"RuleStrategy({self.name!r}, {len(self.rules)} rules)"


class AdaptiveStrategy:
    """Chooses one strategy per call from the first reading of the customer.

    Args:
        name: A label for output.
        choices: ``(condition, strategy)`` pairs tried in order on the opening reading.
        default: The strategy when no condition holds.
    """

    def __init__(
        self, name: str, choices: Sequence[tuple[str, RuleStrategy]], default: RuleStrategy
    ) -> None:
        self.name = name
        self.choices = tuple((parse_condition(c), s) for c, s in choices)
        self.default = default

    def next_move(self, call: Call) -> int:
        """Pick the call's strategy on the first move, then follow it."""
        chosen = call.strategy
        if chosen is None:
            chosen = self.default
            for when, strategy in self.choices:
                if when(call):
                    chosen = strategy
                    break
            call.strategy = chosen
        return chosen.next_move(call)


# The five strategies of DOMAIN.md section 5, as the moves they make.
BUILT_IN_RULES: dict[str, tuple[Rule, ...]] = {
    # Low concern for both: suppress, deflect, postpone, end the call.
    "avoid": (
        Rule("deflect"),
        Rule("postpone"),
        Rule("close"),
    ),
    # High cooperation, low assertiveness: yield and concede what is asked.
    "accommodate": (
        Rule("listen"),
        Rule("let_vent", "vent>0.4"),
        Rule("apology"),
        Rule("concede", "remedy>0.05"),
        Rule("solve", "fix>0.3", 2),
        Rule("explain_steps", "info>0.4"),
        Rule("close"),
    ),
    # Low cooperation, high assertiveness: policy, persuasion, limits.
    "compete": (
        Rule("listen"),
        Rule("insist_policy"),
        Rule("argue_facts", "invalid"),
        Rule("argue_facts", "anger>0.5"),
        Rule("solve", "fix>0.3", 3),
        Rule("explain_steps", "info>0.4"),
        Rule("set_limits", "anger>0.7"),
        Rule("close"),
    ),
    # Middle, middle: a bit of everything, split the difference.
    "compromise": (
        Rule("listen"),
        Rule("empathy", "anger>0.5"),
        Rule("split_difference", "remedy>0.05"),
        Rule("solve", "fix>0.3", 2),
        Rule("explain_steps", "info>0.4"),
        Rule("close"),
    ),
    # High, high: let them vent, acknowledge, find the real needs, alternatives, fix.
    "negotiate": (
        Rule("listen"),
        Rule("let_vent", "vent>0.3", 3),
        Rule("empathy", "anger>0.25"),
        Rule("apology", "anger>0.3"),
        Rule("manage_time", "talker"),
        Rule("closed_question", "anger>0.6"),
        Rule("find_agreement", "anger>0.5"),
        Rule("solve", "fix>0.3", 4),
        Rule("explain_steps", "info>0.3", 2),
        Rule("offer_alternatives", "remedy>0.2 & valid"),
        Rule("concede", "remedy>0.4 & valid"),
        Rule("explain_steps", "invalid & info>0.2"),
        Rule("assure_effort", "fix>0.3"),
        Rule("close"),
    ),
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
    """The built-in adaptive rule (DOMAIN.md section 5: a good CSR adapts).

    Negotiate with the angry, the arguers, the rude and anyone who sounds heated;
    compromise (quick, fair) with calm customers; negotiate's time management for talkers.
    """
    negotiate = built_in("negotiate")
    return AdaptiveStrategy(
        "adaptive",
        [("anger>0.45", negotiate), ("talker", negotiate), ("invalid", negotiate)],
        default=built_in("compromise"),
    )
