"""Line charts as inline SVG, drawn at build time: no script, no CDN; each has its numbers in a table beside it."""

from __future__ import annotations

import markupsafe

from dtws.bench.figures import Chart

WIDTH, PLOT = 560, 180  # the plot's height; the legend adds a row of three series at a time
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 28, 44
ROW = 14
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _ticks(top: float) -> list[float]:
    return [top * share / 4 for share in range(5)]


def svg(chart: Chart) -> markupsafe.Markup:
    """``chart`` as an <svg> (every text escaped): a line and points per series, the legend under it."""
    e = markupsafe.escape
    known = [value for series in chart.series for value in series.values if value is not None]
    top = max(known, default=1.0) * 1.1 or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, PLOT
    height = TOP + PLOT + BOTTOM + ROW * ((len(chart.series) + 2) // 3)
    step = inner_w / max(len(chart.x) - 1, 1)

    def x(index: int) -> float:
        return LEFT + (index * step if len(chart.x) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return TOP + inner_h - value / top * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dtws-chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" aria-label="{e(chart.title)}">',
        f"<title>{e(chart.title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{e(chart.title)}</text>',
    ]
    for tick in _ticks(top):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{_number(tick)}</text>'
        )
    for index, label in enumerate(chart.x):
        parts.append(
            f'<text x="{x(index):.1f}" y="{TOP + inner_h + 16}" font-size="11" text-anchor="middle">{e(label)}</text>'
        )
    parts.append(
        f'<text x="{LEFT + inner_w / 2:.1f}" y="{TOP + inner_h + 32}" font-size="11" text-anchor="middle">'
        f"{e(chart.x_label)}</text>"
    )
    parts.append(
        f'<text x="12" y="{TOP + inner_h / 2:.1f}" font-size="11" text-anchor="middle"'
        f' transform="rotate(-90 12 {TOP + inner_h / 2:.1f})">{e(chart.y_label)}</text>'
    )
    for number, series in enumerate(chart.series):
        color = COLORS[number % len(COLORS)]
        points = [(x(index), y(value)) for index, value in enumerate(series.values) if value is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for index, value in enumerate(series.values):
            if value is not None:
                parts.append(
                    f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3" fill="{color}">'
                    f"<title>{e(series.name)}, {e(chart.x[index])}: {_number(value)}</title></circle>"
                )
        legend_x = LEFT + (number % 3) * (inner_w / 3)
        legend_y = TOP + PLOT + BOTTOM + ROW * (number // 3)
        parts.append(f'<rect x="{legend_x:.1f}" y="{legend_y - 8:.1f}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{legend_x + 14:.1f}" y="{legend_y + 1:.1f}" font-size="11">{e(series.name)}</text>')
    parts.append("</svg>")
    return markupsafe.Markup("".join(parts))
