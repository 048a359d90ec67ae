"""``ccsim compare``: the main job. Policies side by side, with confidence intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from experiments import options as opt

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd
    from rich.console import Console

app = typer.Typer()

#: The metrics shown first, in this order; any others follow.
HEADLINE = (
    "retention_rate",
    "annualized_churn",
    "annualized_service_churn",
    "churned_customers",
    "lost_value",
    "escalation_rate",
    "fcr_rate",
    "repeat_contacts_per_issue",
    "aht_s",
    "aht_first_contact_s",
    "asa_s",
    "service_level",
    "abandonment_rate",
    "occupancy",
    "concession_cost",
    "concession_per_contact",
    "mean_csr_stress",
    "csat",
    "contacts_per_customer_year",
    "net_value",
)
#: The baseline when --baseline is not given and it is among the policies.
DEFAULT_BASELINE = "avoid"


def ordered_metrics(metrics: list[str]) -> list[str]:
    """Headline metrics first, then the rest in their table order."""
    head = [m for m in HEADLINE if m in metrics]
    return head + [m for m in metrics if m not in head]


@app.command()
def compare(
    policies: Annotated[
        list[str] | None,
        typer.Argument(help="Preset names or policy files (default: all presets)."),
    ] = None,
    reps: opt.Reps = 3,  # with common random numbers, paired differences are tight already
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Policy the others are compared with (paired differences); default: "
            "avoid if compared, else the first policy."
        ),
    ] = None,
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
    contacts: opt.Contacts = False,
    charts: Annotated[bool, typer.Option(help="Draw the charts into the results folder.")] = True,
    quiet: opt.Quiet = False,
    json: opt.Json = False,
    force: opt.Force = False,
) -> None:
    """Compare policies on the same customers, issues and arrivals (common random numbers)."""
    from experiments.display import plural, print_json
    from experiments.folder import check_out
    from experiments.results import write_table
    from experiments.runner import check_scheduler, policies_from_names
    from experiments.statistics import paired_differences, summary_table
    from policies.policy import preset_names
    from sim.errors import InputError

    chosen = policies_from_names(policies or preset_names())
    labels = [p.name for p in chosen]
    if baseline is None:
        baseline = DEFAULT_BASELINE if DEFAULT_BASELINE in labels else labels[0]
    elif baseline not in labels:
        raise InputError(
            f"{baseline!r} is not among the compared policies", field="--baseline", valid=labels
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
        keep_contacts=contacts,
        trace_anger=True,  # cheap, and keeps task ids the same with or without charts
    )
    tables: dict[str, pd.DataFrame] = {}

    def finish(folder, frames) -> None:
        reps_frame = frames["replications"]
        tables["summary"] = summary_table(reps_frame)
        tables["differences"] = paired_differences(reps_frame, baseline)
        write_table(folder / "summary.csv", tables["summary"])
        write_table(folder / "differences.csv", tables["differences"])
        if charts:
            from experiments.charts import draw_all

            draw_all(folder, check=False)

    folder, frames = opt.run_experiment(
        "compare",
        chosen,
        scenario,
        reps=reps,
        seed=seed,
        out=out,
        jobs=jobs,
        scheduler=scheduler,
        quiet=quiet or json,
        label=f"compare {plural(len(chosen), 'policy', 'policies')}",
        extra={"baseline": baseline},
        force=force,
        then=finish,
    )
    summary, diffs = tables["summary"], tables["differences"]
    if json:
        print_json(
            {
                "results_dir": str(folder),
                "baseline": baseline,
                "summary": summary.to_dict(orient="records"),
                "differences": diffs.to_dict(orient="records"),
            }
        )
        return
    counts = counted_metrics(frames["replications"])
    print_comparison(summary, diffs, labels, baseline, counts=counts)
    from rich.console import Console

    Console().print(f"Results written to [bold]{folder}[/bold]")


def counted_metrics(reps: pd.DataFrame) -> set[str]:
    """Metrics that count things (whole numbers in every replication)."""
    import pandas as pd

    return {c for c in reps.columns if pd.api.types.is_integer_dtype(reps[c])}


def print_comparison(
    summary: pd.DataFrame,
    diffs: pd.DataFrame,
    labels: list[str],
    baseline: str,
    console: Console | None = None,
    counts: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Print means with 95% CIs per policy, and paired differences against the baseline.

    The tables fit the console: with more policies than fit its width, each table is split
    into several, a few policies each (every one with the metric column).
    """
    from rich.console import Console
    from rich.table import Table

    from experiments.display import chunks, format_difference, format_value

    console = console or Console()
    metrics = ordered_metrics(list(dict.fromkeys(summary["metric"])))
    cell = summary.set_index(["policy", "metric"])
    groups = chunks(labels, console.width)
    for n, group in enumerate(groups, start=1):
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        table = Table(
            title=f"Policies compared: mean and 95% CI over replications{part}",
            header_style="bold",
        )
        table.add_column("metric", no_wrap=True)
        for label in group:
            table.add_column(label, justify="right")
        for metric in metrics:
            row = [metric]
            for label in group:
                mean, low, high = (
                    format_value(metric, v, count=metric in counts)
                    for v in cell.loc[(label, metric), ["mean", "ci_low", "ci_high"]]
                )
                row.append(f"{mean}\n[{low}, {high}]")
            table.add_row(*row)
        console.print(table)
    if diffs.empty:
        return
    others = [label for label in labels if label != baseline]
    dcell = diffs.set_index(["policy", "metric"])
    groups = chunks(others, console.width)
    for n, group in enumerate(groups, start=1):
        part = f" ({n} of {len(groups)})" if len(groups) > 1 else ""
        dtab = Table(
            title=f"Paired differences against {baseline}: mean, 95% CI, p-value; "
            f"shares in percentage points (pp){part}",
            header_style="bold",
        )
        dtab.add_column("metric", no_wrap=True)
        for label in group:
            dtab.add_column(label, justify="right")
        for metric in [m for m in HEADLINE if m in metrics]:
            row = [metric]
            for label in group:
                r = dcell.loc[(label, metric)]
                p = "-" if r["p_value"] != r["p_value"] else f"{r['p_value']:.2g}"
                diff, low, high = (
                    format_difference(metric, r[k], count=metric in counts)
                    for k in ("diff", "ci_low", "ci_high")
                )
                row.append(f"{diff}\n[{low}, {high}]\np={p}")
            dtab.add_row(*row)
        console.print(dtab)
