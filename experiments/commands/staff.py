"""``ccsim staff``: the smallest head count per policy that meets the targets."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated

import typer

from experiments import options as opt

if TYPE_CHECKING:  # pragma: no cover - typing only
    from experiments.design import Target

app = typer.Typer()


@app.command()
def staff(
    policies: Annotated[
        list[str] | None, typer.Argument(help="Presets or policy files (default: all presets).")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="metric>=value (repeatable); quote it in a shell: --target 'service_level>=0.8'.",
        ),
    ] = None,
    min_csrs: Annotated[int, opt.number_option("Smallest head count tried.", ge=1, whole=True)] = 5,
    max_csrs: Annotated[
        int, opt.number_option("Largest head count tried.", ge=1, whole=True)
    ] = 120,
    reps: opt.Reps = 3,
    days: opt.Days = None,
    arrivals: opt.Arrivals = None,
    date: opt.Date = None,
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
    """Bisect the head count per policy on replication means (metrics improve with staff)."""
    import pandas as pd

    from experiments import guard
    from experiments.design import parse_target
    from experiments.display import format_value, print_json
    from experiments.folder import check_out, claim
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names, replications_frame
    from experiments.statistics import mean_ci
    from policies.policy import preset_names
    from sim.errors import InputError

    if not target:
        raise InputError(
            "give at least one --target, e.g. --target 'service_level>=0.8'", field="--target"
        )
    if min_csrs > max_csrs:
        raise InputError(
            f"--min-csrs {min_csrs} is above --max-csrs {max_csrs}", field="--min-csrs"
        )
    targets = [parse_target(t) for t in target]
    chosen = policies_from_names(policies or preset_names())
    jobs = opt.choose_jobs(jobs, force)
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
    check_out(out)
    scenario = opt.scenario_from_options(
        days=days,
        csrs=None,
        arrivals=arrivals,
        date=date,
        schedule=None,
        set_=set_,
        params_file=params_file,
    )
    # Bisection tries at most two ends and about log2(range) head counts per policy.
    steps = 2 + math.ceil(math.log2(max(2, max_csrs - min_csrs)))
    plan = guard.check(
        guard.workload(chosen, scenario, reps=reps, points=steps, csrs=max_csrs),
        jobs=jobs,
        force=force,
        quiet=quiet or json,
    )
    identity = opt.identity(chosen, scenario, seed)
    held = claim("staff", out, identity)
    guard.check_disk(plan, held.path, force=force)
    folder = held.path
    evaluated: dict[tuple[str, int], dict] = {}
    all_results: list[dict] = []
    all_tasks = []

    def evaluate(policy, csrs: int) -> dict:
        key = (policy.name, csrs)
        if key not in evaluated:
            tasks = opt.make_tasks([policy], scenario, reps, seed, [{"operations.csrs": csrs}])
            results = session.run(tasks, label=f"staff: {policy.name} at {csrs} CSRs")
            all_tasks.extend(tasks)
            all_results.extend(results)
            frame = replications_frame(results)
            evaluated[key] = {m.metric: mean_ci(frame[m.metric].to_numpy()) for m in targets}
        return evaluated[key]

    def meets(values: dict) -> bool:
        return all(t.met(values[t.metric][0]) for t in targets)

    try:
        rows = []
        with opt.Session(
            folder=folder,
            jobs=jobs,
            scheduler=scheduler,
            quiet=quiet or json,
            label="staff",
            total=len(chosen) * steps * reps,
        ) as session:
            for policy in chosen:
                lo, hi = min_csrs, max_csrs
                if not meets(evaluate(policy, hi)):
                    rows.append(_row(policy.name, None, evaluate(policy, hi), targets, hi))
                    continue
                if meets(evaluate(policy, lo)):
                    hi = lo
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if meets(evaluate(policy, mid)):
                        hi = mid
                    else:
                        lo = mid
                rows.append(_row(policy.name, hi, evaluate(policy, hi), targets, hi))
        table = pd.DataFrame(rows)
        write_table(folder / "staffing.csv", table)
        frames = replications_frame(all_results)
        write_table(folder / "replications.csv", frames)
        write_table(folder / "replications.parquet", frames)
        held.finish(
            opt.experiment_manifest(
                "staff",
                all_tasks,
                chosen,
                scenario,
                seed,
                reps,
                extra={
                    "targets": [str(t) for t in targets],
                    "min_csrs": min_csrs,
                    "max_csrs": max_csrs,
                    "staffing": rows,
                },
            )
        )
    except KeyboardInterrupt:
        from experiments.results import Interrupted

        raise Interrupted(len(all_results), len(all_results), folder) from None
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "targets": [str(t) for t in targets],
                "staffing": table.to_dict(orient="records"),
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    out_table = Table(
        title=f"Smallest head count meeting {', '.join(map(str, targets))}", header_style="bold"
    )
    for col in ("policy", "csrs", *[t.metric for t in targets]):
        out_table.add_column(col, justify="right")
    for row in rows:
        cells = [row["policy"], "not reached" if row["csrs"] is None else str(row["csrs"])]
        for t in targets:
            mean, low, high = (
                format_value(t.metric, row[k])
                for k in (t.metric, f"{t.metric}_ci_low", f"{t.metric}_ci_high")
            )
            cells.append(f"{mean} [{low}, {high}]")
        out_table.add_row(*cells)
    Console().print(out_table)
    Console().print(f"Results written to [bold]{folder}[/bold]")


def _row(policy: str, csrs: int | None, values: dict, targets: list[Target], tried: int) -> dict:
    row: dict = {"policy": policy, "csrs": csrs, "evaluated_at": tried}
    for t in targets:
        mean, low, high = values[t.metric]
        row.update({t.metric: mean, f"{t.metric}_ci_low": low, f"{t.metric}_ci_high": high})
    return row
