"""Window features are computed as their names say."""

import numpy as np

from bot.knowledge_base import KnowledgeBase
from bot.ranking.features import WINDOW_FEATURES
from tests.conftest import markdown_article


def features_of(tmp_path, question: str) -> dict[str, dict[tuple[str, ...], float]]:
    """Feature name -> window text (its sentences) -> value."""
    answerer = KnowledgeBase.load(tmp_path, persist=False).answerer
    found = answerer.evidence(question, answerer.index.query_terms(question))
    assert found is not None
    units = answerer.index.units
    texts = [tuple(units[u].text for u in w) for w in found.candidates.windows]
    return {
        name: dict(zip(texts, found.windows[:, i].tolist(), strict=True))
        for i, name in enumerate(WINDOW_FEATURES)
    }


def test_answer_type_length_and_coverage_features(tmp_path):
    markdown_article(
        tmp_path,
        "a",
        "梅雨",
        "梅雨は東アジアの雨季である。梅雨入りは2025年6月に発表された。",
        別="天気は晴れだ。",
    )
    f = features_of(tmp_path, "梅雨入りはいつ発表されたか")
    topic, dated = ("梅雨は東アジアの雨季である。",), ("梅雨入りは2025年6月に発表された。",)
    both = topic + dated
    assert f["asks_time_has_time"][dated] == 1.0 and f["asks_time_has_time"][topic] == 0.0
    assert f["asks_number_has_number"][dated] == 0.0  # asked when, not how many
    assert f["extra_sentences"][both] == 1.0 and f["extra_sentences"][dated] == 0.0
    assert np.isclose(f["chars"][both], sum(map(len, both)) / 300)
    # every lemma of the question is in the dated sentence, so it covers the whole IDF mass
    assert np.isclose(f["lemma_idf_coverage"][dated], 1.0)
    assert f["lemma_idf_coverage"][topic] < 1.0
    assert max(f["fused_gap"].values()) == 0.0  # the first stage's best window
    assert f["fused_gap"][dated] > f["fused_gap"][topic]
    # the question names the article's title (梅雨)
    assert f["title_in_question"][dated] == 1.0


def test_a_name_the_question_gives_is_not_the_person_it_asks_for(tmp_path):
    markdown_article(
        tmp_path,
        "a",
        "漫画",
        "手塚治虫は鉄腕アトムを描いた。鉄腕アトムの音楽は高井達雄が作曲した。",
    )
    f = features_of(tmp_path, "手塚治虫の鉄腕アトムの音楽を作曲したのは誰か")
    asked = f["asks_person_has_person"]
    assert asked[("鉄腕アトムの音楽は高井達雄が作曲した。",)] == 1.0
    assert asked[("手塚治虫は鉄腕アトムを描いた。",)] == 0.0  # 手塚治虫 is in the question


def test_the_rarest_missing_word_of_window_and_article(tmp_path):
    markdown_article(tmp_path, "a", "ポルトガル", "ポルトガルの経済は安定した。首都はリスボンだ。")
    markdown_article(tmp_path, "b", "ラオス", "ラオスは内陸国だ。")
    markdown_article(tmp_path, "c", "天気", "今日は晴れだ。明日は雨だ。")
    f = features_of(tmp_path, "ラオスの経済が安定したのはいつか")
    portugal = ("ポルトガルの経済は安定した。",)
    laos = ("ラオスは内陸国だ。",)
    # ラオス is in the library but not in the Portugal article: a rare word missing there
    assert f["article_missing"][portugal] > 0.0
    assert f["window_missing"][portugal] == f["article_missing"][portugal]
    # the Laos article has ラオス but lacks 経済 and 安定, each rarer than nothing
    assert 0.0 < f["window_missing"][laos] <= 1.0
    # nothing the question asks is missing from a window that holds it all
    g = features_of(tmp_path, "ポルトガルの経済")
    assert g["window_missing"][portugal] == 0.0 and g["article_missing"][portugal] == 0.0


def test_the_library_size_is_the_log_of_its_sentences(tmp_path):
    from bot.ranking.features import QUESTION_FEATURES, question_features

    markdown_article(
        tmp_path, "a", "梅雨", "梅雨は雨季である。梅雨入りは6月だ。", 別="天気は晴れだ。"
    )
    answerer = KnowledgeBase.load(tmp_path, persist=False).answerer
    question = "梅雨入りはいつか"
    found = answerer.evidence(question, answerer.index.query_terms(question))
    assert found is not None
    scores = answerer.model.ranker(found.windows)
    row = question_features(found.windows, scores, 0, found.shape)
    assert len(answerer.index.units) == 3
    assert np.isclose(row[QUESTION_FEATURES.index("library_size")], np.log(3))


def test_the_article_title_counts_as_held_by_each_of_its_windows(tmp_path):
    markdown_article(
        tmp_path,
        "a",
        "ルガンスク人民共和国",
        "ルガンスク人民共和国は2014年に建国が宣言された。通貨はロシア・ルーブルが採用されている。",
    )
    markdown_article(tmp_path, "b", "ラオス", "ラオスの通貨はキープである。")
    f = features_of(tmp_path, "ルガンスク人民共和国の通貨は？")
    currency = ("通貨はロシア・ルーブルが採用されている。",)
    founded = ("ルガンスク人民共和国は2014年に建国が宣言された。",)
    laos = ("ラオスの通貨はキープである。",)
    # the currency sentence never names the republic, but its article's title does
    assert f["lemma_idf_coverage"][currency] < 1.0
    assert np.isclose(f["titled_coverage"][currency], 1.0)
    # a window that names only the title gains nothing from it
    assert f["titled_coverage"][founded] == f["lemma_idf_coverage"][founded]
    assert f["titled_coverage"][currency] > f["titled_coverage"][founded]
    # another article's title adds nothing
    assert f["titled_coverage"][laos] == f["lemma_idf_coverage"][laos] < 1.0


def test_names_missing_from_the_window_and_its_title(tmp_path):
    markdown_article(
        tmp_path, "a", "コンゴ共和国", "公用語はフランス語である。首都はブラザヴィルだ。"
    )
    markdown_article(tmp_path, "b", "オランダ", "公用語はオランダ語である。")
    f = features_of(tmp_path, "コンゴ共和国の公用語は？")
    assert f["names_missing"][("公用語はフランス語である。",)] == 0.0  # its title names コンゴ
    assert f["names_missing"][("公用語はオランダ語である。",)] == 1.0
    # a question without names misses none anywhere
    g = features_of(tmp_path, "公用語は？")
    assert set(g["names_missing"].values()) == {0.0}
