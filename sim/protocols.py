"""What ``policies/`` implements for the simulation.

A strategy is only a rule program: the tables of rules over moves that the compiled
conversation loop interprets (:class:`sim.rule_program.RuleProgram`). The simulation
reads ``program`` and, for output, ``name``; it never decides anything by the name.
"""

from __future__ import annotations

from typing import Protocol

from sim.rule_program import RuleProgram


class Strategy(Protocol):
    """How a CSR handles a call: rules that pick the next move from what it perceives.

    Attributes:
        name: A label for output.
        program: The rule tables the conversation loop reads.
    """

    name: str
    program: RuleProgram
