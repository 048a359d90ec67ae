"""``ccsim calibrate``: parameter values that bring the model's outcomes to targets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from experiments import options as opt

if TYPE_CHECKING:  # pragma: no cover - typing only
    from experiments.calibration import Calibration
    from experiments.runner import Scenario

app = typer.Typer()

#: Files a calibration writes besides the experiment's tables.
CALIBRATION_FILES = (
    "calibrated.toml",
    "calibration.json",
    "calibration_targets.csv",
    "calibrated_parameters.csv",
    "evaluations.csv",
)


@app.command()
def calibrate(
    targets: Annotated[
        str,
        typer.Option(
            "--targets",
            metavar="FILE",
            help="TOML file of \\[targets.OUTCOME] tables (value or low/high, weight); "
            "'default' is the default center's, shipped with ccsim.",
        ),
    ],
    free: Annotated[
        list[str],
        typer.Option(
            "--free",
            metavar="KEY=LO:HI",
            help="A parameter to fit and its range, e.g. customers.mean_patience_s=60:900 "
            "(repeatable).",
        ),
    ],
    policy: Annotated[
        str, typer.Option(help="The policy of the calibrated center (preset or file).")
    ] = "mixed-floor",
    budget: Annotated[
        int,
        opt.number_option(
            "Most candidates evaluated (start, design, search, curvature).", ge=1, whole=True
        ),
    ] = 60,
    explore: Annotated[
        int,
        opt.number_option(
            "Candidates of the Sobol' design before the search.", ge=0, le=1024, whole=True
        ),
    ] = 8,
    reps: Annotated[
        int,
        opt.number_option(
            "Replications per candidate (the same seeds for every candidate).",
            ge=2,
            le=100_000,
            whole=True,
        ),
    ] = 3,
    days: opt.Days = None,
    csrs: opt.Csrs = None,
    arrivals: opt.Arrivals = None,
    date: opt.Date = None,
    schedule: opt.Schedule = None,
    set_: opt.Set = None,
    params_file: opt.ParamsFile = None,
    seed: opt.Seed = 1,
    jobs: opt.Jobs = None,
    scheduler: opt.Scheduler = None,
    out: opt.Out = None,
    quiet: opt.Quiet = False,
    json: opt.Json = False,
    force: opt.Force = False,
) -> None:
    """Fit free parameters to outcome targets by simulated moments; writes calibrated.toml.

    Every candidate runs the same replication seeds (common random numbers); the result
    is a params file for --params, each value with its 95% interval.
    """
    from experiments import guard
    from experiments.calibration import budget_needed
    from experiments.calibration import calibrate as search
    from experiments.display import print_json
    from experiments.folder import check_out, claim
    from experiments.free_parameters import parse_free
    from experiments.results import Interrupted
    from experiments.runner import Task, check_scheduler, load_finished, policies_from_names
    from experiments.targets import read_targets
    from sim.errors import InputError
    from sim.parameters import Parameters
    from sim.streams import replication_seeds

    goals = read_targets(targets)
    chosen = policies_from_names([policy])
    jobs = opt.choose_jobs(jobs, force)
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
    check_out(out)
    scenario = opt.scenario_from_options(
        days=days,
        csrs=csrs,
        arrivals=arrivals,
        date=date,
        schedule=schedule,
        set_=set_,
        params_file=params_file,
    )
    if not free:
        raise InputError("give at least one --free KEY=LO:HI", field="--free")
    base = Parameters(scenario.overrides)
    ranges = [parse_free(f, base) for f in free]
    keys = [r.key for r in ranges]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise InputError(f"{twice[0]} is freed twice", field="--free", valid="each key once")
    if budget < budget_needed(ranges, explore):
        raise InputError(
            f"{budget} evaluations cannot search {len(ranges)} parameters after a design of "
            f"{explore}",
            field="--budget",
            valid=f">= {budget_needed(ranges, explore)} (or a smaller --explore)",
        )
    # The size guard sees the whole budget before anything runs.
    plan = guard.check(
        guard.workload(
            chosen, scenario, reps=reps, points=budget, largest={r.key: r.high for r in ranges}
        ),
        jobs=jobs,
        force=force,
        quiet=quiet or json,
    )
    design = {
        "free": [r.to_dict() for r in ranges],
        "targets": [t.to_dict() for t in goals],
        "explore": explore,
    }
    held = claim("calibrate", out, opt.identity(chosen, scenario, seed, **design))
    guard.check_disk(plan, held.path, force=force)
    folder = held.path
    seeds = replication_seeds(seed, reps)
    # Only the rows are kept in memory (a replication of the default scenario holds
    # megabytes of tables); the best candidate's full results are read back at the end.
    by_point: dict[int, list[Task]] = {}
    all_tasks: list[Task] = []

    def evaluate(candidates: list[dict[str, Any]], kind: str) -> list[dict]:
        first = len(by_point)
        tasks = [
            Task(chosen[0], scenario, seeds[r], r, point=first + i, point_overrides=dict(c))
            for i, c in enumerate(candidates)
            for r in range(reps)
        ]
        last = first + len(candidates) - 1
        numbers = f"{first}" if last == first else f"{first}-{last}"
        results = session.run(tasks, label=f"calibrate: {kind} {numbers}")
        all_tasks.extend(tasks)
        answers = []
        for i in range(len(candidates)):
            mine = [r["row"] for r in results[i * reps : (i + 1) * reps]]
            by_point[first + i] = tasks[i * reps : (i + 1) * reps]
            answers.append(
                {t.outcome: [_number(row.get(t.outcome)) for row in mine] for t in goals}
            )
        return answers

    try:
        with opt.Session(
            folder=folder,
            jobs=jobs,
            scheduler=scheduler,
            quiet=quiet or json,
            label="calibrate",
            total=budget * reps,
        ) as session:
            result = search(ranges, goals, evaluate, budget=budget, explore=explore, seed=seed)
        best = by_point[result.best.number]
        finished = load_finished(folder, best)
        _write(folder, result, scenario, [finished[t.task_id] for t in best])
        held.finish(
            opt.experiment_manifest(
                "calibrate",
                all_tasks,
                chosen,
                scenario,
                seed,
                reps,
                extra={
                    **design,
                    "budget": budget,
                    "calibration": result.to_dict(),
                },
            )
        )
    except (KeyboardInterrupt, Interrupted) as err:
        # A batch reports its own replications; the user wants the calibration's.
        kept = len(all_tasks) + (err.kept if isinstance(err, Interrupted) else 0)
        raise Interrupted(kept, budget * reps, folder) from None
    if json:
        print_json({"results_dir": str(folder), **result.to_dict()})
        return
    print_calibration(result, reps)
    from rich.console import Console

    Console().print(
        f"Results written to [bold]{folder}[/bold]; use them with "
        f"--params {folder / 'calibrated.toml'}"
    )


def _number(value: Any) -> float:
    """A replication's outcome as a float (missing: NaN)."""
    return float("nan") if value is None else float(value)


def _write(folder: Path, result: Calibration, scenario: Scenario, best: list[dict]) -> None:
    """The calibrated model's tables (its replications), the calibration's tables, the
    ``--params`` file and the charts."""
    import pandas as pd

    from experiments.charts import draw_all
    from experiments.experiment import write_results
    from experiments.results import write_json, write_table

    write_results(folder, best)
    write_table(folder / "evaluations.csv", pd.DataFrame(result.evaluation_rows()))
    write_table(folder / "calibration_targets.csv", pd.DataFrame(result.target_rows()))
    write_table(folder / "calibrated_parameters.csv", pd.DataFrame(result.parameter_rows()))
    write_json(folder / "calibration.json", result.to_dict())
    write_params(folder / "calibrated.toml", result, scenario)
    draw_all(folder, check=False)


def write_params(path: Path, result: Calibration, scenario: Scenario) -> None:
    """Write the calibrated model as a ``--params`` TOML file: the fitted values (with
    their 95% intervals in comments) and the overrides the calibration ran with."""
    from experiments.results import write_text

    fitted = {row["parameter"]: row for row in result.parameter_rows()}
    values: dict[str, Any] = dict(scenario.overrides)
    if scenario.csrs is not None:
        values["operations.csrs"] = scenario.csrs
    values.update({k: row["value"] for k, row in fitted.items()})
    lines = [
        f"# Calibrated by `ccsim calibrate` to {len(result.targets)} targets "
        f"(loss {result.best.loss:.4g}, evaluation {result.best.number} of "
        f"{len(result.evaluations)}). Use with --params.",
    ]
    if len(values) > len(fitted):
        lines.append(
            "# Values without a comment were given to the calibration (--set, --params, "
            "--days, --csrs)."
        )
    if scenario.arrivals or scenario.schedule:
        lines.append(
            "# The calibration ran on --arrivals/--schedule files; give them again with it."
        )
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.rsplit(".", 1)
        row = fitted.get(key)
        if row is None:
            note = ""  # given to the calibration, said once at the top
        elif row["identified"]:
            note = (
                f"# Fitted in {row['low']:g} to {row['high']:g}: 95% interval "
                f"{row['ci_low']:.4g} to {row['ci_high']:.4g}.\n"
            )
        else:
            note = (
                f"# Fitted in {row['low']:g} to {row['high']:g}: not identified by the targets.\n"
            )
        if isinstance(value, str):
            text = f'"{value}"'
        else:
            text = str(value).lower() if isinstance(value, bool) else repr(value)
        sections.setdefault(section, []).append(f"{note}{name} = {text}")
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    write_text(path, "\n".join(lines) + "\n")


def print_calibration(result: Calibration, reps: int) -> None:
    """The fitted values with their uncertainty, and each target against the model."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from experiments.display import format_value

    console = Console()
    params = Table(
        title=f"Calibrated values ({len(result.evaluations)} evaluations x {reps} replications; "
        f"{result.message})",
        header_style="bold",
    )
    for column in ("parameter", "value", "95% interval", "start", "searched"):
        params.add_column(column, justify="right")
    for row in result.parameter_rows():
        interval = (
            f"{row['ci_low']:.4g} to {row['ci_high']:.4g}"
            if row["identified"]
            else "not identified"
        )
        params.add_row(
            row["parameter"],
            f"{row['value']:.4g}",
            interval,
            f"{row['start']:.4g}",
            f"{row['low']:g} to {row['high']:g}",
        )
    console.print(params)
    fit = Table(
        title=f"Targets against the calibrated model (loss {result.best.loss:.3g})",
        header_style="bold",
    )
    for column in ("outcome", "target", "model (95% CI)", "verdict"):
        fit.add_column(column, justify="right")
    for row in result.target_rows():
        o = row["outcome"]
        model = (
            f"{format_value(o, row['model'])} [{format_value(o, row['ci_low'])}, "
            f"{format_value(o, row['ci_high'])}]"
        )
        if row["met"]:
            verdict = "[green]met[/green]"
        elif row["ci_meets"]:
            within = "within the 95% CI" if row["value"] is not None else "CI reaches it"
            verdict = f"[green]{within}[/green]"
        else:
            verdict = "[red]missed[/red]"
        fit.add_row(escape(o), escape(row["target"]), model, verdict)
    console.print(fit)
    for note in result.notes:
        console.print(f"note: {escape(note)}")
