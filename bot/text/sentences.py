"""Sentence and clause splitting for Japanese prose, returning verbatim substrings.

Quotes must be verbatim, so splitting never rewrites text: every piece is a slice of the input.
"""

from __future__ import annotations

import re

TERMINATORS = frozenset("。！？!?")
# Brackets whose inside is one quotation: a 。 inside 「…。」 does not end the outer sentence.
OPENERS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〔": "〕", "“": "”"}
CLOSERS = frozenset(OPENERS.values()) | frozenset('’"')
# Particles that tie a quotation to the rest of its sentence: 「…。」と述べた.
QUOTE_PARTICLES = frozenset("とっのはがをにもでや")
# A clause boundary: where a too-long sentence may be cut and a quote still reads naturally.
# The article uses ':' after a clause ("結果は明確だ:…") and '——' as a dash, not as sentence ends.
_CLAUSE_END = re.compile(r"(?<=[、，,:：;；])|(?<=——)|(?<=―)")


def split_sentences(text: str) -> list[str]:
    """Split into sentences at 。！？ (and line breaks), keeping closing brackets attached.

    A terminator inside 「」 or （） does not end the sentence, so 「そうだ。」と彼は言った。 stays
    whole; if the brackets never close (a typo in the source), we fall back to plain splitting
    rather than swallowing the rest of the paragraph into one sentence.
    """
    out: list[str] = []
    for line in text.splitlines():
        pieces = _split_line(line, respect_quotes=True)
        if any(_unbalanced(p) for p in pieces):
            pieces = _split_line(line, respect_quotes=False)
        out.extend(pieces)
    return out


def _split_line(line: str, *, respect_quotes: bool) -> list[str]:
    pieces: list[str] = []
    start = 0
    stack: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if respect_quotes and ch in OPENERS:
            stack.append(OPENERS[ch])
        elif respect_quotes and stack and ch == stack[-1]:
            stack.pop()
            # A quotation that is a whole sentence (「…。」) ends at its closing bracket, unless a
            # particle ties it to what follows (「…。」と述べた).
            nxt = line[i + 1 : i + 2]
            if (
                not stack
                and line[i - 1] in TERMINATORS
                and line[start:].lstrip()[:1] in OPENERS
                and nxt not in QUOTE_PARTICLES
            ):
                _append(pieces, line[start : i + 1])
                start = i = i + 1
                continue
        elif ch in TERMINATORS and not stack:
            j = i + 1
            while j < n and (line[j] in TERMINATORS or line[j] in CLOSERS):
                j += 1
            _append(pieces, line[start:j])
            start = i = j
            continue
        i += 1
    _append(pieces, line[start:])
    return pieces


def _append(pieces: list[str], piece: str) -> None:
    piece = piece.strip()
    if piece:
        pieces.append(piece)


def _unbalanced(piece: str) -> bool:
    opens = sum(piece.count(o) for o in OPENERS)
    closes = sum(piece.count(c) for c in OPENERS.values())
    return opens != closes and len(piece) > 200


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence after 、 : —— and the like; the pieces concatenate back to the input."""
    parts = [p for p in _CLAUSE_END.split(sentence) if p]
    return parts or [sentence]


def clip(sentence: str, limit: int) -> str:
    """The longest run of whole clauses from the start that fits `limit`; verbatim, never mid-word.

    Falls back to a hard cut only when even the first clause is longer than the limit.
    """
    if len(sentence) <= limit:
        return sentence
    out = ""
    for clause in split_clauses(sentence):
        if len(out) + len(clause) > limit:
            break
        out += clause
    return out or sentence[:limit]
