"""``ccsim frontier``: where a paired contrast of two policies changes sign."""

from __future__ import annotations

from typing import Annotated

import typer

from experiments import options as opt

app = typer.Typer()


@app.command()
def frontier(
    contrast: Annotated[
        str,
        typer.Option(help="A-B: the paired difference of two policies, e.g. negotiate-avoid."),
    ] = "negotiate-avoid",
    metric: Annotated[str, typer.Option(help="The metric compared, e.g. net_value.")] = "net_value",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="key=start:stop:steps or key=a,b,c; once (a line) or twice (a map, the "
            "crossing found along the first).",
        ),
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
    """Where does A beat B? The contrast over a grid, its sign change and 95% interval."""
    from experiments import guard
    from experiments.contrast import check_metric, parse_contrast
    from experiments.design import design_points, design_size, largest_values, parse_param
    from experiments.display import plural, print_json
    from experiments.folder import check_out
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names
    from sim.errors import InputError

    if not param:
        raise InputError("give the parameter(s): --param key=start:stop:steps", field="--param")
    if len(param) > 2:
        raise InputError(
            f"a frontier is over 1 or 2 parameters, not {len(param)}",
            field="--param",
            valid="1 or 2 --param",
        )
    metric = check_metric(metric)
    chosen_contrast, names = parse_contrast(contrast)
    chosen = policies_from_names(names)
    ranges = [parse_param(p) for p in param]
    for r in ranges:
        if len(r.values) < 2 or r.low is None:
            raise InputError(
                "a frontier needs at least 2 numeric values of each parameter",
                field=f"--param {r.key}",
                valid="key=start:stop:steps with steps >= 2",
            )
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
        keep_tables=False,  # a design reads only the metrics: small task files
    )
    guard.check(
        guard.workload(
            chosen, scenario, reps=reps, points=design_size(ranges), largest=largest_values(ranges)
        ),
        jobs=jobs,
        force=force,
        quiet=True,
    )
    points = design_points(ranges, "grid")
    tables = {}

    def finish(folder, frames) -> None:
        from experiments.frontier import crossings, describe, frontier_table
        from experiments.results import write_text

        table = frontier_table(frames["replications"], chosen_contrast, metric)
        found = crossings(table)
        tables.update(table=table, crossings=found, finding=describe(table, found))
        write_table(folder / "frontier.csv", table)
        write_table(folder / "crossings.csv", found)
        import json as json_module

        write_text(
            folder / "frontier.json",
            json_module.dumps(
                {
                    "contrast": str(chosen_contrast),
                    "metric": metric,
                    "outcome": table.attrs["outcome"],
                    "finding": tables["finding"],
                }
            ),
        )
        from experiments.charts import draw_all

        draw_all(folder, check=False)

    folder, frames = opt.run_experiment(
        "frontier",
        chosen,
        scenario,
        reps=reps,
        seed=seed,
        out=out,
        jobs=jobs,
        scheduler=scheduler,
        quiet=quiet or json,
        label=f"frontier {plural(len(points), 'point')}",
        points=points,
        extra={
            "design": "grid",
            "params": param,
            "points": points,
            "metric": metric,
            "contrast": str(chosen_contrast),
            "baseline": chosen_contrast.second,
        },
        force=force,
        then=finish,
    )
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "contrast": str(chosen_contrast),
                "metric": metric,
                "finding": tables["finding"],
                "points": tables["table"].to_dict(orient="records"),
                "crossings": tables["crossings"].to_dict(orient="records"),
            }
        )
        return
    from rich.console import Console

    console = Console()
    console.print(f"[bold]{tables['finding']}[/bold]")
    console.print(
        f"{plural(len(frames['replications']), 'run')} ({plural(len(points), 'point')} x "
        f"2 policies x {plural(reps, 'replication')}) written to [bold]{folder}[/bold]"
    )
