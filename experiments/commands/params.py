"""``ccsim params``: the documented default parameters.

By default one line per parameter (key, value, unit), which reads at 80 columns;
``--long`` (or naming one parameter) adds each one's valid values, meaning and source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from experiments import options as opt

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
        Path | None, opt.path_option("TOML file of overrides.", metavar="FILE", name="--params")
    ] = None,
    long: Annotated[
        bool, typer.Option("--long", help="Also print each parameter's meaning and source.")
    ] = False,
    json: Annotated[
        bool, typer.Option("--json", help="Print key: value as one JSON object.")
    ] = False,
) -> None:
    """Print every parameter with its value and unit (--long: valid values, meaning, source)."""
    import difflib

    from experiments.display import print_json
    from sim.errors import InputError
    from sim.parameters import Parameters, parse_set, read_params_file

    overrides = read_params_file(params_file) if params_file else {}
    overrides.update(parse_set(set_))
    values = Parameters(overrides)
    keys = [k for k in values if prefix is None or k.startswith(prefix)]
    if not keys:
        groups = sorted({k.rsplit(".", 1)[0] for k in values} | {k.split(".")[0] for k in values})
        close = difflib.get_close_matches(prefix or "", [*groups, *values], n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise InputError(
            f"no parameter starts with {prefix!r}{hint}",
            field="PREFIX",
            valid=", ".join(sorted({k.split(".")[0] for k in values})),
        )
    if json:
        print_json({k: values[k] for k in keys})
        return
    from rich.console import Console

    console = Console()
    if long or len(keys) == 1:
        _print_long(console, values, keys)
        return
    from rich.table import Table

    table = Table(
        title="ccsim parameters (* = overridden; --long: valid values, meaning, source)",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    table.add_column("key", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    for key in keys:
        spec = values.spec(key)
        mark = "*" if values[key] != spec.default else ""
        table.add_row(key, f"{values[key]}{mark}", spec.unit)
    console.print(table)


def _print_long(console, values, keys: list[str]) -> None:
    """One block per parameter: key = value unit, valid values, meaning, source."""
    import textwrap

    from rich.markup import escape

    width = max(40, min(console.width, 100))
    for key in keys:
        spec = values.spec(key)
        mark = " (overridden)" if values[key] != spec.default else ""
        console.print(f"[bold]{escape(key)}[/bold] = {values[key]} {escape(spec.unit)}{mark}")
        for label, text in (
            ("valid", spec.valid),
            ("meaning", spec.meaning),
            ("source", spec.source),
        ):
            wrapped = textwrap.fill(
                f"{label}: {text}", width=width, initial_indent="    ", subsequent_indent="      "
            )
            console.print(escape(wrapped), highlight=False)
