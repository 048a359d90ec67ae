"""What the report says of a study's folder: a calibration's fitted values and targets,
a sensitivity screen's indices, a frontier's crossings (see :mod:`experiments.report`)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd


def html_table(head: list[str], rows: list[list[str]]) -> str:
    """An HTML table of text cells (escaped), the head in bold."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def calibration_text(
    targets: pd.DataFrame, parameters: pd.DataFrame, evaluations: pd.DataFrame
) -> dict[str, str]:
    """What the two calibration charts show: the fitted values with their uncertainty,
    the targets reached, and how the search went (``ccsim calibrate``'s tables)."""
    fitted = "; ".join(
        f"{r.parameter} = {r.value:.4g} (95% interval {r.ci_low:.4g} to {r.ci_high:.4g})"
        if bool(r.identified)
        else f"{r.parameter} = {r.value:.4g} (not identified by the targets)"
        for r in parameters.itertuples()
    )
    missed = [f"{r.outcome} (target {r.target}, model {r.model:.4g})"
              for r in targets.itertuples() if not bool(r.ci_meets)]  # fmt: skip
    reached = len(targets) - len(missed)
    search = evaluations[evaluations["kind"] != "curvature"]
    best = search.loc[search["loss"].idxmin()]
    return {
        "calibration_targets": (
            f"The free parameters were fitted to {len(targets)} targets by simulated moments: "
            f"{fitted}. The intervals come from how the targeted outcomes move with each "
            "parameter near the fit and from how much they vary between replications and in "
            "the targets themselves (the delta method). The calibrated model, replication "
            f"means with 95% CIs, reaches {reached} of {len(targets)} targets; each row is "
            "drawn in units of its target's scale around the target (a range as a band)."
            + (f" Missed: {'; '.join(missed)}." if missed else "")
        ),
        "calibration_convergence": (
            f"Each point is one candidate, all its replications on the same random numbers "
            f"as every other candidate's: the start, a space-filling design, then Nelder-Mead "
            f"from the best of them, and the points around the fit that measure its "
            f"uncertainty. The best loss, {best['loss']:.3g}, came at evaluation "
            f"{int(best['evaluation'])} of {len(evaluations)}."
        ),
    }


def design_answer(folder: Path, manifest: dict) -> tuple[str, str, dict[str, str]] | None:
    """The headline, a table and the chart's paragraph of a sensitivity or frontier folder.

    Such a folder's runs are spread over a design: means over all of them answer nothing,
    the design's own table does (indices, or the contrast and where it changes sign).
    Returns None for other folders.
    """
    import json

    if (folder / "indices.csv").is_file():
        indices = pd.read_csv(folder / "indices.csv")
        about = json.loads((folder / "sensitivity.json").read_text(encoding="utf-8"))
        outcome = about.get("outcome", "the outcome")
        reps = manifest.get("replications")
        if "mu_star" in indices.columns:
            what = (
                f"Morris elementary effects of {outcome} ({manifest.get('samples')} "
                f"trajectories, {reps} replications per point, common random numbers across "
                "points). mu* is the mean absolute change of the outcome when one parameter "
                "moves across its whole range, the others held; a bar is grey when its 95% "
                "bootstrap CI reaches zero (not distinguishable from noise). sigma large "
                "beside mu* means the effect depends on the other parameters (interactions) "
                "or is not a straight line. Morris screens: it ranks, it does not apportion."
            )
        else:
            what = (
                f"Sobol' indices of {outcome} ({manifest.get('samples')} base samples, "
                f"{reps} replications per point): S1 is the share of the outcome's variance "
                "over the ranges that one parameter explains alone, ST the share it takes "
                "part in, interactions included; ST well above S1 means interactions. The "
                "bars are 95% bootstrap CIs; the shares are of the variance of the mean "
                "over replications, noise included."
            )
        ranges = "; ".join(manifest.get("params") or [])
        what += f" Ranges: {ranges}." if ranges else ""
        head = list(indices.columns)
        rows = [
            [str(r[0]), *(f"{float(v):.4g}" for v in r[1:])]
            for r in indices.itertuples(index=False)
        ]
        return about.get("finding", ""), html_table(head, rows), {"sensitivity_indices": what}
    if (folder / "frontier.csv").is_file():
        table = pd.read_csv(folder / "frontier.csv")
        about = json.loads((folder / "frontier.json").read_text(encoding="utf-8"))
        found = (
            pd.read_csv(folder / "crossings.csv") if (folder / "crossings.csv").is_file() else None
        )
        contrast = about.get("contrast", "A-B")
        first, _, second = contrast.partition("-")
        what = (
            f"The contrast {contrast} in {about.get('metric')} ({first} minus {second}, "
            f"replication by replication on the same customers; {manifest.get('replications')} "
            "replications per point) with its 95% CI. Where the line crosses zero the better "
            "policy changes; the shaded stretch is where the CI holds zero, so the crossing "
            "lies there with 95% confidence (joined linearly between grid points). A stretch "
            "that reaches the edge of the range means the crossing may lie beyond it. Over "
            "two parameters: the map's colour is the contrast, the black line its zero, and "
            "hatching marks where its sign is not known."
        )
        params = [c for c in table.columns if c.startswith("param:")]
        head = [p.removeprefix("param:") for p in params] + ["contrast (95% CI)"]
        rows = [
            [f"{r[p]:g}" for p in params]
            + [f"{r['mean']:,.4g} ({r['ci_low']:,.4g} to {r['ci_high']:,.4g})"]
            for _, r in table.iterrows()
        ]
        crossing_html = ""
        if found is not None and len(found):
            crossing_html = "<h2>Crossings</h2>" + html_table(
                list(found.columns),
                [
                    [f"{v:.4g}" if isinstance(v, float) else str(v) for v in r]
                    for r in found.itertuples(index=False)
                ],
            )
        return about.get("finding", ""), crossing_html + html_table(head, rows), {"frontier": what}
    return None
