"""The report's charts as SVG drawn on the server (no browser for a PDF): the same data the pages hand to
Chart.js (web.dashboard._chart: labels and series of bars and lines) and the forecast's fan (P10–P90 band, P50
line, the agreement as a level). Plain SVG elements; numbers on the axis in the active language's notation."""

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 48
COLOURS = ("#1b5e9e", "#8fb8de", "#c0392b", "#2e7d32")


def _scale(top: float) -> tuple[float, list[float]]:
    """A round upper bound and 4–6 gridlines."""
    if top <= 0:
        return 1.0, [0.0, 1.0]
    step = 10 ** (len(str(int(top))) - 1)
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 5:
            step *= factor
            break
    upper = step * (int(top // step) + 1)
    return upper, [step * i for i in range(int(upper // step) + 1)]


def _frame(upper: float, ticks: list[float], labels: list[str], title: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="10">'
    ]
    for t in ticks:
        y = TOP + plot_h * (1 - t / upper)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">'
                     f"{number_format(int(t), force_grouping=True)}</text>")  # fmt: skip
    n = max(len(labels), 1)
    every = max(1, n // 12)
    slot = (WIDTH - LEFT - RIGHT) / n
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{escape(label)}</text>')
    return parts


def bars(chart: dict) -> str:
    """A chart of the pages (web.dashboard._chart's "data") as SVG: bars side by side, lines on top, a legend."""
    data = chart["data"]
    labels, series = data["labels"], data["series"]
    values = [v for s in series for v in s["values"] if v is not None]
    upper, ticks = _scale(max(values, default=0))
    parts = _frame(upper, ticks, labels, chart["title"])
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar_series = [s for s in series if s["type"] == "bar"]
    width = slot * 0.8 / max(len(bar_series), 1)
    for k, s in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        if s["type"] == "bar":
            b = bar_series.index(s)
            for i, v in enumerate(s["values"]):
                if v:
                    h = plot_h * v / upper
                    x = LEFT + slot * i + slot * 0.1 + width * b
                    parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                                 f'fill="{colour}"/>')  # fmt: skip
        else:
            points = [f"{LEFT + slot * (i + 0.5):.1f},{TOP + plot_h * (1 - v / upper):.1f}"
                      for i, v in enumerate(s["values"]) if v is not None]  # fmt: skip
            if points:
                parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
    parts += _legend([(s["label"], COLOURS[k % len(COLOURS)]) for k, s in enumerate(series)])
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308 - built from escaped labels and numbers only


def fan(rows: list[dict], target: int | None, labels: dict) -> str:
    """The forecast's fan: cumulative homes per year, P10–P90 as a band, P50 as a line, the agreement as a level."""
    years = [str(r["year"]) for r in rows]
    top = max([r["p90"] for r in rows] + ([target] if target else []), default=0)
    upper, ticks = _scale(top)
    parts = _frame(upper, ticks, years, labels["title"])
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(rows), 1)

    def point(i, v):
        return f"{LEFT + slot * (i + 0.5):.1f},{TOP + plot_h * (1 - v / upper):.1f}"

    if rows:
        band = [point(i, r["p90"]) for i, r in enumerate(rows)] + [point(i, r["p10"]) for i, r in
                                                                   reversed(list(enumerate(rows)))]  # fmt: skip
        parts.append(f'<polygon points="{" ".join(band)}" fill="#8fb8de" fill-opacity="0.6"/>')
        median = " ".join(point(i, r["p50"]) for i, r in enumerate(rows))
        parts.append(f'<polyline points="{median}" fill="none" stroke="#1b5e9e" stroke-width="2"/>')
    legend = [(labels["band"], "#8fb8de"), (labels["median"], "#1b5e9e")]
    if target:
        y = TOP + plot_h * (1 - target / upper)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c0392b" '
                     f'stroke-dasharray="6 3" stroke-width="1.5"/>')  # fmt: skip
        legend.append((labels["target"], "#c0392b"))
    parts += _legend(legend)
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308 - built from escaped labels and numbers only


def _legend(entries: list[tuple[str, str]]) -> list[str]:
    parts, x = [], LEFT
    for label, colour in entries:
        parts.append(f'<rect x="{x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 7}">{escape(label)}</text>')
        x += 24 + 6 * len(str(label))
    return parts
