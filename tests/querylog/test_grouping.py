import random
import time

from bot.querylog.grouping import bigrams, group_similar, jaccard, normalise


def test_normalise_folds_width_case_punctuation_and_spaces():
    assert normalise("ＡＢＣ とは？") == normalise("abcとは?") == "abcとは"
    assert normalise("「著者」は、誰！") == "著者は誰"


def test_bigrams_and_jaccard():
    assert bigrams("著者は") == {"著者", "者は"}
    assert bigrams("誰") == {"誰"}
    assert bigrams("") == frozenset()
    assert jaccard(bigrams("著者は誰"), bigrams("著者は誰")) == 1.0


def test_groups_compare_with_the_leader_only():
    texts = ["abcdef", "abcdeg", "abcdeg", "xyz"]
    groups, complete = group_similar(texts, text=str)
    assert (groups, complete) == ([["abcdeg", "abcdeg", "abcdef"], ["xyz"]], True)


def test_different_questions_about_one_subject_stay_apart():
    groups, _ = group_similar(["アラスカの人口は？", "アラスカの面積は？"], text=str)
    assert len(groups) == 2


def _by_every_leader(texts: list[str], threshold: float) -> list[list[str]]:
    """The reference: every text compared with every leader so far (quadratic)."""
    exact: dict[str, list[str]] = {}
    for t in texts:
        exact.setdefault(normalise(t), []).append(t)
    groups: list[list[str]] = []
    leaders: list[frozenset[str]] = []
    for norm, members in sorted(exact.items(), key=lambda kv: -len(kv[1])):
        grams = bigrams(norm)
        match = next((i for i, g in enumerate(leaders) if jaccard(grams, g) >= threshold), None)
        if match is None:
            leaders.append(grams)
            groups.append(list(members))
        else:
            groups[match].extend(members)
    return sorted(groups, key=len, reverse=True)


def test_prefix_filtering_groups_exactly_as_comparing_with_every_leader():
    rng = random.Random(5)
    stems = ["この記事の著者は", "アラスカの人口は", "サミットの結果は", "北極海の氷は", "誰が"]
    tails = ["誰ですか", "？", "どうなった", "何", "いつ", "ですか？", ""]
    for threshold in (0.3, 0.6, 0.8):
        texts = [
            rng.choice(stems)
            + rng.choice(tails)
            + "".join(rng.choices("あいうえおかき", k=rng.randint(0, 3)))
            for _ in range(600)
        ]
        grouped, complete = group_similar(texts, text=str, threshold=threshold)
        assert complete
        assert sorted(map(sorted, grouped)) == sorted(
            map(sorted, _by_every_leader(texts, threshold))
        )


def test_a_spent_deadline_returns_a_partial_grouping():
    texts = [f"質問{i}番ですか" for i in range(1000)]
    grouped, complete = group_similar(texts, text=str, deadline=time.monotonic() - 1)
    assert not complete
    assert sum(map(len, grouped)) < len(texts)


def test_weights_order_the_groups():
    grouped, _ = group_similar(
        [("まれな質問", 1), ("よくある質問です", 50)], text=lambda r: r[0], weight=lambda r: r[1]
    )
    assert grouped[0] == [("よくある質問です", 50)]
