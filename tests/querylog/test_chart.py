import subprocess
import sys
import warnings
from datetime import date, timedelta

import pytest

from bot.querylog import DayCount
from bot.querylog.chart import render_daily_chart

PNG = b"\x89PNG\r\n\x1a\n"


def days(n: int) -> list[DayCount]:
    start = date(2025, 1, 1)
    return [DayCount((start + timedelta(days=i)).isoformat(), i % 7, i % 3) for i in range(n)]


@pytest.mark.parametrize("series", [days(30), days(1), [DayCount("2025-01-01", 0, 0)], []])
def test_renders_a_png_without_missing_glyphs(series):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns about each glyph a font lacks
        png = render_daily_chart(series, "質問の推移 / questions")
    assert png.startswith(PNG)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (960, 480)


def test_importing_the_package_does_not_import_matplotlib():
    code = "import sys, bot.querylog; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
