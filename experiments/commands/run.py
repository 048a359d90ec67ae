"""``ccsim run``: one replication of one scenario."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from experiments import options as opt

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

app = typer.Typer()


class Behaviour(StrEnum):
    """Whether the people (customers, strategies, conversations) are simulated."""

    on = "on"
    off = "off"


class HandleTime(StrEnum):
    """Handle-time distribution of the queue-only model."""

    exponential = "exponential"
    lognormal = "lognormal"


#: Bounds of the queue-only inputs (physically meaningful; the size guard judges the rest).
MAX_RATE_PER_H, MAX_HOURS, DAY_S, WEEK_S = 10_000_000, 87_600, 86_400, 604_800


@app.command()
def run(
    behaviour: Annotated[
        Behaviour, typer.Option(help="Simulate people (on) or the queue only (off).")
    ] = Behaviour.on,
    policy: Annotated[
        str, typer.Option(help="Policy preset or file (behaviour on).")
    ] = "negotiate",
    days: opt.Days = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Parameter override key=value (behaviour on).")
    ] = None,
    params_file: Annotated[
        Path | None,
        opt.path_option(
            "TOML file of parameter overrides (behaviour on).", metavar="FILE", name="--params"
        ),
    ] = None,
    contacts: Annotated[
        Path | None,
        opt.path_option(
            "Write per-contact records to this Parquet file (behaviour on).", metavar="FILE"
        ),
    ] = None,
    csrs: Annotated[
        int | None,
        opt.number_option("Front-line head count (default 50, or the policy's).", ge=1, whole=True),
    ] = None,
    schedule: Annotated[
        Path | None,
        opt.path_option(
            "Staffing schedule CSV (interval_start,csrs), instead of --csrs.", metavar="FILE"
        ),
    ] = None,
    arrival_rate: Annotated[
        float,
        opt.number_option(
            "Arrival rate, contacts per hour (behaviour off).", gt=0, le=MAX_RATE_PER_H
        ),
    ] = 540.0,
    hours: Annotated[
        float | None, opt.number_option("Horizon, hours (default 8).", gt=0, le=MAX_HOURS)
    ] = None,
    arrivals: opt.Arrivals = None,
    date: opt.Date = None,
    interval_min: Annotated[
        float,
        opt.number_option("Reporting interval with --arrival-rate, minutes.", gt=0, le=DAY_S / 60),
    ] = 30.0,
    aht: Annotated[float, opt.number_option("Mean handle time, s.", gt=0, le=DAY_S)] = 300.0,
    aht_cv: Annotated[
        float | None,
        opt.number_option(
            "Handle-time coefficient of variation (implies lognormal).", gt=0, le=100
        ),
    ] = None,
    handle_time: Annotated[
        HandleTime | None, typer.Option(help="Handle-time distribution.")
    ] = None,
    patience: Annotated[
        float | None,
        opt.number_option(
            "Mean patience, s (exponential); omit: callers never hang up.", gt=0, le=WEEK_S
        ),
    ] = None,
    warmup_hours: Annotated[
        float,
        opt.number_option(
            "Leave intervals starting in the first H hours out of the summary.",
            ge=0,
            le=MAX_HOURS,
        ),
    ] = 0.0,
    sl_threshold: Annotated[
        float, opt.number_option("Service-level threshold, s.", ge=0, le=DAY_S)
    ] = 20.0,
    seed: Annotated[int, opt.number_option("Replication seed.", ge=0, whole=True)] = 1,
    json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object.")
    ] = False,
    out: Annotated[
        Path | None,
        opt.path_option(
            "Write a results folder here (manifest, summary, intervals).", metavar="DIR"
        ),
    ] = None,
    force: opt.Force = False,
) -> None:
    """Simulate one replication and print its summary."""
    from experiments.folder import check_file_target, check_out

    check_out(out)
    if behaviour is Behaviour.on:
        check_file_target(contacts, "--contacts")
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
            force=force,
        )
        return
    from sim.errors import InputError

    for name, given in (("--contacts", contacts), ("--set", set_), ("--params", params_file)):
        if given:
            raise InputError("applies with --behaviour on only", field=name)
    _run_queue(
        csrs=csrs or 50,
        schedule=schedule,
        arrival_rate=arrival_rate,
        hours=hours,
        arrivals=arrivals,
        date=date,
        interval_min=interval_min,
        aht=aht,
        aht_cv=aht_cv,
        handle_time=handle_time,
        patience=patience,
        warmup_hours=warmup_hours,
        sl_threshold=sl_threshold,
        seed=seed,
        json=json,
        out=out,
        force=force,
    )


def _run_queue(
    *,
    csrs: int,
    schedule: Path | None,
    arrival_rate: float,
    hours: float | None,
    arrivals: Path | None,
    date: str | None,
    interval_min: float,
    aht: float,
    aht_cv: float | None,
    handle_time: HandleTime | None,
    patience: float | None,
    warmup_hours: float,
    sl_threshold: float,
    seed: int,
    json: bool,
    out: Path | None,
    force: bool,
) -> None:
    """The queue-only model (Erlang C / A by simulation, or a planner's own volumes)."""
    from experiments import guard, scenario
    from experiments.display import print_json, print_metrics
    from sim.errors import InputError
    from sim.staffing import read_schedule

    if arrivals is not None:
        if date is None:
            raise InputError(
                "--arrivals needs --date", field="--date", valid="YYYY-MM-DD[:YYYY-MM-DD]"
            )
        if hours is not None:
            raise InputError("give either --hours or --arrivals, not both", field="--hours")
        profile = scenario.arrival_profile(None, None, arrivals, date, interval_min)
        span_h, expected = profile.horizon_s / 3600.0, float(profile.expected.sum())
        intervals = len(profile.starts_s)
    else:
        if date is not None:
            raise InputError("--date needs --arrivals FILE", field="--date")
        profile = None
        span_h = 8.0 if hours is None else hours
        expected, intervals = arrival_rate * span_h, span_h * 60.0 / interval_min
    heads = csrs if schedule is None else read_schedule(schedule).max_csrs
    days = span_h / 24.0
    # Judged before the arrival profile (one entry per interval) is made.
    guard.check(
        guard.Workload(
            tasks=1,
            customers=0,
            first_contacts_per_day=expected / max(days, 1e-9),
            days=days,
            csrs=heads,
            intervals_per_day=intervals / max(days, 1e-9),
            people=False,
        ),
        force=force,
        quiet=json,
    )
    if profile is None:
        profile = scenario.arrival_profile(arrival_rate, span_h, None, None, interval_min)
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
    options = {
        "behaviour": "off",
        "csrs": csrs,
        "schedule": schedule,
        "schedule_sha256": staff.sha256,
        "arrival_rate_per_h": None if arrivals else arrival_rate,
        "hours": hours,
        "arrivals": arrivals,
        "arrivals_sha256": profile.sha256,
        "date": date,
        "interval_min": interval_min,
        "aht_s": aht,
        "aht_cv": config.aht_cv,
        "handle_time": config.handle_time,
        "patience_s": patience,
        "warmup_hours": warmup_hours,
        "sl_threshold_s": sl_threshold,
        "seed": seed,
    }
    held = _claim(out, options)
    from sim.model import ContactCenter
    from sim.records import with_rates

    model = ContactCenter(config, seed=seed).run()
    summary = model.summary()
    if held is not None:
        from experiments.results import manifest, write_table

        write_table(held.path / "summary.csv", _one_row(summary))
        write_table(held.path / "intervals.csv", with_rates(model.interval_table()))
        held.finish(manifest("run", options, seed=seed))
    if json:
        print_json(summary)
    else:
        print_metrics(f"ccsim run (seed {seed})", summary)


def _claim(out: Path | None, identity: dict[str, Any]):
    """Claim ``--out`` for a run, if given (see :mod:`experiments.folder`)."""
    if out is None:
        return None
    from experiments.folder import claim

    return claim("run", out, identity)


def _one_row(summary: dict) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([summary])


def _run_behaviour(
    *,
    policy: str,
    days: int | None,
    set_: list[str] | None,
    params_file: Path | None,
    contacts: Path | None,
    csrs: int | None,
    schedule: Path | None,
    arrivals: Path | None,
    date: str | None,
    seed: int,
    json: bool,
    out: Path | None,
    force: bool,
) -> None:
    """One replication with people (the runner's task, run here)."""
    from dataclasses import asdict

    from experiments import guard
    from experiments.display import print_json, print_metrics
    from experiments.options import scenario_from_options
    from experiments.results import manifest, write_json, write_table
    from experiments.runner import Task, build_model
    from policies.policy import load_policy
    from sim.parameters import Parameters
    from sim.records import with_rates

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
    guard.check(guard.workload([chosen], scenario, reps=1), force=force, quiet=json)
    held = _claim(out, {"policy": chosen.to_dict(), "scenario": asdict(scenario), "seed": seed})
    model = build_model(Task(chosen, scenario, seed, 0)).run()
    summary = model.summary()
    if contacts is not None:
        write_table(contacts, model.contacts_frame())
    if held is not None:
        folder = held.path
        flat = {k: v for k, v in summary.items() if not isinstance(v, dict)}
        write_table(folder / "summary.csv", _one_row(flat))
        write_table(folder / "intervals.csv", with_rates(model.interval_table()))
        write_json(
            folder / "breakdowns.json",
            {"by_temperament": summary["by_temperament"], "by_persona": summary["by_persona"]},
        )
        held.finish(
            manifest(
                "run",
                Parameters(scenario.overrides).to_dict(),
                overrides=scenario.overrides,
                policy=chosen.to_dict(),
                seed=seed,
                scenario={k: v for k, v in scenario.__dict__.items() if k != "overrides"},
            )
        )
    if json:
        print_json(summary)
    else:
        print_metrics(f"ccsim run: {chosen.name} (seed {seed})", summary)
        if summary.get("repeats_note"):
            print(f"Note: {summary['repeats_note']}.")
