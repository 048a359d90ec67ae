"""``ccsim erlang``: the analytic Erlang C / Erlang A calculator planners know.

Imports nothing heavy at start-up (NumPy and SciPy's special functions only when it
computes), so that it answers as fast as a calculator should.
"""

from __future__ import annotations

from typing import Annotated

import typer

from experiments import options as opt

app = typer.Typer()

#: Bounds of the inputs: beyond them no contact center exists, and the arrays of the
#: computation (one entry per agent and per waiting caller) would not fit in memory.
MAX_RATE_PER_H, MAX_AHT_S, MAX_AGENTS, MAX_PATIENCE_S = 10_000_000, 86_400, 100_000, 604_800
#: The calculator's internal names, as the options the user typed.
OPTION_NAMES = {
    "arrival_rate_per_h": "--arrival-rate",
    "aht_s": "--aht",
    "patience_s": "--patience",
    "sl_threshold_s": "--sl-threshold",
    "target_sl": "--target-sl",
    "target_abandonment": "--target-abandonment",
}


@app.command()
def erlang(
    arrival_rate: Annotated[
        float,
        opt.number_option("Arrival rate, contacts per hour.", gt=0, le=MAX_RATE_PER_H),
    ],
    aht: Annotated[float, opt.number_option("Mean handle time, s.", gt=0, le=MAX_AHT_S)],
    agents: Annotated[
        int | None,
        opt.number_option("Head count (omit with --target-*).", ge=1, le=MAX_AGENTS, whole=True),
    ] = None,
    patience: Annotated[
        float | None,
        opt.number_option(
            "Mean patience, s (Erlang A); omit for Erlang C.", gt=0, le=MAX_PATIENCE_S
        ),
    ] = None,
    sl_threshold: Annotated[
        float, opt.number_option("Service-level threshold, s.", ge=0, le=MAX_AHT_S)
    ] = 20.0,
    target_sl: Annotated[
        float | None,
        opt.number_option("Find the smallest head count with this service level.", gt=0, lt=1),
    ] = None,
    target_abandonment: Annotated[
        float | None,
        opt.number_option(
            "Find the smallest head count with at most this abandonment rate.", gt=0, lt=1
        ),
    ] = None,
    simulate: Annotated[
        int,
        opt.number_option(
            "Also simulate the same queue (people off) for this many replications and show "
            "the simulated metrics beside the formula's (0: no).",
            ge=0,
            le=100,
            whole=True,
        ),
    ] = 0,
    hours: Annotated[
        float,
        opt.number_option(
            "Hours simulated per replication with --simulate (the first 5% left out).",
            gt=0,
            le=10_000,
        ),
    ] = 200.0,
    seed: opt.Seed = 1,
    json: Annotated[
        bool, typer.Option("--json", help="Print the metrics as one JSON object.")
    ] = False,
) -> None:
    """Steady-state metrics of M/M/n (Erlang C) or M/M/n+M (Erlang A), same keys as `run`."""
    import sys

    from experiments.display import plural, print_json, print_metrics
    from sim.erlang import erlang_metrics, staffing_for_target
    from sim.errors import InputError

    targeted = target_sl is not None or target_abandonment is not None
    if agents is None and not targeted:
        raise InputError("give --agents, or --target-sl / --target-abandonment", field="--agents")
    if agents is not None and targeted:
        raise InputError(
            "give either --agents or a target (--target-sl, --target-abandonment), not both",
            field="--agents",
        )
    try:
        if targeted:
            agents = staffing_for_target(
                arrival_rate,
                aht,
                patience_s=patience,
                sl_threshold_s=sl_threshold,
                target_sl=target_sl,
                target_abandonment=target_abandonment,
            )
        metrics = erlang_metrics(
            arrival_rate, aht, agents, patience_s=patience, sl_threshold_s=sl_threshold
        )
    except ValueError as err:
        message = str(err)
        for name, option in OPTION_NAMES.items():
            message = message.replace(name, option)
        raise InputError(message) from None
    model = "Erlang A (M/M/n+M)" if patience is not None else "Erlang C (M/M/n)"
    load = metrics["offered_load_erlangs"]
    if patience is None and load >= agents:
        print(
            f"ccsim: note: the queue is unstable: an offered load of {load:,.1f} Erlangs "
            f"needs more than {plural(agents, 'agent')}, so waits grow without bound (give more "
            "--agents, or --patience for callers who hang up)",
            file=sys.stderr,
        )
    simulated = (
        _simulate(arrival_rate, aht, agents, patience, sl_threshold, simulate, hours, seed)
        if simulate
        else None
    )
    if json:
        print_json({"model": model, **metrics, **({"simulated": simulated} if simulated else {})})
        return
    print_metrics(f"{model}, {agents:,} agents", metrics)
    if simulated:
        print_metrics(
            f"Simulated by ccsim's engine: {plural(simulate, 'replication')} of {hours:g} h, "
            "mean [95% CI]",
            {
                k: f"{v['mean']:.4g} [{v['ci_low']:.4g}, {v['ci_high']:.4g}]"
                for k, v in simulated.items()
            },
        )


def _simulate(
    rate: float,
    aht: float,
    agents: int,
    patience: float | None,
    sl_threshold: float,
    reps: int,
    hours: float,
    seed: int,
) -> dict[str, dict[str, float]]:
    """The queue the formula describes, simulated with people off: each metric's mean and
    95% CI over replications (independent seeds derived from ``seed``)."""
    from experiments.statistics import mean_ci
    from sim.arrivals import constant_profile
    from sim.model import ContactCenter, OperationsConfig
    from sim.staffing import Staffing
    from sim.streams import replication_seeds

    config = OperationsConfig(
        constant_profile(rate, hours, 60.0),
        Staffing.fixed(agents),
        aht_s=aht,
        patience_s=patience,
        sl_threshold_s=sl_threshold,
        warmup_s=0.05 * hours * 3600.0,
    )
    runs = [ContactCenter(config, seed=s).run().summary() for s in replication_seeds(seed, reps)]
    import numpy as np

    out = {}
    for key in ("p_wait", "service_level", "abandonment_rate", "asa_s", "occupancy"):
        values = np.array([run[key] for run in runs], dtype=float)
        mean, low, high = mean_ci(values) if reps > 1 else (values[0],) * 3
        out[key] = {"mean": float(mean), "ci_low": float(low), "ci_high": float(high)}
    return out
