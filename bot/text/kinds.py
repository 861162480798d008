"""The kinds of answer a sentence can give: a person, a place, a number, a time, a reason.

A question that asks 誰 wants a person's name, いつ a time, 何人 a number; a sentence that
shares every word of the question but holds no name, time or number rarely answers it. Each
sentence's kinds are counted once, when the index is built (persons and places need MeCab's
part of speech), and the ranking model learns how much a match of kinds is worth
(`bot.ranking.features`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.text.tokens import Morpheme, normalize

PERSON = "person"
PLACE = "place"
NUMBER = "number"
TIME = "time"
REASON = "reason"
KINDS = (PERSON, PLACE, NUMBER, TIME, REASON)

# Kanji numerals count only as a definite amount: 何十年 and 数百 say "many", not how many.
_NUMBER = re.compile(
    r"[0-9]|(?<![何数])[一二三四五六七八九十百千万億兆]+(人|隻|回|割|倍|歳|カ国|か国|件|年|日|時間)|半分"
)
_TIME = re.compile(
    r"[0-9]+(年|月|日|時)|(?<![何数])[一二三四五六七八九十]+(年|月|日)|以前|以降|以来|当時|今後|現在|"
    r"昨年|去年|来年|今年|先月|来月|先週|来週|年代|世紀|戦後|直後|同時期|同じ時期|初め|半ば|年末|月末|"
    r"時代|時期"
)
# A clause giving a cause or a purpose.
_REASON = re.compile(r"ため|ので|から[、だ]|による|により|によって|理由|原因|目的|背景|結果")


def is_person(m: Morpheme) -> bool:
    """A person's name: UniDic's 人名, or a foreign word it doesn't know (mostly names)."""
    return m.pos_type == "人名" or (m.unknown and m.pos == "名詞" and not m.surface.isascii())


def is_place(m: Morpheme) -> bool:
    return m.pos_detail == "固有名詞" and m.pos_type == "地名"


def sentence_kinds(text: str, morphemes: Iterable[Morpheme]) -> tuple[int, ...]:
    """How many person and place words the sentence holds, and whether it holds a number, a
    time and a reason (1 or 0), in the order of `KINDS`."""
    persons = places = 0
    for m in morphemes:
        persons += is_person(m)
        places += is_place(m)
    t = normalize(text)
    return (
        min(persons, 255),
        min(places, 255),
        int(bool(_NUMBER.search(t))),
        int(bool(_TIME.search(t))),
        int(bool(_REASON.search(t))),
    )
