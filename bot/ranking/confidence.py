"""How sure an answer is, as a word readers understand: 高 / 中 / 低 (high / medium / low).

A raw score (「スコア 0.35」) means nothing to a reader. The ranking model's probability that
its first passage is the right one does, once its cut-offs are fitted on data:
`bench/fit_confidence.py` sets them on the development sets so that answers called high held
the answer at least `HIGH_PRECISION` of the time and answers called low at most
`LOW_PRECISION`; medium is between. The fitted figures are kept in `confidence.json` beside
the cut-offs.

An answer whose first passage lacks the kind of answer the question asks for (「いつ」 quoted
from a passage with no date) is right less often than its probability says: on the fitting
data 0.87 of the time, against 0.94 for the other answers. Such answers get at most the word
their own share of right answers earns (`lacking_kind`, fitted the same way).

The file is read when an answerer is made (`bot.answers.engine.Answerer`), so a damaged one
stops the bot at start with a message naming it, as a damaged model file does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from bot.ranking.model import ModelError

CUTOFFS_FILE = Path(__file__).with_name("confidence.json")
HIGH_PRECISION = 0.95
LOW_PRECISION = 0.60
LEVELS = ("high", "medium", "low")


class Cutoffs(NamedTuple):
    high: float  # the lowest probability called high
    medium: float  # the lowest called medium
    lacking_kind: str  # the best word for an answer lacking the asked kind (one of LEVELS)


@cache
def cutoffs() -> Cutoffs:
    """The fitted cut-offs; a `ModelError` naming the file and the fault if they can't be read."""
    try:
        data = json.loads(CUTOFFS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{CUTOFFS_FILE}: the confidence cut-offs are unreadable ({e})") from None
    try:
        found = Cutoffs(
            float(data["high"]), float(data["medium"]), str(data["lacking_kind"]["at_most"])
        )
    except KeyError as e:
        raise ModelError(f"{CUTOFFS_FILE}: the confidence cut-offs lack the field {e}") from None
    except (TypeError, ValueError) as e:
        raise ModelError(f"{CUTOFFS_FILE}: the confidence cut-offs are invalid ({e})") from None
    if found.lacking_kind not in LEVELS:
        raise ModelError(
            f"{CUTOFFS_FILE}: lacking_kind.at_most is {found.lacking_kind!r}, not one of {LEVELS}"
        )
    return found


def level(confidence: float | None, lacks_asked_kind: bool = False) -> str | None:
    """'high', 'medium' or 'low'; None when there is no probability (a header answer). An
    answer whose first passage lacks the kind asked for (`lacks_asked_kind`) gets at most the
    fitted `Cutoffs.lacking_kind`."""
    if confidence is None:
        return None
    high, medium, cap = cutoffs()
    word = "high" if confidence >= high else "medium" if confidence >= medium else "low"
    return max(word, cap, key=LEVELS.index) if lacks_asked_kind else word
