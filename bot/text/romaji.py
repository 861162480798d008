"""Katakana to Latin letters, and a sound key that lets an English spelling meet a katakana one.

An English question can still find Japanese passages through the words Japanese writes in
katakana: names and loanwords (Gorbachev/ゴルバチョフ, Putin/プーチン, Alaska/アラスカ). The two
spellings differ in vowels (Japanese adds them after consonants: トランプ is to-ra-n-pu) and in
a few consonants Japanese lacks (l/r, v/b, th/s), so they are compared by a key of consonants
with those merged, not letter by letter.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode names spell katakana in Kunrei-style romaji; these read closer to English.
_HEPBURN = {"si": "shi", "ti": "chi", "tu": "tsu", "hu": "fu", "zi": "ji", "di": "ji", "du": "zu"}
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWEL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]+")
# Applied in order: spellings first, then the sounds Japanese does not tell apart.
_KEY_RULES = [
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "s"),
    (re.compile(r"ch|tch|ts"), "t"),
    (re.compile(r"sh|sch"), "s"),
    (re.compile(r"c(?=[eiy])"), "s"),  # Vance ヴァンス, France フランス, Pence ペンス
    (re.compile(r"ck|c|q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"[vf]"), "b"),
    (re.compile(r"l"), "r"),
    (re.compile(r"j"), "g"),
    (re.compile(r"z"), "s"),
    (re.compile(r"[aeiouyhw]"), ""),
    (re.compile(r"n(?=[bpm])"), "m"),
    (re.compile(r"(.)\1+"), r"\1"),
]


def is_katakana_word(text: str) -> bool:
    return bool(_KATAKANA_WORD.fullmatch(text)) and text.strip("ー") != ""


def romaji(katakana: str) -> str:
    """ゴルバチョフ -> gorubachofu, プーチン -> puchin (long vowels and ッ dropped)."""
    out: list[str] = []
    for ch in katakana:
        if ch in ("ー", "ッ"):
            continue
        if ch in _SMALL_Y and out:
            # チョ -> cho, キョ -> kyo
            base = out.pop().removesuffix("i")
            out.append(base + ("" if base.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[ch])
            continue
        if ch in _SMALL_VOWEL and out:
            # フォ -> fo, ティ -> ti: the small vowel replaces the syllable's own
            out.append(out.pop()[:-1] + _SMALL_VOWEL[ch])
            continue
        name = unicodedata.name(ch, "")
        if not name.startswith("KATAKANA LETTER "):
            continue
        syllable = name.removeprefix("KATAKANA LETTER ").removeprefix("SMALL ").lower()
        out.append(_HEPBURN.get(syllable, syllable))
    return "".join(out)


# Sounds katakana writes two ways (ヴァ/バ, トゥ/ツ, ティ/チ, ディ/ジ, ドゥ/ズ), as `romaji`
# spells them; it already drops long vowels and ッ (ゼレンスキー/ゼレンスキイ aside).
_SPELLING_RULES = [
    (re.compile(r"v"), "b"),
    (re.compile(r"tsu"), "tu"),
    (re.compile(r"chi"), "ti"),
    (re.compile(r"di"), "ji"),
    (re.compile(r"du"), "zu"),
]


def spelling_key(katakana: str) -> str:
    """One key for the katakana spellings of one sound: ヴァンス and バンス, ピトゥフィク and
    ピツフィク, ティアニ and チアニ. Vowels are kept: unlike `sound_key` this pairs two Japanese
    spellings of one word, not a Japanese and an English one."""
    key = romaji(katakana.replace("ウィ", "ウイ").replace("ウェ", "ウエ").replace("ウォ", "ウオ"))
    for pattern, replacement in _SPELLING_RULES:
        key = pattern.sub(replacement, key)
    return key


def sound_key(latin: str) -> str:
    """Consonants with the distinctions katakana loses merged: putin and puchin both give ptn."""
    key = latin.lower()
    for pattern, replacement in _KEY_RULES:
        key = pattern.sub(replacement, key)
    return key
