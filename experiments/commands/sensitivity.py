"""``ccsim sensitivity``: which parameters move an outcome, or a contrast of two policies."""

from __future__ import annotations

from typing import Annotated

import typer

from experiments import options as opt

app = typer.Typer()

METHODS = ("morris", "sobol")


@app.command()
def sensitivity(
    policies: Annotated[
        list[str] | None,
        typer.Argument(help="The policy whose metric is studied (default: negotiate)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="KEY=LO:HI, a parameter and its range, or KEY alone: its default +- "
            "--spread (repeatable).",
        ),
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option(
            "--group",
            help="Every numeric parameter under this prefix, over its default +- --spread "
            "within its valid range (repeatable).",
        ),
    ] = None,
    spread: Annotated[
        float,
        opt.number_option(
            "Share of the default a --group or bare --param parameter varies by.", gt=0, lt=1
        ),
    ] = 0.5,
    method: Annotated[
        str, typer.Option(help=f"{' or '.join(METHODS)}: screening, or variance shares.")
    ] = "morris",
    trajectories: Annotated[
        int,
        opt.number_option("Morris trajectories (points: T x (parameters + 1)).", ge=2, whole=True),
    ] = 10,
    samples: Annotated[
        int,
        opt.number_option(
            "Sobol' base samples, best a power of 2 (points: N x (parameters + 2)).",
            ge=2,
            whole=True,
        ),
    ] = 64,
    metric: Annotated[str, typer.Option(help="The outcome, e.g. net_value.")] = "retention_rate",
    contrast: Annotated[
        str | None,
        typer.Option(help="A-B: the paired difference of two policies, e.g. negotiate-avoid."),
    ] = None,
    reps: opt.Reps = 2,
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
    """Global sensitivity (SALib): Morris to screen many parameters, Sobol' for the few."""
    import sys

    from experiments import guard
    from experiments.contrast import check_metric, parse_contrast
    from experiments.display import plural, print_json
    from experiments.folder import check_out
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names
    from experiments.sensitivity import (
        Design,
        ModelEvaluation,
        finding,
        group_factors,
        parse_factor,
        sensitivity_indices,
    )
    from sim.errors import InputError

    if method not in METHODS:
        raise InputError(f"unknown method {method!r}", field="--method", valid=METHODS)
    if not param and not group:
        raise InputError(
            "give the parameters: --param KEY=LO:HI (repeatable) or --group PREFIX",
            field="--param",
        )
    metric = check_metric(metric)
    factors = [parse_factor(p, spread) for p in param or []]
    for prefix in group or []:
        factors += [
            f for f in group_factors(prefix, spread) if f.name not in {g.name for g in factors}
        ]
    n = trajectories if method == "morris" else samples
    design = Design(method, tuple(factors), n, seed=seed)
    chosen_contrast = None
    if contrast is not None:
        if policies:
            raise InputError(
                "a contrast names its two policies; give no policy arguments with it",
                field="--contrast",
            )
        chosen_contrast, names = parse_contrast(contrast)
        chosen = policies_from_names(names)
    else:
        chosen = policies_from_names(policies or ["negotiate"])
        if len(chosen) != 1:
            raise InputError(
                "one policy's outcome, or --contrast A-B for two",
                field="POLICIES",
                valid="one policy",
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
    # The size guard sees the design's size before a point is made.
    guard.check(
        guard.workload(
            chosen,
            scenario,
            reps=reps,
            points=design.size,
            largest={f.name: f.high for f in factors},
        ),
        jobs=jobs,
        force=force,
        quiet=True,
    )
    if method == "sobol" and n & (n - 1):
        print(
            f"ccsim: note: Sobol' indices are balanced at a power of 2 samples "
            f"(e.g. {1 << n.bit_length()}); {n} were asked",
            file=sys.stderr,
        )
    points = design.points()
    outcome = str(chosen_contrast) + " " + metric if chosen_contrast else metric
    tables = {}

    def finish(folder, frames) -> None:
        evaluation = ModelEvaluation(frames["replications"], metric, chosen_contrast)
        tables["indices"] = sensitivity_indices(design, evaluation)
        write_table(folder / "outcomes.csv", evaluation.table)
        write_table(folder / "indices.csv", tables["indices"])
        import json as json_module

        from experiments.results import write_text

        write_text(
            folder / "sensitivity.json",
            json_module.dumps(
                {
                    "method": method,
                    "outcome": outcome,
                    "finding": finding(tables["indices"], outcome),
                }
            ),
        )
        from experiments.charts import draw_all

        draw_all(folder, check=False)

    folder, frames = opt.run_experiment(
        "sensitivity",
        chosen,
        scenario,
        reps=reps,
        seed=seed,
        out=out,
        jobs=jobs,
        scheduler=scheduler,
        quiet=quiet or json,
        label=f"sensitivity {plural(len(points), 'point')}",
        points=points,
        extra={
            "design": method,
            "samples": n,
            "params": [f"{f.name}={f.low:g}:{f.high:g}" for f in factors],
            "points": points,
            "metric": metric,
            "contrast": str(chosen_contrast) if chosen_contrast else None,
            "outcome": outcome,
        },
        force=force,
        then=finish,
    )
    table = tables["indices"]
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "method": method,
                "outcome": outcome,
                "finding": finding(table, outcome),
                "indices": table.to_dict(orient="records"),
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    view = Table(title=finding(table, outcome), header_style="bold", box=None)
    for column in table.columns:
        view.add_column(column, justify="left" if column == "parameter" else "right")
    for row in table.itertuples(index=False):
        view.add_row(row[0], *(f"{v:.4g}" for v in row[1:]))
    console.print(view)
    console.print(
        f"{plural(len(frames['replications']), 'run')} ({plural(len(points), 'point')} x "
        f"{plural(len(chosen), 'policy', 'policies')} x {plural(reps, 'replication')}) "
        f"written to [bold]{folder}[/bold]"
    )
