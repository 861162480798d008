"""Deterministic synthetic articles in the seed's E-wave layout, for measuring the search at scale.

Article `i` depends only on (seed, i), never on how many are generated, so the 100-article corpus
is the start of the 1,000 one and the benchmark's questions (drawn from the first articles) are
the same at every size. Words are drawn with Zipf weights from `bench.lexicon` pools, so term and
document frequencies fall off like real text; shapes follow the seed: a lead and five `■`
sections, about 12 paragraphs, 46 sentences and 35 characters a sentence.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from bench.lexicon import Pools

FIRST_NUMBER = 8231
FIRST_DATE = date(2025, 8, 16)
ARTICLES_PER_DAY = 4
GENERATOR_VERSION = 1
# Zipf–Mandelbrot: weight of rank r is 1 / (r + 2.7), as fitted to word counts of real prose.
ZIPF_OFFSET = 2.7
OPENERS = ["", "", "", "", "しかし、", "一方、", "さらに、", "そして、", "実際、", "つまり、"]
PARTICLES = ["は", "が", "を", "に", "で", "と", "の", "から", "へ", "として", "にとって", "による"]
PARTICLE_WEIGHTS = [14, 12, 16, 12, 6, 6, 18, 4, 2, 3, 2, 3]
VERB_ENDINGS = ["", "", "だろう", "という", "とされる", "ことになる", "べきだ"]
NOUN_ENDINGS = ["だ", "である", "が必要だ", "に過ぎない"]
CATEGORIES = ["ロシア・旧ソ連諸国", "米国", "欧州", "中東", "アジア", "経済", "国際政治"]
MAGAZINES = ["Profile", "Kommersant", "Russia in Global Affairs", "Valdai Club", "RT"]
ENGLISH = [
    "order",
    "power",
    "summit",
    "crisis",
    "Europe",
    "Russia",
    "talks",
    "future",
    "new",
    "old",
    "world",
    "cracked",
    "quietly",
    "game",
    "rules",
    "limits",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]
MONTHS += ["September", "October", "November", "December"]


@dataclass(frozen=True)
class Sentence:
    """A sentence's text and the words it was made of, from which questions are asked."""

    text: str
    nouns: tuple[str, ...]
    verb: str | None


class Generator:
    """Writes article `i` of a synthetic archive; the same (pools, seed, i) gives the same bytes."""

    def __init__(self, pools: Pools, seed: int = 0) -> None:
        self.pools = pools
        self.seed = seed
        self._weights = {
            name: list(accumulate(1 / (r + ZIPF_OFFSET) for r in range(len(words))))
            for name, words in vars(pools).items()
        }

    def _rng(self, *key: int) -> random.Random:
        return random.Random(f"{self.seed}:{GENERATOR_VERSION}:" + ":".join(map(str, key)))

    def _word(self, rng: random.Random, pool: str) -> str:
        return rng.choices(getattr(self.pools, pool), cum_weights=self._weights[pool])[0]

    def _noun_phrase(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.2:
            return self._word(rng, "names")
        if r < 0.35:
            return self._word(rng, "nouns") + self._word(rng, "nouns")
        return self._word(rng, "nouns")

    def sentence(self, rng: random.Random) -> Sentence:
        nouns: list[str] = []
        parts = [rng.choice(OPENERS)]
        for n in range(rng.randint(4, 8)):
            nouns.append(self._noun_phrase(rng))
            particle = rng.choices(PARTICLES, PARTICLE_WEIGHTS)[0]
            parts.append(nouns[-1] + particle + ("、" if n == 1 and rng.random() < 0.3 else ""))
        verb = None
        r = rng.random()
        if r < 0.6:
            verb = self._word(rng, "verbs")
            parts.append(verb + rng.choice(VERB_ENDINGS))
        elif r < 0.85:
            parts.append(self._noun_phrase(rng) + rng.choice(NOUN_ENDINGS))
        else:
            parts.append(self._word(rng, "adjectives"))
        return Sentence("".join(parts) + "。", tuple(nouns), verb)

    def body(self, i: int) -> list[tuple[str, list[list[Sentence]]]]:
        """Sections of article i as (heading, paragraphs of sentences); the lead has heading ''."""
        rng = self._rng(i, 1)
        sections: list[tuple[str, list[list[Sentence]]]] = []
        for s in range(6):
            heading = "" if s == 0 else f"{self._noun_phrase(rng)}の{self._word(rng, 'nouns')}"
            count = 1 if s == 0 else rng.choice([2, 2, 2, 3])
            paragraphs = [
                [self.sentence(rng) for _ in range(rng.choice([2, 3, 3, 4, 4, 5, 5]))]
                for _ in range(count)
            ]
            sections.append((heading, paragraphs))
        return sections

    def article(self, i: int) -> str:
        """The full text of article i, in the layout `bot.articles.ewave` reads."""
        rng = self._rng(i, 0)
        number = FIRST_NUMBER + i
        day = FIRST_DATE + timedelta(days=i // ARTICLES_PER_DAY)
        published = day + timedelta(days=2)
        author = f"{self._word(rng, 'names')}・{self._word(rng, 'names')}"
        english = " ".join(rng.choice(ENGLISH) for _ in range(rng.randint(4, 9))).capitalize()
        lines = [
            "エントランスへ",
            "",
            f"{self._noun_phrase(rng)}で{self._noun_phrase(rng)}が{self._word(rng, 'verbs')}",
            f"{self._noun_phrase(rng)}にとっての{self._word(rng, 'nouns')}",
            "",
            english,
            f"War on UKRINE #{number} {day.day} {MONTHS[day.month - 1]} {day.year}",
            "",
            f"RT 英語翻訳・{self._word(rng, 'names')}(翻訳家)",
            f"独立系メデア E-wave Tokyo {_ja(published)}(JST)",
            "",
            f"{_ja(day)}、{self._word(rng, 'names')}で会見する{author}。© Getty Images",
            "",
            f"{_ja(published)} 16:10 {rng.choice(CATEGORIES)}",
            "",
            f"著者:執筆者:{author}、{self._word(rng, 'nouns')}研究所研究員",
            "",
            "本文",
            "",
        ]
        for heading, paragraphs in self.body(i):
            if heading:
                lines += [f"■{heading}", ""]
            for paragraph in paragraphs:
                lines += [" " + "".join(s.text for s in paragraph), ""]
        lines += [
            f"この記事は雑誌 {rng.choice(MAGAZINES)} に最初に掲載され、"
            "RTチームによって翻訳・編集されました。",
            "",
            "本稿終了",
            "",
        ]
        return "\n".join(lines)

    def questions(self, n: int, among: int = 100) -> list[str]:
        """n questions about sentences of the first `among` articles, asked in other words."""
        rng = self._rng(-1)
        out: list[str] = []
        while len(out) < n:
            sections = self.body(rng.randrange(among))
            paragraphs = [p for _, ps in sections for p in ps]
            s = rng.choice(rng.choice(paragraphs))
            a, b = rng.sample(s.nouns, 2)
            verb = s.verb or "言う"
            template = rng.choice(
                [
                    f"{a}は{b}をどう{verb}のか",
                    f"なぜ{a}は{verb}のか",
                    f"{a}と{b}の関係は",
                    f"{b}について{a}は何と言っているか",
                ]
            )
            out.append(template)
        return out


def _ja(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def file_name(i: int) -> str:
    return f"ewave-{FIRST_NUMBER + i:06d}.txt"


def write_corpus(folder: Path, n: int, generator: Generator) -> Path:
    """Articles 0..n-1 in `folder`, reusing a complete earlier run (a marker names its size)."""
    marker = folder / f".synth-v{GENERATOR_VERSION}-seed{generator.seed}-n{n}"
    if marker.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".synth-*"):
        stale.unlink()
    wanted = {file_name(i) for i in range(n)}
    for path in folder.glob("ewave-*.txt"):
        if path.name not in wanted:
            path.unlink()
    for i in range(n):
        (folder / file_name(i)).write_text(generator.article(i), encoding="utf-8")
    marker.touch()
    return folder
