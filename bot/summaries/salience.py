"""Prior weights for what centrality cannot see: where a sentence stands and how it is phrased.

Edmundson's (1969) location and cue methods, kept general for news commentary:
- location: the opening sentence states the story, the closing one its conclusion, and the
  first sentence under a heading that section's topic; a sentence counts at its most prominent
  place only, so the lead is not weighted twice for also opening its section and paragraph;
- cues: authors flag the claims they consider central with words of importance or conclusion
  (重要, 核心, 結論, 要するに …) or by announcing them with a colon ("結果は明確だ:…").
No rule looks at a particular article: the weights are the same for every text. Length is
not a prior: a short sentence is often the author's verdict ("しかし、この比較は成立しない。"),
so whether it is worth quoting is left to its centrality and cues.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from bot.summaries.candidates import Candidate

TEXT_EDGE = 2.0
SECTION_OPENING = 1.5
PARAGRAPH_EDGE = 1.2
CUE = 1.5

# UniDic lemmas (as `Analyzer.lemmas` gives them) of words that mark a claim as the point.
CUE_LEMMAS = frozenset(
    [
        "重要",
        "核心",
        "本質",
        "要点",
        "肝心",
        "鍵",
        "カギ",
        "注目",
        "結論",
        "要する",
        "要",
        "つまり",
        "結局",
        "総じて",
        "総合",
        "明らか",
        "明確",
        "証明",
        "教訓",
    ]
)
# Text, a colon, more text: the colon announces the statement after it (10:30 is a time).
ANNOUNCING_COLON = re.compile(r"[^\d\s][:：]\s*\S|\S[:：]\s*[^\d\s]")


def location(index: int, count: int, c: Candidate) -> float:
    """The weight of the most prominent place the sentence holds in the text summarised."""
    places = [
        (index in (0, count - 1), TEXT_EDGE),
        (c.opens_section, SECTION_OPENING),
        (c.opens_paragraph or c.closes_paragraph, PARAGRAPH_EDGE),
    ]
    return max((weight for held, weight in places if held), default=1.0)


def has_cue(text: str, lemmas: Sequence[str]) -> bool:
    """Whether the author marks the sentence as a point, by a cue word or an announcing colon."""
    return bool(ANNOUNCING_COLON.search(text)) or not CUE_LEMMAS.isdisjoint(lemmas)


def priors(cands: Sequence[Candidate], lemmas: Sequence[Sequence[str]]) -> np.ndarray:
    """Location times cue weight for each candidate, in order."""
    return np.array(
        [
            location(i, len(cands), c) * (CUE if has_cue(c.text, lemmas[i]) else 1.0)
            for i, c in enumerate(cands)
        ]
    )
