"""``ccsim fit CALLS``: arrivals, handle time and patience from an ACD's per-call log."""

from __future__ import annotations

import hashlib
import json as jsonlib
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sim.errors import InputError

app = typer.Typer()

_TIME_HELP = (
    "How times are written: iso (ISO-8601), seconds (numbers of seconds after --origin), "
    "or a strptime format such as '%d/%m/%Y %H:%M:%S'."
)


@app.command()
def fit(
    calls: Annotated[Path, typer.Argument(help="Per-call log, CSV or Parquet: one row per call.")],
    arrived: Annotated[str, typer.Option(help="Column of the arrival time.")] = "arrived",
    answered: Annotated[
        str, typer.Option(help="Column of the answer time (empty if abandoned).")
    ] = "answered",
    ended: Annotated[
        str, typer.Option(help="Column of the end time (hang-up time if abandoned).")
    ] = "ended",
    outcome: Annotated[str, typer.Option(help="Column of the outcome label.")] = "outcome",
    waited: Annotated[
        str | None,
        typer.Option(
            help="Column of waits in seconds, used for abandoned calls instead of "
            "ended - arrived (ccsim's --contacts export: wait_s)."
        ),
    ] = None,
    answered_label: Annotated[
        list[str] | None,
        typer.Option(help="Outcome label of an answered call (repeatable; default answered)."),
    ] = None,
    abandoned_label: Annotated[
        list[str] | None,
        typer.Option(help="Outcome label of an abandoned call (repeatable; default abandoned)."),
    ] = None,
    time_format: Annotated[str, typer.Option(help=_TIME_HELP)] = "iso",
    origin: Annotated[
        str, typer.Option(help="Date-time that --time-format seconds counts from.")
    ] = "1970-01-01",
    encoding: Annotated[str, typer.Option(help="Text encoding of a CSV log.")] = "utf-8",
    interval_min: Annotated[
        float,
        typer.Option(help="Interval of the arrival profile, minutes (divides a day).", min=0.0),
    ] = 30.0,
    sl_threshold: Annotated[
        float, typer.Option(min=0.0, help="Service-level threshold, s.")
    ] = 20.0,
    agents: Annotated[
        int | None,
        typer.Option(min=1, help="Head count on duty: adds an Erlang A cross-check."),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print the estimates as one JSON object.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Results folder (default results/fit-<timestamp>)."),
    ] = None,
) -> None:
    """Fit arrivals, handle time and patience to a per-call log; write params and charts."""
    # Heavy imports here, so that `ccsim --help` stays fast.
    from experiments.call_log import LogFormat, read_call_log
    from experiments.display import print_json, print_metrics
    from experiments.fitting import fit_call_log, interval_seconds
    from experiments.folder import check_out, claim
    from experiments.results import manifest, write_json, write_table

    fmt = LogFormat(
        arrived=arrived,
        answered=answered,
        ended=ended,
        outcome=outcome,
        waited=waited,
        answered_labels=tuple(answered_label or ("answered",)),
        abandoned_labels=tuple(abandoned_label or ("abandoned",)),
        time_format=_time_format(time_format),
        origin=_origin(origin),
        encoding=encoding,
    )
    interval_seconds(interval_min)  # a bad option fails before a long read
    check_out(out)  # and a bad --out
    log = read_call_log(calls, fmt)
    if log.warning:
        print(f"ccsim: warning: {log.warning}", file=sys.stderr)
    result = fit_call_log(
        log, interval_min=interval_min, sl_threshold_s=sl_threshold, agents=agents
    )
    options = {
        "calls": calls,
        "calls_sha256": _sha256(calls),
        "format": fmt.__dict__,
        "interval_min": interval_min,
        "sl_threshold_s": sl_threshold,
        "agents": agents,
    }
    held = claim("fit", out, jsonlib.loads(jsonlib.dumps(options, default=str)))
    folder = held.path
    estimates = {**result.estimates, "use": _how_to_use(folder, result.estimates)}
    write_text_params(folder / "params.toml", estimates, calls)
    write_table(folder / "intervals.csv", result.volumes)
    write_table(folder / "profile.csv", result.profile)
    write_table(folder / "daily.csv", result.daily)
    write_table(folder / "handle_time_by_interval.csv", result.handle_by_interval)
    write_table(folder / "handle_time_histogram.csv", result.handle_histogram)
    write_table(folder / "patience_survival.csv", result.survival)
    write_json(folder / "estimates.json", estimates)

    from experiments.fit_charts import draw_fit_charts

    draw_fit_charts(
        folder,
        {
            "profile": result.profile,
            "handle_histogram": result.handle_histogram,
            "survival": result.survival,
        },
        estimates,
    )
    # Last: the manifest that marks the folder complete.
    held.finish(manifest("fit", options, rows=log.rows, skipped=log.skipped))
    if json:
        print_json({**result.summary, "results": str(folder)})
        return
    print_metrics(f"ccsim fit: {calls}", result.summary)
    print(f"results: {folder}")
    print(f"with people: {estimates['use']['behaviour_on']}")
    print(f"queue only:  {estimates['use']['behaviour_off']}")
    print(f"note: {estimates['use']['note']}")


def _sha256(path: Path) -> str:
    """The log file's SHA-256: a results folder belongs to one log's contents."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _time_format(text: str) -> str:
    text = text.strip()
    if text.lower() in ("iso", "seconds"):
        return text.lower()
    if "%" not in text:
        raise InputError(
            f"unknown time format {text!r}",
            field="--time-format",
            valid="iso, seconds, or a strptime format such as %Y-%m-%d %H:%M:%S",
        )
    return text


def _origin(text: str) -> str:
    import pandas as pd

    try:
        return pd.Timestamp(text).isoformat()
    except ValueError:
        raise InputError(
            f"cannot read {text!r}", field="--origin", valid="an ISO-8601 date or date-time"
        ) from None


def _how_to_use(folder: Path, estimates: dict[str, Any]) -> dict[str, str]:
    """The commands that run the fitted center."""
    arrivals = estimates["arrivals"]
    dates = f"{arrivals['first_date']}:{arrivals['last_date']}"
    handle, patience = estimates["handle_time"], estimates["patience"]
    csrs = f" --csrs {estimates['erlang_a']['agents']}" if "erlang_a" in estimates else ""
    off = (
        f"ccsim run --behaviour off --arrivals {folder / 'intervals.csv'} --date {dates} "
        f"--aht {handle['lognormal_mean_s']:.1f} --aht-cv {handle['lognormal_cv']:.3f}"
        + (f" --patience {patience['mean_s']:.1f}" if math.isfinite(patience["mean_s"]) else "")
        + csrs
    )
    on = f"ccsim run --params {folder / 'params.toml'} --days {arrivals['days']}"
    return {
        "behaviour_on": on,
        "behaviour_off": off,
        "note": "intervals.csv counts every call, repeats included; with people on, "
        "--arrivals volumes are first contacts only (repeats come on top)",
    }


def write_text_params(path: Path, estimates: dict[str, Any], source: Path) -> None:
    """Write the fitted values that are model parameters as a ``--params`` TOML file.

    Only keys declared in ``sim/defaults.toml`` are written; the rest of the fit (e.g. the
    lognormal handle time) is in ``estimates.json`` under ``not_in_params``.
    """
    from experiments.fitting import params_values
    from experiments.results import write_text

    values = params_values(estimates)
    patience = estimates["patience"]
    arrivals = estimates["arrivals"]
    comments = {
        "customers.mean_patience_s": (
            f"Mean patience of all callers, s ({patience['model']} fit, 95% CI "
            f"{patience['mean_low_s']:.0f}-{patience['mean_high_s']:.0f} s). In the model it\n"
            "# is a calm, regular caller's: angrier or more urgent callers hang up sooner, so\n"
            "# the simulated average is shorter unless customers.patience_anger_factor = 0."
        ),
        "operations.sl_threshold_s": "Service-level threshold used for the observed metrics, s.",
        "operations.csrs": "Head count given with --agents.",
        "scenario.first_contacts_per_day": (
            "Calls per day in the log, every call counted as a first contact. The model's\n"
            "# repeat contacts and redials come on top, so it will see somewhat more calls."
        ),
    }
    lines = [
        f"# Fitted by `ccsim fit` from {source}: {estimates['observed']['offered']:,} calls,",
        f"# {arrivals['first_date']} to {arrivals['last_date']}. Use with --params.",
        "# Handle time and the patience shape have no parameter yet: see estimates.json,",
        "# section not_in_params.",
    ]
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.rsplit(".", 1)
        sections.setdefault(section, []).append(f"# {comments[key]}\n{name} = {value!r}")
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    write_text(path, "\n".join(lines) + "\n")
