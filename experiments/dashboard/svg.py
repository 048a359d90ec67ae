"""Small line charts as inline SVG text.

The page redraws its live charts at every move of a replay and every half hour of the
floor; a Matplotlib figure costs a quarter of a second or more per draw on a busy
machine, an SVG string a millisecond, and the browser draws it. The comparison view
shows ccsim's own Matplotlib charts (PNG files of the results folder).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

#: Colours of the series, in order (Matplotlib's first four).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def line_chart(
    series: dict[str, tuple[Sequence[float], Sequence[float]]],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    title: str = "",
    x_label: str = "",
    width: int = 420,
    height: int = 220,
    steps: bool = False,
) -> str:
    """An SVG line chart: one polyline (with dots) per series, axes with their ranges.

    Args:
        series: Label -> (x values, y values).
        x_range, y_range: The axes' (low, high); a range of zero width is widened.
        title: Above the plot.
        x_label: Under the x axis.
        width, height: Pixels.
        steps: Draw each series as steps (a value holds until the next x).
    """
    left, right, top, bottom = 40, 10, 24, 34
    x0, x1 = x_range
    y0, y1 = y_range
    x1 = x1 if x1 > x0 else x0 + 1
    y1 = y1 if y1 > y0 else y0 + 1

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2}" y="14" text-anchor="middle">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="none" stroke="#888"/>',
        f'<text x="{left - 4}" y="{py(y0) + 4}" text-anchor="end">{y0:g}</text>',
        f'<text x="{left - 4}" y="{py(y1) + 4}" text-anchor="end">{y1:g}</text>',
        f'<text x="{left}" y="{height - bottom + 14}" text-anchor="middle">{x0:g}</text>',
        f'<text x="{width - right}" y="{height - bottom + 14}" text-anchor="middle">{x1:g}</text>',
        f'<text x="{width / 2}" y="{height - 4}" text-anchor="middle">{html.escape(x_label)}</text>',
    ]
    for n, (label, (xs, ys)) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = []
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            if steps and i:
                points.append(f"{px(x):.1f},{py(ys[i - 1]):.1f}")
            points.append(f"{px(x):.1f},{py(y):.1f}")
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>'
        )
        if not steps:
            parts += [
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>'
                for x, y in zip(xs, ys, strict=True)
            ]
        parts.append(
            f'<text x="{width - right - 4}" y="{top + 14 + 13 * n}" text-anchor="end" '
            f'fill="{colour}">{html.escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
