"""Experiments: reproducibility across workers and schedulers, CRN, resumption, statistics."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from experiments import runner
from experiments.options import make_tasks
from experiments.runner import Scenario, execute, policies_from_names, replications_frame
from experiments.statistics import mean_ci, paired_differences

TINY = {
    "scenario.days": 2,
    "scenario.customers": 3000,
    "scenario.first_contacts_per_day": 400.0,
    "operations.csrs": 6,
    "operations.supervisors": 1,
}


def tiny_tasks(policies=("avoid", "negotiate"), reps=2, seed=5):
    return make_tasks(policies_from_names(policies), Scenario(overrides=TINY), reps, seed)


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return replications_frame(execute(tiny_tasks(), jobs=1))


def test_two_local_workers_give_the_same_replications_bit_for_bit(serial):
    parallel = replications_frame(execute(tiny_tasks(), jobs=2))
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


def test_a_dask_local_cluster_gives_the_same_replications_bit_for_bit(serial):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            on_cluster = replications_frame(execute(tiny_tasks(), scheduler=client))
        # As a researcher would: by the scheduler's address (what --scheduler takes).
        by_address = replications_frame(execute(tiny_tasks(), scheduler=cluster.scheduler_address))
    pd.testing.assert_frame_equal(serial, on_cluster, check_exact=True)
    pd.testing.assert_frame_equal(serial, by_address, check_exact=True)


def test_replication_i_has_the_same_seed_for_every_policy():
    tasks = tiny_tasks(reps=3)
    seeds = {(t.policy.name, t.replication): t.seed for t in tasks}
    for r in range(3):
        assert seeds["avoid", r] == seeds["negotiate", r]
    assert len({seeds["avoid", r] for r in range(3)}) == 3


def test_two_identical_policies_give_zero_paired_difference():
    tasks = tiny_tasks(policies=("compromise", "compromise"))
    frame = replications_frame(execute(tasks))
    assert set(frame["policy"]) == {"compromise", "compromise#2"}
    diffs = paired_differences(frame, "compromise")
    assert (diffs["diff"].fillna(0) == 0).all()
    assert (diffs.loc[diffs["n"] > 1, "p_value"].dropna() == 1.0).all()


def test_an_interrupted_run_resumes_without_recomputing_finished_work(
    tmp_path, serial, monkeypatch
):
    tasks = tiny_tasks()
    # Finish half the tasks, as if the run had been interrupted after them.
    execute(tasks[:2], folder=tmp_path)
    finished = sorted(p.name for p in (tmp_path / "tasks").glob("*.json"))
    assert len(finished) == 2
    calls = []
    real = runner.run_task

    def counting(task):
        calls.append(task.task_id)
        return real(task)

    monkeypatch.setattr(runner, "run_task", counting)
    resumed = replications_frame(execute(tasks, folder=tmp_path))
    assert sorted(calls) == sorted(t.task_id for t in tasks[2:])
    pd.testing.assert_frame_equal(resumed, serial, check_exact=True)


def test_a_damaged_task_file_is_redone(tmp_path):
    tasks = tiny_tasks(policies=("avoid",), reps=1)
    execute(tasks, folder=tmp_path)
    (path,) = (tmp_path / "tasks").glob("*.json")
    path.write_text("{not json")
    again = execute(tasks, folder=tmp_path)
    assert json.loads(path.read_text())["task_id"] == again[0]["task_id"]


def test_mean_ci_uses_the_t_distribution():
    mean, low, high = mean_ci(np.array([1.0, 2.0, 3.0]))
    assert mean == 2.0
    # t(0.975, 2) = 4.303, sd = 1, n = 3: half-width 4.303 / sqrt(3).
    assert high - mean == pytest.approx(4.302652729911275 / np.sqrt(3))
    assert low == pytest.approx(2 * mean - high)


def test_a_worker_does_not_keep_the_models_it_has_run():
    """Workers run many replications: each model must be freed once its results are out
    (Mesa before 3.4 kept every model alive through Agent._ids, mesa issue #3179)."""
    import gc

    from sim.model import ContactCenter

    def alive() -> int:
        gc.collect()
        return sum(isinstance(o, ContactCenter) for o in gc.get_objects())

    before = alive()
    execute(tiny_tasks(reps=2))
    assert alive() == before


def _resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads Linux's /proc")
def test_a_worker_running_many_replications_keeps_its_memory_flat():
    """A sweep runs thousands of small replications per worker. Each leaves garbage
    (agents and model refer to each other) that Python's ordinary collection must reclaim
    as the worker goes: none may pile up, e.g. by being frozen out of the collector's view.

    Tolerance: one model of this size holds about 8 MB, so 50 retained models would add
    about 400 MB; allocator fragmentation and collection timing add a few tens of MB, hence
    the 150 MB bound after a warm-up (caches, compiled code) of 10 runs.
    """
    small = {
        "scenario.days": 1,
        "scenario.customers": 2000,
        "scenario.first_contacts_per_day": 200.0,
        "operations.supervisors": 1,
    }
    tasks = make_tasks(policies_from_names(("negotiate",)), Scenario(overrides=small), 60, 9)
    for task in tasks[:10]:
        runner.run_task(task)
    start = _resident_mb()
    for task in tasks[10:]:
        runner.run_task(task)
    assert _resident_mb() - start < 150
