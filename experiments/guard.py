"""The size guard: how much memory and time a run needs, judged before it starts.

A typo (``--csrs 100000000``, ``--reps 1000000``, a sweep of a million points) should be
answered in a second with the numbers, not by a machine that swaps for an hour. Every
command that simulates builds a :class:`Workload` from its inputs alone (nothing is
allocated), and :func:`check` refuses one that cannot fit this machine's memory, or would
run longer than :data:`MAX_HOURS`, in one line with the estimate; ``--force`` overrides.
A long run that fits has its estimate printed before it starts.

The costs are in one place, :func:`estimate`, calibrated by measuring the model on this
project's 2-core machine (see ``benchmarks/bench.py guard``). They are deliberately
rounded up: the guard is for orders of magnitude, not a schedule.
"""

from __future__ import annotations

import math
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from experiments.runner import Scenario
    from policies.policy import Policy

#: A run estimated to take longer than this is refused without --force, h.
MAX_HOURS = 24.0
#: A run estimated to take longer than this has its estimate printed first, s.
ANNOUNCE_S = 60.0
#: Share of the machine's memory a run may plan to use.
MEMORY_SHARE = 0.8
#: Memory assumed when the machine's cannot be read, bytes (the project's machine).
DEFAULT_MEMORY = 24 * 2**30

MB = 2**20


@dataclass(frozen=True)
class Workload:
    """What a run will simulate, from its inputs alone.

    Attributes:
        tasks: Replications (design points x policies x replications).
        customers: Customer base of the largest task.
        first_contacts_per_day: Expected first contacts a day of the largest task.
        days: Days simulated per task.
        csrs: Largest front-line head count of any task.
        supervisors: Second-tier head count.
        intervals_per_day: Reporting intervals a day.
        cohort: Customers whose accounts are recorded daily.
        keep_contacts: Per-contact records are kept.
        people: The behaviour model runs (False: the queue only, ``run --behaviour off``).
    """

    tasks: int
    customers: int
    first_contacts_per_day: float
    days: float
    csrs: int
    supervisors: int = 0
    intervals_per_day: float = 48.0
    cohort: int = 0
    keep_contacts: bool = False
    people: bool = True


@dataclass(frozen=True)
class Estimate:
    """A run's estimated cost.

    Attributes:
        worker_bytes: Peak memory of one worker process, bytes.
        main_bytes: Peak memory of the main process (results and tables), bytes.
        task_s: Time of one replication, s.
        startup_s: Time to start a worker (imports, compiled code), s.
        disk_bytes: What the run writes, bytes.
    """

    worker_bytes: float
    main_bytes: float
    task_s: float
    startup_s: float
    disk_bytes: float

    def peak_bytes(self, workers: int) -> float:
        """Peak memory of the whole run with ``workers`` local workers, bytes."""
        return self.main_bytes + max(1, workers) * self.worker_bytes

    def wall_s(self, tasks: int, workers: int) -> float:
        """Wall time of ``tasks`` replications on ``workers`` workers, s."""
        return self.startup_s + tasks * self.task_s / max(1, workers)


def estimate(work: Workload) -> Estimate:
    """The memory and time a workload needs on this project's reference machine.

    Measured on the 2-core machine (one task in a warm worker, peak resident memory):
    a worker with the model loaded holds about 300 MB; each customer costs about 1 kB and
    4 microseconds, each CSR about 2 kB and 30 microseconds, each contact about 10
    microseconds and, for the contacts of one day, about 1.5 kB. A task's result holds
    about 200 bytes per reporting interval and 60 bytes per cohort customer and day (as
    JSON; about 5 times that as Python objects in the main process). The queue-only model
    takes about 12 microseconds and 0.6 kB per arrival. Repeat contacts come on top of
    first contacts: taken as 1.5 contacts per first contact (about 1.05 by default, more
    when understaffed).
    """
    days = max(work.days, 0.0)
    contacts = work.first_contacts_per_day * days * (1.5 if work.people else 1.0)
    intervals = work.intervals_per_day * max(days, 1.0)
    if work.people:
        worker = (
            300 * MB
            + 1_000 * work.customers
            + 2_000 * (work.csrs + work.supervisors)
            + 1_500 * work.first_contacts_per_day * 1.5
            + 200 * intervals
            + (600 * contacts if work.keep_contacts else 0.0)
        )
        task_s = (
            0.05
            + 4e-6 * work.customers
            + 30e-6 * (work.csrs + work.supervisors)
            + 10e-6 * contacts
            + 20e-6 * intervals
        )
        result = (
            3_000
            + 200 * intervals
            + 60 * work.cohort * days
            + (500 * contacts if work.keep_contacts else 0.0)
        )
        startup = 3.0
    else:
        worker = 150 * MB + 600 * contacts + 1_000 * work.csrs + 200 * intervals
        task_s = 0.05 + 12e-6 * contacts + 20e-6 * intervals + 2e-6 * work.csrs
        result = 200 * intervals
        startup = 0.5
    main = 400 * MB + 5 * result * work.tasks
    # Tasks' files, then the tables (Parquet and CSV of the same rows, about their size).
    disk = 2.5 * result * work.tasks
    return Estimate(worker, main, task_s, startup, disk)


def machine_memory() -> int:
    """This machine's memory, bytes (``/proc/meminfo``, or the reference machine's)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return DEFAULT_MEMORY


def size_text(n: float) -> str:
    """Bytes in words (``1.2 GB``)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit in ("bytes", "PB") else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.0f} bytes"  # pragma: no cover - the loop returns


def time_text(seconds: float) -> str:
    """A duration in words (``about 3 min``)."""
    if not math.isfinite(seconds):
        return "for ever"
    for limit, unit, size in (
        (120, "s", 1),
        (7_200, "min", 60),
        (172_800, "h", 3_600),
        (math.inf, "days", 86_400),
    ):
        if seconds < limit:
            value = seconds / size
            return f"{value:,.0f} {unit}" if value >= 10 else f"{value:.1g} {unit}"
    return "for ever"  # pragma: no cover - the loop returns


@dataclass(frozen=True)
class Plan:
    """A checked workload and its estimate (for the disk check after the folder is known)."""

    work: Workload
    cost: Estimate
    workers: int


def check(work: Workload, *, jobs: int = 1, force: bool = False, quiet: bool = False) -> Plan:
    """Refuse a workload too big or too long for this machine; announce a long one.

    Raises:
        InputError: naming the estimate, unless ``force``.
    """
    cost = estimate(work)
    workers = max(1, min(jobs, work.tasks))
    peak = cost.peak_bytes(workers)
    wall = cost.wall_s(work.tasks, workers)
    limit = MEMORY_SHARE * machine_memory()
    what = describe(work)
    if not force:
        if peak > limit:
            raise InputError(
                f"{what} would need about {size_text(peak)} of memory, more than this machine's "
                f"{size_text(machine_memory())} allows (and about {time_text(wall)}); make it "
                "smaller, or --force",
                field="size guard",
            )
        if wall > MAX_HOURS * 3600:
            raise InputError(
                f"{what} would take about {time_text(wall)} on {workers} worker"
                f"{'s' if workers > 1 else ''} (more than {MAX_HOURS:g} h) and about "
                f"{size_text(peak)}; make it smaller, or --force",
                field="size guard",
            )
    if wall > ANNOUNCE_S and not quiet:
        print(
            f"ccsim: {what}: about {time_text(wall)} on {workers} worker"
            f"{'s' if workers > 1 else ''}, peak memory about {size_text(peak)}",
            file=sys.stderr,
        )
    return Plan(work, cost, workers)


def check_disk(plan: Plan, folder: Path, *, force: bool = False) -> None:
    """Refuse a run whose results would not fit on the folder's disk (before it runs)."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:  # pragma: no cover - an unusual file system
        return
    need = plan.cost.disk_bytes
    if need > free and not force:
        raise InputError(
            f"the results would take about {size_text(need)}, and {folder} has "
            f"{size_text(free)} free; free some space, choose another --out, or --force",
            field="size guard",
        )


def describe(work: Workload) -> str:
    """The workload in words, e.g. ``21 replications of 30 days``."""
    tasks = f"{work.tasks:,} replication{'s' if work.tasks != 1 else ''}"
    amount = f"{work.days:,.0f}" if float(work.days).is_integer() else f"{work.days:.3g}"
    days = f"{amount} day{'s' if work.days != 1 else ''}"
    people = f", {work.customers:,} customers" if work.people else ""
    return f"{tasks} of {days}, {work.csrs:,} CSRs{people}"


def workload(
    policies: Sequence[Policy],
    scenario: Scenario,
    *,
    reps: int,
    points: int | Sequence[dict[str, Any]] = 1,
    largest: dict[str, Any] | None = None,
    csrs: int | None = None,
) -> Workload:
    """The workload of an experiment, from its inputs (the largest task of each kind).

    Args:
        policies: The policies.
        scenario: The shared scenario.
        reps: Replications per policy and point.
        points: Design points (a count, or the points' overrides, whose largest values
            count).
        largest: The largest value of each swept parameter, when ``points`` is a count.
        csrs: Largest head count tried, when the command chooses it (``staff``).
    """
    from sim.arrivals import profile_from_file
    from sim.parameters import Parameters
    from sim.staffing import read_schedule

    overrides = dict(scenario.overrides)
    n_points = points if isinstance(points, int) else len(points)
    largest = dict(largest or {})
    if not isinstance(points, int):
        for point in points:
            for key, value in point.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    largest[key] = max(value, largest.get(key, value))
    overrides.update(largest)
    params = Parameters(overrides)
    days = float(params["scenario.days"])
    per_day = float(params["scenario.first_contacts_per_day"])
    intervals = 48.0
    if scenario.arrivals:
        profile = profile_from_file(scenario.arrivals, scenario.date or "")
        days = max(1.0, math.ceil(profile.horizon_s / 86_400 - 1e-9))
        per_day = float(profile.expected.sum()) / days
        intervals = len(profile.starts_s) / days
    point_csrs = largest.get("operations.csrs")
    peaks: dict[str, int] = {}

    def peak(path: str) -> int:
        if path not in peaks:
            peaks[path] = read_schedule(path).max_csrs
        return peaks[path]

    def front(policy: Policy) -> int:
        # The same order as runner.build_model: a schedule, then a head count.
        if scenario.schedule:
            return peak(scenario.schedule)
        if policy.schedule:
            return peak(policy.schedule)
        return int(csrs or point_csrs or scenario.csrs or policy.csrs or params["operations.csrs"])

    heads = max((front(p) for p in policies), default=int(params["operations.csrs"]))
    return Workload(
        tasks=max(1, n_points) * max(1, len(policies)) * reps,
        customers=int(params["scenario.customers"]),
        first_contacts_per_day=per_day,
        days=days,
        csrs=heads,
        supervisors=int(params["operations.supervisors"]),
        intervals_per_day=intervals,
        cohort=int(params["scenario.cohort_size"]),
        keep_contacts=scenario.keep_contacts,
    )
