"""The kind of answer a question asks for, and the kinds a sentence holds."""

import pytest

from bot.answers.expected import expected_type
from bot.text.kinds import KINDS, NUMBER, PERSON, PLACE, REASON, TIME, sentence_kinds
from bot.text.tokens import Analyzer


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("会談は何時間続いたのか", NUMBER),
        ("タンカーは何隻あるの?", NUMBER),
        ("上限はいくらに引き下げられた?", NUMBER),
        ("追加関税は何%?", NUMBER),
        ("インドはロシアの原油をどれくらいの割合で輸入してるの?", NUMBER),
        ("この会談はどれくらい重要だったのか", None),
        ("How many tankers are there?", NUMBER),
        ("次の首脳会談はいつ開かれるのか", TIME),
        ("When did it happen?", TIME),
        ("どこからの圧力がアメリカを変えたのか", PLACE),
        ("日本共産党の最大の施設がある県は何県か", PLACE),
        ("この法律を作ったのは誰か", PERSON),
        ("なぜアメリカは方針を変えたのか", REASON),
        ("加盟国はいくつありますか", NUMBER),
        ("アメリカはいつも何を求めているのか", None),
        ("何人かの専門家は何を言っているのか", None),
        ("何回も繰り返された主張は何か", None),
        ("いつまで対立は続くのか", TIME),
        ("死者は何人か", NUMBER),
        ("会談は何時間かかったのか", NUMBER),
        ("次の首脳会談はいつか", TIME),
        ("いつから対立は始まったのか", TIME),
        ("いつか両国は和解するのか", None),
        ("アラスカ会談はロシアにとってどんな意味があったのか", None),
        ("会談の日付は？", TIME),
        ("首脳会談の日時を教えて", TIME),
        ("9月3日付の声明は何を求めたのか", None),
        ("決定から日付までを決めたのはどこか", PLACE),
    ],
)
def test_expected_type(question, kind):
    assert expected_type(question) == kind


def kinds_of(text: str) -> dict[str, int]:
    return dict(zip(KINDS, sentence_kinds(text, Analyzer().morphemes(text)), strict=True))


def test_numbers_and_dates_in_sentences():
    assert kinds_of("上限を47.6ドルに引き下げた。")[NUMBER]
    assert kinds_of("輸入の半分がヨーロッパ向けだった。")[NUMBER]
    assert not kinds_of("プーチンとの直接会談がそれを提供した。")[NUMBER]
    assert not kinds_of("何十年もの間、排斥されるリスクがあった。")[NUMBER]  # many, not how many
    assert kinds_of("2022年以前に存在した関係は、再構築することはできない。")[TIME]
    assert kinds_of("８月初め、ホワイトハウスは発表した。")[TIME]  # full-width digits
    assert not kinds_of("首脳会談は結末ではなく、序章に過ぎない。")[TIME]
    assert not kinds_of("年間380億立方メートルの設計能力に達した。")[TIME]


def test_names_places_and_reasons_in_sentences():
    kinds = kinds_of("静岡県熱海市で手塚治虫が講演した。")
    assert kinds[PLACE] >= 2 and kinds[PERSON] >= 1
    assert kinds_of("圧力が強まったため、方針を変えた。")[REASON]
    assert kinds_of("世界は変わった。") == dict.fromkeys(KINDS, 0)


def test_a_passage_with_the_asked_date_goes_first(kb):
    answer = kb.ask("ソ連の敗北で形作られた関係はいつまで存在したのか")
    assert answer.answered
    assert "2022年以前" in answer.passages[0].quote
