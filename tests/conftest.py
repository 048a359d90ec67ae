"""Shared fixtures: experiments that several tests read, run once per session."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.options import make_tasks
from experiments.runner import Scenario, breakdown_frame, execute, replications_frame
from policies.policy import load_policy

FIXED = ("avoid", "accommodate", "compete", "compromise", "negotiate")
#: Facts are checked on the default parameters over 10 days instead of the default 30 to
#: keep CI short.
FACT_DAYS = 10
FACT_REPS = 3
FACT_SEED = 2026


@pytest.fixture(scope="session")
def fixed_strategies() -> dict[str, pd.DataFrame]:
    """The five fixed strategies, default parameters, 3 replications with CRN."""
    scenario = Scenario(overrides={"scenario.days": FACT_DAYS})
    tasks = make_tasks([load_policy(n) for n in FIXED], scenario, FACT_REPS, FACT_SEED)
    results = execute(tasks, jobs=2)
    return {"reps": replications_frame(results), "breakdown": breakdown_frame(results)}


@pytest.fixture(scope="session")
def understaffed(fixed_strategies) -> pd.DataFrame:
    """negotiate and avoid at 6, 14 and 50 (the default) CSRs, 3 replications with CRN."""
    at_default = fixed_strategies["reps"]
    frames = [at_default[at_default["policy"].isin(["negotiate", "avoid"])].assign(csrs=50)]
    for csrs in (6, 14):
        scenario = Scenario(overrides={"scenario.days": FACT_DAYS}, csrs=csrs)
        tasks = make_tasks(
            [load_policy("negotiate"), load_policy("avoid")], scenario, FACT_REPS, FACT_SEED
        )
        frames.append(replications_frame(execute(tasks, jobs=2)).assign(csrs=csrs))
    return pd.concat(frames, ignore_index=True)
