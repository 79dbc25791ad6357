"""The digest's charts: matplotlib (Agg, no display), PNG bytes, Chinese labels.

Chinese needs a font that has the glyphs, or matplotlib draws boxes. In order:

1. WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0/GPLv3 with font exception) from the PyPI
   package ``paperang-p2-fonts-cjk``, a dependency of yuqing, so a fresh machine has it;
2. a system CJK font matplotlib can find (Noto Sans CJK SC from Debian's ``fonts-noto-cjk``,
   WenQuanYi Zen Hei, Source Han Sans SC, ...).

Without any, :func:`cjk_font` raises :class:`ChartError` and the digest goes out without its
charts (and says so) rather than with boxes. Every chart is checked: a label the font cannot
draw raises too. Charts are built on ``Figure`` objects (no pyplot state: thread-safe) and
saved without a timestamp, so the same data gives the same bytes.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yuqing.alerts.errors import AlertsError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)
DPI = 100
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#17becf",
    "#bcbd22",
)
_LOCK = threading.Lock()


class ChartError(AlertsError):
    """Charts cannot be drawn (no Chinese font, or a label it cannot show)."""


def _packaged_font() -> Path | None:
    try:
        import paperang_p2_fonts_cjk  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(family name, file) of the Chinese font the charts use; registers it with matplotlib."""
    from matplotlib import font_manager

    packaged = _packaged_font()
    if packaged is not None:
        font_manager.fontManager.addfont(str(packaged))
        name = font_manager.FontProperties(fname=str(packaged)).get_name()
        return name, str(packaged)
    for family in SYSTEM_FAMILIES:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return family, path
    raise ChartError(
        "no Chinese font for charts: install the Python package paperang-p2-fonts-cjk "
        "(a yuqing dependency) or Debian's fonts-noto-cjk"
    )


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` the chart font has no glyph for."""
    from matplotlib.ft2font import FT2Font

    _name, path = cjk_font()
    face = FT2Font(path)
    return sorted({c for c in text if not c.isspace() and face.get_char_index(ord(c)) == 0})


def _check(labels: Sequence[str]) -> None:
    missing = missing_glyphs("".join(labels))
    if missing:
        raise ChartError(f"the chart font cannot draw {''.join(missing)!r}")


def _figure(width: float, height: float, left: float = 0.8) -> tuple[Figure, Axes]:
    """A figure with fixed margins in inches (no tight_layout: it draws the figure twice)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    fig.subplots_adjust(
        left=left / width, right=1 - 0.3 / width, bottom=0.5 / height, top=1 - 0.45 / height
    )
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _rc() -> Any:
    name, _path = cjk_font()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [name, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 10,
    }


def trend_chart(days: Sequence[date], series: Mapping[str, Sequence[int]], title: str) -> bytes:
    """Posts per day, one line per sector (sectors with no posts are left out)."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    shown = {k: v for k, v in series.items() if any(v)}
    _check([title, *shown, "帖文数"])
    with _LOCK, matplotlib.rc_context(_rc()):
        fig, ax = _figure(7.2, 3.4)
        x = list(range(len(days)))
        for i, (name, values) in enumerate(shown.items()):
            ax.plot(
                x,
                list(values),
                marker="o",
                markersize=3,
                linewidth=1.6,
                color=PALETTE[i % len(PALETTE)],
                label=name,
            )
        ax.set_xticks(x, [f"{d.month}/{d.day}" for d in days])
        ax.set_ylabel("帖文数")
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if shown:
            ax.legend(fontsize=8, ncols=min(len(shown), 5), loc="upper left", frameon=False)
        else:
            ax.text(0.5, 0.5, "暂无帖文", transform=ax.transAxes, ha="center", color="#888888")
        return _png(fig)


def bar_chart(
    items: Sequence[tuple[str, int]], title: str, colors: Sequence[str] | None = None
) -> bytes:
    """Horizontal bars, largest first as given (districts by posts; incidents by status)."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    labels = [k for k, _ in items]
    _check([title, *labels])
    with _LOCK, matplotlib.rc_context(_rc()):
        height = max(2.0, 0.3 * len(items) + 1.0)
        fig, ax = _figure(7.2, height, left=1.9)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        y = list(range(len(items)))[::-1]
        values = [v for _, v in items]
        bars = ax.barh(y, values, color=list(colors) if colors else PALETTE[0], height=0.6)
        ax.set_yticks(y, labels)
        ax.bar_label(bars, padding=3, fontsize=9)
        ax.set_title(title)
        ax.set_xlim(0, max([*values, 1]) * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not items:
            ax.text(0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", color="#888888")
        return _png(fig)
