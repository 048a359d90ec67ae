"""Results folders that cannot lie (issue 14): killed runs resume to the same tables, a
folder belongs to one run, input files are keyed by their contents, Ctrl-C says what it kept.

The kill tests run ``ccsim`` as a user would, in its own session, and kill the main
process with SIGKILL at three moments of one ``compare``: after it claimed its folder,
with some replications saved, and after every replication was saved while it writes the
tables and charts. Each rerun resumes; the last one's tables must equal those of a run
that was never interrupted, and nothing of a killed run may survive it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import runner
from experiments.folder import claim
from experiments.options import make_tasks
from experiments.runner import Scenario, Task, execute, replications_frame
from policies.policy import load_policy
from sim.errors import InputError

SMALL = [
    "--days",
    "2",
    "--set",
    "scenario.customers=3000",
    "--set",
    "scenario.first_contacts_per_day=400",
    "--csrs",
    "5",
]
COMPARE = ["compare", "avoid", "negotiate", "compete", "--reps", "4", "--quiet", *SMALL]
TABLES = (
    "replications.parquet",
    "breakdown.parquet",
    "intervals.parquet",
    "accounts.parquet",
    "traces.parquet",
)
CSVS = ("summary.csv", "differences.csv", "replications.csv")


def ccsim(*args: str, jobs: int = 2, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", *args, "--jobs", str(jobs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the run's processes share a session we can look for
        **popen,
    )


def session_members(sid: int) -> list[str]:
    """Live processes of a session (zombies are dead: they hold nothing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(stat.parent.name)
    return found


def wait_for(condition, timeout: float = 120.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


def saved(folder: Path) -> int:
    return len(list((folder / "tasks").glob("*.json"))) if (folder / "tasks").is_dir() else 0


def manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def kill_when(folder: Path, condition) -> None:
    """Start the compare into ``folder``, SIGKILL its main process when ``condition``
    holds, and check that every process of the run is gone soon after."""
    run = ccsim(*COMPARE, "--out", str(folder))
    try:
        assert wait_for(lambda: condition() or run.poll() is not None), "condition never met"
        assert run.poll() is None, f"the run finished before the moment: {run.stderr.read()}"
        run.kill()  # SIGKILL of the main process only, as `kill -9 PID` does
        run.wait()
    finally:
        if run.poll() is None:
            run.kill()
    # Workers watch the main process and follow it within a fraction of a second.
    assert wait_for(lambda: not session_members(run.pid), timeout=10), session_members(run.pid)
    assert manifest(folder).get("status") != "complete"


def in_process(*args: str):
    from typer.testing import CliRunner

    from experiments.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("whole") / "out"
    result = in_process(*COMPARE, "--out", str(folder), "--jobs", "1")
    assert result.exit_code == 0, result.output
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_killed_three_times_then_rerun_gives_the_tables_of_an_uninterrupted_run(
    tmp_path, uninterrupted
):
    folder = tmp_path / "out"
    total = 3 * 4
    # 1. The folder is claimed (marked incomplete), nothing saved yet.
    kill_when(folder, lambda: manifest(folder).get("status") == "incomplete" and not saved(folder))
    # 2. Some replications saved, not all.
    kill_when(folder, lambda: 0 < saved(folder) < total)
    assert 0 < saved(folder) < total
    # 3. Every replication saved; the tables and charts are being written.
    kill_when(folder, lambda: (folder / "replications.parquet").is_file())
    assert saved(folder) == total
    final = in_process(*COMPARE, "--out", str(folder), "--jobs", "1")
    assert final.exit_code == 0, final.output
    assert manifest(folder)["status"] == "complete"
    assert not list(folder.rglob(".ccsim-tmp-*")), "a killed run's temporary file survived"
    for name in TABLES:
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / name), pd.read_parquet(uninterrupted / name), check_exact=True
        )
    for name in CSVS:
        assert (folder / name).read_text() == (uninterrupted / name).read_text(), name
    assert len(list((folder / "charts").glob("*.png"))) == len(
        list((uninterrupted / "charts").glob("*.png"))
    )


def test_ctrl_c_stops_the_workers_and_says_what_was_kept_and_how_to_resume(tmp_path):
    folder = tmp_path / "out"
    run = ccsim(*COMPARE[:5], "30", *COMPARE[6:], "--out", str(folder))
    assert wait_for(lambda: saved(folder) > 0 or run.poll() is not None)
    os.killpg(run.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to the whole group
    out, err = run.communicate(timeout=30)
    assert run.returncode == 130, err
    (line,) = err.strip().splitlines()
    assert "replications are kept in" in line and f"--out {folder}" in line
    kept = int(line.split("interrupted: ")[1].split(" of ")[0])
    assert kept == saved(folder) and kept < 90
    assert wait_for(lambda: not session_members(run.pid), timeout=10)


def volumes(path: Path, calls: int) -> None:
    rows = "".join(f"1999-01-01,{h:02d}:00,{calls}\n" for h in range(8, 20))
    path.write_text("date,interval_start,calls\n" + rows)


def test_an_input_file_is_known_by_its_contents_not_its_name(tmp_path):
    path = tmp_path / "volumes.csv"
    volumes(path, 10)
    from experiments.options import scenario_from_options

    def task() -> Task:
        scenario = scenario_from_options(
            days=None,
            csrs=5,
            arrivals=path,
            date="1999-01-01",
            schedule=None,
            set_=["scenario.customers=2000"],
            params_file=None,
        )
        return make_tasks([load_policy("avoid")], scenario, 2, 1)[0]

    before = task()
    volumes(path, 100)
    after = task()
    assert before.task_id != after.task_id
    # A file that changes after the run was planned is refused where it is read.
    with pytest.raises(InputError, match="changed while ccsim was running"):
        runner.build_model(before)


def test_rerunning_into_a_folder_after_editing_an_input_never_returns_old_results(tmp_path):
    path, folder = tmp_path / "volumes.csv", tmp_path / "out"
    args = ["compare", "avoid", "--reps", "2", "--jobs", "1", "--no-charts", "--quiet"]
    args += ["--arrivals", str(path), "--date", "1999-01-01", *SMALL[2:], "--out", str(folder)]
    volumes(path, 10)
    first = in_process(*args)
    assert first.exit_code == 0, first.output
    offered = pd.read_parquet(folder / "replications.parquet")["offered"].mean()
    volumes(path, 100)
    again = in_process(*args)
    assert again.exit_code == 2 and "holds the results of another run" in again.stderr
    # The folder still tells the truth about the run it holds.
    assert pd.read_parquet(folder / "replications.parquet")["offered"].mean() == offered
    assert manifest(folder)["status"] == "complete"
    elsewhere = in_process(*args[:-1], str(tmp_path / "new"))
    assert elsewhere.exit_code == 0, elsewhere.output
    fresh = pd.read_parquet(tmp_path / "new" / "replications.parquet")["offered"].mean()
    assert fresh > 5 * offered  # ten times the calls (repeats on top of both)


def test_a_folder_belongs_to_one_command_line(tmp_path):
    identity = {"policies": ["avoid"], "seed": 11}
    held = claim("compare", tmp_path / "out", identity)
    held.finish({"command": "compare", "seed": 11})
    for command, other in (
        ("compare", {**identity, "seed": 12}),  # another seed
        ("sweep", identity),  # another command
    ):
        with pytest.raises(InputError, match="holds the results of another run"):
            claim(command, tmp_path / "out", other)
    assert manifest(tmp_path / "out") == {
        "command": "compare",
        "seed": 11,
        "run_key": held.key,
        "status": "complete",
    }
    # The same run may come back (to resume); a second process may not join it.
    again = claim("compare", tmp_path / "out", identity)
    assert manifest(tmp_path / "out")["status"] == "incomplete"
    with pytest.raises(InputError, match="another ccsim run is writing"):
        claim("compare", tmp_path / "out", identity)
    again.release()


def test_automatic_folders_started_in_the_same_second_are_distinct(tmp_path):
    first = claim("compare", None, {"seed": 1}, root=tmp_path)
    second = claim("compare", None, {"seed": 1}, root=tmp_path)
    assert first.path != second.path and first.path.is_dir() and second.path.is_dir()


def test_a_metric_missing_in_every_replication_stays_a_number_after_a_resume(tmp_path, monkeypatch):
    tasks = make_tasks([load_policy("avoid")], Scenario(), 3, 1)

    def fake(task: Task) -> dict:
        row = {"point": 0, "policy": "avoid", "replication": task.replication, "seed": task.seed}
        row.update({"retention_rate": 0.9 + task.replication / 100, "callbacks_rate": float("nan")})
        return {"task_id": task.task_id, "row": row, "breakdown": [], "intervals": {}}

    monkeypatch.setattr(runner, "run_task", fake)
    whole = replications_frame(execute(tasks))
    execute(tasks[:2], folder=tmp_path)  # interrupted after two
    resumed = replications_frame(execute(tasks, folder=tmp_path))
    assert resumed["callbacks_rate"].dtype == float
    pd.testing.assert_frame_equal(resumed, whole, check_exact=True)
    from experiments.statistics import summary_table

    assert len(summary_table(resumed)) == len(summary_table(whole)) == 2


def test_a_dask_scheduler_without_workers_is_reported_not_waited_on(monkeypatch):
    distributed = pytest.importorskip("dask.distributed")
    from experiments import workers

    monkeypatch.setattr(workers, "DASK_WORKER_WAIT_S", 1.0)
    tasks = make_tasks([load_policy("avoid")], Scenario(), 2, 1)
    with (
        distributed.LocalCluster(n_workers=0, dashboard_address=None) as cluster,
        pytest.raises(InputError, match="has no workers"),
    ):
        execute(tasks, scheduler=cluster.scheduler_address)
