"""The common work of a command that simulates: a validated scenario, its tasks, one
progress bar and pool for all of them, and a results folder written to the end.

Imported at start-up by every command (through :mod:`experiments.options`), so it
imports the simulation, pandas and Rich's progress bar only inside its functions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from experiments.runner import Scenario, Task
    from policies.policy import Policy


def scenario_from_options(
    *,
    days: int | None,
    csrs: int | None,
    arrivals: Path | None,
    date: str | None,
    schedule: Path | None,
    set_: list[str] | None,
    params_file: Path | None,
    keep_contacts: bool = False,
    trace_anger: bool = False,
    keep_tables: bool = True,
) -> Scenario:
    """Validate the shared options into a :class:`Scenario` (errors name the option).

    Input files are read and checked here, once, and their SHA-256 recorded: the tasks
    (and their resume keys) carry what was in the files, and workers refuse a file whose
    contents changed since.
    """
    from experiments.runner import Scenario
    from sim.arrivals import profile_from_file
    from sim.errors import InputError
    from sim.parameters import Parameters, parse_set, read_params_file
    from sim.staffing import read_schedule

    overrides: dict[str, Any] = read_params_file(params_file) if params_file else {}
    overrides.update(parse_set(set_))
    if days is not None:
        overrides["scenario.days"] = days
    Parameters(overrides)  # validates every value once, here
    arrivals_sha = schedule_sha = None
    if arrivals is not None:
        if date is None:
            raise InputError(
                "--arrivals needs --date", field="--date", valid="YYYY-MM-DD[:YYYY-MM-DD]"
            )
        arrivals_sha = profile_from_file(arrivals, date).sha256
    elif date is not None:
        raise InputError("--date needs --arrivals FILE", field="--date")
    if schedule is not None:
        schedule_sha = read_schedule(schedule).sha256
    return Scenario(
        overrides=overrides,
        arrivals=str(arrivals) if arrivals else None,
        date=date,
        csrs=csrs,
        schedule=str(schedule) if schedule else None,
        keep_contacts=keep_contacts,
        trace_anger=trace_anger,
        keep_tables=keep_tables,
        arrivals_sha256=arrivals_sha,
        schedule_sha256=schedule_sha,
    )


def make_tasks(
    policies: Sequence[Policy],
    scenario: Scenario,
    reps: int,
    seed: int,
    points: Sequence[dict[str, Any]] = ({},),
) -> list[Task]:
    """Every (point, policy, replication); replication i has the same seed everywhere."""
    from experiments.runner import Task
    from sim.streams import replication_seeds

    seeds = replication_seeds(seed, reps)
    return [
        Task(policy, scenario, seeds[r], r, point=i, point_overrides=dict(over))
        for i, over in enumerate(points)
        for policy in policies
        for r in range(reps)
    ]


class Session:
    """One progress bar and one pool of workers for every batch of tasks a command runs.

    ``ccsim staff`` runs a batch per head count it tries; they share the bar and the
    workers (started once, when there is first something to run).

    Args:
        folder: Results folder (finished tasks are saved there and reused).
        jobs: Local worker processes.
        scheduler: Dask scheduler address, or None.
        quiet: No progress bar.
        label: The bar's first description.
        total: Tasks expected over the session (the bar's length; may grow).
    """

    def __init__(
        self,
        *,
        folder: Path | None,
        jobs: int,
        scheduler: str | None,
        quiet: bool,
        label: str,
        total: int = 0,
    ) -> None:
        self.folder, self.jobs, self.scheduler = folder, jobs, scheduler
        self.label, self.total, self.done_before = label, total, 0
        self.show = not quiet and sys.stderr.isatty()
        self._pool = None
        self._executor = None
        self._bar = None
        self._handle = None

    def __enter__(self) -> Session:
        if self.show:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.__enter__()
            self._handle = self._bar.add_task(self.label, total=self.total or None)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if self._pool is not None:
                self._pool.__exit__(kind, value, traceback)
        finally:
            if self._bar is not None:
                self._bar.__exit__(kind, value, traceback)

    def run(self, tasks: Sequence[Task], label: str | None = None) -> list[dict]:
        """Run a batch of tasks (resuming from the folder); results in task order."""
        from experiments import runner

        if self._bar is not None and label:
            self._bar.update(self._handle, description=label)
        before = self.done_before
        self.total = max(self.total, before + len(tasks))

        def progress(done: int, total: int) -> None:
            if self._bar is not None:
                self._bar.update(self._handle, completed=before + done, total=self.total)

        # Workers start only when something is left to run (a finished run resumes
        # without them).
        left = self.folder is None or not all(
            runner.task_path(self.folder, t).is_file() for t in tasks
        )
        pool = None
        if self.scheduler is None and self.jobs > 1 and left:
            if self._pool is None:
                self._pool = runner.worker_pool(self.jobs)
                self._executor = self._pool.__enter__()
            pool = self._executor
        results = runner.execute(
            tasks,
            folder=self.folder,
            jobs=1 if pool is None else self.jobs,
            scheduler=self.scheduler,
            progress=progress,
            pool=pool,
        )
        self.done_before = before + len(tasks)
        return results


def run_with_progress(
    tasks: Sequence[Task],
    *,
    folder: Path | None,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    label: str,
) -> list[dict]:
    """Run tasks with a Rich progress bar (on a terminal, unless quiet)."""
    with Session(
        folder=folder, jobs=jobs, scheduler=scheduler, quiet=quiet, label=label, total=len(tasks)
    ) as session:
        return session.run(tasks)


def write_results(
    folder: Path,
    results: list[dict],
) -> dict[str, pd.DataFrame]:
    """Write the tables of an experiment; returns the frames by name."""
    from experiments import runner
    from experiments.results import write_table

    reps_frame = runner.replications_frame(results)
    frames = {
        "replications": reps_frame,
        "breakdown": runner.breakdown_frame(results),
        "intervals": runner.intervals_frame(results),
    }
    write_table(folder / "replications.parquet", reps_frame)
    write_table(folder / "replications.csv", reps_frame)
    write_table(folder / "breakdown.parquet", frames["breakdown"])
    write_table(folder / "intervals.parquet", frames["intervals"])
    for name, build in (
        ("contacts", runner.contacts_frame),
        ("accounts", runner.accounts_frame),
        ("traces", runner.traces_frame),
    ):
        frame = build(results)
        if not frame.empty:
            write_table(folder / f"{name}.parquet", frame)
            frames[name] = frame
    return frames


def identity(
    policies: Sequence[Policy], scenario: Scenario, seed: int, **design: Any
) -> dict[str, Any]:
    """What defines a run's results: two runs share a folder only when these are equal."""
    from dataclasses import asdict

    return {
        "policies": [p.to_dict() for p in policies],
        "scenario": asdict(scenario),
        "seed": seed,
        **design,
    }


def experiment_manifest(
    command: str,
    tasks: Sequence[Task],
    policies: Sequence[Policy],
    scenario: Scenario,
    seed: int,
    reps: int,
    extra: dict | None = None,
) -> dict[str, Any]:
    """The manifest of an experiment's results folder."""
    from experiments.results import manifest
    from sim.parameters import Parameters

    return manifest(
        command,
        Parameters(scenario.overrides).to_dict(),
        scenario={k: v for k, v in scenario.__dict__.items() if k != "overrides"},
        overrides=scenario.overrides,
        policies=[p.to_dict() for p in policies],
        seed=seed,
        replications=reps,
        replication_seeds=sorted({t.seed for t in tasks}),
        tasks=len(tasks),
        **(extra or {}),
    )


def run_experiment(
    command: str,
    policies: Sequence[Policy],
    scenario: Scenario,
    *,
    reps: int,
    seed: int,
    out: Path | None,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    label: str,
    points: Sequence[dict[str, Any]] = ({},),
    extra: dict | None = None,
    force: bool = False,
    then: Callable[[Path, dict[str, Any]], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Check the size, claim the folder, run the tasks (resuming), write the folder.

    Args:
        then: Called with the folder and the frames after the tables are written and
            before the folder is marked complete (summaries, charts).

    Returns:
        The results folder and the frames written (see :func:`write_results`).
    """
    from experiments import folder as folders
    from experiments import guard

    plan = guard.check(
        guard.workload(policies, scenario, reps=reps, points=len(points)),
        jobs=jobs,
        force=force,
        quiet=quiet,
    )
    tasks = make_tasks(policies, scenario, reps, seed, points)
    held = folders.claim(
        command, out, identity(policies, scenario, seed, points=list(points), **design_of(extra))
    )
    guard.check_disk(plan, held.path, force=force)
    try:
        with Session(
            folder=held.path,
            jobs=jobs,
            scheduler=scheduler,
            quiet=quiet,
            label=label,
            total=len(tasks),
        ) as session:
            results = session.run(tasks)
        frames = write_results(held.path, results)
        if then is not None:
            then(held.path, frames)
        held.finish(experiment_manifest(command, tasks, policies, scenario, seed, reps, extra))
    except KeyboardInterrupt:  # after the replications: every one of them is kept
        from experiments.results import Interrupted

        raise Interrupted(len(tasks), len(tasks), held.path) from None
    return held.path, frames


def design_of(extra: dict | None) -> dict[str, Any]:
    """The parts of a command's extra manifest entries that define its results."""
    keys = ("design", "samples", "params")
    return {k: v for k, v in (extra or {}).items() if k in keys}
