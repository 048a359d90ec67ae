"""Shared fixtures: experiments that several tests read, run once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.options import make_tasks
from experiments.runner import Scenario, breakdown_frame, execute, replications_frame
from policies.policy import load_policy

FIXED = ("avoid", "accommodate", "compete", "compromise", "negotiate")
#: Facts are checked on the default scenario (a planned roster, 90 days), with fresh seeds
#: of their own.
FACT_REPS = 3
FACT_SEED = 2026
#: Fixed head counts below the planned roster (about 20 at the peak): short, then far too
#: short.
SHORT, FAR_TOO_SHORT = 13, 9


@pytest.fixture(scope="session")
def fixed_strategies() -> dict[str, pd.DataFrame]:
    """The five fixed strategies, default parameters, 3 replications with CRN."""
    tasks = make_tasks([load_policy(n) for n in FIXED], Scenario(), FACT_REPS, FACT_SEED)
    results = execute(tasks, jobs=2)
    return {"reps": replications_frame(results), "breakdown": breakdown_frame(results)}


@pytest.fixture(scope="session")
def understaffed(fixed_strategies) -> pd.DataFrame:
    """negotiate and avoid on the planned roster and at two fixed head counts below it,
    3 replications with CRN (``csrs`` 0: the planned roster)."""
    at_default = fixed_strategies["reps"]
    frames = [at_default[at_default["policy"].isin(["negotiate", "avoid"])].assign(csrs=0)]
    for csrs in (SHORT, FAR_TOO_SHORT):
        tasks = make_tasks(
            [load_policy("negotiate"), load_policy("avoid")],
            Scenario(csrs=csrs),
            FACT_REPS,
            FACT_SEED,
        )
        frames.append(replications_frame(execute(tasks, jobs=2)).assign(csrs=csrs))
    return pd.concat(frames, ignore_index=True)
