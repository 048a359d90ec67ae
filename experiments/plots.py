"""The plots: one function per chart, each taking a tidy DataFrame (trainers, planners).

Every plot function takes a tidy DataFrame from a results folder and an optional
matplotlib ``ax`` and returns the ax. Titles state the finding in words computed from the
data (and still make sense for one policy); axes carry units; every mean is drawn with its
95% confidence interval; legends sit outside the data. A policy has the same colour in
every chart of every folder: the presets (and the strategies of the same names) have fixed
Okabe-Ito colours (colour-blind safe), other names a colour chosen from their name. Fonts
are large enough to read when projected. The simulation never imports this module.
"""

from __future__ import annotations

import zlib

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
#: Fixed colours of the presets and built-in strategies, whatever a chart shows.
FIXED_COLOURS = {
    "negotiate": "#0072B2",
    "avoid": "#D55E00",
    "accommodate": "#E69F00",
    "compete": "#CC79A7",
    "compromise": "#009E73",
    "adaptive": "#56B4E9",
    "mixed-floor": "#000000",
}
#: Colours for other names (Tableau's 10, darker than Okabe-Ito's, so rarely confused).
OTHER_COLOURS = (
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F",
    "#76B7B2", "#EDC948", "#FF9DA7", "#BAB0AC", "#E15759",
)  # fmt: skip
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


def colour(name: str) -> str:
    """The colour of a policy or strategy: fixed for presets, else chosen from its name."""
    if name in FIXED_COLOURS:
        return FIXED_COLOURS[name]
    return OTHER_COLOURS[zlib.crc32(str(name).encode("utf-8")) % len(OTHER_COLOURS)]


def _colors(policies) -> dict[str, str]:
    return {p: colour(p) for p in policies}


def _legend(ax) -> None:
    """The legend beside the plot, outside the data."""
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _half(m, policy=None) -> tuple[float, float]:
    """Lower and upper error-bar lengths of a row of :func:`policy_means` (0 if unknown)."""
    row = m if policy is None else m.loc[policy]
    low = row["mean"] - row["low"] if np.isfinite(row["low"]) else 0.0
    high = row["high"] - row["mean"] if np.isfinite(row["high"]) else 0.0
    return float(low), float(high)


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
        if len(m) == 1:
            ax.set_title(f"{best['policy']}: {name} {best['mean'] * scale:.1f}{unit} (95% CI)")
        else:
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
        if len(finals) == 1:
            title = f"Angry choleric callers under {best}: median final anger {finals[best]:.2f}"
        else:
            title = (
                f"Angry choleric callers: {best} ends calmest (median {finals[best]:.2f}), "
                f"{worst} angriest ({finals[worst]:.2f})"
            )
        ax.set_title(title)
        ax.set_xlabel("move in the call")
        ax.set_ylabel("anger (0 calm - 1 furious)")
        ax.set_ylim(0, 1)
        _legend(ax)
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
        if len(ends) == 1:
            title = f"Emotional accounts under {best}: {ends[best]:.0%} of the cohort overdrawn"
        else:
            title = (
                f"Emotional accounts over time: {ends[worst]:.0%} of the cohort overdrawn "
                f"under {worst}, {ends[best]:.0%} under {best}"
            )
        ax.set_title(title)
        ax.set_xlabel("day")
        ax.set_ylabel("account balance (account units; < 0 = churn)")
        _legend(ax)
    return ax


def _scatter_with_ci(ax, xs: pd.DataFrame, ys: pd.DataFrame, x_scale: float, y_scale: float):
    """One point per policy with its 95% CIs on both axes, labelled with its name."""
    colors = _colors(xs.index)
    for policy in xs.index:
        x, y = xs.loc[policy, "mean"] * x_scale, ys.loc[policy, "mean"] * y_scale
        ax.plot(x, y, "o", ms=12, color=colors[policy], label=policy)
        xl, xh = _half(xs, policy)
        yl, yh = _half(ys, policy)
        ax.errorbar(
            x,
            y,
            xerr=[[xl * x_scale], [xh * x_scale]],
            yerr=[[yl * y_scale], [yh * y_scale]],
            fmt="none",
            ecolor=colors[policy],
            elinewidth=2,
            capsize=0,
        )
        ax.annotate(policy, (x, y), textcoords="offset points", xytext=(8, 6))
    ax.margins(0.15)


def plot_repeats_and_handle_time(reps: pd.DataFrame, ax=None):
    """First-contact handle time against repeat contacts per issue, one point per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        aht = policy_means(reps, "aht_first_contact_s").set_index("policy")
        rep = policy_means(reps, "repeat_contacts_per_issue").set_index("policy")
        _scatter_with_ci(ax, aht, rep, 1 / 60, 1.0)
        short = aht["mean"].idxmin()
        lead = f"{short} has the shortest first calls" if len(aht) > 1 else f"{short}: first calls"
        ax.set_title(
            f"{lead} ({aht.loc[short, 'mean'] / 60:.1f} min) "
            f"but {rep.loc[short, 'mean']:.2f} repeat contacts per issue"
        )
        ax.set_xlabel("handle time of a first contact (min; 95% CI)")
        ax.set_ylabel("repeat contacts per issue")
    return ax


def plot_concession_vs_retention(reps: pd.DataFrame, ax=None):
    """Concession cost per contact against retention, one point per policy."""
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        cost = policy_means(reps, "concession_per_contact").set_index("policy")
        ret = policy_means(reps, "retention_rate").set_index("policy")
        _scatter_with_ci(ax, cost, ret, 1.0, 100.0)
        dear = cost["mean"].idxmax()
        keeper = ret["mean"].idxmax()
        if len(cost) == 1:
            title = (
                f"{dear} pays {cost.loc[dear, 'mean']:.2f} per contact and keeps "
                f"{100 * ret.loc[dear, 'mean']:.1f}% of customers"
            )
        else:
            title = (
                f"{dear} pays most per contact ({cost.loc[dear, 'mean']:.2f}); "
                f"{keeper} keeps most customers ({100 * ret.loc[keeper, 'mean']:.1f}%)"
            )
        ax.set_title(title)
        ax.set_xlabel("concession cost per answered contact (currency; 95% CI)")
        ax.set_ylabel("retention (% of customers)")
    return ax


def plot_staffing_crossover(reps: pd.DataFrame, metric: str = "net_value", ax=None):
    """A metric against front-line head count, one line per policy with its 95% CI band."""
    column = "param:operations.csrs"
    if column not in reps.columns:
        raise InputError("needs results swept over operations.csrs", field=column)
    with plt.rc_context(STYLE):
        ax = _ax(ax)
        colors = _colors(reps["policy"].unique())
        curves = {}
        for policy, group in reps.groupby("policy", sort=False):
            rows = [
                (csrs, *mean_ci(g[metric].to_numpy(dtype=float)))
                for csrs, g in group.groupby(column, sort=True)
            ]
            x, mean, low, high = (np.array(v, dtype=float) for v in zip(*rows, strict=True))
            curves[policy] = pd.Series(mean, index=x.astype(int))
            ax.plot(x, mean, "o-", lw=2.5, ms=7, color=colors[policy], label=policy)
            ax.fill_between(x, low, high, color=colors[policy], alpha=0.15, lw=0)
        title = f"{metric.replace('_', ' ').capitalize()} by head count (95% CI)"
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
        _legend(ax)
    return ax


def plot_outcomes_by_group(
    breakdown: pd.DataFrame, group: str = "temperament", metric: str = "escalation_rate", ax=None
):
    """Grouped bars of a metric per temperament (or persona) level, one bar per policy,
    with the 95% CI over replications."""
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 5.5))
        rows = breakdown[(breakdown["group"] == group) & (breakdown["metric"] == metric)]
        stats = {
            key: mean_ci(g["value"].to_numpy(dtype=float))
            for key, g in rows.groupby(["level", "policy"], sort=False)
        }
        table = pd.DataFrame(
            [(level, policy, *ci) for (level, policy), ci in stats.items()],
            columns=["level", "policy", "mean", "low", "high"],
        )
        means = table.pivot(index="level", columns="policy", values="mean")
        policies = list(dict.fromkeys(table["policy"]))
        order = [
            x for x in (TEMPERAMENTS if group == "temperament" else PERSONAS) if x in means.index
        ]
        means = means.loc[order, policies]
        colors = _colors(policies)
        width = 0.8 / max(1, len(policies))
        x = np.arange(len(order))
        for i, policy in enumerate(policies):
            part = table[table["policy"] == policy].set_index("level").loc[order]
            err = np.vstack(
                [(part["mean"] - part["low"]).fillna(0), (part["high"] - part["mean"]).fillna(0)]
            )
            ax.bar(
                x + i * width,
                100 * part["mean"].to_numpy(),
                width,
                yerr=100 * err,
                capsize=3,
                label=policy,
                color=colors[policy],
            )
        ax.set_xticks(
            x + width * (len(policies) - 1) / 2,
            [s.replace("_", " ") for s in order],
            rotation=20 if group == "persona" else 0,
        )
        top = means.max(axis=1).idxmax()
        who = f", {means.loc[top].idxmax()}" if len(policies) > 1 else ""
        ax.set_title(
            f"{metric.replace('_', ' ').capitalize()} by {group}: highest among "
            f"{top.replace('_', ' ')} customers ({100 * means.loc[top].max():.1f}%{who})"
        )
        ax.set_ylabel(f"{metric.replace('_', ' ')} (%; 95% CI)")
        ax.set_xlabel(group)
        _legend(ax)
    return ax


def plot_annual_churn(reps: pd.DataFrame, ax=None):
    """Customers lost a year by policy, all causes (annualized from the horizon)."""
    return plot_metric_by_policy(
        reps, "annualized_churn", higher_is_better=False, label="customers lost a year", ax=ax
    )


def plot_validation(table: pd.DataFrame, ax=None):
    """Each anchor with a published range: the range as a band, the model's mean and 95%
    CI as a point, on a scale where the range runs from 0 to 1."""
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 6))
        ranged = table[table["low"].notna() & table["mean"].notna()].reset_index(drop=True)
        width = (ranged["high"] - ranged["low"]).replace(0, np.nan)

        def scaled(column: str) -> pd.Series:
            return (ranged[column] - ranged["low"]) / width

        y = np.arange(len(ranged))[::-1]
        ax.barh(y, 1.0, left=0.0, height=0.6, color="#E69F00", alpha=0.25, label="published")
        low, mean, high = scaled("ci_low"), scaled("mean"), scaled("ci_high")
        err = np.vstack([(mean - low).fillna(0), (high - mean).fillna(0)])
        colours = ["#009E73" if h else "#D55E00" for h in ranged["holds"]]
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="#333333", capsize=4)
        ax.scatter(mean, y, color=colours, zorder=3, s=60, label="model (95% CI)")
        ax.set_yticks(y, ranged["anchor"])
        ax.axvline(0, color="#999999", lw=0.8)
        ax.axvline(1, color="#999999", lw=0.8)
        ax.set_xlabel("position in the published range (0 = low end, 1 = high end)")
        holds = int(table["holds"].sum())
        ax.set_title(f"{holds} of {len(table)} anchors hold; {len(ranged)} ranges shown")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return ax
