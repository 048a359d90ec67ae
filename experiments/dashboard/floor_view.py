"""The live floor view: one policy, a small center, day by day."""

from __future__ import annotations

import threading
import time

import solara
import solara.lab

from experiments.dashboard import floor as fl
from experiments.dashboard import svg
from experiments.dashboard.widgets import (
    PLAY_INTERVAL_S,
    Html,
    Problem,
    one_line,
)


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
