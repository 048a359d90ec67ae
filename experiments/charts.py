"""Charts for people who would rather look than read (trainers, planners).

Every plot function takes a tidy DataFrame from a results folder and an optional
matplotlib ``ax`` and returns the ax. Titles state the finding in words computed from the
data; axes carry units; the palette is Okabe-Ito (colour-blind safe) and fonts are large
enough to read when projected. The simulation never imports this module.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.statistics import mean_ci  # noqa: E402
from sim.catalogue import PERSONAS, TEMPERAMENTS  # noqa: E402
from sim.errors import InputError  # noqa: E402

#: Okabe and Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STYLE = {
    "font.size": 14,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "legend.fontsize": 12,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _colors(policies) -> dict[str, str]:
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(policies)}


def _ax(ax, size=(9, 5.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def policy_means(reps: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean and 95% CI of a metric per policy, in the table's policy order."""
    rows = []
    for policy, group in reps.groupby("policy", sort=False):
        mean, low, high = mean_ci(group[metric].to_numpy(dtype=float))
        rows.append({"policy": policy, "mean": mean, "low": low, "high": high})
    return pd.DataFrame(rows)


def plot_metric_by_policy(
    reps: pd.DataFrame,
    metric: str,
    *,
    percent: bool = True,
    higher_is_better: bool = True,
    label: str | None = None,
    ax=None,
):
    """Bars of a metric per policy with 95% CI bars; the title names the best policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        m = policy_means(reps, metric)
        scale = 100.0 if percent else 1.0
        colors = _colors(m["policy"])
        err = (
            np.vstack([(m["mean"] - m["low"]).fillna(0), (m["high"] - m["mean"]).fillna(0)]) * scale
        )
        ax.bar(
            m["policy"],
            m["mean"] * scale,
            yerr=err,
            capsize=6,
            color=[colors[p] for p in m["policy"]],
        )
        best = m.loc[m["mean"].idxmax() if higher_is_better else m["mean"].idxmin()]
        worst = m.loc[m["mean"].idxmin() if higher_is_better else m["mean"].idxmax()]
        name = label or metric.replace("_", " ")
        unit = "%" if percent else ""
        ax.set_title(
            f"{best['policy']} has the {'highest' if higher_is_better else 'lowest'} {name} "
            f"({best['mean'] * scale:.1f}{unit}), {worst['policy']} the "
            f"{'lowest' if higher_is_better else 'highest'} ({worst['mean'] * scale:.1f}{unit})"
        )
        ax.set_ylabel(
            f"{name} ({'% of ' + ('customers' if 'retention' in metric else 'answered contacts') if percent else unit})"
        )
        ax.set_xlabel("policy")
        ax.tick_params(axis="x", rotation=20)
    return ax


def plot_retention(reps: pd.DataFrame, ax=None):
    """Retention rate by policy (share of the base still a customer at the end)."""
    return plot_metric_by_policy(reps, "retention_rate", label="retention", ax=ax)


def plot_escalation(reps: pd.DataFrame, ax=None):
    """Escalation rate by policy (supervisor demands and formal complaints per answered contact)."""
    return plot_metric_by_policy(
        reps, "escalation_rate", higher_is_better=False, label="escalation rate", ax=ax
    )


def plot_anger_curves(traces: pd.DataFrame, ax=None):
    """Median anger after each move, and the 25-75% band, by strategy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        colors = _colors(traces["strategy"].unique())
        finals = {}
        for strategy, group in traces.groupby("strategy", sort=False):
            seqs = [np.asarray(t, dtype=float) for t in group["trace"]]
            length = int(np.percentile([len(s) for s in seqs], 90))
            grid = np.full((len(seqs), length), np.nan)
            for i, s in enumerate(seqs):
                n = min(len(s), length)
                grid[i, :n] = s[:n]
                grid[i, n:] = s[-1]  # after the call ends its final anger is what remains
            med = np.nanmedian(grid, axis=0)
            q1, q3 = np.nanpercentile(grid, 25, axis=0), np.nanpercentile(grid, 75, axis=0)
            x = np.arange(length)
            ax.plot(x, med, color=colors[strategy], lw=2.5, label=strategy)
            ax.fill_between(x, q1, q3, color=colors[strategy], alpha=0.15)
            finals[strategy] = float(np.median([s[-1] for s in seqs]))
        best = min(finals, key=finals.get)
        worst = max(finals, key=finals.get)
        ax.set_title(
            f"Angry choleric callers: {best} ends calmest (median {finals[best]:.2f}), "
            f"{worst} angriest ({finals[worst]:.2f})"
        )
        ax.set_xlabel("move in the call")
        ax.set_ylabel("anger (0 calm - 1 furious)")
        ax.set_ylim(0, 1)
        ax.legend(frameon=False)
    return ax


def plot_account_trajectories(accounts: pd.DataFrame, ax=None):
    """Median emotional-account balance of the followed cohort by day, per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        colors = _colors(accounts["policy"].unique())
        ends = {}
        for policy, group in accounts.groupby("policy", sort=False):
            by_day = group.groupby("day")["balance"]
            med = by_day.median()
            ax.plot(med.index, med.values, color=colors[policy], lw=2.5, label=policy)
            ax.fill_between(
                med.index,
                by_day.quantile(0.25).values,
                by_day.quantile(0.75).values,
                color=colors[policy],
                alpha=0.12,
            )
            last = group[group["day"] == group["day"].max()]
            ends[policy] = float(last["churned"].mean())
        ax.axhline(0, color="black", lw=1, ls="--")
        best, worst = min(ends, key=ends.get), max(ends, key=ends.get)
        ax.set_title(
            f"Emotional accounts over time: {ends[worst]:.0%} of the cohort overdrawn "
            f"under {worst}, {ends[best]:.0%} under {best}"
        )
        ax.set_xlabel("day")
        ax.set_ylabel("account balance (account units; < 0 = churn)")
        ax.legend(frameon=False)
    return ax


def plot_repeats_and_handle_time(reps: pd.DataFrame, ax=None):
    """First-contact handle time against repeat contacts per issue, one point per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        aht = policy_means(reps, "aht_first_contact_s").set_index("policy")
        rep = policy_means(reps, "repeat_contacts_per_issue").set_index("policy")
        colors = _colors(aht.index)
        for policy in aht.index:
            ax.errorbar(
                aht.loc[policy, "mean"] / 60,
                rep.loc[policy, "mean"],
                xerr=[
                    [
                        (aht.loc[policy, "mean"] - aht.loc[policy, "low"]) / 60
                        if np.isfinite(aht.loc[policy, "low"])
                        else 0
                    ],
                    [
                        (aht.loc[policy, "high"] - aht.loc[policy, "mean"]) / 60
                        if np.isfinite(aht.loc[policy, "high"])
                        else 0
                    ],
                ],
                fmt="o",
                ms=12,
                color=colors[policy],
                capsize=5,
                label=policy,
            )
            ax.annotate(
                policy,
                (aht.loc[policy, "mean"] / 60, rep.loc[policy, "mean"]),
                textcoords="offset points",
                xytext=(8, 6),
            )
        short = aht["mean"].idxmin()
        ax.set_title(
            f"{short} has the shortest first calls ({aht.loc[short, 'mean'] / 60:.1f} min) "
            f"but {rep.loc[short, 'mean']:.2f} repeat contacts per issue"
        )
        ax.set_xlabel("handle time of a first contact (min)")
        ax.set_ylabel("repeat contacts per issue")
    return ax


def plot_concession_vs_retention(reps: pd.DataFrame, ax=None):
    """Concession cost per contact against retention, one point per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        cost = policy_means(reps, "concession_per_contact").set_index("policy")
        ret = policy_means(reps, "retention_rate").set_index("policy")
        colors = _colors(cost.index)
        for policy in cost.index:
            ax.plot(
                cost.loc[policy, "mean"],
                100 * ret.loc[policy, "mean"],
                "o",
                ms=12,
                color=colors[policy],
            )
            ax.annotate(
                policy,
                (cost.loc[policy, "mean"], 100 * ret.loc[policy, "mean"]),
                textcoords="offset points",
                xytext=(8, 6),
            )
        dear = cost["mean"].idxmax()
        keeper = ret["mean"].idxmax()
        ax.set_title(
            f"{dear} pays most per contact ({cost.loc[dear, 'mean']:.2f}); "
            f"{keeper} keeps most customers ({100 * ret.loc[keeper, 'mean']:.1f}%)"
        )
        ax.set_xlabel("concession cost per answered contact (currency)")
        ax.set_ylabel("retention (% of customers)")
    return ax


def plot_staffing_crossover(reps: pd.DataFrame, metric: str = "net_value", ax=None):
    """A metric against front-line head count, one line per policy (sweep or staff results)."""
    column = "param:operations.csrs"
    if column not in reps.columns:
        raise InputError("needs results swept over operations.csrs", field=column)
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        colors = _colors(reps["policy"].unique())
        curves = {}
        for policy, group in reps.groupby("policy", sort=False):
            curve = group.groupby(column)[metric].mean().sort_index()
            curves[policy] = curve
            ax.plot(
                curve.index, curve.values, "o-", lw=2.5, ms=7, color=colors[policy], label=policy
            )
        title = f"{metric.replace('_', ' ')} by head count"
        if "negotiate" in curves and len(curves) > 1:
            neg = curves["negotiate"]
            others = pd.concat([c for p, c in curves.items() if p != "negotiate"], axis=1).max(
                axis=1
            )
            ahead = (neg - others.reindex(neg.index)).dropna()
            losing = ahead[ahead < 0]
            if len(losing):
                title = f"Negotiation stops paying at {int(losing.index.max())} CSRs or fewer"
            else:
                title = "Negotiation pays at every head count tried"
        ax.set_title(title)
        ax.set_xlabel("front-line CSRs")
        ax.set_ylabel(metric.replace("_", " ") + (" (currency)" if "value" in metric else ""))
        ax.legend(frameon=False)
    return ax


def plot_outcomes_by_group(
    breakdown: pd.DataFrame, group: str = "temperament", metric: str = "escalation_rate", ax=None
):
    """Grouped bars of a metric per temperament (or persona) level, one bar per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 5.5))
        rows = breakdown[(breakdown["group"] == group) & (breakdown["metric"] == metric)]
        table = rows.groupby(["level", "policy"], sort=False)["value"].mean().unstack("policy")
        order = [
            x for x in (TEMPERAMENTS if group == "temperament" else PERSONAS) if x in table.index
        ]
        table = table.loc[order]
        colors = _colors(table.columns)
        width = 0.8 / max(1, len(table.columns))
        x = np.arange(len(table.index))
        for i, policy in enumerate(table.columns):
            ax.bar(
                x + i * width,
                100 * table[policy].to_numpy(),
                width,
                label=policy,
                color=colors[policy],
            )
        ax.set_xticks(
            x + width * (len(table.columns) - 1) / 2, [s.replace("_", " ") for s in table.index]
        )
        top = table.max(axis=1).idxmax()
        ax.set_title(
            f"{metric.replace('_', ' ').capitalize()} by {group}: highest among {top.replace('_', ' ')} "
            f"customers ({100 * table.loc[top].max():.1f}%, {table.loc[top].idxmax()})"
        )
        ax.set_ylabel(f"{metric.replace('_', ' ')} (%)")
        ax.set_xlabel(group)
        ax.legend(frameon=False, ncol=min(4, len(table.columns)))
    return ax


def _save(fig, path: Path) -> list[Path]:
    """Write a figure as PNG and SVG atomically."""
    out = []
    for suffix in (".png", ".svg"):
        target = path.with_suffix(suffix)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=120, bbox_inches="tight", format=suffix[1:])
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.append(target)
    plt.close(fig)
    return out


def _read(folder: Path, name: str) -> pd.DataFrame | None:
    path = folder / name
    return pd.read_parquet(path) if path.is_file() else None


CHARTS = (
    "retention",
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


def draw_all(folder: Path) -> list[Path]:
    """Draw every chart whose data is in the results ``folder`` into ``folder/charts``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such results folder", source=folder)
    reps = _read(folder, "replications.parquet")
    if reps is None:
        raise InputError("not a results folder (no replications.parquet)", source=folder)
    charts = folder / "charts"
    charts.mkdir(exist_ok=True)
    breakdown = _read(folder, "breakdown.parquet")
    traces = _read(folder, "traces.parquet")
    accounts = _read(folder, "accounts.parquet")
    jobs = []
    if "param:operations.csrs" in reps.columns:
        jobs.append(("staffing_crossover", lambda ax: plot_staffing_crossover(reps, ax=ax)))
        reps = reps[reps["param:operations.csrs"] == reps["param:operations.csrs"].max()]
    jobs += [
        ("retention", lambda ax: plot_retention(reps, ax=ax)),
        ("escalation", lambda ax: plot_escalation(reps, ax=ax)),
        ("repeats_and_handle_time", lambda ax: plot_repeats_and_handle_time(reps, ax=ax)),
        ("concession_vs_retention", lambda ax: plot_concession_vs_retention(reps, ax=ax)),
    ]
    if traces is not None and len(traces):
        jobs.append(("anger_curve", lambda ax: plot_anger_curves(traces, ax=ax)))
    if accounts is not None and len(accounts):
        jobs.append(("account_trajectories", lambda ax: plot_account_trajectories(accounts, ax=ax)))
    if breakdown is not None and len(breakdown):
        jobs += [
            (
                "escalation_by_temperament",
                lambda ax: plot_outcomes_by_group(
                    breakdown, "temperament", "escalation_rate", ax=ax
                ),
            ),
            (
                "escalation_by_persona",
                lambda ax: plot_outcomes_by_group(breakdown, "persona", "escalation_rate", ax=ax),
            ),
            (
                "retention_by_temperament",
                lambda ax: plot_outcomes_by_group(
                    breakdown, "temperament", "retention_rate", ax=ax
                ),
            ),
        ]
    written: list[Path] = []
    for name, draw in jobs:
        fig, ax = plt.subplots(figsize=(11, 6))
        draw(ax)
        written += _save(fig, charts / name)
    return written
