"""Questions that ask for a number or a date need a passage that holds one."""

import pytest

from bot.answers.expected import QUANTITY, TIME, can_answer, expected_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("会談は何時間続いたのか", QUANTITY),
        ("タンカーは何隻あるの?", QUANTITY),
        ("上限はいくらに引き下げられた?", QUANTITY),
        ("追加関税は何%?", QUANTITY),
        ("インドはロシアの原油をどれくらいの割合で輸入してるの?", QUANTITY),
        ("この会談はどれくらい重要だったのか", None),
        ("How many tankers are there?", QUANTITY),
        ("次の首脳会談はいつ開かれるのか", TIME),
        ("When did it happen?", TIME),
        ("どこからの圧力がアメリカを変えたのか", None),
        ("アメリカはいつも何を求めているのか", None),
        ("何人かの専門家は何を言っているのか", None),
        ("何回も繰り返された主張は何か", None),
        ("いつまで対立は続くのか", TIME),
        ("死者は何人か", QUANTITY),
        ("会談は何時間かかったのか", QUANTITY),
        ("次の首脳会談はいつか", TIME),
        ("いつから対立は始まったのか", TIME),
        ("いつか両国は和解するのか", None),
        ("アラスカ会談はロシアにとってどんな意味があったのか", None),
    ],
)
def test_expected_type(question, kind):
    assert expected_type(question) == kind


def test_numbers_and_dates_in_passages():
    assert can_answer(QUANTITY, "上限を47.6ドルに引き下げた。")
    assert can_answer(QUANTITY, "輸入の半分がヨーロッパ向けだった。")
    assert not can_answer(QUANTITY, "プーチンとの直接会談がそれを提供した。")
    assert not can_answer(
        QUANTITY, "何十年もの間、排斥されるリスクがあった。"
    )  # many, not how many
    assert can_answer(TIME, "2022年以前に存在した関係は、再構築することはできない。")
    assert can_answer(TIME, "８月初め、ホワイトハウスは発表した。")  # full-width digits
    assert not can_answer(TIME, "首脳会談は結末ではなく、序章に過ぎない。")
    assert not can_answer(TIME, "年間380億立方メートルの設計能力に達した。")


@pytest.mark.parametrize(
    "question",
    ["アラスカでの会談は何時間くらい続いたの?", "次の米露首脳会談はいつどこで開かれるのか"],
)
def test_on_topic_questions_without_the_asked_number_or_date_are_refused(kb, question):
    answer = kb.ask(question)
    assert not answer.answered
    assert answer.passages  # the topic was found; candidates stay available


def test_a_passage_with_the_asked_date_goes_first(kb):
    answer = kb.ask("ソ連の敗北で形作られた関係はいつまで存在したのか")
    assert answer.answered
    assert "2022年以前" in answer.passages[0].quote
