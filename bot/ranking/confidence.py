"""How sure an answer is, as a word readers understand: 高 / 中 / 低 (high / medium / low).

A raw score (「スコア 0.35」) means nothing to a reader. The ranking model's probability that
its first passage is the right one does, once its cut-offs are fitted on data:
`bench/fit_confidence.py` sets them on the development sets so that answers called high held
the answer at least `HIGH_PRECISION` of the time and answers called low at most
`LOW_PRECISION`; medium is between. The fitted figures are kept in `confidence.json` beside
the cut-offs.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CUTOFFS_FILE = Path(__file__).with_name("confidence.json")
HIGH_PRECISION = 0.95
LOW_PRECISION = 0.60
LEVELS = ("high", "medium", "low")


@cache
def cutoffs() -> tuple[float, float]:
    """(high, medium): the lowest probability still called each."""
    try:
        data = json.loads(CUTOFFS_FILE.read_text(encoding="utf-8"))
        return float(data["high"]), float(data["medium"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RuntimeError(
            f"{CUTOFFS_FILE}: unreadable confidence cut-offs ({e}); refit them with "
            "`python bench/fit_confidence.py`"
        ) from e


def level(confidence: float | None) -> str | None:
    """'high', 'medium' or 'low'; None when there is no probability (a header answer)."""
    if confidence is None:
        return None
    high, medium = cutoffs()
    return "high" if confidence >= high else "medium" if confidence >= medium else "low"
