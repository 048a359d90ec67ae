"""``ccsim validate``: the model against the figures real contact centers land near."""

from __future__ import annotations

from typing import Annotated

import typer

from experiments import options as opt

app = typer.Typer()


@app.command()
def validate(
    policy: Annotated[
        str, typer.Argument(help="The policy held to the anchors (preset or file).")
    ] = "mixed-floor",
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
    """Hold the model (default: the mixed floor) to published figures, with verdicts.

    The figures: the Erlang textbook cases, the operations ranges of real centers, and
    the loyalty and recovery findings, each with its source.
    """
    from experiments.display import print_json
    from experiments.folder import check_out
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names
    from experiments.validation import validate as hold
    from sim.parameters import Parameters

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
    tables = {}

    def finish(folder, frames) -> None:
        table = hold(frames["replications"], Parameters(scenario.overrides))
        tables["validation"] = table
        write_table(folder / "validation.csv", table)
        from experiments.charts import draw_all

        draw_all(folder, check=False)

    folder, _ = opt.run_experiment(
        "validate",
        chosen,
        scenario,
        reps=reps,
        seed=seed,
        out=out,
        jobs=jobs,
        scheduler=scheduler,
        quiet=quiet or json,
        label=f"validate {chosen[0].name}",
        force=force,
        then=finish,
    )
    table = tables["validation"]
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "policy": chosen[0].name,
                "anchors": table.to_dict(orient="records"),
            }
        )
        return
    print_validation(table, chosen[0].name)
    from rich.console import Console

    Console().print(f"Results written to [bold]{folder}[/bold]")


def print_validation(table, policy: str) -> None:
    """One row per anchor: what, the published figure and its source, the model, verdict."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    holds = int(table["holds"].sum())
    out = Table(
        title=f"{policy} against published figures: {holds} of {len(table)} anchors hold",
        header_style="bold",
        show_lines=True,
    )
    for column in ("anchor", "published (source)", "model (95% CI)", "verdict"):
        out.add_column(column, overflow="fold")
    for row in table.itertuples():
        style = "green" if row.holds else "red"
        out.add_row(
            escape(f"{row.anchor}\n{row.what}"),
            escape(f"{row.published}\n({row.source}; {row.confidence})"),
            escape(str(row.model)),
            f"[{style}]{escape(row.verdict)}[/{style}]",
        )
    Console().print(out)
