"""The dashboard's page (Solara): call replay, policy comparison, live floor.

Every piece of state lives in a component (``use_state`` / ``use_reactive``), so each
browser tab has its own: two tabs never share a replay, a run or a floor. Bad inputs show
the CLI's one-line message (``str`` of the :class:`sim.errors.InputError`), never a
traceback; whatever else goes wrong in a view is shown in one line too, and the view
stays usable.
"""

from __future__ import annotations

import html
import os
import threading
import time
from pathlib import Path

import solara
import solara.lab

from experiments.dashboard import comparison as cmp
from experiments.dashboard import floor as fl
from experiments.dashboard import replay as rp
from experiments.dashboard import svg
from sim.catalogue import NATURES, PERSONAS, TEMPERAMENTS
from sim.errors import InputError
from sim.lab import Caller

#: Where the comparison view writes its results folders (``ccsim dashboard --results``).
RESULTS_ENV = "CCSIM_DASHBOARD_RESULTS"
#: Seconds between frames when a replay or the floor plays.
PLAY_INTERVAL_S = 0.6
#: Seconds between two looks at a running comparison.
POLL_S = 0.25


def results_root() -> Path:
    """The comparison view's results root."""
    return Path(os.environ.get(RESULTS_ENV) or cmp.DEFAULT_ROOT)


def one_line(err: BaseException) -> str:
    """An error as one line: the CLI's message for bad input, else its type and text."""
    text = " ".join(str(err).split())
    return text if isinstance(err, InputError) else f"{type(err).__name__}: {text}"


def table_html(rows: list[dict], test_id: str, highlight: int | None = None) -> str:
    """A plain HTML table (rows of equal keys); ``data-testid`` lets tests find it."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = []
    for n, row in enumerate(rows):
        style = ' style="background:#fff3c4"' if n == highlight else ""
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values())
        body.append(f"<tr{style}>{cells}</tr>")
    return (
        f'<table data-testid="{test_id}" style="border-collapse:collapse" border="1" '
        f'cellpadding="4"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def Html(content: str):
    """Raw HTML (tables built by :func:`table_html`)."""
    return solara.HTML(tag="div", unsafe_innerHTML=content)


def Problem(message: str | None):
    """One line on what went wrong, or nothing."""
    if message:
        solara.Error(message, classes=["ccsim-error"])


# --- call replay ---------------------------------------------------------------------------
def step_rows(call: rp.PlayedCall, upto: int) -> list[dict]:
    """The steps of a call up to ``upto`` as table rows (values rounded for the eye)."""
    rows = []
    for r in call.steps.itertuples(index=False):
        if r.step > upto:
            break
        rows.append(
            {
                "step": r.step,
                "move": r.move,
                "anger": f"{r.anger:.3f}",
                "vent": f"{r.vent:.2f}",
                "respect": f"{r.respect:.2f}",
                "remedy": f"{r.remedy:.2f}",
                "info": f"{r.info:.2f}",
                "fix": f"{r.fix:.2f}",
                "talk (s)": f"{r.talk_s:.0f}",
            }
        )
    return rows


def anger_chart(calls: list[rp.PlayedCall], upto: int) -> str:
    """Anger after each move of both calls, up to ``upto`` (SVG)."""
    series = {}
    for call in calls:
        shown = call.steps[call.steps["step"] <= upto]
        series[f"{call.policy} ({call.strategy})"] = (list(shown["step"]), list(shown["anger"]))
    longest = max(len(c.steps) for c in calls) - 1
    return svg.line_chart(
        series, x_range=(0, longest), y_range=(0, 1), title="anger (0..1)", x_label="move"
    )


@solara.component
def ReplayView():
    """Pick a caller and two policies; step through the same call under both."""
    # One state for the caller: one render per new caller, not one per field.
    drawn, set_drawn = solara.use_state((0, Caller(), 0))
    number, caller, seed = drawn
    first = solara.use_reactive("negotiate")
    second = solara.use_reactive("avoid")
    step = solara.use_reactive(0)
    playing = solara.use_reactive(False)

    def draw_caller():
        step.set(0)
        drawn_caller, drawn_seed = rp.new_caller(number + 1)
        set_drawn((number + 1, drawn_caller, drawn_seed))

    def edit(**changes):
        step.set(0)
        set_drawn((number, Caller(**{**caller.__dict__, **changes}), seed))

    def play_calls():
        try:
            return rp.replay([first.value, second.value], caller, seed), None
        except InputError as err:
            return None, one_line(err)

    calls, error = solara.use_memo(play_calls, [caller, seed, first.value, second.value])
    last = max((len(c.steps) - 1 for c in calls), default=0) if calls else 0

    def play_loop(cancel: threading.Event):
        while playing.value and not cancel.is_set():
            time.sleep(PLAY_INTERVAL_S)
            if cancel.is_set() or not playing.value:
                return
            if step.value >= last:
                playing.set(False)
                return
            step.set(step.value + 1)

    solara.use_thread(play_loop, dependencies=[playing.value, last])

    def play_or_pause():
        if not playing.value and step.value >= last:
            step.set(0)  # played to the end: play it again
        playing.set(not playing.value)

    with solara.Column():
        solara.Markdown(
            "Trainers: the same caller, on the same random draws, served under two "
            "policies (each plays its strongest strategy). Only the moves differ."
        )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.Select(
                "temperament",
                value=caller.temperament,
                values=list(TEMPERAMENTS),
                on_value=lambda v: edit(temperament=v),
            )
            solara.Select(
                "persona",
                value=caller.persona,
                values=list(PERSONAS),
                on_value=lambda v: edit(persona=v),
            )
            solara.Select(
                "issue nature",
                value=caller.nature,
                values=list(NATURES),
                on_value=lambda v: edit(nature=v),
            )
            solara.Checkbox(
                label="claim valid", value=caller.valid, on_value=lambda v: edit(valid=v)
            )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.SliderFloat(
                "opening anger",
                value=caller.anger,
                min=0.0,
                max=1.0,
                step=0.01,
                on_value=lambda v: edit(anger=v),
            )
            solara.SliderFloat(
                "severity",
                value=caller.severity,
                min=0.0,
                max=1.0,
                step=0.01,
                on_value=lambda v: edit(severity=v),
            )
            solara.SliderFloat(
                "difficulty",
                value=caller.difficulty,
                min=0.0,
                max=1.0,
                step=0.01,
                on_value=lambda v: edit(difficulty=v),
            )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.InputText("first policy (preset or .toml file)", value=first)
            solara.InputText("second policy (preset or .toml file)", value=second)
        with solara.Row():
            solara.Button("New caller", on_click=draw_caller, color="primary")
            solara.Button("Previous", on_click=lambda: step.set(max(0, step.value - 1)))
            solara.Button("Next", on_click=lambda: step.set(min(last, step.value + 1)))
            solara.Button("Last", on_click=lambda: step.set(last))
            solara.Button("Pause" if playing.value else "Play", on_click=play_or_pause)
        solara.Text(
            f"Caller #{number}: {caller.temperament}, {caller.persona}, {caller.nature}"
            f"{'' if caller.valid else ' (claim not valid)'}, opening anger "
            f"{caller.anger:.2f}, severity {caller.severity:.2f}, difficulty "
            f"{caller.difficulty:.2f}; draws: seed {seed}",
            classes=["ccsim-caller"],
        )
        Problem(error)
        if not calls:
            return
        shown = min(step.value, last)
        solara.Text(f"Move {shown} of {last}", classes=["ccsim-step"])
        Html(anger_chart(calls, shown))
        with solara.Row(style={"flex-wrap": "wrap", "gap": "16px", "align-items": "flex-start"}):
            for n, call in enumerate(calls):
                with solara.Column():
                    solara.Markdown(f"**{call.policy}** (strategy {call.strategy})")
                    Html(table_html(step_rows(call, shown), f"replay-{n}", highlight=shown))
                    if shown >= len(call.steps) - 1:
                        verb = "deposit" if call.account_change >= 0 else "withdrawal"
                        solara.Text(
                            f"{'resolved' if call.resolved else 'not resolved'}"
                            f"{', escalated' if call.escalated else ''}; talk "
                            f"{call.talk_s:.0f} s; conceded {call.conceded:.2f}; "
                            f"{verb} of {abs(call.account_change):.2f} on the emotional account",
                            classes=[f"ccsim-outcome-{n}"],
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


# --- live floor ----------------------------------------------------------------------------
def floor_charts(floor: fl.LiveFloor) -> str:
    """Callers waiting and CSRs busy through the day; churn and stress by day (SVG)."""
    today = floor.today()
    shown = int(today["day"].max()) if not today.empty else floor.day
    hours = [0.0, *today["hour"]]
    day = svg.line_chart(
        {
            "callers waiting": (hours, [0, *today["waiting"]]),
            "CSRs busy": (hours, [0, *today["busy"]]),
        },
        x_range=(0, 24),
        y_range=(0, max(floor.settings.csrs, int(today["waiting"].max()) if len(today) else 0)),
        title=f"through day {shown}",
        x_label="hour of the day",
        steps=True,
    )
    daily = floor.by_day()
    days = (0, floor.settings.days)
    churned = svg.line_chart(
        {"churned": (list(daily["day"]), list(daily["churned_customers"]))},
        x_range=days,
        y_range=(0, max(1, int(daily["churned_customers"].max()))),
        title="customers churned so far",
        x_label="day",
        width=300,
    )
    stress = svg.line_chart(
        {"stress": (list(daily["day"]), list(daily["mean_csr_stress"].fillna(0.0)))},
        x_range=days,
        y_range=(0, max(0.05, round(float(daily["mean_csr_stress"].max()) + 0.005, 2))),
        title="mean CSR stress (0..1)",
        x_label="day",
        width=300,
    )
    return f'<div style="display:flex;gap:12px;flex-wrap:wrap">{day}{churned}{stress}</div>'


@solara.component
def FloorView():
    """One policy, a small center, watched through the day; play, pause, step, reset."""
    policy = solara.use_reactive("negotiate")
    csrs = solara.use_reactive(4)
    days = solara.use_reactive(5)
    customers = solara.use_reactive(3000)
    contacts = solara.use_reactive(600)
    seed = solara.use_reactive(1)
    # A reactive, not use_state: the play thread must see the floor it built itself.
    floor_ref = solara.use_reactive(None)
    version, set_version = solara.use_state(0)
    playing = solara.use_reactive(False)
    error, set_error = solara.use_state(None)
    lock = solara.use_memo(threading.Lock, [])

    def build() -> fl.LiveFloor | None:
        """A floor from the inputs, or None (and the one-line error)."""
        try:
            built = fl.LiveFloor.build(
                fl.FloorSettings(
                    policy=policy.value.strip(),
                    csrs=csrs.value,
                    days=days.value,
                    customers=customers.value,
                    first_contacts_per_day=float(contacts.value),
                    seed=seed.value,
                )
            )
        except Exception as err:  # the view keeps working whatever the input did
            set_error(one_line(err))
            playing.set(False)
            return None
        set_error(None)
        return built

    # The lock guards the model only; no state is set while it is held (a set renders,
    # and the render takes the lock).
    def advance(whole_day: bool):
        live = floor_ref.value
        if live is None:
            live = build()
            if live is None:
                return
            floor_ref.set(live)
        with lock:
            live.next_day() if whole_day else live.advance()
            running = live.running
        set_version(lambda v: v + 1)
        if not running:
            playing.set(False)

    def reset():
        playing.set(False)
        floor_ref.set(None)
        set_error(None)

    def play_loop(cancel: threading.Event):
        while playing.value and not cancel.is_set():
            advance(whole_day=False)
            time.sleep(PLAY_INTERVAL_S / 6)  # a day in about 48 slices

    solara.use_thread(play_loop, dependencies=[playing.value])
    floor = floor_ref.value

    with solara.Column():
        solara.Markdown(
            "Everyone: a small center with one policy, half an hour at a time, day by day "
            "(the Mesa model's `step()` ends each day)."
        )
        with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
            solara.InputText("policy (preset or .toml file)", policy, disabled=floor is not None)
            solara.InputInt("CSRs", csrs, disabled=floor is not None)
            solara.InputInt("days", days, disabled=floor is not None)
            solara.InputInt("customers", customers, disabled=floor is not None)
            solara.InputInt("first contacts a day", contacts, disabled=floor is not None)
            solara.InputInt("seed", seed, disabled=floor is not None)
        with solara.Row():
            solara.Button(
                "Pause" if playing.value else "Play",
                on_click=lambda: playing.set(not playing.value),
                color="primary",
            )
            solara.Button("Step a day", on_click=lambda: advance(whole_day=True))
            solara.Button("Reset", on_click=reset)
        Problem(error)
        if floor is None:
            solara.Text("Press Play or Step a day to open the floor.", classes=["ccsim-floor"])
            return
        with lock:
            daily = floor.by_day()
            last = daily.iloc[-1]
            waiting = int(floor.model.state.tiers["waiting"][0])
            clock = floor.model.now
            hours, minutes = divmod(round(clock % 86_400 / 60), 60)
            status = (
                f"Day {floor.day} of {floor.settings.days} finished"
                f"{'' if floor.running else ' (the end)'}; clock: day {int(clock // 86_400)} "
                f"{hours:02d}:{minutes:02d}; callers waiting now: {waiting}; "
                f"customers churned so far: {int(last['churned_customers'])}; mean CSR "
                f"stress: {last['mean_csr_stress']:.3f}"
            )
            charts = floor_charts(floor)
        solara.Text(status, classes=["ccsim-floor"])
        Html(charts)


# --- the page ------------------------------------------------------------------------------
@solara.component
def Page():
    """The dashboard: three views in tabs."""
    solara.Title("ccsim dashboard")
    with solara.lab.Tabs():
        with solara.lab.Tab("Call replay"):
            ReplayView()
        with solara.lab.Tab("Policy comparison"):
            ComparisonView()
        with solara.lab.Tab("Live floor"):
            FloorView()
