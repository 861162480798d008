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
    groups = group_similar(texts, text=str)
    assert groups == [["abcdeg", "abcdeg", "abcdef"], ["xyz"]]


def test_different_questions_about_one_subject_stay_apart():
    groups = group_similar(["アラスカの人口は？", "アラスカの面積は？"], text=str)
    assert len(groups) == 2
