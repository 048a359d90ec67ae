"""The call replay view: one caller under two policies, move by move."""

from __future__ import annotations

import threading
import time

import solara
import solara.lab

from experiments.dashboard import replay as rp
from experiments.dashboard import svg
from experiments.dashboard.widgets import (
    PLAY_INTERVAL_S,
    Html,
    Problem,
    one_line,
    table_html,
)
from sim.catalogue import NATURES, PERSONAS, TEMPERAMENTS
from sim.errors import InputError
from sim.lab import Caller


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
