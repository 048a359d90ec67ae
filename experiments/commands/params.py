"""``ccsim params``: the documented default parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from experiments.display import print_json
from sim.parameters import Parameters, parse_set, read_params_file

app = typer.Typer()


@app.command()
def params(
    prefix: Annotated[
        str | None, typer.Argument(help="Only keys starting with this, e.g. customers.")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override: key=value (repeatable).")
    ] = None,
    params_file: Annotated[
        Path | None, typer.Option("--params", help="TOML file of overrides.")
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print key: value as one JSON object.")
    ] = False,
) -> None:
    """Print every parameter with its value, unit, meaning and source."""
    overrides = read_params_file(params_file) if params_file else {}
    overrides.update(parse_set(set_))
    values = Parameters(overrides)
    keys = [k for k in values if prefix is None or k.startswith(prefix)]
    if json:
        print_json({k: values[k] for k in keys})
        return
    table = Table(title="ccsim parameters", show_lines=False, header_style="bold")
    for col in ("key", "value", "unit", "valid", "meaning", "source"):
        table.add_column(col, overflow="fold")
    for key in keys:
        spec = values.spec(key)
        mark = "*" if values[key] != spec.default else ""
        table.add_row(key, f"{values[key]}{mark}", spec.unit, spec.valid, spec.meaning, spec.source)
    Console().print(table)
