"""Where a quote's matched terms are, so front ends can show them in bold.

Spans are found in the core, next to the search (in the answering thread), so rendering an
answer never runs the tokenizer on the event loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.text.tokens import Analyzer

Span = tuple[int, int]


def matched_spans(quote: str, lemmas: Iterable[str], analyzer: Analyzer) -> tuple[Span, ...]:
    """(start, end) of each run of words whose lemma was matched; adjacent words merge.

    Matching is by lemma, so 求め in the quote lights up for 求める in the question. Positions
    are found by scanning the original text, since tokens come from its NFKC form.
    """
    wanted = set(lemmas)
    spans: list[Span] = []
    pos = 0
    for surface, lemma in analyzer.surfaces_and_lemmas(quote):
        at = quote.find(surface, pos)
        if at < 0:
            continue
        end = at + len(surface)
        if lemma in wanted:
            if spans and spans[-1][1] == at:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((at, end))
        pos = end
    return tuple(spans)


def segments(quote: str, spans: Iterable[Span]) -> list[tuple[str, bool]]:
    """`quote` cut into (text, matched) runs along `spans`."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            out.append((quote[pos:start], False))
        out.append((quote[start:end], True))
        pos = end
    if pos < len(quote):
        out.append((quote[pos:], False))
    return out
