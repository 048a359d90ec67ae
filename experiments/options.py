"""Options shared by the experiment commands (compare, sweep, staff), and the common
work of running tasks with a progress bar and writing a results folder."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from experiments import runner
from experiments.results import manifest, new_results_dir, write_json, write_table
from experiments.runner import Scenario, Task
from policies.policy import Policy
from sim.parameters import Parameters, parse_set, read_params_file
from sim.streams import replication_seeds

Days = Annotated[int | None, typer.Option(min=1, help="Days to simulate (default: scenario.days).")]
Reps = Annotated[int, typer.Option(min=2, help="Replications per policy (common random numbers).")]
Seed = Annotated[int, typer.Option(min=0, help="Master seed; replication seeds derive from it.")]
Csrs = Annotated[
    int | None, typer.Option(min=1, help="Front-line head count (overrides policies).")
]
Arrivals = Annotated[
    Path | None, typer.Option(help="Interval-volume CSV of expected first contacts.")
]
Date = Annotated[
    str | None, typer.Option(help="Date or range in --arrivals: YYYY-MM-DD[:YYYY-MM-DD].")
]
Schedule = Annotated[Path | None, typer.Option(help="Staffing schedule CSV (interval_start,csrs).")]
Set = Annotated[
    list[str] | None, typer.Option("--set", help="Parameter override key=value (repeatable).")
]
ParamsFile = Annotated[
    Path | None, typer.Option("--params", help="TOML file of parameter overrides.")
]
Jobs = Annotated[int, typer.Option(min=1, help="Local worker processes.")]
Scheduler = Annotated[
    str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
]
Out = Annotated[
    Path | None, typer.Option(help="Results folder (rerun with the same folder to resume).")
]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
Json = Annotated[bool, typer.Option("--json", help="Print the results as one JSON object.")]
Contacts = Annotated[
    bool, typer.Option("--contacts", help="Also write per-contact records (contacts.parquet).")
]


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
    """Validate the shared options into a :class:`Scenario` (errors name the option)."""
    from sim.arrivals import profile_from_file
    from sim.errors import InputError
    from sim.staffing import read_schedule

    overrides: dict[str, Any] = read_params_file(params_file) if params_file else {}
    overrides.update(parse_set(set_))
    if days is not None:
        overrides["scenario.days"] = days
    Parameters(overrides)  # validates every value once, here
    if arrivals is not None:
        if date is None:
            raise InputError(
                "--arrivals needs --date", field="--date", valid="YYYY-MM-DD[:YYYY-MM-DD]"
            )
        profile_from_file(arrivals, date)
    elif date is not None:
        raise InputError("--date needs --arrivals FILE", field="--date")
    if schedule is not None:
        read_schedule(schedule)
    return Scenario(
        overrides=overrides,
        arrivals=str(arrivals) if arrivals else None,
        date=date,
        csrs=csrs,
        schedule=str(schedule) if schedule else None,
        keep_contacts=keep_contacts,
        trace_anger=trace_anger,
    )


def make_tasks(
    policies: Sequence[Policy],
    scenario: Scenario,
    reps: int,
    seed: int,
    points: Sequence[dict[str, Any]] = ({},),
) -> list[Task]:
    """Every (point, policy, replication); replication i has the same seed everywhere."""
    seeds = replication_seeds(seed, reps)
    return [
        Task(policy, scenario, seeds[r], r, point=i, point_overrides=dict(over))
        for i, over in enumerate(points)
        for policy in policies
        for r in range(reps)
    ]


def run_with_progress(
    tasks: Sequence[Task],
    *,
    folder: Path,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    label: str,
) -> list[dict]:
    """Run tasks with a Rich progress bar (on a terminal, unless quiet)."""
    show = not quiet and sys.stderr.isatty()
    if not show:
        return runner.execute(tasks, folder=folder, jobs=jobs, scheduler=scheduler)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        handle = bar.add_task(label, total=len(tasks))
        return runner.execute(
            tasks,
            folder=folder,
            jobs=jobs,
            scheduler=scheduler,
            progress=lambda done, total: bar.update(handle, completed=done, total=total),
        )


def write_results(
    folder: Path,
    command: str,
    results: list[dict],
    tasks: Sequence[Task],
    policies: Sequence[Policy],
    scenario: Scenario,
    seed: int,
    reps: int,
    extra: dict | None = None,
) -> dict[str, Any]:
    """Write the tables and manifest of an experiment; returns the frames by name."""
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
    contacts = runner.contacts_frame(results)
    if not contacts.empty:
        write_table(folder / "contacts.parquet", contacts)
        frames["contacts"] = contacts
    accounts = runner.accounts_frame(results)
    if not accounts.empty:
        write_table(folder / "accounts.parquet", accounts)
        frames["accounts"] = accounts
    traces = runner.traces_frame(results)
    if not traces.empty:
        write_table(folder / "traces.parquet", traces)
        frames["traces"] = traces
    write_json(
        folder / "manifest.json",
        manifest(
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
        ),
    )
    return frames


def results_folder(command: str, out: Path | None) -> Path:
    """The folder of an experiment (created)."""
    return new_results_dir(command, out)


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
) -> tuple[Path, dict[str, Any]]:
    """Make the tasks, run them (resuming in ``out``), write the results folder.

    Returns:
        The results folder and the frames written (see :func:`write_results`).
    """
    tasks = make_tasks(policies, scenario, reps, seed, points)
    folder = results_folder(command, out)
    results = run_with_progress(
        tasks, folder=folder, jobs=jobs, scheduler=scheduler, quiet=quiet, label=label
    )
    frames = write_results(folder, command, results, tasks, policies, scenario, seed, reps, extra)
    return folder, frames
