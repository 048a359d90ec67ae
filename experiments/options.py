"""Options shared by the commands: Typer annotations, and numbers read within bounds.

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
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


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
    number_option("Master seed; replication seeds derive from it.", ge=0, whole=True),
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


# The work of a command (validating the scenario, running tasks into a folder) lives in
# experiments/experiment.py; these names are part of this module's API too.
from experiments.experiment import (  # noqa: E402
    Session,
    design_of,
    experiment_manifest,
    identity,
    make_tasks,
    run_experiment,
    run_with_progress,
    scenario_from_options,
    write_results,
)

__all__ = [
    "Session",
    "choose_jobs",
    "design_of",
    "experiment_manifest",
    "identity",
    "make_tasks",
    "number",
    "number_option",
    "path_option",
    "run_experiment",
    "run_with_progress",
    "scenario_from_options",
    "write_results",
]
