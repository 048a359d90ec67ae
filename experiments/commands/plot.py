"""``ccsim plot``: redraw the charts of a results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def plot(
    results_dir: Annotated[Path, typer.Argument(help="A results folder (compare, sweep, staff).")],
) -> None:
    """Draw every chart the folder has data for into RESULTS_DIR/charts (PNG and SVG)."""
    from experiments.charts import draw_all

    for path in draw_all(results_dir):
        print(path)
