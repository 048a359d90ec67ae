"""Strategies as data: the rule tables the compiled conversation loop reads.

A strategy (built in ``policies/``) gives the simulation a :class:`RuleProgram`: one or
more rule tables and, for an adaptive strategy, the conditions that pick a table on the
call's first reading of the customer. A rule is ``(move, at_most, condition)``; a
condition is a conjunction of :class:`Term` s over what the CSR perceives. The loop in
:mod:`sim.engine.conversation` interprets the tables; it has no notion of a strategy's
name, only of moves and perceived quantities.

Layout (all ``float64``, so one compiled signature serves every strategy):

* rule rows ``[move, at_most, kind_1, quantity_1, threshold_1, kind_2, ...]``, the
  tables stacked and padded to the same length; a row with ``move == -1`` ends a table.
* ``choices[c]`` = ``[table, kind_1, quantity_1, threshold_1, ...]``: the first choice
  whose condition holds picks its table; table 0 is the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Term kinds.
ALWAYS, ABOVE, BELOW, VALID, INVALID, TALKER, INSULTED = range(7)
#: Perceived quantities a term can compare, in the order of the loop's ``seen`` vector.
SEEN: tuple[str, ...] = ("anger", "vent", "respect", "info", "fix", "remedy")
#: Flags a term can test, by name.
FLAGS: dict[str, int] = {
    "always": ALWAYS,
    "valid": VALID,
    "invalid": INVALID,
    "talker": TALKER,
    "insulted": INSULTED,
}
TERM_WIDTH = 3
RULE_HEAD = 2
CHOICE_HEAD = 1


@dataclass(frozen=True)
class Term:
    """One test on the CSR's reading: a flag, or a perceived quantity against a threshold.

    Attributes:
        kind: ``ALWAYS``, ``ABOVE``, ``BELOW``, ``VALID``, ``INVALID``, ``TALKER`` or
            ``INSULTED``.
        quantity: Index into :data:`SEEN` (for ``ABOVE`` and ``BELOW``).
        threshold: The value compared against, on the quantity's 0..1 scale.
    """

    kind: int
    quantity: int = 0
    threshold: float = 0.0


@dataclass(frozen=True)
class TableRule:
    """Make ``move`` (a number of ``sim.catalogue.MOVES``) when every term holds, at most
    ``at_most`` times in a call."""

    move: int
    at_most: int
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True, eq=False)
class RuleProgram:
    """The arrays the compiled loop reads (see the module docstring for the layout).

    Attributes:
        rules: The rule tables stacked into one matrix, shape (tables x table_rows,
            2 + 3 x terms); table ``s`` starts at row ``s * table_rows``.
        table_rows: Rows per table, its end marker included.
        choices: Table choices, shape (choices, 1 + 3 x terms); may have no rows.
    """

    rules: np.ndarray
    table_rows: int
    choices: np.ndarray

    @classmethod
    def build(
        cls,
        tables: Sequence[Sequence[TableRule]],
        choices: Sequence[tuple[int, Sequence[Term]]] = (),
    ) -> RuleProgram:
        """Pack rule tables (table 0 the default) and the conditions choosing the others."""
        width = max(
            [1]
            + [len(rule.terms) for table in tables for rule in table]
            + [len(terms) for _, terms in choices]
        )
        rows = max(len(table) for table in tables) + 1  # room for the end marker
        packed = np.zeros((len(tables), rows, RULE_HEAD + TERM_WIDTH * width))
        packed[:, :, 0] = -1.0
        for s, table in enumerate(tables):
            for r, rule in enumerate(table):
                packed[s, r, :RULE_HEAD] = (rule.move, rule.at_most)
                _put_terms(packed[s, r, RULE_HEAD:], rule.terms)
        chosen = np.zeros((len(choices), CHOICE_HEAD + TERM_WIDTH * width))
        for c, (table, terms) in enumerate(choices):
            if not 0 < table < len(tables):
                raise ValueError(f"choice {c} names table {table} of {len(tables)}")
            chosen[c, 0] = table
            _put_terms(chosen[c, CHOICE_HEAD:], terms)
        return cls(packed.reshape(-1, packed.shape[2]), rows, chosen)


def _put_terms(row: np.ndarray, terms: Sequence[Term]) -> None:
    for k, term in enumerate(terms):
        row[TERM_WIDTH * k : TERM_WIDTH * (k + 1)] = (term.kind, term.quantity, term.threshold)
