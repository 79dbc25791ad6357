"""Charts drawn on the server as SVG geometry (no JavaScript, no external library).

The functions return plain data (rectangles, polylines, ticks, legend); ``_charts.html``
turns it into inline ``<svg>``, autoescaped like every template, so a hostile label can only
ever be text. Colours come from a fixed palette chosen for contrast on white.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

PALETTE = (
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#d97706",
    "#7c3aed",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#64748b",
    "#9a3412",
)
# More colours for keys with a fixed order (16 districts): a key keeps its colour everywhere.
PALETTE_WIDE = (
    *PALETTE,
    "#4f46e5",
    "#059669",
    "#ca8a04",
    "#c026d3",
    "#0d9488",
    "#e11d48",
    "#84cc16",
    "#475569",
    "#f97316",
    "#0ea5e9",
)
REST_COLOR = "#94a3b8"
UNKNOWN_COLOR = "#cbd5e1"
WIDTH, HEIGHT = 620, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34


@dataclass
class Series:
    name: str
    values: list[int]
    color: str = ""


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    color: str
    tip: str


@dataclass
class Line:
    points: str
    color: str
    name: str
    dots: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    kind: str  # "bars" or "lines"
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    @property
    def plot(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the plotting area."""
        return LEFT, TOP, self.width - RIGHT, self.height - BOTTOM

    @property
    def empty(self) -> bool:
        return self.total == 0


def nice_step(value: float, ticks: int = 4) -> int:
    """An integer step (1, 2, 5 x 10^n) so that ``ticks`` steps cover ``value``."""
    if value <= ticks:
        return 1
    raw = value / ticks
    exp = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * exp >= raw:
            return int(m * exp)
    return int(10 * exp)  # pragma: no cover - the loop always returns


def _axes(chart: Chart, days: list[date], top_value: float) -> tuple[float, int]:
    """Y ticks at whole multiples of a round step; at most eight date labels on the x axis."""
    left, top, right, bottom = chart.plot
    step = nice_step(top_value)
    ymax = max(step * math.ceil(top_value / step), step)
    for i in range(ymax // step + 1):
        y = bottom - (bottom - top) * (i * step) / ymax
        chart.y_ticks.append((y, str(i * step)))
    width = (right - left) / max(len(days), 1)
    every = max(1, math.ceil(len(days) / 8))
    for i, d in enumerate(days):
        if i % every == 0:
            chart.x_labels.append((left + width * (i + 0.5), f"{d.month}/{d.day}"))
    return width, ymax


def color_of(key: str, order: list[str]) -> str:
    """The colour of ``key`` given the fixed order of all keys (sectors, districts)."""
    if key in order:
        return PALETTE_WIDE[order.index(key) % len(PALETTE_WIDE)]
    return REST_COLOR if key == "__rest__" else UNKNOWN_COLOR


def _colored(series: list[Series]) -> list[Series]:
    for i, s in enumerate(series):
        if not s.color:
            s.color = PALETTE[i % len(PALETTE)]
    return series


def stacked_bars(title: str, days: list[date], series: list[Series]) -> Chart:
    """One bar per day, stacked by series; a ``<title>`` tooltip on each segment."""
    chart = Chart(title=title, kind="bars")
    series = _colored([s for s in series if sum(s.values)])
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    chart.total = sum(totals)
    step, ymax = _axes(chart, days, max(totals, default=0))
    left, top, _right, bottom = chart.plot
    bar = max(step * 0.72, 1.0)
    for i, d in enumerate(days):
        y = float(bottom)
        for s in series:
            v = s.values[i]
            if not v:
                continue
            h = (bottom - top) * v / ymax
            y -= h
            x = left + step * i + (step - bar) / 2
            chart.rects.append(Rect(x, y, bar, h, s.color, f"{d.isoformat()} {s.name}：{v}"))
    chart.legend = [(s.color, s.name) for s in series]
    return chart


def line_chart(
    title: str, days: list[date], series: list[Series], width: int = WIDTH, height: int = HEIGHT
) -> Chart:
    """One polyline per series, a dot with a tooltip per day; ``width`` × ``height`` is the
    drawing's own size (the page scales it)."""
    chart = Chart(title=title, kind="lines", width=width, height=height)
    series = _colored(series)
    chart.total = sum(sum(s.values) for s in series)
    step, ymax = _axes(chart, days, max((max(s.values, default=0) for s in series), default=0))
    left, top, _right, bottom = chart.plot
    for s in series:
        pts = []
        dots = []
        for i, v in enumerate(s.values):
            x = left + step * (i + 0.5)
            y = bottom - (bottom - top) * v / ymax
            pts.append(f"{x:.1f},{y:.1f}")
            dots.append((x, y, f"{days[i].isoformat()} {s.name}：{v}"))
        chart.lines.append(Line(" ".join(pts), s.color, s.name, dots if len(days) <= 62 else []))
    chart.legend = [(s.color, s.name) for s in series]
    return chart


# -- horizontal bars: one bar per category (districts, incident states) ---------------------

HBAR_ROW, HBAR_HEIGHT, HBAR_LABELS, HBAR_VALUES = 22, 14, 130, 48


@dataclass
class HBar:
    label: str
    value: int
    y: float
    w: float
    color: str


@dataclass
class HBarChart:
    """Categories down the left, one bar each; ``left`` is where the bars start."""

    title: str
    kind: str = "hbars"
    width: int = WIDTH
    height: int = 0
    left: int = HBAR_LABELS
    bar: int = HBAR_HEIGHT
    bars: list[HBar] = field(default_factory=list)
    total: int = 0

    @property
    def empty(self) -> bool:
        return self.total == 0


def hbar_chart(
    title: str, items: list[tuple[str, int]], colors: list[str] | None = None
) -> HBarChart:
    """A bar per (label, value), longest for the largest value; ``colors`` per item in
    order (the first palette colour for all when None)."""
    chart = HBarChart(title=title)
    top = max((v for _, v in items), default=0)
    span = chart.width - chart.left - HBAR_VALUES
    for i, (label, value) in enumerate(items):
        color = colors[i] if colors and i < len(colors) else PALETTE[0]
        width = span * value / top if top else 0.0
        chart.bars.append(HBar(label, value, 6 + HBAR_ROW * i, width, color))
    chart.height = 12 + HBAR_ROW * max(len(items), 1)
    chart.total = sum(v for _, v in items)
    return chart
