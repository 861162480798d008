"""How sure an answer is, as a word readers understand: 高 / 中 / 低 (high / medium / low).

A raw score (「スコア 0.35」) means nothing to a reader. The ranking model's probability that
its first passage is the right one does, once its cut-offs are fitted on data:
`bench/fit_confidence.py` sets them on the development sets so that answers called high held
the answer at least `HIGH_PRECISION` of the time and answers called low at most
`LOW_PRECISION`; medium is between. The fitted figures are kept in `confidence.json` beside
the cut-offs.

An answer whose first passage lacks the kind of answer the question asks for (「いつ」 quoted
from a passage with no date) is right less often than its probability says: on the fitting
data 0.87 of the time against 0.95 for the others at the same probabilities. Such answers get
at most the word their own share of right answers earns (`lacking_kind`, fitted the same way).
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
def cutoffs() -> tuple[float, float, str]:
    """(high, medium, the best word for an answer lacking the asked kind): the lowest
    probability still called each."""
    try:
        data = json.loads(CUTOFFS_FILE.read_text(encoding="utf-8"))
        cap = data["lacking_kind"]["at_most"]
        if cap not in LEVELS:
            raise ValueError(f"lacking_kind.at_most is {cap!r}, not one of {LEVELS}")
        return float(data["high"]), float(data["medium"]), cap
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise RuntimeError(
            f"{CUTOFFS_FILE}: unreadable confidence cut-offs ({e}); refit them with "
            "`python bench/fit_confidence.py`"
        ) from e


def level(confidence: float | None, lacks_asked_kind: bool = False) -> str | None:
    """'high', 'medium' or 'low'; None when there is no probability (a header answer)."""
    if confidence is None:
        return None
    high, medium, cap = cutoffs()
    word = "high" if confidence >= high else "medium" if confidence >= medium else "low"
    if lacks_asked_kind:
        return max(word, cap, key=LEVELS.index)
    return word
