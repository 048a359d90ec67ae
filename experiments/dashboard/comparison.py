"""Policy comparison: ``ccsim compare`` run in the background, with progress and cancel.

The page must stay responsive while replications run, and a run must be stoppable. So
a comparison is the very command a planner would type, ``ccsim compare ... --out DIR
--json``, run as a child process: its numbers are ``ccsim compare``'s by construction,
its results folder is an ordinary one (``ccsim report DIR`` works on it), a crash or a
cancel cannot take the page down, and a cancel is the command's own Ctrl-C (the
finished replications are kept, and rerunning the command line finishes the run).

The inputs are checked here first, in this process, with the CLI's own functions, so the
page shows the CLI's one-line message at once and starts nothing on bad input.
Progress is read from the folder: each finished replication is saved there at once
(``DIR/tasks/*.json``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

#: Metrics shown on the page, in this order (the results folder has them all).
SHOWN = ("retention_rate", "escalation_rate", "fcr_rate", "aht_s", "service_level", "net_value")
#: Where the page's results folders go unless told otherwise.
DEFAULT_ROOT = Path("results") / "dashboard"
#: Seconds a cancelled run is given to save what it has before it is killed.
CANCEL_GRACE_S = 10.0


@dataclass(frozen=True)
class Settings:
    """What a comparison runs: the options of ``ccsim compare``.

    Attributes:
        policies: Preset names or policy files (none: every preset).
        reps: Replications per policy (common random numbers), >= 2.
        days: Horizon, days (None: ``scenario.days``).
        csrs: Front-line head count (None: the policies' or the planned roster).
        schedule: A staffing schedule CSV (``interval_start,csrs``) instead of ``csrs``.
        overrides: Parameter overrides ``key=value``, as ``--set`` takes them.
        seed: Master seed.
        jobs: Worker processes.
    """

    policies: tuple[str, ...]
    reps: int = 3
    days: int | None = None
    csrs: int | None = None
    schedule: str | None = None
    overrides: tuple[str, ...] = ()
    seed: int = 1
    jobs: int = 1

    def arguments(self, out: Path) -> list[str]:
        """The ``ccsim compare`` arguments of these settings, writing into ``out``."""
        args = ["compare", *self.policies, "--reps", str(self.reps), "--seed", str(self.seed)]
        if self.days is not None:
            args += ["--days", str(self.days)]
        if self.csrs is not None:
            args += ["--csrs", str(self.csrs)]
        if self.schedule:
            args += ["--schedule", self.schedule]
        for item in self.overrides:
            args += ["--set", item]
        return [*args, "--jobs", str(self.jobs), "--out", str(out), "--json", "--quiet"]


def _option(name: str, raw: object, **bounds) -> int | None:
    """A number typed into the page, read by the CLI's own parser for ``name``.

    Raises:
        InputError: the CLI's message, e.g. ``Invalid value for '--reps': 1 is out of
            range (valid: a whole number >= 2 and <= 100,000)``.
    """
    import typer

    from experiments import options as opt
    from sim.errors import InputError

    if raw is None or not str(raw).strip():
        return None
    try:
        return opt.number(whole=True, **bounds)(raw)
    except typer.BadParameter as err:
        raise InputError(f"Invalid value for '{name}': {err.message}") from None


def settings_from_page(
    *,
    policies: str,
    reps: object,
    days: object = None,
    csrs: object = None,
    schedule: str = "",
    overrides: str = "",
    seed: object = 1,
    jobs: object = 1,
) -> Settings:
    """The page's fields (text as typed) as settings, numbers read as the CLI reads them.

    Args:
        policies: Names or files separated by commas (empty: every preset, as the CLI).
        reps, days, csrs, seed, jobs: As typed; empty ``days`` / ``csrs``: the defaults.
        schedule: A schedule CSV, or empty.
        overrides: ``key=value`` lines.

    Raises:
        InputError: the CLI's message for the first bad number.
    """
    from experiments import options as opt

    return Settings(
        policies=tuple(name.strip() for name in str(policies).split(",") if name.strip()),
        reps=_option("--reps", reps, ge=2, le=100_000),
        days=_option("--days", days, ge=1, le=opt.MAX_DAYS),
        csrs=_option("--csrs", csrs, ge=1),
        schedule=schedule.strip() or None,
        overrides=tuple(line.strip() for line in overrides.splitlines() if line.strip()),
        seed=_option("--seed", seed, ge=0),
        jobs=_option("--jobs", jobs, ge=1),
    )


def check(settings: Settings) -> int:
    """Validate the settings as ``ccsim compare`` does; returns the replications to run.

    Raises:
        InputError: the CLI's message for the first bad input (a policy file's line and
            key, a parameter's valid range, a schedule's line...).
    """
    from experiments import options as opt
    from experiments.runner import policies_from_names
    from policies.policy import preset_names

    opt.choose_jobs(settings.jobs, force=False)
    chosen = policies_from_names(list(settings.policies) or preset_names())
    opt.scenario_from_options(
        days=settings.days,
        csrs=settings.csrs,
        arrivals=None,
        date=None,
        schedule=Path(settings.schedule) if settings.schedule else None,
        set_=list(settings.overrides),
        params_file=None,
    )
    return len(chosen) * settings.reps


@dataclass
class Comparison:
    """One comparison run in a child process (see the module docstring).

    Use :meth:`start`, then poll :meth:`progress` and :meth:`poll`; :meth:`cancel` stops
    it. Attributes after the end: ``result`` (``ccsim compare --json``'s object) or
    ``error`` (its one-line message).
    """

    settings: Settings
    folder: Path
    total: int
    state: str = "ready"  # ready, running, done, failed, cancelled
    result: dict | None = None
    error: str | None = None
    _process: subprocess.Popen | None = field(default=None, repr=False)
    # Files, not pipes: a pipe nobody reads until the end would stall a long --json output.
    _out: IO[str] | None = field(default=None, repr=False)
    _err: IO[str] | None = field(default=None, repr=False)
    _cancelling: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def prepare(cls, settings: Settings, root: Path = DEFAULT_ROOT) -> Comparison:
        """A checked comparison writing into a new folder under ``root``.

        Raises:
            InputError: see :func:`check`.
        """
        total = check(settings)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return cls(settings, Path(root) / f"compare-{stamp}-{uuid.uuid4().hex[:6]}", total)

    @property
    def command(self) -> list[str]:
        """The command line that runs it (and that finishes it after a cancel)."""
        return [sys.executable, "-m", "experiments.cli", *self.settings.arguments(self.folder)]

    @property
    def resume_command(self) -> str:
        """The ``ccsim compare`` line a user types to finish a cancelled or failed run
        (the finished replications in the folder are reused)."""
        args = [a for a in self.settings.arguments(self.folder) if a not in ("--json", "--quiet")]
        return shlex.join(["ccsim", *args])

    def start(self) -> None:
        """Start the child process and return at once."""
        self.state = "running"
        # Closed in _outputs, when the child has ended (it outlives this call).
        self._out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._process = subprocess.Popen(
            self.command,
            stdout=self._out,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group: a cancel reaches its workers
        )

    def progress(self) -> int:
        """Replications finished so far (saved in the folder)."""
        tasks = self.folder / "tasks"
        try:
            return sum(1 for p in tasks.iterdir() if p.suffix == ".json")
        except OSError:
            return 0

    def poll(self) -> str:
        """The state after checking the child: running, done, failed or cancelled (a run
        being cancelled stays running until it has stopped)."""
        with self._lock:
            if self.state != "running" or self._process is None or self._cancelling:
                return self.state
            if self._process.poll() is None:
                return self.state
            return self._finish()

    def _outputs(self) -> tuple[str, str]:
        """What the child printed (its files closed after)."""
        texts = []
        for file in (self._out, self._err):
            file.seek(0)
            texts.append(file.read())
            file.close()
        return texts[0], texts[1]

    def _finish(self) -> str:
        self._process.wait()
        out, err = self._outputs()
        if self._process.returncode == 0:
            self.result = json.loads(out)
            self.state = "done"
        else:
            lines = [line for line in err.splitlines() if line.strip()]
            self.error = _without_prefix(lines[-1]) if lines else "the run stopped"
            self.state = "failed"
        return self.state

    def wait(self, timeout: float | None = None) -> str:
        """Wait for the end; returns the state."""
        if self._process is not None:
            self._process.wait(timeout)
        return self.poll()

    def cancel(self) -> None:
        """Stop the run as Ctrl-C does (replications finished so far are kept); returns
        once it has stopped. A run that ended meanwhile keeps its own end."""
        with self._lock:
            process = self._process
            if process is None or self.state != "running":
                return
            if process.poll() is not None:
                self._finish()
                return
            self._cancelling = True
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:  # it ended meanwhile
            pass
        with self._lock:
            self._outputs()
            self.state = "cancelled"
            self.error = f"cancelled: {self.progress()} of {self.total} replications kept"
            self._cancelling = False


def _without_prefix(line: str) -> str:
    """The CLI's message without its ``ccsim: error:`` prefix."""
    for prefix in ("ccsim: error: ", "ccsim: "):
        if line.startswith(prefix):
            return line[len(prefix) :]
    return line


def summary_rows(summary: list[dict], metrics: tuple[str, ...] = SHOWN) -> list[dict]:
    """The summary as the page shows it: one row per metric, one column per policy,
    each cell ``mean [low, high]`` formatted as ``ccsim compare`` prints it."""
    from experiments.display import format_value

    cells = {(r["policy"], r["metric"]): r for r in summary}
    policies = list(dict.fromkeys(r["policy"] for r in summary))
    rows = []
    for metric in metrics:
        row = {"metric": metric}
        for policy in policies:
            r = cells.get((policy, metric))
            if r is None:
                row[policy] = "-"
                continue
            mean, low, high = (format_value(metric, r[k]) for k in ("mean", "ci_low", "ci_high"))
            row[policy] = f"{mean} [{low}, {high}]"
        rows.append(row)
    return rows


def charts(folder: Path) -> list[Path]:
    """The charts ``ccsim compare`` drew into the folder, account trajectories first."""
    found = sorted((Path(folder) / "charts").glob("*.png"))
    return sorted(found, key=lambda p: (p.stem != "account_trajectories", p.stem))
