"""What kind of answer a question expects, and whether a passage can give it.

「会談は何時間続いたのか」 and 「次の首脳会談はいつ開かれるのか」 share their topic words with many
sentences of an article about the summit, so BM25 finds strong passages for them; yet a passage
with no number or no date cannot answer them. Checking the expected answer type, as question
answering systems have long done, turns those into honest refusals and, when a lower-ranked
passage does hold a number or a date, puts it first.

Only types that can be checked on the surface of a sentence are used: a quantity (何人, 何%,
いくら, どれくらいの割合; not a bare どれくらい, as in どれくらい重要か) and a point in time (いつ). "どこ" is left out on purpose: its answers are as often an
actor (「どこからの圧力」 → ロシアからの圧力) as a place.
"""

from __future__ import annotations

import re

from bot.text.tokens import normalize

QUANTITY = "quantity"
TIME = "time"

_ASKS_QUANTITY = re.compile(
    # 何人かの専門家 (some), 何回も (many times) are not questions of how many; 死者は何人か and
    # 何時間かかった are
    r"何(時間|日間|年間|か月|カ月|ヶ月|人|隻|台|回|度|割|倍|%|パーセント|歳|カ国|か国|ヶ国|個|件|ドル|円|トン|キロ|メートル)"
    r"(?!も|か[のがはでにとを])"
    r"|(どれ|どの)(くらい|ぐらい)の?(割合|量|数|額|金額|期間|規模|比率|シェア)"
    r"|いくら|\bhow (many|much|long)\b"
)
# いつも (always), いつか会う (someday), いつの間にか, いつでも do not ask when; 次はいつか and
# いつから do
_ASKS_TIME = re.compile(r"いつ(?!も|の間|でも|か(?!ら|[。？?！!\s]|$))|何年に|何月|何日に|\bwhen\b")
# Kanji numerals count only as a definite amount: 何十年 and 数百 say "many", not how many.
_NUMBER = re.compile(
    r"[0-9]|(?<![何数])[一二三四五六七八九十百千万億兆]+(人|隻|回|割|倍|歳|カ国|か国|件|年|日|時間)|半分"
)
_TIME = re.compile(
    r"[0-9]+(年|月|日|時)|(?<![何数])[一二三四五六七八九十]+(年|月|日)|以前|以降|以来|当時|今後|現在|"
    r"昨年|去年|来年|今年|先月|来月|先週|来週|年代|世紀|戦後|直後|同時期|同じ時期|初め|半ば|年末|月末"
)


def expected_type(question: str) -> str | None:
    """`quantity`, `time`, or None when any passage on the topic may answer."""
    q = normalize(question)
    if _ASKS_QUANTITY.search(q):
        return QUANTITY
    if _ASKS_TIME.search(q):
        return TIME
    return None


def can_answer(kind: str, text: str) -> bool:
    """Whether `text` holds an answer of that type: a number, or a time expression."""
    t = normalize(text)
    return bool((_NUMBER if kind == QUANTITY else _TIME).search(t))
