"""Running replications: one task per (design point, policy, replication), anywhere.

A task is plain data and :func:`run_task` is a top-level function, so tasks run the same
in this process, in local worker processes (``--jobs N``) or on a Dask cluster
(``--scheduler ADDRESS``). Each task carries its own seed: replication ``i`` of every
policy gets the same seed (common random numbers), and the result does not depend on
where or in which order tasks run.

Every finished task is written atomically to ``<out>/tasks/<task_id>.json`` as soon as it
is done; rerunning with the same ``--out`` skips finished tasks (resumption). A task's id
hashes everything its result depends on, the *contents* of its input files included (their
SHA-256, checked again when a worker reads them), so an edited file is never answered with
the results of its previous contents.

Local workers watch the main process and exit when it is gone (``kill -9`` included);
Ctrl-C stops the workers at once and reports what was kept (:mod:`experiments.workers`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from experiments import workers
from experiments.results import Interrupted, RunError, clean, write_text
from experiments.workers import check_scheduler, worker_pool  # noqa: F401  (this module's API)
from policies.policy import Policy, load_policy
from sim.arrivals import SECONDS_PER_DAY, parse_date_range, profile_from_file
from sim.parameters import Parameters
from sim.staffing import Staffing, read_schedule

if TYPE_CHECKING:  # pragma: no cover - typing only
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
        keep_tables: Return each replication's interval table and account trajectories;
            commands over a design (sensitivity, frontier) read only the metrics and set
            it False: a 30-day task's file shrinks from about 0.8 MB to 30 kB.
        arrivals_sha256: SHA-256 of the ``arrivals`` file's bytes when the run was planned.
        schedule_sha256: SHA-256 of the ``schedule`` file's bytes when the run was planned.
    """

    overrides: dict[str, Any] = field(default_factory=dict)
    arrivals: str | None = None
    date: str | None = None
    csrs: int | None = None
    schedule: str | None = None
    keep_contacts: bool = False
    trace_anger: bool = False
    keep_tables: bool = True
    arrivals_sha256: str | None = None
    schedule_sha256: str | None = None


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
        profile = profile_from_file(sc.arrivals, sc.date or "", sha256=sc.arrivals_sha256)
        days = max(1, math.ceil(profile.horizon_s / 86_400 - 1e-9))
    staffing = None
    if sc.schedule:
        staffing = read_schedule(sc.schedule, days=days, sha256=sc.schedule_sha256)
    elif floor.schedule:
        staffing = read_schedule(floor.schedule, days=days, sha256=task.policy.schedule_sha256)
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
        ``{"row": {...}, "breakdown": [...], "intervals": [...], "accounts": [...],
        "contacts": [...], "traces": [...]}``: the replication's flat metrics, its
        breakdown by temperament and persona (long format), its interval table and the
        followed cohort's accounts (unless the scenario does not keep tables), and
        optional records.
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
    out: dict[str, Any] = {
        "task_id": task.task_id,
        "row": {**ids, **summary},
        "breakdown": breakdown,
    }
    if task.scenario.keep_tables:
        intervals = with_clock(model.interval_table(0).drop(columns=["label"]), task.scenario)
        out["intervals"] = intervals.assign(**ids).to_dict(orient="list")
        out["accounts"] = model.accounts_frame().assign(**ids).to_dict(orient="list")
    if task.scenario.keep_contacts:
        out["contacts"] = model.contacts_frame().assign(**ids).to_dict(orient="list")
    if task.scenario.trace_anger:
        out["traces"] = [
            {**ids, "strategy": s, "temperament": t, "persona": p, "trace": tr}
            for s, t, p, tr in model.anger_traces
        ]
    return out


def with_clock(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """An interval table with the day (from 1), calendar date and time of each start.

    The date is the one of ``--arrivals`` (first date plus the day); runs on the default
    weekday profile have no calendar, and their ``date`` is empty.
    """
    start = table["start_s"].to_numpy(dtype=float)
    day = (start // SECONDS_PER_DAY).astype(int)
    second = (start - day * SECONDS_PER_DAY).round().astype(int)
    first = parse_date_range(scenario.date)[0] if scenario.arrivals and scenario.date else None
    columns = {
        "day": day + 1,
        "date": [
            None if first is None else (first + dt.timedelta(days=int(d))).isoformat() for d in day
        ],
        "time": [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in second],
    }
    out = table.copy()
    for position, (name, values) in enumerate(columns.items(), start=1):
        out.insert(position, name, values)
    return out


def task_path(folder: Path, task: Task) -> Path:
    """Where a task's result is saved in a results folder."""
    return folder / "tasks" / f"{task.task_id}.json"


def _dump(result: dict) -> str:
    """A task result as the text of its file (NaN kept: only ccsim reads it back)."""
    return json.dumps(clean(result, keep_nan=True), separators=(",", ":"))


def load_finished(folder: Path | None, tasks: Sequence[Task]) -> dict[str, dict]:
    """Results of tasks already finished in ``folder`` (for resumption)."""
    done: dict[str, dict] = {}
    if folder is None:
        return done
    for task in tasks:
        path = task_path(folder, task)
        if path.is_file():
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                result = None
            if isinstance(result, dict) and result.get("task_id") == task.task_id:
                done[task.task_id] = result
            else:
                path.unlink(missing_ok=True)  # a damaged file is simply redone
    return done


def execute(
    tasks: Sequence[Task],
    *,
    folder: Path | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[dict]:
    """Run ``tasks`` (skipping those finished in ``folder``); results in task order.

    Results come back exactly as a resumed run would read them from ``folder`` (each goes
    through the text of its task file), so a run that was interrupted and resumed gives the
    same tables as one that was not, missing values included.

    Args:
        tasks: The tasks.
        folder: Results folder; each finished task is saved there at once.
        jobs: Local worker processes (1: in this process).
        scheduler: Address of a Dask distributed scheduler (``tcp://host:8786``), or a
            ``dask.distributed.Client`` / ``LocalCluster`` object; overrides ``jobs``.
        progress: Called with ``(finished, total)`` after each task.
        pool: A process pool to run on (see :class:`experiments.workers.worker_pool`),
            reused across calls.

    Raises:
        Interrupted: on Ctrl-C, saying how much was kept and where.
        RunError: when a finished task cannot be saved (a full disk).
    """
    done = load_finished(folder, tasks)
    todo = [t for t in tasks if t.task_id not in done]
    total = len(tasks)
    finished = len(done)
    if progress:
        progress(finished, total)
    by_id = {t.task_id: t for t in tasks}

    def keep(result: dict) -> None:
        nonlocal finished
        text = _dump(result)
        if folder is not None:
            path = task_path(folder, by_id[result["task_id"]])
            try:
                write_text(path, text)
            except OSError as err:
                raise RunError(
                    f"cannot save {path} ({err.strerror or err}); {finished} of {total} "
                    f"replications are kept in {folder}"
                ) from None
        done[result["task_id"]] = json.loads(text)
        finished += 1
        if progress:
            progress(finished, total)

    try:
        if todo:
            if scheduler is not None:
                workers.run_dask(todo, scheduler, keep, run_batch)
            elif pool is not None:
                workers.run_on(pool, todo, keep, run_task)
            elif jobs > 1:
                with worker_pool(min(jobs, len(todo))) as own:
                    workers.run_on(own, todo, keep, run_task)
            else:
                for task in todo:
                    keep(run_task(task))
    except KeyboardInterrupt:
        # Ctrl-C may land between a task file's rename into place and the count: what is
        # kept is what is on disk (each file is whole, being written atomically).
        if folder is not None:
            finished = sum(task_path(folder, t).is_file() for t in tasks)
        raise Interrupted(finished, total, folder) from None
    except BrokenProcessPool:
        raise RunError(
            f"a worker process died (out of memory, or killed); {finished} of {total} "
            "replications are kept"
            + (
                f" in {folder}; rerun the same command with --out {folder} to finish"
                if folder
                else ""
            )
        ) from None
    return [done[t.task_id] for t in tasks]


def run_batch(tasks: Sequence[Task]) -> list[dict]:
    """Run several tasks in one go (one Dask future per batch)."""
    return [run_task(task) for task in tasks]


def replications_frame(results: Iterable[dict]) -> pd.DataFrame:
    """One row per (point, policy, replication) with every metric.

    A metric missing in every replication (None in a task's file) stays a number column
    (NaN), as it is in a run that was never interrupted.
    """
    frame = pd.DataFrame([r["row"] for r in results])
    for column in frame.columns:
        if frame[column].dtype == object and frame[column].isna().all():
            frame[column] = frame[column].astype(float)
    return frame


def breakdown_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Long table of the breakdowns by temperament and persona."""
    return pd.DataFrame([row for r in results for row in r["breakdown"]])


def intervals_frame(results: Iterable[dict]) -> pd.DataFrame:
    """Interval tables of every task, stacked."""
    frames = [pd.DataFrame(r["intervals"]) for r in results if "intervals" in r]
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
