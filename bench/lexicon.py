"""Word pools for synthetic articles: the seed article's own words, then the UniDic lexicon's.

unidic-lite ships no `lex.csv`, only the compiled MeCab dictionary `sys.dic`; its feature strings
(POS, lemma, written form, word origin) and word costs are plain arrays inside it, so we read
them from there. The word cost is MeCab's measure of how unlikely a word is, which makes it a
usable frequency rank: the seed's words (by their count in the seed) head each pool, then the
lexicon's words by ascending cost. `bench.synth` draws from each pool with Zipf weights.
"""

from __future__ import annotations

import re
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import unidic_lite

from bot.text.tokens import Analyzer

HEADER = struct.Struct("<10I32s")
# MeCab's token record: connection ids, POS id, word cost, feature offset, compound info.
TOKEN = np.dtype(
    [
        ("left", "<u2"),
        ("right", "<u2"),
        ("pos", "<u2"),
        ("cost", "<i2"),
        ("feature", "<u4"),
        ("compound", "<u4"),
    ]
)
# Written forms of 2–6 kana/kanji: no Latin, digits or symbols, which our own articles rarely have.
JAPANESE_WORD = re.compile(r"^[\u3041-\u30ff\u4e00-\u9fff]{2,6}$")
POS1, POS2, POS3, CFORM, LEMMA, ORTH, GOSHU = 0, 1, 2, 5, 7, 8, 12


@dataclass(frozen=True)
class Pools:
    """Words by part of speech, most frequent first."""

    nouns: tuple[str, ...]
    names: tuple[str, ...]
    verbs: tuple[str, ...]
    adjectives: tuple[str, ...]


def pool_of(feature: list[str]) -> str | None:
    """Which pool a lexicon entry belongs to, or None; only standard spellings (orth == lemma)."""
    if len(feature) <= GOSHU or feature[ORTH] != feature[LEMMA]:
        return None
    if not JAPANESE_WORD.match(feature[ORTH]):
        return None
    pos1, pos2, pos3 = feature[POS1], feature[POS2], feature[POS3]
    if pos1 == "名詞" and pos2 == "普通名詞" and feature[GOSHU] in ("漢", "和"):
        return "nouns"
    if pos1 == "名詞" and pos2 == "固有名詞" and pos3 in ("人名", "地名"):
        return "names"
    if pos1 in ("動詞", "形容詞") and pos2 == "一般" and feature[CFORM] == "終止形-一般":
        return "verbs" if pos1 == "動詞" else "adjectives"
    return None


def lexicon_pools(dictionary: Path | None = None) -> dict[str, list[str]]:
    """Every usable lexicon word per pool, by ascending word cost (then spelling, for stability)."""
    data = (dictionary or Path(unidic_lite.DICDIR) / "sys.dic").read_bytes()
    _, _, _, _, _, _, dsize, tsize, fsize, _, _ = HEADER.unpack_from(data)
    tokens = np.frombuffer(data, TOKEN, count=tsize // TOKEN.itemsize, offset=HEADER.size + dsize)
    features = data[HEADER.size + dsize + tsize :][:fsize]
    best: dict[tuple[str, str], int] = {}
    for cost, offset in zip(tokens["cost"].tolist(), tokens["feature"].tolist(), strict=True):
        feature = features[offset : features.index(b"\0", offset)].decode().split(",")
        pool = pool_of(feature)
        if pool is not None:
            key = (pool, feature[ORTH])
            best[key] = min(cost, best.get(key, cost))
    pools: dict[str, list[str]] = {"nouns": [], "names": [], "verbs": [], "adjectives": []}
    for (pool, word), _ in sorted(best.items(), key=lambda kv: (kv[1], kv[0][1])):
        pools[pool].append(word)
    return pools


def seed_pools(text: str, analyzer: Analyzer) -> dict[str, list[str]]:
    """The seed's content words per pool, most frequent first."""
    counts: dict[str, Counter[str]] = {p: Counter() for p in ("nouns", "names", "verbs")}
    for m in analyzer.morphemes(text):
        if not m.is_content or not JAPANESE_WORD.match(m.lemma):
            continue
        if m.pos == "名詞":
            counts["names" if m.is_name else "nouns"][m.lemma] += 1
        elif m.pos == "動詞":
            counts["verbs"][m.lemma] += 1
    return {pool: [w for w, _ in c.most_common()] for pool, c in counts.items()}


def load_pools(seed_text: str, analyzer: Analyzer) -> Pools:
    """Seed words first, then lexicon words not already taken."""
    seed, lexicon = seed_pools(seed_text, analyzer), lexicon_pools()
    merged = {}
    for pool, words in lexicon.items():
        head = seed.get(pool, [])
        merged[pool] = tuple(dict.fromkeys([*head, *words]))
    return Pools(**merged)
