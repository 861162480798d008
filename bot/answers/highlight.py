"""Find where a quote's matched terms are, so front ends can show them in bold."""

from __future__ import annotations

from collections.abc import Iterable

from bot.text.tokens import Analyzer


def segments(quote: str, lemmas: Iterable[str], analyzer: Analyzer) -> list[tuple[str, bool]]:
    """Split `quote` into (text, matched) runs; adjacent matched words merge into one run.

    Matching is by lemma, so 求め in the quote lights up for 求める in the question. Positions
    are found by scanning the original text, since tokens come from its NFKC form.
    """
    wanted = set(lemmas)
    marks = [False] * len(quote)
    pos = 0
    for m in analyzer.morphemes(quote):
        at = quote.find(m.surface, pos)
        if at < 0:
            continue
        end = at + len(m.surface)
        if m.lemma in wanted:
            for i in range(at, end):
                marks[i] = True
        pos = end
    out: list[tuple[str, bool]] = []
    for ch, mark in zip(quote, marks, strict=True):
        if out and out[-1][1] == mark:
            out[-1] = (out[-1][0] + ch, mark)
        else:
            out.append((ch, mark))
    return out
