"""``ccsim report``: one self-contained HTML page of a results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def report(
    results_dir: Annotated[Path, typer.Argument(help="A results folder (compare, sweep, staff).")],
) -> None:
    """Write RESULTS_DIR/report.html: a headline, tables, charts, explanations, the manifest."""
    from experiments.report import build_report

    print(build_report(results_dir))
