"""Katakana read out, and sound keys that let English and katakana spellings of a name meet."""

import pytest

from bot.text.romaji import is_katakana_word, romaji, sound_key, spelling_key


@pytest.mark.parametrize(
    ("katakana", "reading"),
    [
        ("ゴルバチョフ", "gorubachofu"),
        ("プーチン", "puchin"),
        ("アンカレッジ", "ankareji"),
        ("ティモフィー", "timofi"),
        ("シャ", "sha"),
    ],
)
def test_romaji(katakana, reading):
    assert romaji(katakana) == reading


@pytest.mark.parametrize(
    ("english", "katakana"),
    [
        ("putin", "プーチン"),
        ("gorbachev", "ゴルバチョフ"),
        ("trump", "トランプ"),
        ("russia", "ロシア"),
        ("alaska", "アラスカ"),
        ("moscow", "モスクワ"),
        ("ukraine", "ウクライナ"),
        ("zelensky", "ゼレンスキー"),
        ("vance", "ヴァンス"),
        ("france", "フランス"),
        ("cuba", "キューバ"),
    ],
)
def test_english_and_katakana_spellings_share_a_sound_key(english, katakana):
    assert sound_key(english) == sound_key(romaji(katakana))


def test_different_names_keep_different_keys():
    assert sound_key("putin") != sound_key(romaji("トランプ"))
    assert sound_key("biden") != sound_key(romaji("プーチン"))


def test_katakana_words():
    assert is_katakana_word("ゴルバチョフ")
    assert not is_katakana_word("ー")
    assert not is_katakana_word("ロシア人")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ヴァンス", "バンス"),
        ("ピトゥフィク", "ピツフィク"),
        ("ティアニ", "チアニ"),
        ("ドゥテルテ", "ズテルテ"),
        ("ウィキペディア", "ウイキペディア"),
        ("コンピューター", "コンピュータ"),
    ],
)
def test_two_katakana_spellings_of_one_sound_share_a_spelling_key(one, other):
    assert spelling_key(one) == spelling_key(other)


@pytest.mark.parametrize(("one", "other"), [("バンス", "ベンス"), ("ナバロ", "ナブロ")])
def test_a_different_vowel_is_a_different_word(one, other):
    assert spelling_key(one) != spelling_key(other)
