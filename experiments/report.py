"""One self-contained HTML page of a results folder, for a trainer to open or print.

The page opens with a headline (the finding in one sentence, with its confidence
interval), then the table of means with 95% CIs, the paired differences against the
baseline, every chart (embedded as base64 PNG) with a plain-language paragraph generated
from the numbers and the parameters of the run, and the manifest as a readable table
(ccsim's version, the seeds, the git revision, what was overridden, package versions).
Shares (retention, escalation, CSAT, ...) are shown as percentages, their differences in
percentage points, as on the command line.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.charts import draw_all, policy_means
from experiments.display import format_difference, is_share
from experiments.folder import finished_folder
from experiments.results import write_text
from experiments.study_report import calibration_text, design_answer, html_table

#: Metrics in the page's tables, in this order.
METRICS = (
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
)


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}%"


def _ci(m: pd.Series, pct: bool = True) -> str:
    f = _pct if pct else (lambda v: f"{v:,.1f}")
    if pd.isna(m["low"]):
        return f(m["mean"])
    return f"{f(m['mean'])} (95% CI {f(m['low'])} to {f(m['high'])})"


def _times(value: Any) -> str:
    """A ratio in words: ``2.25 times``."""
    try:
        return f"{float(value):g} times"
    except (TypeError, ValueError):
        return "several times"


def paragraphs(
    reps: pd.DataFrame, breakdown: pd.DataFrame | None, parameters: dict | None = None
) -> dict[str, str]:
    """A plain-language explanation per chart, from the replications and the parameters."""
    parameters = parameters or {}
    text: dict[str, str] = {}
    ret = policy_means(reps, "retention_rate").set_index("policy")
    best, worst = ret["mean"].idxmax(), ret["mean"].idxmin()
    kept = (
        f"{best} kept {_ci(ret.loc[best])} of the customer base over the run"
        + (f"; {worst} kept {_ci(ret.loc[worst])}" if best != worst else "")
        + ". "
    )
    text["retention"] = kept + (
        "Every contact moves a customer's emotional account by how it is remembered (its "
        "worst and its last moment, whether the issue was solved, the wait, the courtesy), "
        f"losses weighing {_times(parameters.get('customers.loss_aversion'))} more than gains; "
        "a customer whose account goes below zero leaves. Policies that solve issues and end "
        "calls calmly keep accounts in credit."
    )
    esc = policy_means(reps, "escalation_rate").set_index("policy")
    lo, hi = esc["mean"].idxmin(), esc["mean"].idxmax()
    text["escalation"] = (
        f"{hi} escalated {_ci(esc.loc[hi])} of answered contacts to a supervisor or a formal "
        "complaint"
        + (f", {lo} only {_ci(esc.loc[lo])}" if lo != hi else "")
        + ". A customer escalates when anger crosses a threshold that is lower for expressive "
        "temperaments; insisting on policy and arguing raise anger, most of all with cholerics "
        "and arguers, while letting people vent and acknowledging them brings it down after a "
        "peak."
    )
    if {"aht_first_contact_s", "repeat_contacts_per_issue"} <= set(reps.columns):
        aht = policy_means(reps, "aht_first_contact_s").set_index("policy")
        rep = policy_means(reps, "repeat_contacts_per_issue").set_index("policy")
        short = aht["mean"].idxmin()
        text["repeats_and_handle_time"] = (
            f"{short} has the shortest first calls ({aht.loc[short, 'mean'] / 60:.1f} min) with "
            f"{rep.loc[short, 'mean']:.2f} repeat contacts per issue, against "
            f"{rep['mean'].min():.2f} for {rep['mean'].idxmin()}. An unresolved issue comes back "
            "days later with a customer who starts angrier: short calls that solve nothing are "
            "paid for in repeat calls and in churn."
        )
    if "concession_per_contact" in reps.columns:
        cost = policy_means(reps, "concession_per_contact").set_index("policy")
        dear = cost["mean"].idxmax()
        text["concession_vs_retention"] = (
            f"{dear} paid {cost.loc[dear, 'mean']:.2f} per answered contact in concessions, "
            f"{cost['mean'].min():.2f} for {cost['mean'].idxmin()}. Conceding placates, but it "
            "also rewards invalid claims, and a chronic complainer who is given in to complains "
            "more often afterwards."
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
    if "annualized_churn" in reps.columns:
        churn = policy_means(reps, "annualized_churn").set_index("policy")
        least = churn["mean"].idxmin()
        text["annual_churn"] = (
            f"{least} would lose {_ci(churn.loc[least])} of its customers in a year "
            "(annualized from the run), all causes: some customers leave for reasons that "
            "have nothing to do with service, the same ones under every policy; the "
            "differences between policies are the customers service drove away."
        )
    text["staffing_crossover"] = (
        "Net value (retained revenue minus concessions minus labour) against head count, with "
        "95% CI bands. Negotiation takes the longest calls, so with too few CSRs queues grow, "
        "callers hang up, redial and arrive angrier: below some head count its edge is gone."
    )
    if breakdown is not None and len(breakdown):
        rows = breakdown[
            (breakdown["group"] == "temperament") & (breakdown["metric"] == "escalation_rate")
        ]
        by = rows.groupby("level")["value"].mean()
        text["escalation_by_temperament"] = (
            f"Across policies, {_pct(by.get('choleric', math.nan))} of contacts with choleric "
            f"customers escalated against {_pct(by.get('melancholic', math.nan))} with "
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


def validation_text(table: pd.DataFrame) -> str:
    """What the validation chart shows, and which anchors the model misses."""
    missed = [f"{row.anchor} ({row.verdict})" for row in table.itertuples() if not bool(row.holds)]
    return (
        f"{int(table['holds'].sum())} of {len(table)} published anchors hold. Each bar is a "
        "range real contact centers report (occupancy, service level, abandonment, handle "
        "time, first-contact resolution, yearly churn, contacts per customer), rescaled so "
        "that it runs from 0 to 1; the point is the model's mean over replications with its "
        "95% CI. The other anchors (Erlang formulas, loyalty by complaint outcome, the "
        "recovery paradox, loss aversion) are in validation.csv."
        + (f" Not holding: {'; '.join(missed)}." if missed else "")
    )


def pairedhtml_table(reps: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Paired differences against the baseline (largest head count of a head-count sweep)."""
    from experiments.statistics import paired_differences

    column = "param:operations.csrs"
    if column in reps.columns:
        reps = reps[reps[column] == reps[column].max()]
    return paired_differences(reps, baseline)


def headline(reps: pd.DataFrame, diffs: pd.DataFrame, baseline: str) -> str:
    """The finding in one sentence: retention of the best policy, against the baseline."""
    ret = policy_means(reps, "retention_rate").set_index("policy")
    best = ret["mean"].idxmax()
    sentence = f"{best} kept the most customers: {_ci(ret.loc[best])} retention"
    if len(ret) == 1:
        return f"{best} kept {_ci(ret.loc[best])} of its customers."
    if best != baseline and not diffs.empty:
        row = diffs[(diffs["policy"] == best) & (diffs["metric"] == "retention_rate")]
        if len(row):
            r = row.iloc[0]
            sentence += (
                f", {format_difference('retention_rate', r['diff'])} against {baseline} "
                f"(95% CI {format_difference('retention_rate', r['ci_low'])} to "
                f"{format_difference('retention_rate', r['ci_high'])})"
            )
    return sentence + "."


def manifest_rows(manifest: dict) -> list[tuple[str, str]]:
    """The manifest as (what, value) rows a person reads; the full file is beside it."""
    rows: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value not in (None, "", [], {}):
            rows.append((label, str(value)))

    add("command line", manifest.get("command_line"))
    add("created", manifest.get("created"))
    add("ccsim version", manifest.get("ccsim_version"))
    add("git revision", manifest.get("git_revision"))
    add("master seed", manifest.get("seed"))
    add("replications", manifest.get("replications"))
    seeds = manifest.get("replication_seeds") or []
    add("replication seeds", ", ".join(str(s) for s in seeds))
    add("policies", ", ".join(p.get("name", "?") for p in manifest.get("policies", [])))
    for key, value in (manifest.get("scenario") or {}).items():
        if value not in (None, False):
            add(f"scenario: {key}", value)
    for key, value in (manifest.get("overrides") or {}).items():
        add(f"parameter set: {key}", value)
    add("parameters", f"{len(manifest.get('parameters') or {})} values, all in manifest.json")
    for name, version in (manifest.get("versions") or {}).items():
        add(f"version: {name}", version)
    return rows


HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ccsim report</title>
<style>
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; font-size: 17px; line-height: 1.45; }
img { max-width: 100%; } table { border-collapse: collapse; font-size: 14px; margin-bottom: 1em; }
td, th { border: 1px solid #bbb; padding: 4px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.headline { font-size: 22px; font-weight: bold; }
section { page-break-inside: avoid; margin-bottom: 2em; }
</style></head><body>"""


def _chart_sections(charts: list[Path], text: dict[str, str]) -> list[str]:
    """Each PNG chart embedded, under its name, above its paragraph."""
    sections = []
    for png in [c for c in charts if c.suffix == ".png"]:
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        sections.append(
            f"<section><h2>{html.escape(png.stem.replace('_', ' ').capitalize())}</h2>"
            f'<img alt="{html.escape(png.stem)}" src="data:image/png;base64,{data}">'
            f"<p>{html.escape(text.get(png.stem, ''))}</p></section>"
        )
    return sections


def _write_design_report(
    folder: Path,
    manifest: dict,
    charts: list[Path],
    reps: pd.DataFrame,
    finding: str,
    table_html: str,
    text: dict[str, str],
) -> Path:
    """The page of a sensitivity or frontier folder: finding, chart, table, manifest."""
    points = reps["point"].nunique()
    page = f"""{HEAD}
<h1>ccsim {html.escape(str(manifest.get("command", "results")))}</h1>
<p class="headline">{html.escape(finding)}.</p>
<p>{len(reps)} runs at {points} design points; at every point, replication i of every policy
met the same customers, issues and arrival times, and so did replication i at every other
point (common random numbers): a parameter that changes nothing changes no run.</p>
{"".join(_chart_sections(charts, text))}
{table_html}
<h2>How these results were made</h2>
{html_table(["", "value"], [list(r) for r in manifest_rows(manifest)])}
</body></html>
"""
    out = folder / "report.html"
    write_text(out, page)
    return out


def build_report(folder: Path) -> Path:
    """Write ``folder/report.html`` (drawing the charts first) and return its path.

    Raises:
        InputError: the folder is not a finished ccsim results folder.
    """
    folder = Path(folder)
    manifest = finished_folder(folder)
    charts = draw_all(folder)
    reps = pd.read_parquet(folder / "replications.parquet")
    breakdown = (
        pd.read_parquet(folder / "breakdown.parquet")
        if (folder / "breakdown.parquet").is_file()
        else None
    )
    answer = design_answer(folder, manifest)
    if answer is not None:
        return _write_design_report(folder, manifest, charts, reps, *answer)
    policies = list(dict.fromkeys(reps["policy"]))
    baseline = manifest.get("baseline") if manifest.get("baseline") in policies else policies[0]
    text = paragraphs(reps, breakdown, manifest.get("parameters"))
    if (folder / "calibration_targets.csv").is_file():
        text.update(
            calibration_text(
                pd.read_csv(folder / "calibration_targets.csv"),
                pd.read_csv(folder / "calibrated_parameters.csv"),
                pd.read_csv(folder / "evaluations.csv"),
            )
        )
    if (folder / "validation.csv").is_file():
        text["validation"] = validation_text(pd.read_csv(folder / "validation.csv"))
    diffs = pairedhtml_table(reps, baseline)
    metrics = [m for m in METRICS if m in reps.columns]
    means = [
        [metric] + [_ci(r, is_share(metric)) for _, r in policy_means(reps, metric).iterrows()]
        for metric in metrics
    ]
    others = [p for p in policies if p != baseline]
    cell = diffs.set_index(["policy", "metric"]) if not diffs.empty else None
    differences = []
    for metric in metrics if cell is not None else []:
        row = [metric]
        for policy in others:
            r = cell.loc[(policy, metric)]
            p = "-" if r["p_value"] != r["p_value"] else f"{r['p_value']:.2g}"
            row.append(
                f"{format_difference(metric, r['diff'])} ({format_difference(metric, r['ci_low'])}"
                f" to {format_difference(metric, r['ci_high'])}), p={p}"
            )
        differences.append(row)
    sections = _chart_sections(charts, text)
    count = f"{len(policies)} polic{'y' if len(policies) == 1 else 'ies'}"
    diff_html = (
        f"<h2>Paired differences against {html.escape(baseline)}</h2><p>Replication i of "
        "every policy met the same customers, so differences are taken replication by "
        "replication: mean, 95% CI and p-value (paired t-test); shares in percentage points "
        "(pp).</p>" + html_table(["metric", *others], differences)
        if differences
        else ""
    )
    page = f"""{HEAD}
<h1>ccsim {html.escape(str(manifest.get("command", "results")))}: {count}</h1>
<p class="headline">{html.escape(headline(reps, diffs, baseline))}</p>
<p>{len(reps)} runs; replications share their random numbers (the same customers, issues and
arrival times face every policy). Means with 95% confidence intervals.</p>
{html_table(["metric", *policies], means)}
{diff_html}
{"".join(sections)}
<h2>How these results were made</h2>
{html_table(["", "value"], [list(r) for r in manifest_rows(manifest)])}
</body></html>
"""
    out = folder / "report.html"
    write_text(out, page)
    return out
