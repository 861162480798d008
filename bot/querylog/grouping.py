"""Grouping questions that are the same question typed differently.

Normalisation (NFKC, lower case, no punctuation or spaces) makes 「著者は？」 and 「著者は ?」 equal.
Near-duplicates are then joined when their character-bigram sets have a Jaccard similarity of at
least 0.6: bigrams suit Japanese, which has no spaces to split words on. 0.6 joins
「この記事の著者は誰」 with 「この記事の著者は誰ですか」 (0.73) and keeps apart 「アラスカの人口は？」
and 「アラスカの面積は？」 (0.40); the price of something this simple is that long questions one
word apart may join (「…著者は誰ですか」 and 「…翻訳者は誰ですか」: 0.64). Each text is compared
with a group's first (most frequent) text only, never with every member, so a chain of small
differences cannot merge unrelated questions.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

SIMILARITY = 0.6


def normalise(text: str) -> str:
    """NFKC, lower case, and without punctuation (P*), separators (Z*) or control characters."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZC")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams; a one-character text is its own single 'bigram'."""
    if len(text) < 2:
        return frozenset((text,)) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def group_similar(
    items: Iterable[T], text: Callable[[T], str], threshold: float = SIMILARITY
) -> list[list[T]]:
    """Groups of items whose texts match after normalisation or are near-duplicates.

    Largest group first; exact duplicates of the most frequent text lead each group.
    """
    exact: dict[str, list[T]] = defaultdict(list)
    for item in items:
        exact[normalise(text(item))].append(item)
    groups: list[list[T]] = []
    leaders: list[frozenset[str]] = []
    by_bigram: dict[str, list[int]] = defaultdict(list)  # which leaders have this bigram
    for norm, members in sorted(exact.items(), key=lambda kv: -len(kv[1])):
        grams = bigrams(norm)
        candidates = sorted({i for g in grams for i in by_bigram[g]})
        match = next((i for i in candidates if jaccard(grams, leaders[i]) >= threshold), None)
        if match is None:
            for g in grams:
                by_bigram[g].append(len(groups))
            leaders.append(grams)
            groups.append(list(members))
        else:
            groups[match].extend(members)
    return sorted(groups, key=len, reverse=True)
