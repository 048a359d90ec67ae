"""Printing results for people (Rich tables) and for programs (one JSON object)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from experiments.results import _clean


def format_value(key: str, value: Any) -> str:
    """A metric value formatted for a table: rates as %, times with 1 decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        if (
            key.endswith(("p_wait", "service_level", "occupancy"))
            or "_rate" in key
            or key.startswith("retention")
        ):
            return f"{100 * value:.1f}%"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def print_metrics(title: str, metrics: Mapping[str, Any], console: Console | None = None) -> None:
    """Print a metric dict as a two-column table."""
    console = console or Console()
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            continue
        table.add_row(key, format_value(key, value))
    console.print(table)


def print_json(data: Any) -> None:
    """Print one JSON object on stdout (NaN as null)."""
    print(json.dumps(_clean(data)))
