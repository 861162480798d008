"""The question sets the harness and the fitting script share (bench/datasets.py; the news-dev
set is read from ../shared, as CI has it)."""

from bench.datasets import cross_article, news_sets, norm


def test_cross_article_questions_are_asked_where_their_answer_is_not():
    sets = news_sets()
    answerable = {
        f"{s.name}/{q['id']}": q
        for s in sets
        if s.name not in ("news-train", "news-test", "news-test-2")
        for q in s.questions
        if q["kind"] == "answerable"
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


def test_the_extra_news_articles_and_their_questions_check_out(capsys):
    """Every gold of bench/news/ is verbatim, once, in its own article only; no negative's
    answer is in any article (bench/check_news.py, news-dev's rules)."""
    from bench.check_news import main

    assert main([]) == 0, capsys.readouterr().out
    extra = next(s for s in news_sets() if s.name == "news-extra")
    kinds = {q["kind"] for q in extra.questions}
    assert kinds == {"answerable", "metadata", "out_of_scope", "hard_negative"}
    # The seed article (its text and its header corrections) beside the seven new ones.
    assert sum(p.suffix == ".txt" for p in extra.articles) == 8


def test_small_libraries_ask_their_own_articles_and_as_many_absent_ones():
    from bench.datasets import JSQUAD, SMALL_SIZES, read_questions, small_libraries

    questions = read_questions(JSQUAD / "questions.jsonl")
    libraries = small_libraries(questions)
    assert {len(lib.articles) for lib in libraries} == set(SMALL_SIZES)
    for lib in libraries:
        held = {p.stem for p in lib.articles}
        mine = [q for q in lib.questions if q["kind"] == "answerable"]
        absent = [q for q in lib.questions if q["kind"] == "cross_library"]
        assert mine and len(mine) == len(absent)
        assert all(q["article"] in held for q in mine)
        assert all(q["article"] not in held and q["gold"] == [] for q in absent)
    # Drawn with a fixed seed: the harness asks the same questions every run.
    again = small_libraries(questions)
    assert [q["id"] for lib in again for q in lib.questions] == [
        q["id"] for lib in libraries for q in lib.questions
    ]


def test_news_train_questions_are_also_asked_where_their_article_is_not():
    from bench.datasets import seed_articles, train_cross

    train = next(s for s in news_sets() if s.name == "news-train")
    assert {q["kind"] for q in train.questions} == {
        "answerable",
        "metadata",
        "out_of_scope",
        "hard_negative",
    }
    seed = seed_articles()
    originals = {q["id"]: q for q in train.questions if q["kind"] == "answerable"}
    asked = train_cross(train)
    # one library per news-train article, the seed beside the others
    assert len(asked) == sum(p not in seed for p in train.articles)
    for qset in asked:
        assert qset.name == "news-train" and set(seed) <= set(qset.articles)
        assert qset.questions
        library = "".join(norm(p.read_text(encoding="utf-8")) for p in qset.articles)
        for q in qset.questions:
            assert q["kind"] == "cross_article" and q["gold"] == []
            assert not any(norm(g) in library for g in originals[q["id"]]["gold"]), q["id"]


def test_quarter_libraries_stay_within_one_half_and_ask_as_many_absent_questions():
    from bench.datasets import JSQUAD, jsquad_halves, quarter_libraries, read_questions

    questions = read_questions(JSQUAD / "questions.jsonl")
    halves = [{p.stem for p in half} for half in jsquad_halves()]
    libraries = quarter_libraries(questions)
    for lib in libraries:
        held = {p.stem for p in lib.articles}
        half = next(h for h in halves if held <= h)
        mine = [q for q in lib.questions if q["kind"] == "answerable"]
        absent = [q for q in lib.questions if q["kind"] == "cross_library"]
        # as many as its own, or all the other part has
        assert mine and 0 < len(absent) <= len(mine)
        assert all(q["article"] in held for q in mine)
        assert all(q["article"] in half - held and q["gold"] == [] for q in absent)
    assert [q["id"] for lib in quarter_libraries(questions) for q in lib.questions] == [
        q["id"] for lib in libraries for q in lib.questions
    ]
