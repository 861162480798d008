"""What kind of answer a question expects, from its question word.

「会談は何時間続いたのか」 and 「次の首脳会談はいつ開かれるのか」 share their topic words with many
sentences of an article about the summit, yet only a sentence with a number or a date can answer
them. Question answering systems have long used the expected answer type this way; here it is
one of the ranking model's features (a window holding the expected kind), not a hard rule, so
its weight is learned (「どこからの圧力」 asks for an actor as often as for a place).
"""

from __future__ import annotations

import re

from bot.text.kinds import NUMBER, PERSON, PLACE, REASON, TIME
from bot.text.tokens import normalize

_ASKS = (
    (
        NUMBER,
        # 何人かの専門家 (some), 何回も (many times) are not questions of how many; 死者は何人か
        # and 何時間かかった are
        r"何(時間|日間|年間|か月|カ月|ヶ月|人|隻|台|回|度|割|倍|%|パーセント|歳|カ国|か国|ヶ国|個|件|"
        r"ドル|円|トン|キロ|メートル|つ|種類|位|番目|票|校|社|機|両|本|枚|冊|点|戸|軒)"
        r"(?!も|か[のがはでにとを])"
        r"|(どれ|どの)(くらい|ぐらい)の?(割合|量|数|額|金額|期間|規模|比率|シェア)"
        r"|いくら|いくつ|\bhow (many|much|long)\b",
    ),
    # いつも (always), いつか会う (someday), いつの間にか, いつでも do not ask when; 次はいつか and
    # いつから do
    # 「日付は？」「年月日」 ask for a date; 「8月31日付の新聞」「決定から日付まで」 do not
    (
        TIME,
        r"いつ(?!も|の間|でも|か(?!ら|[。？?！!\s]|$))|何年|何月|何日|何世紀|何時代|\bwhen\b"
        r"|(日付|日時|年月日)(は|を|って|[?？。]|$)",
    ),
    (PERSON, r"誰|だれ|どなた|何者|\bwho\b"),
    (PLACE, r"どこ|何処|(どの|何)(国|都市|地域|県|州|町|市|村|場所|大陸)|\bwhere\b"),
    (REASON, r"なぜ|何故|どうして|理由|原因|\bwhy\b"),
)
_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in _ASKS)


def expected_type(question: str) -> str | None:
    """The kind (`bot.text.kinds`) the question asks for, or None when any passage may answer."""
    q = normalize(question)
    return next((kind for kind, pattern in _COMPILED if pattern.search(q)), None)
