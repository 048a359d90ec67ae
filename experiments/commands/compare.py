"""``ccsim compare``: the main job. Policies side by side, with confidence intervals."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from experiments import options as opt
from experiments.display import format_value, print_json
from experiments.results import write_table
from experiments.runner import policies_from_names
from experiments.statistics import paired_differences, summary_table
from policies.policy import preset_names
from sim.errors import InputError

app = typer.Typer()

#: The metrics shown first, in this order; any others follow.
HEADLINE = (
    "retention_rate",
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
    "net_value",
)


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
        str, typer.Option(help="Policy the others are compared with (paired differences).")
    ] = "avoid",
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
    contacts: opt.Contacts = False,
    charts: Annotated[bool, typer.Option(help="Draw the charts into the results folder.")] = True,
    quiet: opt.Quiet = False,
    json: opt.Json = False,
) -> None:
    """Compare policies on the same customers, issues and arrivals (common random numbers)."""
    names = policies or preset_names()
    chosen = policies_from_names(names)
    labels = [p.name for p in chosen]
    if baseline not in labels:
        if policies:
            baseline = labels[0]
        else:
            raise InputError(
                f"baseline {baseline!r} is not compared", field="--baseline", valid=labels
            )
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
        label=f"compare {len(chosen)} policies",
        extra={"baseline": baseline},
    )
    reps_frame = frames["replications"]
    summary = summary_table(reps_frame)
    diffs = paired_differences(reps_frame, baseline)
    write_table(folder / "summary.csv", summary)
    write_table(folder / "differences.csv", diffs)
    if charts:
        from experiments.charts import draw_all

        draw_all(folder)
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
    print_comparison(summary, diffs, labels, baseline)
    Console().print(f"Results written to [bold]{folder}[/bold]")


def print_comparison(
    summary, diffs, labels: list[str], baseline: str, console: Console | None = None
) -> None:
    """Print means with 95% CIs per policy, and paired differences against the baseline."""
    console = console or Console(width=max(160, 20 * len(labels) + 30))
    table = Table(
        title="Policies compared (mean and 95% CI over replications)", header_style="bold"
    )
    table.add_column("metric")
    for label in labels:
        table.add_column(label, justify="right")
    metrics = ordered_metrics(list(dict.fromkeys(summary["metric"])))
    cell = summary.set_index(["policy", "metric"])
    for metric in metrics:
        row = [metric]
        for label in labels:
            r = cell.loc[(label, metric)]
            row.append(
                f"{format_value(metric, r['mean'])}\n[{format_value(metric, r['ci_low'])}, "
                f"{format_value(metric, r['ci_high'])}]"
            )
        table.add_row(*row)
    console.print(table)
    if diffs.empty:
        return
    dtab = Table(
        title=f"Paired differences against {baseline} (mean, 95% CI, p-value)", header_style="bold"
    )
    dtab.add_column("metric")
    others = [label for label in labels if label != baseline]
    for label in others:
        dtab.add_column(label, justify="right")
    dcell = diffs.set_index(["policy", "metric"])
    for metric in [m for m in HEADLINE if m in metrics]:
        row = [metric]
        for label in others:
            r = dcell.loc[(label, metric)]
            p = "-" if r["p_value"] != r["p_value"] else f"{r['p_value']:.3g}"
            row.append(
                f"{_signed(metric, r['diff'])}\n[{_signed(metric, r['ci_low'])}, "
                f"{_signed(metric, r['ci_high'])}] p={p}"
            )
        dtab.add_row(*row)
    console.print(dtab)


def _signed(metric: str, value: float) -> str:
    text = format_value(metric, value)
    return text if text.startswith("-") or text == "-" else f"+{text}"
