"""``ccsim policies``: the built-in policy presets."""

from __future__ import annotations

from typing import Annotated

import typer

NAME = "policies"
app = typer.Typer(help="List the built-in policies, or show one.", invoke_without_command=True)


@app.callback()
def policies(ctx: typer.Context) -> None:
    """List the built-in policy presets with one line each."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console
    from rich.table import Table

    from policies.policy import load_policy, preset_names

    table = Table(
        title="Built-in policies (use a name, or a path to your own .toml)", header_style="bold"
    )
    table.add_column("policy", no_wrap=True)
    table.add_column("description")
    for name in preset_names():
        table.add_row(name, load_policy(name).description)
    Console().print(table)


@app.command()
def show(name: Annotated[str, typer.Argument(help="A preset name or a policy file.")]) -> None:
    """Print a policy's TOML (a preset, or a file after validating it)."""
    from rich.console import Console
    from rich.markup import escape

    from policies.policy import load_policy, preset_names, preset_text
    from sim.inputs import MAX_TOML_BYTES, read_text

    policy = load_policy(name)
    if name in preset_names():
        print(preset_text(name), end="")
    else:
        print(read_text(name, max_bytes=MAX_TOML_BYTES).text, end="")
    Console(stderr=True).print(f"[dim]{escape(policy.name)}: valid policy[/dim]")
