"""English words find the articles' katakana names and loanwords, and nothing else."""

from bot.search.loanwords import LoanwordBridge

ORIGINS = {"アラスカ": "alaska", "ロシア": "rossiya", "ワシントン": "washington"}
VOCABULARY = ["アラスカ", "ロシア", "ワシントン", "プーチン", "ゴルバチョフ", "会談", "nato"]


def bridge() -> LoanwordBridge:
    return LoanwordBridge(VOCABULARY, ORIGINS.get)


def test_names_by_recorded_origin_or_by_reading():
    assert bridge().translate("Did Putin meet Gorbachev in Alaska?") == [
        ("putin", "プーチン"),
        ("gorbachev", "ゴルバチョフ"),
        ("alaska", "アラスカ"),
    ]
    assert bridge().translate("Russia's view") == [("russia", "ロシア")]


def test_ascii_words_of_the_articles_match_as_they_are():
    assert bridge().translate("What about NATO?") == [("nato", "nato")]


def test_function_words_and_lookalikes_find_nothing():
    assert bridge().translate("What did the author say about this?") == []
    # one consonant off, but not alike enough: western is not Washington
    assert bridge().translate("the western strategy") == []
    # only words of the vocabulary are candidates
    assert bridge().translate("Zelensky and Biden") == []
    # the words that ask about a header name no topic: wrote is not ルート (route)
    route = LoanwordBridge([*VOCABULARY, "ルート"], {"ルート": "route"}.get)
    assert route.translate("Who wrote and who translated it?") == []


def test_each_article_term_is_given_once():
    assert bridge().translate("Putin, Putin's plan") == [("putin", "プーチン")]


def test_a_rare_lookalike_loses_to_the_name_the_articles_keep_using():
    # プートン reads "puton", closer in spelling to "putin" than プーチン's "puchin"
    counts = {"プーチン": 40, "プートン": 1}
    bridge = LoanwordBridge([*counts, "会談"], lambda term: None, counts.get)
    assert bridge.translate("Putin") == [("putin", "プーチン")]


def test_an_exact_sound_key_beats_a_near_one():
    # washington: key sngtn; ワシングトン reads washinguton (sngtn, exact), ワシントン washinton
    # (sntn, one consonant off) even though the articles use ワシントン far more
    counts = {"ワシントン": 50, "ワシングトン": 1}
    bridge = LoanwordBridge(list(counts), lambda term: None, counts.get)
    assert bridge.translate("Washington") == [("washington", "ワシングトン")]
    assert LoanwordBridge(["ワシントン"], lambda term: None).translate("Washington") == [
        ("washington", "ワシントン")
    ]


def test_common_verbs_and_short_keys_do_not_pair_with_lookalikes():
    bridge = LoanwordBridge(["モーカ", "ロシア"], {"ロシア": "rossiya"}.get)
    assert bridge.translate("Why did Russia make it?") == [("russia", "ロシア")]
    # meek and moka share the short key mk, but are not spelled alike enough for one
    assert LoanwordBridge(["モーカ"], lambda term: None).translate("meek") == []


def test_english_words_the_articles_quote_still_pass_the_stopword_filter():
    bridge = LoanwordBridge(["the", "in", "3", "nato"], lambda term: None)
    assert bridge.translate("What is the economy like in the US? 3") == []
    assert bridge.translate("And NATO?") == [("nato", "nato")]


def test_a_katakana_name_is_respelled_as_the_latin_letters_the_articles_use():
    counts = {"ecowas": 3, "eneos": 1, "lions": 2, "iran": 4, "rome": 1, "ロシア": 9}
    bridge = LoanwordBridge(list(counts), lambda term: None, counts.get)
    assert bridge.respell("エコワス", long_vowels=True) == "ecowas"
    assert bridge.respell("エネオス", long_vowels=False) == "eneos"
    # the same sound key, but read out too unlike: raionzu is not lions
    assert bridge.respell("ライオンズ", long_vowels=True) is None
    # short Latin words pair with names as often as spellings: アラン is not Iran, ロマ not Rome
    assert bridge.respell("アラン", long_vowels=True) is None
    assert bridge.respell("ロマ", long_vowels=True) is None
    assert bridge.respell("ロシア", long_vowels=True) is None


def test_a_katakana_word_is_respelled_as_the_articles_write_its_sounds():
    counts = {"ヴァンス": 5, "ピツフィク": 2, "スカボロー": 1, "レベル": 9, "ビル": 3}
    bridge = LoanwordBridge(list(counts), lambda term: None, counts.get)
    assert bridge.respell("バンス", long_vowels=False) == "ヴァンス"
    assert bridge.respell("ピトゥフィク", long_vowels=False) == "ピツフィク"
    # a long vowel only for names: スカボロ is スカボロー, but レーベル (label) is not レベル
    assert bridge.respell("スカボロ", long_vowels=True) == "スカボロー"
    assert bridge.respell("スカボロ", long_vowels=False) is None
    assert bridge.respell("レーベル", long_vowels=False) is None
    # short keys pair words as often as spellings: ビール (beer) is not ビル (building)
    assert bridge.respell("ビール", long_vowels=True) is None
    # a word already spelled as the articles do, or with no counterpart, stays as it is
    assert bridge.respell("ヴァンス", long_vowels=True) is None
    assert bridge.respell("ゼレンスキー", long_vowels=True) is None


def test_of_two_spellings_the_articles_use_the_commoner_is_given():
    counts = {"ヴァンス": 5, "ヴアンス": 1}
    bridge = LoanwordBridge(list(counts), lambda term: None, counts.get)
    assert bridge.respell("バンス", long_vowels=False) == "ヴァンス"
