"""``ccsim run``: one replication of one scenario."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from experiments import scenario
from experiments.display import print_json, print_metrics
from experiments.results import manifest, new_results_dir, write_json, write_table
from sim.records import with_rates

app = typer.Typer()


class Behaviour(StrEnum):
    """Whether the people (customers, strategies, conversations) are simulated."""

    on = "on"
    off = "off"


class HandleTime(StrEnum):
    """Handle-time distribution of the queue-only model."""

    exponential = "exponential"
    lognormal = "lognormal"


# Strict positivity is checked by the model, which names the field in its error.
PositiveFloat = dict(min=0.0)


@app.command()
def run(
    behaviour: Annotated[
        Behaviour, typer.Option(help="Simulate people (on) or the queue only (off).")
    ] = Behaviour.on,
    policy: Annotated[
        str, typer.Option(help="Policy preset or file (behaviour on).")
    ] = "negotiate",
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Days to simulate (behaviour on; default scenario.days)."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Parameter override key=value (behaviour on).")
    ] = None,
    params_file: Annotated[
        Path | None,
        typer.Option("--params", help="TOML file of parameter overrides (behaviour on)."),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option(help="Write per-contact records to this Parquet file (behaviour on)."),
    ] = None,
    csrs: Annotated[
        int | None, typer.Option(min=1, help="Front-line head count (default 50, or the policy's).")
    ] = None,
    schedule: Annotated[
        Path | None,
        typer.Option(help="Staffing schedule CSV (interval_start,csrs), instead of --csrs."),
    ] = None,
    arrival_rate: Annotated[
        float,
        typer.Option(help="Arrival rate, contacts per hour (behaviour off).", **PositiveFloat),
    ] = 540.0,
    hours: Annotated[
        float | None, typer.Option(help="Horizon, hours (default 8).", **PositiveFloat)
    ] = None,
    arrivals: Annotated[
        Path | None, typer.Option(help="Interval-volume CSV (date,interval_start,calls).")
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Date or range in --arrivals: YYYY-MM-DD[:YYYY-MM-DD].")
    ] = None,
    interval_min: Annotated[
        float,
        typer.Option(help="Reporting interval with --arrival-rate, minutes.", **PositiveFloat),
    ] = 30.0,
    aht: Annotated[float, typer.Option(help="Mean handle time, s.", **PositiveFloat)] = 300.0,
    aht_cv: Annotated[
        float | None,
        typer.Option(
            help="Handle-time coefficient of variation (implies lognormal).", **PositiveFloat
        ),
    ] = None,
    handle_time: Annotated[
        HandleTime | None, typer.Option(help="Handle-time distribution.")
    ] = None,
    patience: Annotated[
        float | None,
        typer.Option(
            help="Mean patience, s (exponential); omit: callers never hang up.", **PositiveFloat
        ),
    ] = None,
    warmup_hours: Annotated[
        float,
        typer.Option(
            min=0.0, help="Leave intervals starting in the first H hours out of the summary."
        ),
    ] = 0.0,
    sl_threshold: Annotated[
        float, typer.Option(min=0.0, help="Service-level threshold, s.")
    ] = 20.0,
    seed: Annotated[int, typer.Option(min=0, help="Replication seed.")] = 1,
    json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Write a results folder here (manifest, summary, intervals)."),
    ] = None,
) -> None:
    """Simulate one replication and print its summary."""
    if behaviour is Behaviour.on:
        _run_behaviour(
            policy=policy,
            days=days,
            set_=set_,
            params_file=params_file,
            contacts=contacts,
            csrs=csrs,
            schedule=schedule,
            arrivals=arrivals,
            date=date,
            seed=seed,
            json=json,
            out=out,
        )
        return
    csrs = csrs or 50
    profile = scenario.arrival_profile(
        arrival_rate if arrivals is None else None,
        hours if hours is not None or arrivals is not None else 8.0,
        arrivals,
        date,
        interval_min,
    )
    staff = scenario.staffing(csrs, schedule, scenario.profile_days(profile))
    config = scenario.operations_config(
        profile=profile,
        staff=staff,
        aht_s=aht,
        aht_cv=aht_cv,
        handle_time=None if handle_time is None else handle_time.value,
        patience_s=patience,
        sl_threshold_s=sl_threshold,
        warmup_s=warmup_hours * 3600.0,
    )
    from sim.model import ContactCenter

    model = ContactCenter(config, seed=seed).run()
    summary = model.summary()
    if out is not None:
        folder = new_results_dir("run", out)
        options = {
            "behaviour": behaviour.value,
            "csrs": csrs,
            "schedule": schedule,
            "arrival_rate_per_h": None if arrivals else arrival_rate,
            "hours": hours,
            "arrivals": arrivals,
            "date": date,
            "interval_min": interval_min,
            "aht_s": aht,
            "aht_cv": config.aht_cv,
            "handle_time": config.handle_time,
            "patience_s": patience,
            "warmup_hours": warmup_hours,
            "sl_threshold_s": sl_threshold,
        }
        write_json(folder / "manifest.json", manifest("run", options, seed=seed))
        write_table(folder / "summary.csv", _one_row(summary))
        write_table(folder / "intervals.csv", with_rates(model.interval_table()))
    if json:
        print_json(summary)
    else:
        print_metrics(f"ccsim run (seed {seed})", summary)


def _one_row(summary: dict) -> pd.DataFrame:
    return pd.DataFrame([summary])


def _run_behaviour(
    *, policy, days, set_, params_file, contacts, csrs, schedule, arrivals, date, seed, json, out
) -> None:
    from experiments.options import scenario_from_options
    from experiments.runner import Task, build_model
    from policies.policy import load_policy
    from sim.parameters import Parameters

    chosen = load_policy(policy)
    scenario = scenario_from_options(
        days=days,
        csrs=csrs,
        arrivals=arrivals,
        date=date,
        schedule=schedule,
        set_=set_,
        params_file=params_file,
        keep_contacts=contacts is not None,
    )
    model = build_model(Task(chosen, scenario, seed, 0)).run()
    summary = model.summary()
    if contacts is not None:
        write_table(contacts, model.contacts_frame())
    if out is not None:
        folder = new_results_dir("run", out)
        flat = {k: v for k, v in summary.items() if not isinstance(v, dict)}
        write_json(
            folder / "manifest.json",
            manifest(
                "run",
                Parameters(scenario.overrides).to_dict(),
                overrides=scenario.overrides,
                policy=chosen.to_dict(),
                seed=seed,
                scenario={k: v for k, v in scenario.__dict__.items() if k != "overrides"},
            ),
        )
        write_table(folder / "summary.csv", _one_row(flat))
        write_table(folder / "intervals.csv", with_rates(model.interval_table()))
        write_json(
            folder / "breakdowns.json",
            {"by_temperament": summary["by_temperament"], "by_persona": summary["by_persona"]},
        )
    if json:
        print_json(summary)
    else:
        print_metrics(f"ccsim run: {chosen.name} (seed {seed})", summary)
        print(summary["repeats_note"])
