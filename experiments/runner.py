"""Running replications: one task per (design point, policy, replication), anywhere.

A task is plain data and :func:`run_task` is a top-level function, so tasks run the same
in this process, in local worker processes (``--jobs N``) or on a Dask cluster
(``--scheduler ADDRESS``). Each task carries its own seed: replication ``i`` of every
policy gets the same seed (common random numbers), and the result does not depend on
where or in which order tasks run.

Every finished task is written atomically to ``<out>/tasks/<task_id>.json`` as soon as it
is done; rerunning with the same ``--out`` skips finished tasks (resumption).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from experiments.results import write_json
from policies.policy import Policy, load_policy
from sim.arrivals import profile_from_file
from sim.errors import InputError
from sim.parameters import Parameters
from sim.staffing import Staffing, read_schedule

if TYPE_CHECKING:
    from sim.model import ContactCenter, OperationsConfig, People


@dataclass(frozen=True)
class Scenario:
    """What every task of an experiment shares, besides policy and seed.

    Attributes:
        overrides: Parameter overrides (``--set``, ``--params``), by dotted key.
        arrivals: Interval-volume CSV of expected first contacts, if any.
        date: Date or range in ``arrivals``.
        csrs: Front-line head count overriding the policy's and the parameters'.
        schedule: Staffing schedule CSV overriding the head count.
        keep_contacts: Return per-contact records.
        trace_anger: Return anger traces of calls (for the anger-curve chart).
    """

    overrides: dict[str, Any] = field(default_factory=dict)
    arrivals: str | None = None
    date: str | None = None
    csrs: int | None = None
    schedule: str | None = None
    keep_contacts: bool = False
    trace_anger: bool = False


@dataclass(frozen=True)
class Task:
    """One replication of one policy at one design point.

    Attributes:
        policy: The policy (pure data).
        scenario: The shared scenario.
        seed: The replication's seed (the same for every policy: CRN).
        replication: Replication number, from 0.
        point: Design-point number (0 when there is no sweep).
        point_overrides: The design point's own parameter overrides.
    """

    policy: Policy
    scenario: Scenario
    seed: int
    replication: int
    point: int = 0
    point_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def task_id(self) -> str:
        """A stable identifier: the same task always has the same id."""
        blob = json.dumps(
            {
                "policy": self.policy.to_dict(),
                "scenario": asdict(self.scenario),
                "seed": self.seed,
                "replication": self.replication,
                "point": self.point,
                "point_overrides": self.point_overrides,
            },
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha1(blob.encode()).hexdigest()[:12]
        return f"p{self.point:04d}-{_slug(self.policy.name)}-r{self.replication:03d}-{digest}"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40]


def model_parts(task: Task) -> tuple[OperationsConfig, People]:
    """The operations layer and the people of a task's model."""
    from sim.model import People, people_operations

    sc = task.scenario
    params = Parameters({**sc.overrides, **task.point_overrides})
    floor = task.policy.floor()
    days = int(params["scenario.days"])
    profile = None
    if sc.arrivals:
        profile = profile_from_file(sc.arrivals, sc.date or "")
        days = max(1, math.ceil(profile.horizon_s / 86_400 - 1e-9))
    staffing = None
    schedule = sc.schedule or floor.schedule
    if schedule:
        staffing = read_schedule(schedule, days=days)
    elif sc.csrs or floor.csrs or "operations.csrs" in task.point_overrides:
        csrs = task.point_overrides.get("operations.csrs") or sc.csrs or floor.csrs
        staffing = Staffing.fixed(int(csrs))
    return people_operations(params, floor, profile, staffing), People(params, floor)


def build_model(task: Task) -> ContactCenter:
    """The model of a task (also used directly by tests and charts)."""
    from sim.model import ContactCenter

    operations, people = model_parts(task)
    return ContactCenter(
        operations,
        people,
        seed=task.seed,
        keep_contacts=task.scenario.keep_contacts,
        trace_anger=task.scenario.trace_anger,
    )


def run_task(task: Task) -> dict[str, Any]:
    """Run one task; returns its result as plain data (picklable, JSON-able).

    Returns:
        ``{"row": {...}, "breakdown": [...], "intervals": [...], "contacts": [...],
        "traces": [...]}``: the replication's flat metrics, its breakdown by temperament
        and persona (long format), its interval table, and optional records.
    """
    model = build_model(task).run()
    summary = model.summary()
    model.release()  # results are read below from what the model returned
    by_t = summary.pop("by_temperament")
    by_p = summary.pop("by_persona")
    summary.pop("repeats_note", None)
    ids = {
        "point": task.point,
        "policy": task.policy.name,
        "replication": task.replication,
        "seed": task.seed,
        **{f"param:{k}": v for k, v in task.point_overrides.items()},
    }
    breakdown = [
        {**ids, "group": group, "level": level, "metric": metric, "value": value}
        for group, table in (("temperament", by_t), ("persona", by_p))
        for level, metrics in table.items()
        for metric, value in metrics.items()
    ]
    intervals = model.interval_table(0).drop(columns=["label"]).assign(**ids)
    out: dict[str, Any] = {
        "task_id": task.task_id,
        "row": {**ids, **summary},
        "breakdown": breakdown,
        "intervals": intervals.to_dict(orient="list"),
    }
    out["accounts"] = model.accounts_frame().assign(**ids).to_dict(orient="list")
    if task.scenario.keep_contacts:
        out["contacts"] = model.contacts_frame().assign(**ids).to_dict(orient="list")
    if task.scenario.trace_anger:
        out["traces"] = [
            {**ids, "strategy": s, "temperament": t, "persona": p, "trace": tr}
            for s, t, p, tr in model.anger_traces
        ]
    return out


def _task_file(folder: Path, task: Task) -> Path:
    return folder / "tasks" / f"{task.task_id}.json"


def load_finished(folder: Path | None, tasks: Sequence[Task]) -> dict[str, dict]:
    """Results of tasks already finished in ``folder`` (for resumption)."""
    done: dict[str, dict] = {}
    if folder is None:
        return done
    for task in tasks:
        path = _task_file(folder, task)
        if path.is_file():
            try:
                done[task.task_id] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                path.unlink(missing_ok=True)  # a damaged file is simply redone
    return done


def execute(
    tasks: Sequence[Task],
    *,
    folder: Path | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Run ``tasks`` (skipping those finished in ``folder``); results in task order.

    Args:
        tasks: The tasks.
        folder: Results folder; each finished task is saved there at once.
        jobs: Local worker processes (1: in this process).
        scheduler: Address of a Dask distributed scheduler (``tcp://host:8786``), or a
            ``dask.distributed.Client`` / ``LocalCluster`` object; overrides ``jobs``.
        progress: Called with ``(finished, total)`` after each task.
    """
    done = load_finished(folder, tasks)
    todo = [t for t in tasks if t.task_id not in done]
    total = len(tasks)
    finished = len(done)
    if progress:
        progress(finished, total)

    def keep(result: dict) -> None:
        nonlocal finished
        done[result["task_id"]] = result
        if folder is not None:
            task = by_id[result["task_id"]]
            write_json(_task_file(folder, task), result)
        finished += 1
        if progress:
            progress(finished, total)

    by_id = {t.task_id: t for t in tasks}
    if todo:
        if scheduler is not None:
            _run_dask(todo, scheduler, keep)
        elif jobs > 1:
            _run_processes(todo, jobs, keep)
        else:
            for task in todo:
                keep(run_task(task))
    return [done[t.task_id] for t in tasks]


def _run_processes(tasks: Sequence[Task], jobs: int, keep: Callable[[dict], None]) -> None:
    # Fork would copy Rich's terminal state and any threads; spawn is clean everywhere.
    import multiprocessing

    context = multiprocessing.get_context("spawn" if sys.platform != "linux" else "forkserver")
    # Compile the engine here, once: the workers then load it from the cache instead of
    # each compiling it at the same time on the first run after an install.
    from sim.model import compile_engine

    compile_engine()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending = {pool.submit(run_task, t) for t in tasks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                keep(future.result())


def _run_dask(tasks: Sequence[Task], scheduler, keep: Callable[[dict], None]) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise InputError(
            "needs dask.distributed: pip install 'ccsim[distributed]'", field="--scheduler"
        ) from None
    own = isinstance(scheduler, str)
    try:
        client = (
            Client(scheduler, timeout="10s")
            if own
            else (scheduler if isinstance(scheduler, Client) else Client(scheduler))
        )
    except OSError as err:
        raise InputError(f"cannot reach the scheduler ({err})", field="--scheduler") from None
    try:
        # Small replications cost less than Dask's per-task overhead: send them in
        # batches, enough of them to keep every worker busy and to resume at a fine grain.
        workers = max(1, sum(client.nthreads().values()))
        size = max(1, min(20, len(tasks) // (8 * workers)))
        batches = [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]
        # Release each batch's result on the cluster as soon as it is saved here, so that
        # workers do not hold a whole sweep in memory.
        for future in as_completed(client.map(run_batch, batches, pure=False)):
            for result in future.result():
                keep(result)
            future.release()
    finally:
        if own or not isinstance(scheduler, Client):
            client.close()


def run_batch(tasks: Sequence[Task]) -> list[dict]:
    """Run several tasks in one go (one Dask future per batch)."""
    return [run_task(task) for task in tasks]


def replications_frame(results: Iterable[dict]) -> pd.DataFrame:
    """One row per (point, policy, replication) with every metric."""
    return pd.DataFrame([r["row"] for r in results])


def breakdown_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Long table of the breakdowns by temperament and persona."""
    return pd.DataFrame([row for r in results for row in r["breakdown"]])


def intervals_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Interval tables of every task, stacked."""
    frames = [pd.DataFrame(r["intervals"]) for r in results]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def contacts_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Per-contact records of every task that kept them, stacked."""
    frames = [pd.DataFrame(r["contacts"]) for r in results if "contacts" in r]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def accounts_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Daily account balances of the followed cohort, for every task."""
    frames = [pd.DataFrame(r["accounts"]) for r in results if "accounts" in r]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def traces_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Anger traces (one row per call, the trace as a list) of tasks that kept them."""
    return pd.DataFrame([t for r in results for t in r.get("traces", [])])


def policies_from_names(names: Sequence[str]) -> list[Policy]:
    """Load policies by preset name or path; duplicates keep distinct names."""
    out: list[Policy] = []
    seen: dict[str, int] = {}
    for name in names:
        policy = load_policy(name)
        if policy.name in seen:
            seen[policy.name] += 1
            from dataclasses import replace

            policy = replace(policy, name=f"{policy.name}#{seen[policy.name]}")
        else:
            seen[policy.name] = 1
        out.append(policy)
    return out
