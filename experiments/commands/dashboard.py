"""``ccsim dashboard``: the local web page (call replay, policy comparison, live floor)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from experiments import options as opt

app = typer.Typer()

#: The page's default port.
DEFAULT_PORT = 8765


@app.command()
def dashboard(
    port: Annotated[
        int,
        opt.number_option("Port to listen on.", ge=1, le=65_535, whole=True),
    ] = DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every "
            "network the machine is on)."
        ),
    ] = "127.0.0.1",
    results: Annotated[
        Path,
        opt.path_option("Where the comparison view writes its results folders.", metavar="DIR"),
    ] = Path("results") / "dashboard",
) -> None:
    """Start the dashboard (Solara) and print its address; opens no browser. Ctrl-C stops it.

    Three views: call replay (the same caller under two policies, move by move), policy comparison (ccsim compare in the background, with progress and cancel), live floor (a small center, day by day).
    """
    import os
    from importlib.util import find_spec

    from experiments.folder import check_out
    from sim.errors import InputError

    check_out(results, "--results")
    if find_spec("solara") is None:
        raise InputError(
            "the dashboard needs Solara", field="dashboard", valid='pip install "ccsim[dashboard]"'
        )
    from experiments.dashboard.server import serve

    os.environ["CCSIM_DASHBOARD_RESULTS"] = str(results)
    serve(host, port, announce=lambda url: print(f"ccsim dashboard: {url}", flush=True))
