"""``ccsim erlang``: the analytic Erlang C / Erlang A calculator planners know."""

from __future__ import annotations

from typing import Annotated

import typer

from experiments.display import print_json, print_metrics
from sim.erlang import erlang_metrics, staffing_for_target
from sim.errors import InputError

app = typer.Typer()
# Strict positivity is checked by sim.erlang, whose error names the field.
Positive = dict(min=0.0)


@app.command()
def erlang(
    arrival_rate: Annotated[
        float, typer.Option(help="Arrival rate, contacts per hour.", **Positive)
    ],
    aht: Annotated[float, typer.Option(help="Mean handle time, s.", **Positive)],
    agents: Annotated[
        int | None, typer.Option(min=1, help="Head count (omit with --target-*).")
    ] = None,
    patience: Annotated[
        float | None,
        typer.Option(help="Mean patience, s (Erlang A); omit for Erlang C.", **Positive),
    ] = None,
    sl_threshold: Annotated[
        float, typer.Option(min=0.0, help="Service-level threshold, s.")
    ] = 20.0,
    target_sl: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Find the smallest head count with this service level."
        ),
    ] = None,
    target_abandonment: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Find the smallest head count with at most this abandonment rate.",
        ),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print the metrics as one JSON object.")
    ] = False,
) -> None:
    """Steady-state metrics of M/M/n (Erlang C) or M/M/n+M (Erlang A), same keys as `run`."""
    targeted = target_sl is not None or target_abandonment is not None
    if agents is None and not targeted:
        raise InputError("give --agents, or --target-sl / --target-abandonment", field="--agents")
    if targeted:
        try:
            agents = staffing_for_target(
                arrival_rate,
                aht,
                patience_s=patience,
                sl_threshold_s=sl_threshold,
                target_sl=target_sl,
                target_abandonment=target_abandonment,
            )
        except ValueError as err:
            raise InputError(str(err)) from None
    try:
        metrics = erlang_metrics(
            arrival_rate, aht, agents, patience_s=patience, sl_threshold_s=sl_threshold
        )
    except ValueError as err:
        raise InputError(str(err)) from None
    model = "Erlang A (M/M/n+M)" if patience is not None else "Erlang C (M/M/n)"
    if json:
        print_json({"model": model, **metrics})
    else:
        print_metrics(f"{model}, {agents} agents", metrics)
