"""``ccsim sweep``: parameters over ranges, for one or more policies, with replications."""

from __future__ import annotations

from typing import Annotated

import typer

from experiments import options as opt
from experiments.design import DESIGNS

app = typer.Typer()


@app.command()
def sweep(
    policies: Annotated[
        list[str] | None, typer.Argument(help="Presets or policy files (default: negotiate).")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="key=start:stop:steps or key=a,b,c (repeatable)."),
    ] = None,
    design: Annotated[str, typer.Option(help=f"Design: {', '.join(DESIGNS)}.")] = "grid",
    samples: Annotated[
        int | None,
        opt.number_option("Points of an lhs or sobol design.", ge=1, whole=True),
    ] = None,
    reps: opt.Reps = 3,
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
    """Sweep parameters: tidy output, one row per (point, policy, replication)."""
    import sys

    from experiments import guard
    from experiments.design import design_points, design_size, largest_values, parse_param
    from experiments.display import plural, print_json
    from experiments.folder import check_out
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names
    from experiments.statistics import summary_table
    from sim.errors import InputError

    if not param:
        raise InputError("give at least one --param key=start:stop:steps", field="--param")
    if design not in DESIGNS:
        raise InputError(f"unknown design {design!r}", field="--design", valid=DESIGNS)
    if design == "grid" and samples is not None:
        raise InputError("--samples applies to lhs and sobol designs", field="--samples")
    if design != "grid" and samples is None:
        raise InputError(f"a {design} design needs --samples N", field="--samples")
    ranges = [parse_param(p) for p in param]
    chosen = policies_from_names(policies or ["negotiate"])
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
    # The size guard sees the design's size before a point is made.
    size = design_size(ranges, design, samples)
    guard.check(
        guard.workload(chosen, scenario, reps=reps, points=size, largest=largest_values(ranges)),
        jobs=jobs,
        force=force,
        quiet=True,
    )
    points = design_points(ranges, design, samples, seed)
    if design == "sobol" and samples & (samples - 1):
        print(
            f"ccsim: note: a Sobol' design is balanced at a power of 2 samples "
            f"(e.g. {1 << samples.bit_length()}); {samples} were asked",
            file=sys.stderr,
        )
    folder, frames = opt.run_experiment(
        "sweep",
        chosen,
        scenario,
        reps=reps,
        seed=seed,
        out=out,
        jobs=jobs,
        scheduler=scheduler,
        quiet=quiet or json,
        label=f"sweep {plural(len(points), 'point')}",
        points=points,
        extra={"design": design, "samples": samples, "params": param, "points": points},
        force=force,
        then=lambda folder, frames: write_table(
            folder / "summary.csv", summary_table(frames["replications"])
        ),
    )
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "points": points,
                "replications": frames["replications"].to_dict(orient="records"),
            }
        )
        return
    from rich.console import Console

    Console().print(
        f"{plural(len(frames['replications']), 'run')} ({plural(len(points), 'point')} x "
        f"{plural(len(chosen), 'policy', 'policies')} x {plural(reps, 'replication')}) "
        f"written to [bold]{folder}[/bold]"
    )
