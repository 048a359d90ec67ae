"""The plots of the studies a researcher runs on the model: a calibration (its targets
against the calibrated model, the loss by evaluation), a sensitivity screen (ranked
indices) and a frontier (where a paired contrast changes sign).

Like :mod:`experiments.plots`, with its style and colours: each function takes a tidy
DataFrame from a results folder and an optional matplotlib ``ax`` and returns the ax.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.plots import PALETTE, STYLE, _ax, _legend, plt


def plot_calibration_targets(table: pd.DataFrame, ax=None):
    """Each target of a calibration against the calibrated model, in units of the target's
    scale around its value (or the middle of its range): the range as a band, a value as
    a line at 0, the model's mean and 95% CI as a point (``calibration_targets.csv``)."""
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 6))
        t = table.reset_index(drop=True)
        centre = t["value"].where(t["value"].notna(), (t["low"] + t["high"]) / 2)
        centre = centre.fillna(t["low"]).fillna(t["high"])
        scale = t["scale"]
        y = np.arange(len(t))[::-1]
        low = ((t["low"] - centre) / scale).fillna(-np.inf)
        high = ((t["high"] - centre) / scale).fillna(np.inf)
        mean = (t["model"] - centre) / scale
        left = np.maximum(low, np.nanmin([mean.min() - 1, -1]))
        right = np.minimum(high, np.nanmax([mean.max() + 1, 1]))
        ax.barh(y, right - left, left=left, height=0.6, color="#E69F00", alpha=0.25,
                label="target range")  # fmt: skip
        ax.scatter([0] * len(t), y, marker="|", s=400, color="#E69F00", label="target value")
        err = np.vstack(
            [(mean - (t["ci_low"] - centre) / scale).fillna(0),
             ((t["ci_high"] - centre) / scale - mean).fillna(0)]
        )  # fmt: skip
        colours = ["#009E73" if m else "#0072B2" if c else "#D55E00"
                   for m, c in zip(t["met"], t["ci_meets"], strict=True)]  # fmt: skip
        ax.errorbar(mean, y, xerr=err, fmt="none", ecolor="#333333", capsize=4)
        ax.scatter(mean, y, color=colours, zorder=3, s=60, label="calibrated model (95% CI)")
        ax.set_yticks(y, [f"{o}\n{d}" for o, d in zip(t["outcome"], t["target"], strict=True)])
        ax.axvline(0, color="#999999", lw=0.8)
        ax.set_xlabel("model minus target, in units of the target's scale")
        met = int(t["ci_meets"].sum())
        ax.set_title(f"The calibrated model reaches {met} of {len(t)} targets within its 95% CI")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return ax


def plot_calibration_convergence(table: pd.DataFrame, ax=None):
    """The loss of every evaluation of a calibration, by kind, and the best so far
    (``evaluations.csv``); a log scale when the losses span decades."""
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 6))
        kinds = {"start": "#000000", "explore": "#E69F00", "search": "#0072B2",
                 "curvature": "#999999"}  # fmt: skip
        for kind, c in kinds.items():
            rows = table[table["kind"] == kind]
            if len(rows):
                ax.scatter(rows["evaluation"], rows["loss"], color=c, s=30, label=kind, zorder=3)
        search = table[table["kind"] != "curvature"]
        ax.step(search["evaluation"], search["best_loss"], where="post", color="#009E73",
                lw=2, label="best so far")  # fmt: skip
        positive = table["loss"][table["loss"] > 0]
        if len(positive) and positive.max() / positive.min() > 100:
            ax.set_yscale("log")
        ax.set_xlabel("evaluation (each: all replications of one candidate)")
        ax.set_ylabel("loss (sum of weighted squared gaps)")
        best = search["loss"].min()
        ax.set_title(f"Loss by evaluation: best {best:.3g} after {len(table)} evaluations")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return ax


def plot_sensitivity_indices(indices: pd.DataFrame, outcome: str = "the outcome", ax=None):
    """Ranked bars of sensitivity indices with their 95% CIs, most influential on top.

    Morris (``mu_star``): the mean absolute change of the outcome over a parameter's range;
    a bar whose CI reaches zero is grey (not distinguishable from noise). Sobol' (``S1``,
    ``ST``): first-order and total shares of the outcome's variance, side by side.
    """
    from experiments.sensitivity import finding

    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, max(4.0, 0.45 * len(indices) + 1.5)))
        y = np.arange(len(indices))[::-1]
        if "mu_star" in indices.columns:
            low = (indices["mu_star"] - indices["mu_star_ci"]).to_numpy()
            colours = [PALETTE[0] if lo > 0 else "#999999" for lo in low]
            ax.barh(
                y,
                indices["mu_star"],
                xerr=indices["mu_star_ci"].fillna(0),
                capsize=4,
                color=colours,
            )
            ax.set_xlabel(f"mu* (change of {outcome} over the parameter's range; 95% CI)")
        else:
            h = 0.38
            for shift, column, name, c in (
                (h / 2, "ST", "total (ST)", PALETTE[0]),
                (-h / 2, "S1", "first order (S1)", PALETTE[1]),
            ):
                ax.barh(
                    y + shift,
                    indices[column],
                    h,
                    xerr=indices[f"{column}_ci"].fillna(0),
                    capsize=3,
                    color=c,
                    label=name,
                )
            ax.set_xlabel(f"share of the variance of {outcome} (95% CI)")
            _legend(ax)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(y, indices["parameter"])
        ax.set_title(finding(indices, outcome))
    return ax


def plot_frontier(table: pd.DataFrame, crossings: pd.DataFrame | None = None, ax=None):
    """Where a paired contrast changes sign, with its uncertainty.

    One parameter: the contrast's mean against the parameter with its 95% CI band, the
    zero line, each crossing and the interval where the CI holds zero. Two parameters: a
    map of the contrast (diverging colours, zero white), the zero contour, and hatching
    where the CI holds zero (the sign is not known there).

    Args:
        table: :func:`experiments.frontier.frontier_table` (``param:*`` columns, ``mean``,
            ``ci_low``, ``ci_high``); its ``attrs`` may name the ``outcome``.
        crossings: :func:`experiments.frontier.crossings` of the same table.
    """
    from experiments.frontier import describe

    params = [c for c in table.columns if c.startswith("param:")]
    outcome = table.attrs.get("outcome", "contrast")
    with plt.rc_context(STYLE):
        ax = _ax(ax, size=(11, 6))
        x_name = params[0]
        if len(params) == 1:
            t = table.sort_values(x_name)
            x = t[x_name].to_numpy(dtype=float)
            ax.fill_between(
                x, t["ci_low"], t["ci_high"], color=PALETTE[0], alpha=0.2, lw=0, label="95% CI"
            )
            ax.plot(x, t["mean"], "o-", color=PALETTE[0], lw=2.5, ms=6, label=outcome)
            ax.axhline(0, color="#333333", lw=1.0)
            first = True
            for row in (crossings if crossings is not None else pd.DataFrame()).itertuples():
                ax.axvspan(
                    row.low,
                    row.high,
                    color=PALETTE[3],
                    alpha=0.15,
                    lw=0,
                    label="crossing (95%)" if first else None,
                )
                ax.axvline(row.crossing, color=PALETTE[3], ls="--", lw=1.5)
                first = False
            ax.set_ylabel(f"{outcome} (paired difference)")
            _legend(ax)
        else:
            y_name = params[1]
            mean = table.pivot(index=y_name, columns=x_name, values="mean").sort_index()
            mean = mean.sort_index(axis=1)
            holds_zero = table.assign(
                z=((table["ci_low"] <= 0) & (table["ci_high"] >= 0)).astype(float)
            ).pivot(index=y_name, columns=x_name, values="z")
            holds_zero = holds_zero.reindex(index=mean.index, columns=mean.columns)
            xs, ys = mean.columns.to_numpy(dtype=float), mean.index.to_numpy(dtype=float)
            top = float(np.nanmax(np.abs(mean.to_numpy()))) or 1.0
            mesh = ax.pcolormesh(
                xs, ys, mean.to_numpy(), cmap="RdBu", vmin=-top, vmax=top, shading="nearest"
            )
            plt.colorbar(mesh, ax=ax, label=f"{outcome} (paired difference)")
            if len(xs) > 1 and len(ys) > 1:
                ax.contour(xs, ys, mean.to_numpy(), levels=[0.0], colors="#000000", linewidths=2)
            ax.contourf(
                xs,
                ys,
                holds_zero.to_numpy(),
                levels=[0.5, 1.5],
                colors="none",
                hatches=["//"],
            )
            if crossings is not None and len(crossings):
                # Each crossing found along x, with its 95% interval: the boundary's
                # uncertainty, one value of y at a time.
                ax.errorbar(
                    crossings["crossing"],
                    crossings[y_name],
                    xerr=[
                        crossings["crossing"] - crossings["low"],
                        crossings["high"] - crossings["crossing"],
                    ],
                    fmt="o",
                    color="#000000",
                    capsize=4,
                    label="crossing (95%)",
                )
                # Inside the axes: the colour bar holds the space to the right.
                ax.legend(loc="upper left", framealpha=0.9)
            ax.set_ylabel(y_name.removeprefix("param:"))
        ax.set_xlabel(x_name.removeprefix("param:"))
        ax.set_title(describe(table, crossings))
    return ax
