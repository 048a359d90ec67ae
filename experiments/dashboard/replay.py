"""Call replay: the same caller, on the same random draws, under two strategies.

Trainers ask "what would negotiation have done with this caller?". A replay plays one
front-line call through :func:`sim.lab.play_calls` (the model's own opening and moves)
once per strategy, with the same seed, so that the two calls differ only by the moves
the strategies chose. Each call is shown move by move (anger, the four needs, the fix
left, talk time) and ends with what the contact would do to the customer's emotional
account if it ended there (no wait, no complaint: the lab plays no queue).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.catalogue import NATURES, PERSONAS, TEMPERAMENTS, temperament_table
from sim.lab import Caller, play_calls
from sim.memory import account_change, experience
from sim.parameters import Parameters
from sim.schema import CALL_TRACE

#: The name of step 0, before the first move.
OPENING = "(opening)"
#: Seeds of replayed calls stay below this (any value is valid; shown on the page).
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class PlayedCall:
    """One call of a replay.

    Attributes:
        policy: The policy (or preset) name as the user gave it.
        strategy: The strategy that played (the policy's strongest one).
        steps: One row per step: ``step`` (0: the opening), ``move`` (``OPENING`` at
            step 0), then the columns of :data:`sim.schema.CALL_TRACE`: anger, vent,
            respect, remedy, info, fix (0..1) and talk_s (s so far, without the call's
            overhead).
        talk_s: The call's talk time, s (with the overhead).
        resolved: Whether the issue was resolved.
        escalated: Whether the customer demanded (or was handed to) a supervisor.
        conceded: Concession granted, currency.
        account_change: Deposit (positive) or withdrawal (negative) on the emotional
            account, account units, had the contact ended with this call.
    """

    policy: str
    strategy: str
    steps: pd.DataFrame
    talk_s: float
    resolved: bool
    escalated: bool
    conceded: float
    account_change: float

    @property
    def moves(self) -> list[str]:
        """The moves' names in order."""
        return list(self.steps["move"][1:])


def strongest_strategy(policy: str):
    """The strategy a policy gives most of its CSRs (the first of equals), by name.

    Args:
        policy: A preset name or a policy TOML file.

    Raises:
        InputError: an unknown preset or a bad file (the CLI's one-line message).
    """
    from policies.policy import load_policy

    chosen = load_policy(policy)
    name = max(chosen.mix, key=lambda n: chosen.mix[n])
    return chosen.strategy(name)


def replay(
    policies: list[str], caller: Caller, seed: int, params: Parameters | None = None
) -> list[PlayedCall]:
    """Play one call of ``caller`` under each policy's strategy, on the same draws.

    Args:
        policies: Preset names or policy files.
        caller: Who calls, about what.
        seed: Seed of the call's random stream (the same for every policy).
        params: Model parameters (default: the defaults).
    """
    params = params or Parameters()
    strategies = [strongest_strategy(p) for p in policies]  # every input checked first
    grudge = temperament_table(params)[TEMPERAMENTS.index(caller.temperament)]["grudge"]
    played = []
    for policy, strategy in zip(policies, strategies, strict=True):
        row = play_calls(strategy, caller, params=params, n=1, seed=seed).iloc[0]
        steps = pd.DataFrame(row["steps"], columns=list(CALL_TRACE))
        steps.insert(0, "move", [OPENING, *row["moves"].split()])
        steps.insert(0, "step", range(len(steps)))
        asked = caller.nature == "failure" and caller.asked > 0
        value = experience(
            params,
            peak=row["peak_anger"],
            end=row["final_anger"],
            resolved=bool(row["resolved"]),
            remedy_share=1.0 - row["remedy"] if asked else None,
            courtesy=1.0 - row["respect"],
            wait_s=0.0,
            escalated=bool(row["escalated"]),
            prior_failures=0,
        )
        played.append(
            PlayedCall(
                policy=policy,
                strategy=strategy.name,
                steps=steps,
                talk_s=float(row["talk_s"]),
                resolved=bool(row["resolved"]),
                escalated=bool(row["escalated"]),
                conceded=float(row["conceded"]),
                account_change=float(
                    account_change(value, params["customers.loss_aversion"], grudge)
                ),
            )
        )
    return played


def new_caller(number: int) -> tuple[Caller, int]:
    """The ``number``-th caller of a session and the seed of their call.

    Every kind of caller is equally likely (a trainer wants variety, not the customer
    base's mix): temperament, persona, issue nature, a claim valid in 3 of 4 cases,
    opening anger 0.1..0.9, severity 0.2..1 and difficulty 0..0.6. The same number gives
    the same caller and seed.
    """
    rng = np.random.default_rng([number, 12])
    caller = Caller(
        temperament=str(rng.choice(TEMPERAMENTS)),
        persona=str(rng.choice(PERSONAS)),
        anger=round(float(rng.uniform(0.1, 0.9)), 2),
        nature=str(rng.choice(NATURES)),
        valid=bool(rng.random() < 0.75),
        severity=round(float(rng.uniform(0.2, 1.0)), 2),
        difficulty=round(float(rng.uniform(0.0, 0.6)), 2),
    )
    return caller, int(rng.integers(MAX_SEED))
