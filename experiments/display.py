"""Printing results for people (Rich tables) and for programs (one JSON object).

Numbers are shown the way a planner reads them: shares as percentages, differences of
shares in percentage points (``+4.8 pp``), averages of counts with one decimal, never a
``-0.00``. Tables fit the terminal: a comparison of many policies is split into several
tables of a few policies each rather than wrapped into an unreadable grid.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from experiments.results import clean

#: Metrics that are shares of something (shown as %; their differences in pp).
SHARES = ("p_wait", "service_level", "occupancy", "csat", "silent_share")
#: Width of the metric column and of one policy's column in a comparison, characters.
METRIC_WIDTH, CELL_WIDTH = 30, 21


def is_share(key: str) -> bool:
    """Whether a metric is a share (a rate, a probability, CSAT)."""
    return (
        key.endswith(SHARES)
        or "_rate" in key
        or key.startswith(("retention", "supervisor_abandon", "annualized", "kept_", "satisfied_"))
    )


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    # A value that rounds to zero is zero: no "-0.00".
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


def format_value(key: str, value: Any, *, count: bool = False) -> str:
    """A metric value for a table: shares as %, averaged counts with one decimal.

    Args:
        key: The metric's name (decides percent or not).
        value: The value.
        count: The metric counts things (an average of counts gets one decimal).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if is_share(key):
            return _number(100 * value, 1) + "%"
        if count:
            return _number(value, 1) if abs(value) < 1000 else _number(value, 0)
        return _number(value, 2) if abs(value) < 1000 else _number(value, 0)
    return escape(str(value))


def format_difference(key: str, value: Any, *, count: bool = False) -> str:
    """A paired difference with its sign: shares in percentage points (``+4.8 pp``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = (
        _number(100 * value, 1) + " pp" if is_share(key) else format_value(key, value, count=count)
    )
    if text.startswith("-") or float(text.split()[0].rstrip("%").replace(",", "")) == 0:
        return text
    return f"+{text}"


def print_metrics(title: str, metrics: Mapping[str, Any], console: Console | None = None) -> None:
    """Print a metric dict as a two-column table (nested tables and notes left out)."""
    console = console or Console()
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        if isinstance(value, Mapping) or (isinstance(value, str) and key.endswith("_note")):
            continue
        table.add_row(key, format_value(key, value))
    console.print(table)


def print_json(data: Any) -> None:
    """Print one JSON object on stdout (NaN as null)."""
    print(json.dumps(clean(data)))


def chunks(labels: Sequence[str], width: int) -> list[list[str]]:
    """Policies in groups narrow enough for a terminal ``width`` characters wide."""
    per = max(1, (width - METRIC_WIDTH) // CELL_WIDTH)
    return [list(labels[i : i + per]) for i in range(0, len(labels), per)] or [[]]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 policy``, ``2 policies``."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
