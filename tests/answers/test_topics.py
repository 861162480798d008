"""A refusal lists a few articles, not a whole archive: its candidates' first, then the newest."""

from pathlib import Path

from bot.answers.topics import MAX_TOPICS, related_articles
from bot.cli.render import refusal_text
from bot.knowledge_base import KnowledgeBase


def archive(folder: Path, n: int) -> KnowledgeBase:
    for i in range(n):
        topic = "量子" if i == 3 else f"話題{i}"
        (folder / f"a{i:02}.md").write_text(
            f"---\ntitle: 記事{i}\ndate: 2025-01-{i + 1:02}\n---\n\n{topic}について書く。\n\n"
            f"## 節{i}\n\n{topic}の歴史は長い。\n",
            encoding="utf-8",
        )
    return KnowledgeBase.load(folder, persist=False)


def test_a_small_library_is_listed_whole(tmp_path):
    kb = archive(tmp_path, 3)
    assert related_articles(kb.ask("天気は?"), kb.library) == (list(kb.library.articles), 0)


def test_an_archive_lists_candidates_first_then_the_newest(tmp_path):
    kb = archive(tmp_path, 12)
    answer = kb.ask("量子の天気と価格は?")
    assert not answer.answered and answer.passages
    shown, more = related_articles(answer, kb.library)
    assert len(shown) == MAX_TOPICS and more == 12 - MAX_TOPICS
    assert shown[0].title == "記事3"  # where the candidates came from
    assert [a.title for a in shown[1:]] == ["記事11", "記事10", "記事9", "記事8"]
    text = refusal_text(answer, kb.library)
    assert "ほか 7 件の記事があります。全件は /articles で見られます。" in text
    english = refusal_text(answer, kb.library, "en-US", "python -m bot check")
    assert "…and 7 more articles: python -m bot check lists them all." in english
    assert "記事0" not in text


def test_newest_means_by_date_whatever_its_spelling(tmp_path):
    dates = ["2025年9月1日", "2025年10月1日", "2024-12-31", None, "2025/1/5", "2025-10-02"]
    for i, date in enumerate(dates):
        front = f"title: 記事{i}\n" + (f"date: {date}\n" if date else "")
        (tmp_path / f"d{i}.md").write_text(
            f"---\n{front}---\n\n話題{i}について書く。\n\n## 節\n\n話題{i}の歴史は長い。\n",
            encoding="utf-8",
        )
    kb = KnowledgeBase.load(tmp_path, persist=False)
    shown, more = related_articles(kb.ask("天気と価格は?"), kb.library, limit=5)
    assert [a.date for a in shown] == [
        "2025-10-02",
        "2025年10月1日",
        "2025年9月1日",
        "2025/1/5",
        "2024-12-31",
    ]
    assert more == 1  # the undated one comes last, left out


def test_partial_dates_sort_by_what_they_give(tmp_path):
    for i, date in enumerate(["2025", "2025年6月", "2024-12-31"]):
        (tmp_path / f"d{i}.md").write_text(
            f"---\ntitle: 記事{i}\ndate: {date}\n---\n\n話題{i}について書く。\n", encoding="utf-8"
        )
    kb = KnowledgeBase.load(tmp_path, persist=False)
    orders = sorted((a.date_order for a in kb.library.articles), reverse=True)
    assert orders == [(2025, 6, 0), (2025, 0, 0), (2024, 12, 31)]
