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

import math
import time
import unicodedata
from collections import Counter, defaultdict
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
    items: Iterable[T],
    text: Callable[[T], str],
    threshold: float = SIMILARITY,
    weight: Callable[[T], int] = lambda _: 1,
    deadline: float | None = None,
) -> tuple[list[list[T]], bool]:
    """Groups of items whose texts match after normalisation or are near-duplicates, and
    whether every item was placed (False: `deadline`, a `time.monotonic()` value, came first).

    Largest group (by summed `weight`) first; exact duplicates of the heaviest text lead each
    group. Texts are placed heaviest first, so a partial result holds the most asked ones.

    Near-linear, not quadratic: a text is compared only with leaders that share one of the
    rarest bigrams of its *prefix* (prefix filtering, as in set-similarity joins): with bigrams
    in one global order, rarest first, two sets with Jaccard ≥ t share a bigram among the first
    |A| - ceil(t·|A|) + 1 of each. Common bigrams (「は？」, 「ですか」) never make candidates,
    and the answer is the same as comparing with every leader.
    """
    exact: dict[str, list[T]] = defaultdict(list)
    for item in items:
        exact[normalise(text(item))].append(item)
    heaviest = sorted(exact.items(), key=lambda kv: -sum(map(weight, kv[1])))
    grams_of = {norm: bigrams(norm) for norm in exact}
    frequency: Counter[str] = Counter(g for grams in grams_of.values() for g in grams)
    groups: list[list[T]] = []
    weights: list[int] = []
    leaders: list[frozenset[str]] = []
    by_prefix: dict[str, list[int]] = defaultdict(list)  # which leaders' prefixes hold a bigram
    complete = True
    for n, (norm, members) in enumerate(heaviest):
        if deadline is not None and n % 256 == 0 and time.monotonic() > deadline:
            complete = False
            break
        grams = grams_of[norm]
        head = _prefix(grams, frequency, threshold)
        candidates = sorted({i for g in head for i in by_prefix[g]})
        match = next((i for i in candidates if jaccard(grams, leaders[i]) >= threshold), None)
        if match is None:
            for g in head:
                by_prefix[g].append(len(groups))
            leaders.append(grams)
            groups.append(list(members))
            weights.append(sum(map(weight, members)))
        else:
            groups[match].extend(members)
            weights[match] += sum(map(weight, members))
    order = sorted(range(len(groups)), key=lambda i: -weights[i])
    return [groups[i] for i in order], complete


def _prefix(grams: frozenset[str], frequency: Counter[str], threshold: float) -> list[str]:
    """The bigrams a similar set must share one of: the rarest |A| - ceil(t·|A|) + 1."""
    ordered = sorted(grams, key=lambda g: (frequency[g], g))
    return ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
