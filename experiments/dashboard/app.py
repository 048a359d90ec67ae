"""The dashboard's page (Solara): call replay, policy comparison, live floor, each view in
its own module (``replay_view``, ``comparison_view``, ``floor_view``).

Every piece of state lives in a component (``use_state`` / ``use_reactive``), so each
browser tab has its own: two tabs never share a replay, a run or a floor. Bad inputs show
the CLI's one-line message (``str`` of the :class:`sim.errors.InputError`), never a
traceback; whatever else goes wrong in a view is shown in one line too, and the view
stays usable.
"""

from __future__ import annotations

import solara
import solara.lab

from experiments.dashboard.comparison_view import ComparisonView
from experiments.dashboard.floor_view import FloorView
from experiments.dashboard.replay_view import ReplayView


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
