"""One self-contained HTML page of a results folder, for a trainer to open or print.

Charts are embedded (base64 PNG), the table of means and 95% CIs is included, and each
chart gets a plain-language paragraph generated from the numbers, saying what happened
and which mechanism of the model produces it.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from experiments.charts import draw_all, policy_means
from experiments.results import write_text
from sim.errors import InputError


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _ci(m: pd.Series, pct: bool = True) -> str:
    f = _pct if pct else (lambda v: f"{v:,.1f}")
    if pd.isna(m["low"]):
        return f(m["mean"])
    return f"{f(m['mean'])} (95% CI {f(m['low'])} to {f(m['high'])})"


def paragraphs(reps: pd.DataFrame, breakdown: pd.DataFrame | None) -> dict[str, str]:
    """A plain-language explanation per chart, computed from the replications."""
    text: dict[str, str] = {}
    ret = policy_means(reps, "retention_rate").set_index("policy")
    best, worst = ret["mean"].idxmax(), ret["mean"].idxmin()
    text["retention"] = (
        f"{best} kept {_ci(ret.loc[best])} of the customer base over the run; {worst} kept "
        f"{_ci(ret.loc[worst])}. Every contact moves a customer's emotional account by how it "
        "is remembered (its worst and its last moment, whether the issue was solved, the wait, "
        "the courtesy), losses weighing 2.25 times more than gains; a customer whose account "
        "goes below zero leaves. Policies that solve issues and end calls calmly keep accounts "
        "in credit."
    )
    esc = policy_means(reps, "escalation_rate").set_index("policy")
    lo, hi = esc["mean"].idxmin(), esc["mean"].idxmax()
    text["escalation"] = (
        f"{hi} escalated {_ci(esc.loc[hi])} of answered contacts to a supervisor or a formal "
        f"complaint, {lo} only {_ci(esc.loc[lo])}. A customer escalates when anger crosses a "
        "threshold that is lower for expressive temperaments; insisting on policy and arguing "
        "raise anger, most of all with cholerics and arguers, while letting people vent and "
        "acknowledging them brings it down after a peak."
    )
    aht = policy_means(reps, "aht_first_contact_s").set_index("policy")
    rep = policy_means(reps, "repeat_contacts_per_issue").set_index("policy")
    short = aht["mean"].idxmin()
    text["repeats_and_handle_time"] = (
        f"{short} has the shortest first calls ({aht.loc[short, 'mean'] / 60:.1f} min) but "
        f"{rep.loc[short, 'mean']:.2f} repeat contacts per issue, against "
        f"{rep['mean'].min():.2f} for {rep['mean'].idxmin()}. An unresolved issue comes back "
        "days later with a customer who starts angrier: short calls that solve nothing are paid "
        "for in repeat calls and in churn."
    )
    cost = policy_means(reps, "concession_per_contact").set_index("policy")
    dear = cost["mean"].idxmax()
    text["concession_vs_retention"] = (
        f"{dear} paid {cost.loc[dear, 'mean']:.2f} per answered contact in concessions, "
        f"{cost['mean'].min():.2f} for {cost['mean'].idxmin()}. Conceding placates, but it "
        "also rewards invalid claims, and a chronic complainer who is given in to complains more "
        "often afterwards."
    )
    text["anger_curve"] = (
        "Each line follows the median anger of angry choleric callers move by move (the band "
        "holds the middle half of calls). Venting raises anger for a moment (the peak), and "
        "acknowledgement afterwards lands much better than before; solving before the customer "
        "has vented, or insisting on policy, drives it up until they demand a supervisor."
    )
    text["account_trajectories"] = (
        "The median emotional account of a fixed sample of customers, day by day (the band is "
        "the middle half). A failure is a withdrawal before the customer even calls; the "
        "contact that follows can repair it (service recovery) or deepen it."
    )
    text["staffing_crossover"] = (
        "Net value (retained revenue minus concessions minus labour) against head count. "
        "Negotiation takes the longest calls, so with too few CSRs queues grow, callers hang "
        "up, redial and arrive angrier: below some head count its edge is gone."
    )
    if breakdown is not None and len(breakdown):
        rows = breakdown[
            (breakdown["group"] == "temperament") & (breakdown["metric"] == "escalation_rate")
        ]
        by = rows.groupby("level")["value"].mean()
        text["escalation_by_temperament"] = (
            f"Across policies, {_pct(by.get('choleric', float('nan')))} of contacts with choleric "
            f"customers escalated against {_pct(by.get('melancholic', float('nan')))} with "
            "melancholic ones: melancholics rarely escalate but hold grudges, the silent churners."
        )
        text["retention_by_temperament"] = (
            "Retention by temperament: quick-tempered customers and grudge holders leave first "
            "when they are handled badly."
        )
        text["escalation_by_persona"] = (
            "Escalation by behaviour type: arguers and angry customers react most to rigid or "
            "argumentative moves."
        )
    return text


def build_report(folder: Path) -> Path:
    """Write ``folder/report.html`` (drawing the charts first) and return its path."""
    folder = Path(folder)
    reps_path = folder / "replications.parquet"
    if not folder.is_dir() or not reps_path.is_file():
        raise InputError("not a results folder (no replications.parquet)", source=folder)
    charts = draw_all(folder)
    reps = pd.read_parquet(reps_path)
    breakdown = (
        pd.read_parquet(folder / "breakdown.parquet")
        if (folder / "breakdown.parquet").is_file()
        else None
    )
    manifest = (
        json.loads((folder / "manifest.json").read_text())
        if (folder / "manifest.json").is_file()
        else {}
    )
    text = paragraphs(reps, breakdown)
    summary_rows = []
    for metric in (
        "retention_rate",
        "escalation_rate",
        "fcr_rate",
        "repeat_contacts_per_issue",
        "aht_s",
        "asa_s",
        "service_level",
        "abandonment_rate",
        "concession_per_contact",
        "csat",
        "net_value",
    ):
        if metric not in reps.columns:
            continue
        m = policy_means(reps, metric)
        pct = metric.endswith(("_rate", "service_level")) or metric == "csat"
        cells = "".join(f"<td>{html.escape(_ci(r, pct))}</td>" for _, r in m.iterrows())
        summary_rows.append(f"<tr><th>{metric}</th>{cells}</tr>")
    policies = list(dict.fromkeys(reps["policy"]))
    head = "".join(f"<th>{html.escape(p)}</th>" for p in policies)
    sections = []
    for png in [c for c in charts if c.suffix == ".png"]:
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        sections.append(
            f"<section><h2>{html.escape(png.stem.replace('_', ' ').capitalize())}</h2>"
            f'<img alt="{html.escape(png.stem)}" src="data:image/png;base64,{data}">'
            f"<p>{html.escape(text.get(png.stem, ''))}</p></section>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ccsim report</title>
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; font-size: 17px; line-height: 1.45; }}
img {{ max-width: 100%; }} table {{ border-collapse: collapse; font-size: 14px; }}
td, th {{ border: 1px solid #bbb; padding: 4px 8px; text-align: right; }}
section {{ page-break-inside: avoid; margin-bottom: 2em; }} pre {{ font-size: 12px; white-space: pre-wrap; }}
</style></head><body>
<h1>ccsim: {html.escape(manifest.get("command", "results"))} of {len(policies)} policies</h1>
<p>{len(reps)} runs; replications share their random numbers (the same customers, issues and
arrival times face every policy). Means with 95% confidence intervals.</p>
<table><tr><th>metric</th>{head}</tr>{"".join(summary_rows)}</table>
{"".join(sections)}
<h2>Manifest</h2><pre>{html.escape(json.dumps(manifest, indent=1)[:20000])}</pre>
</body></html>
"""
    out = folder / "report.html"
    write_text(out, page)
    return out
