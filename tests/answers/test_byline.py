"""Header fields as knowledge: names in a byline are known, answers state the field and cite it,
and a header question naming no article among several does not pick one silently."""

import pytest

from bot.answers.byline import NAME_FIELDS, Headers, header_fact, sentence
from bot.cli.render import answer_text, refusal_text
from bot.knowledge_base import KnowledgeBase
from tests.conftest import MARKDOWN, markdown_article

AUTHOR = "著者はティモフィー・ボルダチェフ（ヴァルダイ・クラブ・プログラム・ディレクター）です。"


@pytest.mark.parametrize(
    ("question", "field", "name"),
    [
        ("ボルダチェフとは誰ですか？", "author", "ティモフィー・ボルダチェフ"),
        ("ボルダチェフって誰", "author", "ティモフィー・ボルダチェフ"),
        ("ティモフィー・ボルダチェフとは", "author", "ティモフィー・ボルダチェフ"),
        ("池田こみちとは", "translator", "池田こみち"),
        ("池田とは誰？", "translator", "池田こみち"),  # a surname alone
        ("E-wave Tokyoとは", "publisher", "独立系メデア E-wave Tokyo"),
        # In English, a katakana name is found by its sound
        ("Who is Bordachev?", "author", "ティモフィー・ボルダチェフ"),
        ("who is Timofei Bordachev", "author", "ティモフィー・ボルダチェフ"),
        ("What is E-wave Tokyo?", "publisher", "独立系メデア E-wave Tokyo"),
        # The organisation a role names first is what the byline says of it
        ("ヴァルダイ・クラブって何？", "author", "ティモフィー・ボルダチェフ"),
        ("ヴァルダイとは", "author", "ティモフィー・ボルダチェフ"),
    ],
)
def test_a_name_from_the_header_is_answered_from_the_byline(kb, question, field, name):
    answer = kb.ask(question)
    assert (answer.answered, answer.kind) == (True, "metadata")
    [p] = answer.passages
    assert p.fact.field == field and name in p.quote
    assert p.citation.title == "アラスカで旧世界秩序が崩壊"


def test_words_that_only_overlap_a_name_are_not_taken_for_it(kb):
    assert kb.ask("アラスカとは").kind != "metadata"  # a word of the text, not of a byline
    assert kb.ask("ディレクターとは").kind != "metadata"  # a role's last word names no one
    assert kb.ask("独立とは").kind != "metadata"  # a piece of the publisher's word, not a part
    assert kb.ask("Who is Putin?").kind == "crosslingual"  # in the text, not in a header
    assert kb.ask("Who is Borodin?").kind != "metadata"  # sounds near, not the name


def test_the_names_gathered_are_the_header_facts(kb):
    """Headers reads the names from the article fields (once per distinct value); they must be
    exactly what the header answers state."""
    headers = Headers(kb.library, kb.answerer.analyzer)
    expected = [
        (a, field, fact.value)
        for a in kb.library.articles
        for field in NAME_FIELDS
        if (fact := header_fact(a, field))
    ]
    assert headers.names == expected
    [translator] = [v for _, f, v in headers.names if f == "translator"]
    assert translator.endswith("池田こみち")  # its role (環境総合研究所顧問) split off


def test_header_names_are_known_words(kb):
    assert kb.ask("E-wave Tokyoはどこにありますか").unknown_terms == ()
    assert "ボルダチェフ" not in kb.ask("ボルダチェフの国籍は").unknown_terms
    assert "国籍" in kb.ask("ボルダチェフの国籍は").unknown_terms  # the rest still counts


def test_the_answer_is_a_sentence_of_the_fields_citing_the_header_line(kb):
    p = kb.ask("この記事の執筆者は誰ですか").passages[0]
    assert p.quote == AUTHOR
    assert p.fact.line == 25
    assert p.fact.source == (
        "著者:執筆者:ティモフィー・ボルダチェフ、ヴァルダイ・クラブ・プログラム・ディレクター"
    )
    assert sentence(p.fact, "en") == (
        "The author is ティモフィー・ボルダチェフ (ヴァルダイ・クラブ・プログラム・ディレクター)."
    )
    text = answer_text(kb.ask("この記事の執筆者は誰ですか"), kb.library, color=False)
    # Our sentence, not a quotation: no 「」 around it; the header line it states, quoted.
    assert text.startswith(AUTHOR) and f"「{AUTHOR}」" not in text
    assert f"（25行目「{p.fact.source}」）" in text
    english = answer_text(kb.ask("Who wrote this article?"), kb.library, color=False, locale="en")
    assert "The author is ティモフィー・ボルダチェフ" in english and "line 25" in english


def test_a_date_is_stated_as_the_header_writes_it(kb):
    p = kb.ask("この記事はいつ公開されましたか").passages[0]
    assert p.quote == "公開日は2025年8月18日です。"
    assert p.fact.source == "独立系メデア E-wave Tokyo 2025年8月18日(JST)"


def test_front_matter_is_stated_not_quoted(tmp_path):
    (tmp_path / "quantum.md").write_text(MARKDOWN, encoding="utf-8")
    answer = KnowledgeBase.load(tmp_path, persist=False).ask("この記事の著者は誰ですか")
    p = answer.passages[0]
    assert p.quote == "著者は佐藤一郎です。"
    assert (p.fact.line, p.fact.source) == (3, "author: 佐藤一郎")


def test_several_articles_and_none_named_answer_for_each(folder):
    kb = KnowledgeBase.load(folder, persist=False)
    answer = kb.ask("この記事は誰が書いた？")
    assert answer.kind == "metadata"
    by_article = {p.article: p.quote for p in answer.passages}
    assert by_article == {
        "arctic-route": "著者はイワン・ペトロフ（北極研究所研究員）です。",
        "quantum": "著者は佐藤一郎です。",
        "alaska-old-world-order": AUTHOR,
    }
    assert [p.citation.title for p in answer.passages] == [
        "量子計算機の現在",
        "北極圏の新しい航路",
        "アラスカで旧世界秩序が崩壊",
    ]  # newest first, each citing its own article
    text = answer_text(answer, kb.library, color=False)
    assert all(f"出典: {p.citation.text()}" in text for p in answer.passages)


def test_more_articles_than_an_answer_lists_are_asked_about(folder):
    markdown_article(folder, "extra", "海運の現在", "海運は回復した。")
    (folder / "signed.md").write_text(
        "---\ntitle: 署名記事\nauthor: 山田太郎\n---\n\n本文がある。\n", encoding="utf-8"
    )
    kb = KnowledgeBase.load(folder, persist=False)
    answer = kb.ask("この記事の執筆者は誰ですか")
    assert (answer.answered, answer.kind, answer.passages) == (False, "which_article", ())
    text = refusal_text(answer, kb.library)
    assert text.startswith("どの記事についての質問ですか？")
    assert all(a.title in text for a in kb.library.articles)


@pytest.mark.parametrize(
    ("question", "article", "name"),
    [
        ("北極海航路の記事の著者は誰？", "arctic-route", "イワン・ペトロフ"),  # a topic searched
        ("北極圏の記事を書いたのは誰？", "arctic-route", "イワン・ペトロフ"),  # title words
        ("量子計算機の現在の著者は誰？", "quantum", "佐藤一郎"),  # the title
        ("quantum の著者は誰？", "quantum", "佐藤一郎"),  # the id
        ("アラスカの記事の翻訳者は誰", "alaska-old-world-order", "池田こみち"),
    ],
)
def test_a_question_naming_an_article_answers_for_that_one(folder, question, article, name):
    answer = KnowledgeBase.load(folder, persist=False).ask(question)
    assert answer.kind == "metadata"
    [p] = answer.passages
    assert (p.article, name in p.quote) == (article, True)


def test_an_article_is_meant_by_most_of_its_title_words_not_by_one(folder):
    headers = KnowledgeBase.load(folder, persist=False).answerer.headers
    # 量子, 計算, 機 of 量子計算機の現在 beside two words no title holds: most of five.
    [meant] = headers.titled(["量子", "計算", "機", "誤り", "訂正"])
    assert meant.id == "quantum"
    # One title word of three says little about which article is meant.
    assert headers.titled(["量子", "天気", "野球"]) == []
    assert headers.titled(["天気"]) == []
    # Every word in a title is still that article.
    [meant] = headers.titled(["北極", "圏", "航路"])
    assert meant.id == "arctic-route"


@pytest.mark.parametrize(
    ("question", "field", "name"),
    [
        ("Who translated the Alaska article?", "translator", "池田こみち"),
        ("Who wrote the Alaska piece?", "author", "ティモフィー・ボルダチェフ"),
    ],
)
def test_an_english_question_names_an_article_by_its_titles_katakana(folder, question, field, name):
    answer = KnowledgeBase.load(folder, persist=False).ask(question)
    assert answer.kind == "metadata"
    [p] = answer.passages
    assert (p.article, p.fact.field, name in p.quote) == ("alaska-old-world-order", field, True)


@pytest.mark.parametrize(
    ("question", "said", "not_said"),
    [
        ("ヴァルダイの予算はいくら？", "予算", "ヴァルダイ"),  # the author's role has it
        ("結局合意はできたの？", None, "合意"),  # the subtitle has 合意: not 「結局合意」 either
        ("ビットコインの価格は？", "ビットコイン", None),
    ],
)
def test_a_refusal_never_says_a_word_of_the_header_appears_nowhere(kb, question, said, not_said):
    answer = kb.ask(question)
    assert not answer.answered
    shown = " ".join(answer.unknown_terms)
    if said:
        assert said in shown
    if not_said:
        assert not_said not in shown
