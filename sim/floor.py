"""How the floor is run: what the simulation needs to know of a service policy.

``policies/`` builds a :class:`Floor` from a policy file; the simulation only reads it.
Strategies are opaque objects carrying rule tables (see
``sim.protocols.Strategy``): nothing here, or anywhere in ``sim/``, looks at a
strategy's name to decide an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.errors import InputError
from sim.protocols import Strategy

ROUTINGS = ("fifo", "value", "anger", "match")


@dataclass(frozen=True)
class Floor:
    """A service policy as the simulation sees it.

    Attributes:
        name: The policy's name (a label for the output).
        strategies: The strategy mix: ``(strategy, weight)`` pairs; CSRs are given
            strategies in proportion to the weights, deterministically by position.
        supervisor_strategy: The strategy of the second tier.
        routing: ``fifo``; ``value`` or ``anger`` (priority to the most valuable or the
            angriest caller); ``match`` (FIFO, but a caller is given the idle CSR whose
            skills best fit the customer's temperament and persona as the center's
            records know them).
        follow_up: Whether resolved issues get a follow-up contact (a small deposit).
        callback_wait_s: Offer a callback instead of waiting when the expected wait
            exceeds this (s); None: never.
        concession_authority: Overrides ``csr.concession_authority`` (currency), if set.
        training: Added to every mean CSR skill (0..1 scale), e.g. 0.1 after a course.
        csrs: Overrides the front-line head count, if set.
        schedule: A staffing schedule file, if set (overrides ``csrs``).
    """

    name: str
    strategies: tuple[tuple[Strategy, float], ...]
    supervisor_strategy: Strategy
    routing: str = "fifo"
    follow_up: bool = False
    callback_wait_s: float | None = None
    concession_authority: float | None = None
    training: float = 0.0
    csrs: int | None = None
    schedule: str | None = None

    def __post_init__(self) -> None:
        if self.routing not in ROUTINGS:
            raise InputError(f"unknown routing {self.routing!r}", field="routing", valid=ROUTINGS)
        if not self.strategies or any(w < 0 for _, w in self.strategies):
            raise InputError("needs at least one strategy with a weight >= 0", field="strategy")
        if sum(w for _, w in self.strategies) <= 0:
            raise InputError("strategy weights sum to 0", field="strategy")

    def assign(self, n: int) -> list[Strategy]:
        """Strategies of CSR positions ``0..n-1``: the mix apportioned by largest remainder.

        Deterministic and interleaved, so that the CSRs on duty at any head count hold
        roughly the policy's mix.
        """
        weights = [w for _, w in self.strategies]
        total = sum(weights)
        out: list[Strategy] = []
        given = [0] * len(weights)
        for k in range(n):
            # Give position k to the strategy furthest below its share of k + 1 positions.
            gaps = [(k + 1) * w / total - g for w, g in zip(weights, given, strict=True)]
            best = max(range(len(gaps)), key=lambda i: (gaps[i], -i))
            given[best] += 1
            out.append(self.strategies[best][0])
        return out
