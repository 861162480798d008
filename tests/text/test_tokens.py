from bot.text.tokens import Analyzer, bigrams, normalize

A = Analyzer()


def test_lemmas_drop_particles_and_light_verbs_and_undo_conjugation():
    assert A.lemmas("世界が求めているものは何か") == ["世界", "求める"]
    assert A.lemmas("ロシアの能力は強化された") == ["ロシア", "能力", "強化"]


def test_lemmas_keep_kanji_spelling():
    # UniDic's `lemma` would give the reading セイオウ; orthBase keeps 西欧
    assert "西欧" in A.lemmas("西欧を迂回できる")


def test_normalize_width_and_case():
    assert normalize("ＡＢＣ ｶﾀｶﾅ ２０２２") == "abc カタカナ 2022"


def test_bigrams_ignore_punctuation_and_keep_single_characters():
    assert bigrams("強化、国") == ["強化", "国"]
    assert bigrams("首脳会談") == ["首脳", "脳会", "会談"]


def test_names_are_flagged():
    ms = {m.surface: m for m in A.morphemes("ゼレンスキーと中国")}
    assert ms["ゼレンスキー"].is_name and ms["中国"].is_name
