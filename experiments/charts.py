"""Charts for people who would rather look than read (trainers, planners).

:func:`draw_all` draws every chart a results folder has data for, as PNG and SVG files
written atomically into ``charts/``; the plot functions themselves are in
:mod:`experiments.plots` (and importable from here). The simulation never imports this
module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.plots import (  # noqa: E402, F401  (the plots are part of this module's API)
    FIXED_COLOURS,
    PALETTE,
    STYLE,
    colour,
    plot_account_trajectories,
    plot_anger_curves,
    plot_annual_churn,
    plot_concession_vs_retention,
    plot_escalation,
    plot_metric_by_policy,
    plot_outcomes_by_group,
    plot_repeats_and_handle_time,
    plot_retention,
    plot_staffing_crossover,
    plot_validation,
    policy_means,
)
from experiments.study_plots import (  # noqa: E402, F401  (part of this module's API too)
    plot_calibration_convergence,
    plot_calibration_targets,
    plot_frontier,
    plot_sensitivity_indices,
)
from sim.errors import InputError  # noqa: E402


def _save(fig, path: Path) -> list[Path]:
    """Write a figure as PNG and SVG atomically."""
    from experiments.results import atomic_write

    out = []
    for suffix in (".png", ".svg"):
        target = path.with_suffix(suffix)
        atomic_write(
            target,
            lambda tmp, fmt=suffix[1:]: fig.savefig(tmp, dpi=120, bbox_inches="tight", format=fmt),
        )
        out.append(target)
    plt.close(fig)
    return out


def _read_csv(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except Exception as err:  # pandas raises several kinds for a damaged file
        raise InputError(f"{name} cannot be read ({type(err).__name__})", source=folder) from None


def _read_json(folder: Path, name: str) -> dict:
    import json

    path = folder / name
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{name} cannot be read", source=folder) from None
    return data if isinstance(data, dict) else {}


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except Exception as err:  # pyarrow raises several kinds for a damaged file
        raise InputError(f"{name} cannot be read ({type(err).__name__})", source=folder) from None


CHARTS = (
    "calibration_targets",
    "calibration_convergence",
    "sensitivity_indices",
    "frontier",
    "validation",
    "retention",
    "annual_churn",
    "escalation",
    "anger_curve",
    "account_trajectories",
    "repeats_and_handle_time",
    "concession_vs_retention",
    "staffing_crossover",
    "escalation_by_temperament",
    "escalation_by_persona",
    "retention_by_temperament",
)
#: Columns a replications table needs for the charts.
NEEDED = ("policy", "replication", "retention_rate", "escalation_rate")


def chart_jobs(folder: Path) -> list[tuple[str, Callable]]:
    """The charts a results folder has data for: ``(name, draw(ax) -> ax)`` pairs.

    Each job holds its own data (no late-bound loop variables): a sweep over head counts
    draws the crossover from every head count, and the other charts from the largest.
    """
    folder = Path(folder)
    reps = _read(folder, "replications.parquet")
    if reps is None:
        raise InputError("not a results folder (no replications.parquet)", source=folder)
    missing = [c for c in NEEDED if c not in reps.columns]
    if missing:
        raise InputError(
            f"replications.parquet is not a ccsim table (no {missing[0]!r} column)", source=folder
        )

    def job(plot: Callable, *args, **kwargs) -> Callable:
        return lambda ax: plot(*args, ax=ax, **kwargs)

    # A sensitivity or frontier folder holds runs all over a design: its charts are the
    # design's answer, not averages over points nobody chose to average.
    indices = _read_csv(folder, "indices.csv")
    if indices is not None:
        about = _read_json(folder, "sensitivity.json")
        outcome = about.get("outcome", "the outcome")
        return [("sensitivity_indices", job(plot_sensitivity_indices, indices, outcome))]
    table = _read_csv(folder, "frontier.csv")
    if table is not None:
        from experiments.frontier import crossings

        table.attrs["outcome"] = _read_json(folder, "frontier.json").get("outcome", "contrast")
        return [("frontier", job(plot_frontier, table, crossings(table)))]
    breakdown = _read(folder, "breakdown.parquet")
    traces = _read(folder, "traces.parquet")
    accounts = _read(folder, "accounts.parquet")

    jobs: list[tuple[str, Callable]] = []
    column = "param:operations.csrs"
    if column in reps.columns:
        jobs.append(("staffing_crossover", job(plot_staffing_crossover, reps)))
        reps = reps[reps[column] == reps[column].max()]
    calibration = _read_csv(folder, "calibration_targets.csv")
    if calibration is not None and len(calibration):
        jobs.append(("calibration_targets", job(plot_calibration_targets, calibration)))
    evaluations = _read_csv(folder, "evaluations.csv")
    if evaluations is not None and len(evaluations):
        jobs.append(("calibration_convergence", job(plot_calibration_convergence, evaluations)))
    validation = _read_csv(folder, "validation.csv")
    if validation is not None and len(validation):
        jobs.append(("validation", job(plot_validation, validation)))
    jobs += [
        ("retention", job(plot_retention, reps)),
        ("escalation", job(plot_escalation, reps)),
    ]
    if "annualized_churn" in reps.columns:
        jobs.append(("annual_churn", job(plot_annual_churn, reps)))
    if {"aht_first_contact_s", "repeat_contacts_per_issue"} <= set(reps.columns):
        jobs.append(("repeats_and_handle_time", job(plot_repeats_and_handle_time, reps)))
    if "concession_per_contact" in reps.columns:
        jobs.append(("concession_vs_retention", job(plot_concession_vs_retention, reps)))
    if traces is not None and len(traces):
        jobs.append(("anger_curve", job(plot_anger_curves, traces)))
    if accounts is not None and len(accounts):
        jobs.append(("account_trajectories", job(plot_account_trajectories, accounts)))
    if breakdown is not None and len(breakdown):
        jobs += [
            (
                f"{metric.split('_')[0]}_by_{group}",
                job(plot_outcomes_by_group, breakdown, group, metric),
            )
            for group, metric in (
                ("temperament", "escalation_rate"),
                ("persona", "escalation_rate"),
                ("temperament", "retention_rate"),
            )
        ]
    return jobs


def draw_all(folder: Path, *, check: bool = True) -> list[Path]:
    """Draw every chart whose data is in the results ``folder`` into ``folder/charts``.

    Args:
        folder: A results folder.
        check: Refuse a folder that is not a finished ccsim results folder (a run draws
            its own charts before it marks the folder finished, with ``check=False``).
    """
    from experiments.folder import finished_folder

    folder = Path(folder)
    if check:
        finished_folder(folder)
    elif not folder.is_dir():
        raise InputError("no such results folder", source=folder)
    jobs = chart_jobs(folder)
    charts = folder / "charts"
    charts.mkdir(exist_ok=True)
    written: list[Path] = []
    for name, draw in jobs:
        fig, ax = plt.subplots(figsize=(11, 6))
        draw(ax)
        written += _save(fig, charts / name)
    return written
