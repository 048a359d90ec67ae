"""The policy comparison view: `ccsim compare` run in the background, with progress."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import solara
import solara.lab

from experiments.dashboard import comparison as cmp
from experiments.dashboard.widgets import (
    POLL_S,
    Html,
    Problem,
    one_line,
    results_root,
    table_html,
)


# --- policy comparison ---------------------------------------------------------------------
@solara.component
def ComparisonView():
    """Pick policies and a scenario; run ``ccsim compare`` in the background."""
    names = solara.use_reactive("negotiate, avoid")
    days = solara.use_reactive("30")
    reps = solara.use_reactive("3")
    csrs = solara.use_reactive("")
    schedule = solara.use_reactive("")
    overrides = solara.use_reactive("")
    seed = solara.use_reactive("1")
    jobs = solara.use_reactive("1")
    run, set_run = solara.use_state(None)
    done, set_done = solara.use_state(0)
    state, set_state = solara.use_state("ready")
    error, set_error = solara.use_state(None)

    request, set_request = solara.use_state(0)

    def start():
        """Show the run at once; check and start it in the background (a third of a
        second of reading policies and parameters)."""
        set_error(None)
        set_state("starting")
        set_request(request + 1)

    def launch(cancel: threading.Event):
        if request == 0:
            return
        try:
            settings = cmp.settings_from_page(
                policies=names.value,
                reps=reps.value,
                days=days.value,
                csrs=csrs.value,
                schedule=schedule.value,
                overrides=overrides.value,
                seed=seed.value,
                jobs=jobs.value,
            )
            job = cmp.Comparison.prepare(settings, results_root())
            job.start()
        except Exception as err:  # the page keeps working whatever the input did
            set_error(one_line(err))
            set_state("ready")
            return
        set_done(0)
        set_run(job)
        set_state("running")

    solara.use_thread(launch, dependencies=[request])

    def watch(cancel: threading.Event):
        while run is not None and not cancel.is_set():
            now = run.poll()
            set_done(run.progress())
            if now != "running":
                set_state(now)
                set_error(run.error)
                return
            time.sleep(POLL_S)

    solara.use_thread(watch, dependencies=[run])

    def stop():
        if run is not None:
            threading.Thread(target=run.cancel, daemon=True).start()

    running = state in ("starting", "running")
    with solara.Column():
        solara.Markdown(
            "Planners and trainers: policies side by side on the same customers, issues "
            "and arrivals (common random numbers): `ccsim compare`, run in the background."
        )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.InputText("policies (presets or .toml files, comma-separated)", names)
            solara.InputText("days (empty: the scenario's)", days)
            solara.InputText("replications", reps)
            solara.InputText("seed", seed)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.InputText("head count (empty: planned roster)", csrs)
            solara.InputText("or a schedule CSV", schedule)
            solara.InputText("worker processes", jobs)
        solara.InputTextArea(
            "parameter overrides, one key=value a line (ccsim params)", overrides, rows=3
        )
        with solara.Row():
            solara.Button("Run", on_click=start, disabled=running, color="primary")
            solara.Button("Cancel", on_click=stop, disabled=not running)
        if run is not None:
            total = run.total
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(f"{state}: {done} of {total} replications", classes=["ccsim-progress"])
        Problem(error)
        if run is not None and state in ("cancelled", "failed"):
            solara.Text(f"To finish it: {run.resume_command}", classes=["ccsim-resume"])
        if run is not None and state == "done" and run.result:
            ComparisonResults(run)


@solara.component
def ComparisonResults(run: cmp.Comparison):
    """The finished comparison: headline metrics with 95% CIs, the folder, the charts."""
    folder = Path(run.result["results_dir"]).resolve()
    solara.Markdown("**Mean and 95% CI over replications**")
    Html(table_html(cmp.summary_rows(run.result["summary"]), "comparison-summary"))
    solara.Markdown(
        f"Results folder: [{folder}]({folder.as_uri()}) — make the report with "
        f"`ccsim report {folder}`"
    )
    for chart in cmp.charts(folder):
        solara.Markdown(f"*{chart.stem.replace('_', ' ')}*")
        solara.Image(str(chart), width="640px")
