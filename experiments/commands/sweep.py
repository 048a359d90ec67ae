"""``ccsim sweep``: parameters over ranges, for one or more policies, with replications."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from experiments import options as opt
from experiments.design import DESIGNS, design_points, parse_param
from experiments.display import print_json
from experiments.results import write_table
from experiments.runner import policies_from_names
from experiments.statistics import summary_table
from sim.errors import InputError

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
        int | None, typer.Option(min=1, help="Points of an lhs or sobol design.")
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
    jobs: opt.Jobs = 2,
    scheduler: opt.Scheduler = None,
    out: opt.Out = None,
    quiet: opt.Quiet = False,
    json: opt.Json = False,
) -> None:
    """Sweep parameters: tidy output, one row per (point, policy, replication)."""
    if not param:
        raise InputError("give at least one --param key=start:stop:steps", field="--param")
    if design not in DESIGNS:
        raise InputError(f"unknown design {design!r}", field="--design", valid=DESIGNS)
    if design == "grid" and samples is not None:
        raise InputError("--samples applies to lhs and sobol designs", field="--samples")
    ranges = [parse_param(p) for p in param]
    points = design_points(ranges, design, samples, seed)
    chosen = policies_from_names(policies or ["negotiate"])
    scenario = opt.scenario_from_options(
        days=days,
        csrs=csrs,
        arrivals=arrivals,
        date=date,
        schedule=schedule,
        set_=set_,
        params_file=params_file,
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
        label=f"sweep {len(points)} points",
        points=points,
        extra={"design": design, "samples": samples, "params": param, "points": points},
    )
    summary = summary_table(frames["replications"])
    write_table(folder / "summary.csv", summary)
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "points": points,
                "replications": frames["replications"].to_dict(orient="records"),
            }
        )
        return
    Console().print(
        f"{len(frames['replications'])} runs ({len(points)} points x {len(chosen)} policies x {reps} "
        f"replications) written to [bold]{folder}[/bold]"
    )
