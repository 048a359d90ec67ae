"""What the dashboard's views share: settings, one-line errors, HTML tables and boxes."""

from __future__ import annotations

import html
import os
from pathlib import Path

import solara
import solara.lab

from experiments.dashboard import comparison as cmp
from sim.errors import InputError

#: Where the comparison view writes its results folders (``ccsim dashboard --results``).
RESULTS_ENV = "CCSIM_DASHBOARD_RESULTS"
#: Seconds between frames when a replay or the floor plays.
PLAY_INTERVAL_S = 0.6
#: Seconds between two looks at a running comparison.
POLL_S = 0.25


def results_root() -> Path:
    """The comparison view's results root."""
    return Path(os.environ.get(RESULTS_ENV) or cmp.DEFAULT_ROOT)


def one_line(err: BaseException) -> str:
    """An error as one line: the CLI's message for bad input, else its type and text."""
    text = " ".join(str(err).split())
    return text if isinstance(err, InputError) else f"{type(err).__name__}: {text}"


def table_html(rows: list[dict], test_id: str, highlight: int | None = None) -> str:
    """A plain HTML table (rows of equal keys); ``data-testid`` lets tests find it."""
    if not rows:
        return ""
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = []
    for n, row in enumerate(rows):
        style = ' style="background:#fff3c4"' if n == highlight else ""
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values())
        body.append(f"<tr{style}>{cells}</tr>")
    return (
        f'<table data-testid="{test_id}" style="border-collapse:collapse" border="1" '
        f'cellpadding="4"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def Html(content: str):
    """Raw HTML (tables built by :func:`table_html`)."""
    return solara.HTML(tag="div", unsafe_innerHTML=content)


def Problem(message: str | None):
    """One line on what went wrong, or nothing."""
    if message:
        solara.Error(message, classes=["ccsim-error"])
