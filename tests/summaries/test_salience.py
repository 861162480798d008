from bot.articles.model import LEAD_HEADING
from bot.summaries import salience
from bot.summaries.candidates import candidates
from tests.summaries.helpers import build

ARTICLE = build(
    [
        (LEAD_HEADING, [["一文目。", "二文目。", "三文目。"]]),
        ("本論", [["節の一文目。", "節の二文目。", "節の三文目。"]]),
    ]
)


def test_location_weights_the_most_prominent_place_only():
    cands = candidates(ARTICLE.sections, by_paragraph=False)
    weights = [salience.location(i, len(cands), c) for i, c in enumerate(cands)]
    assert weights == [
        salience.TEXT_EDGE,
        1.0,
        salience.PARAGRAPH_EDGE,
        salience.SECTION_OPENING,
        1.0,
        salience.TEXT_EDGE,
    ]


def test_cues_are_claim_words_or_an_announcing_colon(analyzer):
    for text in (
        "結果は明確だ:能力は低下した。",
        "核心は、対話が続くことだ。",
        "要するに、失敗だった。",
    ):
        assert salience.has_cue(text, analyzer.lemmas(text)), text
    for text in ("会談は三時間続いた。", "時刻は10:30だった。"):
        assert not salience.has_cue(text, analyzer.lemmas(text)), text
