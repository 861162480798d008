"""A PNG of questions per day, answered stacked under refused, for the stats report.

matplotlib is imported inside the functions: it takes a while to import, and only the stats
command needs it. Labels are bilingual when fontconfig has a Japanese font and English-only
otherwise, and a title with characters no font has is replaced, so the chart never shows tofu.
Rendering takes a few hundred milliseconds: the bot calls it through `Asker.run`, off the loop.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bot.querylog.rows import DayCount

_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
_LATIN_FAMILY = "DejaVu Sans"  # bundled with matplotlib, so always there
_ANSWERED_COLOUR = "#2e7d32"
_REFUSED_COLOUR = "#ef6c00"
_MAX_TICKS = 10

_LABELS = {
    True: ("回答 / answered", "回答できず / refused", "質問数 / questions"),
    False: ("answered", "refused", "questions"),
}


def japanese_font() -> Path | None:
    """A font with Japanese glyphs: the IPAexGothic that matplotlib-fontja ships (so charts are
    Japanese on any machine), else one fontconfig reports, or None."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "fonts" / "ipaexg.ttf"
        if bundled.is_file():
            return bundled
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=ja", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    paths = sorted(
        Path(line.split(":", 1)[0].strip())
        for line in listing.splitlines()
        if line.split(":", 1)[0].strip().lower().endswith(_FONT_SUFFIXES)
    )
    # A single-face file first: some matplotlib versions read only the first face of a .ttc.
    paths.sort(key=lambda p: p.suffix.lower() == ".ttc")
    return paths[0] if paths else None


@functools.cache
def _fonts() -> tuple[list[str], frozenset[int], bool]:
    """Font families to use (Latin first, Japanese as fallback), the characters they cover,
    and whether Japanese is among them."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    families = [_LATIN_FAMILY]
    files: list[str] = [font_manager.findfont(_LATIN_FAMILY)]
    japanese = japanese_font()
    if japanese is not None:
        font_manager.fontManager.addfont(str(japanese))
        families.append(font_manager.FontProperties(fname=str(japanese)).get_name())
        files.append(str(japanese))
    covered = frozenset().union(*(FT2Font(file).get_charmap() for file in files))
    return families, covered, japanese is not None


def render_daily_chart(series: Sequence[DayCount], title: str) -> bytes:
    """PNG bytes of a stacked bar per day: answered at the bottom, refused on top."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    families, covered, japanese = _fonts()
    answered_label, refused_label, y_label = _LABELS[japanese]
    if any(ord(ch) not in covered for ch in title if not ch.isspace()):
        span = f" {series[0].date} – {series[-1].date}" if series else ""
        title = f"questions per day{span}"

    answered = [day.answered for day in series]
    refused = [day.refused for day in series]
    positions = list(range(len(series)))
    step = max(1, math.ceil(len(series) / _MAX_TICKS))

    with matplotlib.rc_context({"font.family": families}):
        figure = Figure(figsize=(8, 4), dpi=120, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        axes.bar(
            positions, answered, color=_ANSWERED_COLOUR, label=f"{answered_label} ({sum(answered)})"
        )
        axes.bar(
            positions,
            refused,
            bottom=answered,
            color=_REFUSED_COLOUR,
            label=f"{refused_label} ({sum(refused)})",
        )
        axes.set_xticks(positions[::step], [day.date[5:] for day in series][::step])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if not any(answered) and not any(refused):
            axes.set_ylim(0, 1)
        axes.set_ylabel(y_label)
        axes.set_title(title, loc="left")
        # Below the axes, so that it can never cover a bar.
        figure.legend(loc="outside lower center", ncols=2, frameon=False)
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
