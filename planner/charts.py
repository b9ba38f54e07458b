"""Server-rendered line charts (SVG in templates/planner/line_chart.html): coordinates only, no engine figures.

A chart is drawn in a fixed 600 × 300 user-space box that the page scales to its width, so it stays readable at
390 px. The x axis is logarithmic (context lengths double from 2K to the model's maximum); the y axis starts at 0.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.templatetags.sizes import tokens

GIB = 1024**3

WIDTH, HEIGHT = 600, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 30, 26, 40  # margins for the axis labels
GUIDE_GAP = 24  # guides closer than this (in the 600 × 300 box) would print over each other: the smaller goes
MAX_SERIES = 6  # more lines than this cannot be told apart


@dataclass(frozen=True)
class Series:
    label: str
    path: str  # SVG path data
    css: str  # s0..s5: the colour, from the site's stylesheet
    last_x: float
    last_y: float


@dataclass(frozen=True)
class Guide:
    label: str
    y: float


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[Series]
    guides: list[Guide]  # horizontal reference lines (a GPU's memory)
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    y_unit: str
    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple[int, int, int, int] = field(default=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM))


def _nice_step(top: float) -> float:
    """A round tick step giving 3-6 ticks up to ``top``."""
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def line_chart(
    title: str,
    lines: list[tuple[str, list[tuple[int, float]]]],
    y_unit: str,
    guides: Sequence[tuple[str, float]] = (),
    x_label=str,
    y_label=lambda v: f"{v:g}",
    pinned: bool = False,
) -> Chart | None:
    """``lines``: (label, [(x > 0, y ≥ 0), ...]) drawn on a log-x axis; ``guides``: (label, y) horizontal lines,
    kept only where they fall within twice the data's range unless ``pinned`` (a GPU's own memory: the axis grows
    to show it). None when there is nothing to draw."""
    lines = [
        (label, [(x, y) for x, y in pts if x > 0 and y is not None and math.isfinite(y)])
        for label, pts in lines[:MAX_SERIES]
    ]
    lines = [(label, pts) for label, pts in lines if pts]
    if not lines:
        return None
    xs = [x for _, pts in lines for x, _ in pts]
    top_data = max(y for _, pts in lines for _, y in pts) or 1.0
    kept = [(label, y) for label, y in guides if y > 0 and (pinned or y <= 2 * top_data)]
    top = max([top_data] + [y for _, y in kept]) * 1.05
    step = _nice_step(top)
    top = math.ceil(top / step) * step
    lo, hi = math.log2(min(xs)), math.log2(max(xs))
    span = (hi - lo) or 1.0
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(x):
        return round(x0 + (math.log2(x) - lo) / span * (x1 - x0), 1)

    def py(y):
        return round(y1 - y / top * (y1 - y0), 1)

    series = []
    for i, (label, pts) in enumerate(lines):
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(x)},{py(y)}" for j, (x, y) in enumerate(pts))
        series.append(Series(label, path, f"s{i}", px(pts[-1][0]), py(pts[-1][1])))
    ticks_x = sorted(set(xs))
    if len(ticks_x) > 7:  # every other step on a crowded axis, always the last
        ticks_x = ticks_x[::2] + ([ticks_x[-1]] if ticks_x[-1] not in ticks_x[::2] else [])
    spaced: list[Guide] = []
    for label, y in sorted(kept, key=lambda g: -g[1]):  # from the top down, each at least GUIDE_GAP below the last
        if not spaced or py(y) - spaced[-1].y >= GUIDE_GAP:
            spaced.append(Guide(label, py(y)))
    return Chart(
        title=title,
        series=series,
        guides=spaced,
        x_ticks=[(px(x), x_label(x)) for x in ticks_x],
        y_ticks=[(py(k * step), y_label(k * step)) for k in range(int(round(top / step)) + 1)],
        y_unit=y_unit,
    )


# Memory sizes GPUs are sold with, drawn as reference lines on VRAM charts (GiB, as the site's "GB").
VRAM_GUIDES_GB = (8, 12, 16, 24, 32, 48, 80, 96, 141, 192)


def vram_chart(rows: list, selected: str, guide_gb: float | None = None, guide_label: str = "") -> Chart | None:
    """VRAM against context for the quantizations of the model page's table (at most MAX_SERIES, the
    selected one kept), with common card sizes, or one GPU's usable memory, as reference lines."""
    if len(rows) > MAX_SERIES:
        ranked = sorted(rows, key=lambda r: r.fmt.bits_per_weight)
        picks = {ranked[round(i * (len(ranked) - 1) / (MAX_SERIES - 2))].fmt.name for i in range(MAX_SERIES - 1)} | {
            selected
        }
        rows = [r for r in ranked if r.fmt.name in picks]
    guides = [(guide_label, guide_gb)] if guide_gb else [(f"{gb} GB", float(gb)) for gb in VRAM_GUIDES_GB]
    lines = [(r.fmt.name, [(c, b / GIB) for c, b in r.by_context]) for r in rows]
    return line_chart("VRAM by context length", lines, "GB", guides, x_label=tokens)


def plan_charts(result, curve: list) -> list[Chart]:
    """The planner's two charts: memory needed against context with the usable memory as a line, and decode
    speed against context (where it fits)."""
    usable = result.plan.usable_bytes
    memory_chart = line_chart(
        "Memory by context length",
        [(result.quant.name, [(c, p.memory.total_bytes / GIB) for c, p in curve])],
        "GB",
        [("usable", usable / GIB)] if usable else [],
        x_label=tokens,
        pinned=True,
    )
    speed_chart = line_chart(
        "Decode speed by context length",
        [(result.quant.name, [(c, p.decode.tok_s) for c, p in curve if p.decode])],
        "tok/s",
        x_label=tokens,
    )
    return [c for c in (memory_chart, speed_chart) if c]
