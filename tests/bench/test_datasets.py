"""The question sets the harness and the fitting script share (bench/datasets.py; the news-dev
set is read from ../shared, as CI has it)."""

from bench.datasets import cross_article, news_sets, norm


def test_cross_article_questions_are_asked_where_their_answer_is_not():
    sets = news_sets()
    answerable = {
        f"{s.name}/{q['id']}": q for s in sets for q in s.questions if q["kind"] == "answerable"
    }
    asked = cross_article(sets)
    seen = []
    for qset in asked:
        assert len(qset.articles) >= 1
        library = "".join(norm(p.read_text(encoding="utf-8")) for p in qset.articles)
        for q in qset.questions:
            assert q["kind"] == "cross_article" and q["gold"] == []
            original = answerable[q["id"]]
            assert not any(norm(g) in library for g in original["gold"]), q["id"]
            seen.append(q["id"])
    # Each answerable question is asked once, and the questions are spread over every library.
    assert len(seen) == len(set(seen)) == len(answerable)
    assert all(qset.questions for qset in asked)
