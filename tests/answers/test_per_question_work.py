"""No answer does work proportional to the number of articles (issue 14): header questions and
refusals are bounded by what they show, not by the library."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import byline, engine
from bot.answers.model import AnswerKind
from bot.answers.topics import MAX_TOPICS, related_articles
from bot.knowledge_base import KnowledgeBase

ARTICLES = 60


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder: Path = tmp_path_factory.mktemp("many")
    for i in range(ARTICLES):
        (folder / f"a{i:03d}.md").write_text(
            f"---\ntitle: 第{i}号の報告\nauthor: 著者{i:03d}\ndate: 2025-01-{i % 28 + 1:02d}\n---\n\n"
            f"報告{i}は港の工事について述べる。工事は{i}月に始まった。\n",
            encoding="utf-8",
        )
    return KnowledgeBase.load(folder, persist=False)


def test_a_header_question_naming_no_article_builds_only_what_it_can_show(many, monkeypatch):
    built = []
    real = engine.header_passage
    monkeypatch.setattr(
        engine, "header_passage", lambda a, f: built.append(a.id) or real(a, f), raising=False
    )
    monkeypatch.setattr(byline, "header_passage", lambda a, f: built.append(a.id) or real(a, f))
    answer = many.ask("この記事の著者は誰ですか")
    assert answer.kind == AnswerKind.WHICH_ARTICLE
    assert len(built) <= engine.PASSAGES + 1


def test_an_article_named_by_title_is_found_by_lookup(many):
    answer = many.ask("第37号の報告の著者は誰ですか")
    assert [p.article for p in answer.passages] == ["a037"]
    assert "著者037" in answer.passages[0].quote


def test_who_is_looks_the_name_up(many):
    answer = many.ask("著者042とは誰ですか")
    assert [p.article for p in answer.passages] == ["a042"]


def test_a_refusal_lists_a_bounded_set_of_articles(many):
    answer = many.ask("ビットコインの価格はいくらですか")
    shown, more = related_articles(answer, many.library)
    assert len(shown) == MAX_TOPICS and more == ARTICLES - MAX_TOPICS


def test_what_the_first_question_would_build_is_built_at_load(many):
    # The per-library tables (header names, title bigrams, the loanword bridge, lists by id
    # and date) exist once loaded: no member's question waits for them.
    answerer = many.answerer
    assert {"headers", "bridge"} <= set(vars(answerer))
    for table in ("header_bigrams", "title_words", "exact_names", "name_index"):
        assert table in vars(answerer.headers)
    assert {"by_id", "newest_first"} <= set(vars(many.library))


def test_a_one_shot_load_makes_only_what_it_uses(folder):
    kb = KnowledgeBase.load(folder, persist=False, warm=False)
    assert "bridge" not in vars(kb.answerer)  # made only if an English question comes
    assert kb.ask("世界が求めているものは何か").answered
