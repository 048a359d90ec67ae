"""Options shared by the commands, and the common work of running tasks into a folder.

This module is imported by every command at start-up, so it imports only Typer and the
standard library at module level: the simulation, pandas and SciPy are imported inside
the functions that run something (``ccsim --help`` stays instant).

Numbers typed on the command line are read by :func:`number`, which refuses what is not
finite or out of its bounds in one line naming the option as typed; the bounds are the
ones the help text shows.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from experiments.runner import Scenario, Task
    from policies.policy import Policy


def _g(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def bounds_text(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    whole: bool = False,
) -> str:
    """The valid values in words, e.g. ``a number > 0 and <= 86,400``."""
    parts = [
        f"{op} {_g(v)}" for op, v in ((">", gt), (">=", ge), ("<", lt), ("<=", le)) if v is not None
    ]
    kind = "a whole number" if whole else "a number"
    return f"{kind} {' and '.join(parts)}".strip()


def number(
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    whole: bool = False,
) -> Callable[[Any], float | int]:
    """A Typer parser for a finite number within bounds (NaN and infinities refused)."""
    valid = bounds_text(gt=gt, ge=ge, lt=lt, le=le, whole=whole)

    def parse(raw: Any) -> float | int:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            value = raw
        else:
            text = str(raw).strip().replace("_", "")
            try:
                value = int(text) if whole else float(text)
            except ValueError:
                raise typer.BadParameter(
                    f"cannot read {str(raw)[:40]!r} (valid: {valid})"
                ) from None
        if not math.isfinite(value) or (
            (gt is not None and not value > gt)
            or (ge is not None and not value >= ge)
            or (lt is not None and not value < lt)
            or (le is not None and not value <= le)
        ):
            raise typer.BadParameter(f"{str(raw)[:40]} is out of range (valid: {valid})")
        return value

    return parse


def number_option(
    help: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    whole: bool = False,
    metavar: str | None = None,
    name: str | None = None,
) -> Any:
    """A ``typer.Option`` for a bounded number; its help ends with the valid range."""
    text = bounds_text(gt=gt, ge=ge, lt=lt, le=le, whole=whole)
    return typer.Option(
        *((name,) if name else ()),
        parser=number(gt=gt, ge=ge, lt=lt, le=le, whole=whole),
        metavar=metavar or ("INT" if whole else "NUMBER"),
        help=f"{help} [{text.removeprefix('a whole number ').removeprefix('a number ')}]",
    )


def path_text(raw: Any) -> Path:
    """A Typer parser for a path: an empty one is refused (it would mean here)."""
    text = str(raw)
    if not text.strip():
        raise typer.BadParameter("is empty (valid: a path)")
    return Path(text)


def path_option(help: str, *, metavar: str = "PATH", name: str | None = None) -> Any:
    """A ``typer.Option`` for a path (empty refused)."""
    return typer.Option(*((name,) if name else ()), parser=path_text, metavar=metavar, help=help)


#: Longest run, days (a century): longer horizons are not a contact-center question.
MAX_DAYS = 36_500
Days = Annotated[
    int | None,
    number_option("Days to simulate (default: scenario.days).", ge=1, le=MAX_DAYS, whole=True),
]
Reps = Annotated[
    int,
    number_option("Replications per policy (common random numbers).", ge=2, le=100_000, whole=True),
]
Seed = Annotated[
    int,
    number_option("Master seed; replication seeds derive from it.", ge=0, le=2**63 - 1, whole=True),
]
Csrs = Annotated[
    int | None, number_option("Front-line head count (overrides policies).", ge=1, whole=True)
]
Arrivals = Annotated[
    Path | None,
    path_option(
        "Interval-volume CSV (date,interval_start,calls) of expected first contacts.",
        metavar="FILE",
    ),
]
Date = Annotated[
    str | None, typer.Option(help="Date or range in --arrivals: YYYY-MM-DD[:YYYY-MM-DD].")
]
Schedule = Annotated[
    Path | None, path_option("Staffing schedule CSV (interval_start,csrs).", metavar="FILE")
]
Set = Annotated[
    list[str] | None, typer.Option("--set", help="Parameter override key=value (repeatable).")
]
ParamsFile = Annotated[
    Path | None, path_option("TOML file of parameter overrides.", metavar="FILE", name="--params")
]
Jobs = Annotated[
    int | None,
    number_option(
        "Local worker processes (default: 2, at most the CPUs unless --force).", ge=1, whole=True
    ),
]
Scheduler = Annotated[
    str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
]
Out = Annotated[
    Path | None,
    path_option("Results folder (rerun the same command into it to resume).", metavar="DIR"),
]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
Json = Annotated[bool, typer.Option("--json", help="Print the results as one JSON object.")]
Contacts = Annotated[
    bool, typer.Option("--contacts", help="Also write per-contact records (contacts.parquet).")
]
Force = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Run what the size guard refuses (too big or too long for this machine), "
        "and more --jobs than CPUs.",
    ),
]


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def choose_jobs(jobs: int | None, force: bool) -> int:
    """``--jobs`` checked against the CPUs (default: 2, or fewer CPUs)."""
    from sim.errors import InputError

    cpus = cpu_count()
    if jobs is None:
        return max(1, min(2, cpus))
    if jobs > cpus and not force:
        raise InputError(
            f"{jobs} workers on {cpus} CPUs would only compete for them (and for memory)",
            field="--jobs",
            valid=f"1 to {cpus}, or --force",
        )
    return jobs


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

        pool = None
        if self.scheduler is None and self.jobs > 1:
            finished = runner.load_finished(self.folder, tasks)
            if len(finished) < len(tasks):
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
