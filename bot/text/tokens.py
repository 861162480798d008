"""Tokens for search: content-word lemmas, character bigrams and kanji, from fugashi + unidic-lite.

Three views of the same text, searched as three BM25 fields and fused (see `bot.search.index`):
- lemmas (UniDic `orthBase`, the dictionary form in its written spelling) of content words, so
  求めている matches 求める; particles, auxiliaries, punctuation and light verbs (する, なる, ある)
  are dropped because they match everything and drown the signal;
- character bigrams of the normalised text, which survive paraphrase and segmentation mismatches
  (強化 / 強く share 強, 首脳会談 / 会談 share 会談) where lemmas miss;
- single kanji, for words that share a meaning-bearing character and nothing more (崩れる/崩壊).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

import fugashi

# Bump when tokens change: persisted indexes are keyed by it.
TOKENIZER_VERSION = "lemma+bigram+kanji-1"

SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})
# Words that occur in almost any question or sentence and say nothing about its topic
# (とる, よる, つく, おく are the verbs inside にとって, によって, について, における, written in
# kana there; the content verbs 取る, 寄る, 着く, 置く keep their kanji lemmas; 筆者 and 著者 in
# a question mean the article's author, never its topic).
STOP_LEMMAS = frozenset(
    [
        "する",
        "為る",
        "ある",
        "有る",
        "いる",
        "居る",
        "なる",
        "成る",
        "こと",
        "事",
        "もの",
        "物",
        "よう",
        "様",
        "ため",
        "為",
        "これ",
        "それ",
        "あれ",
        "この",
        "その",
        "あの",
        "どう",
        "何",
        "なに",
        "なん",
        "どんな",
        "どの",
        "どれ",
        "どちら",
        "どっち",
        "誰",
        "だれ",
        "どなた",
        "いつ",
        "どこ",
        "なぜ",
        "何故",
        "いくら",
        "ない",
        "無い",
        "です",
        "ます",
        "いう",
        "言う",
        "おる",
        "くる",
        "来る",
        "できる",
        "出来る",
        "思う",
        "れる",
        "られる",
        "せる",
        "させる",
        "ところ",
        "方",
        "とき",
        "時",
        "うち",
        "中",
        "さん",
        "的",
        "等",
        "など",
        "私",
        "僕",
        "あなた",
        "貴方",
        "教える",
        "知る",
        "分かる",
        "分る",
        "記事",
        "本稿",
        "とる",
        "よる",
        "つく",
        "おく",
        "筆者",
        "著者",
        "作者",
        "執筆",
    ]
)
_WORDLIKE = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII, half-width kana to full) and lower case.

    Lone surrogates (undecodable bytes read from a pipe, or a JSON escape) and control
    characters are dropped: MeCab takes UTF-8 and would fail on the one, stop at a NUL.
    """
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", text)).lower()


class Morpheme(NamedTuple):
    """One word as MeCab reads it (a tuple: made for every word of every sentence indexed)."""

    surface: str
    lemma: str
    pos: str
    pos_detail: str
    unknown: bool = False
    # UniDic's third level: 人名 (person), 地名 (place), 一般 … for a proper noun.
    pos_type: str = ""

    @property
    def is_content(self) -> bool:
        if self.pos in SKIP_POS or self.lemma in STOP_LEMMAS or not _WORDLIKE.search(self.lemma):
            return False
        # 非自立可能 verbs/adjectives (し in 強化し, できる) carry grammar, not topic.
        return not (self.pos in ("動詞", "形容詞") and self.pos_detail == "非自立可能")

    @property
    def is_noun(self) -> bool:
        return self.pos in ("名詞", "代名詞", "接頭辞", "接尾辞")

    @property
    def is_name(self) -> bool:
        """A proper noun, or a non-Latin word the dictionary doesn't know (mostly foreign names;
        unknown Latin words are mostly English, not names)."""
        return self.pos_detail == "固有名詞" or (
            self.unknown and self.pos == "名詞" and not self.surface.isascii()
        )


# MeCab writes each word as one line of the fields we read, tab-separated (MeCab never puts a
# tab or a newline inside a word: they separate words): surface, part of speech (three levels),
# orthBase, lemma, and 1 for a word the dictionary does not know. One string per text instead
# of a Python object per word with all 26 of UniDic's fields parsed: tagging is a quarter of
# what it was, and it was a third of an answer's time (the question, then every quote).
# `%f[N]` of a "*" field is written empty.
_WORD_FORMAT = r"%m\\t%f[0]\\t%f[1]\\t%f[2]\\t%f[10]\\t%f[7]\\t%s\\n"
_UNKNOWN_FORMAT = r"%m\\t%f[0]\\t%f[1]\\t%f[2]\\t\\t\\t%s\\n"
TAGGER_ARGS = (
    f"--output-format-type= --node-format={_WORD_FORMAT} --unk-format={_UNKNOWN_FORMAT} "
    "--bos-format= --eos-format="
)
_FIELDS_PER_WORD = 7


class Analyzer:
    """Turns text into search tokens; one MeCab tagger per thread, since taggers are not shared-safe."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _tagger(self) -> fugashi.Tagger:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = self._local.tagger = fugashi.Tagger(TAGGER_ARGS)
        return tagger

    def _words(self, text: str) -> Iterator[list[str]]:
        """Each word's fields as `_WORD_FORMAT` writes them."""
        for line in self._tagger().parse(text).split("\n"):
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) != _FIELDS_PER_WORD:
                raise RuntimeError(f"MeCab wrote {line!r}, not the fields of {TAGGER_ARGS!r}")
            yield fields

    @functools.lru_cache(maxsize=1024)  # noqa: B019 -- one Analyzer per process, kept for its life
    def morphemes(self, text: str) -> tuple[Morpheme, ...]:
        """Each word of `text`, cached: a question is read five times on its way to an answer
        (the metadata check, its search terms, names, unknown words, respellings)."""
        return self.parse(text)

    def parse(self, text: str) -> tuple[Morpheme, ...]:
        """Each word of `text`, not cached: for indexing, which reads each sentence once and
        would only churn the cache of `morphemes`."""
        return tuple(
            Morpheme(
                surface, base or surface, pos, pos_detail or "*", unknown == "1", pos_type or "*"
            )
            for surface, pos, pos_detail, pos_type, base, _, unknown in self._words(normalize(text))
        )

    @functools.lru_cache(maxsize=8192)  # noqa: B019 -- one Analyzer per process, kept for its life
    def surfaces_and_lemmas(self, text: str) -> tuple[tuple[str, str], ...]:
        """Each word's surface and lemma: all that highlighting needs. Cached, because the same
        passages are quoted again and again (popular questions, pages of candidates), and
        tagging a quote was a third of an answer's time."""
        return tuple(
            (surface, base or surface)
            for surface, _, _, _, base, _, _ in self._words(normalize(text))
        )

    def lemmas(self, text: str) -> list[str]:
        """Content-word lemmas, in order, repeats kept (BM25 counts them)."""
        return [m.lemma for m in self.morphemes(text) if m.is_content]

    def origin(self, word: str) -> str | None:
        """The foreign spelling UniDic records for a loanword or name (アラスカ -> alaska)."""
        words = list(self._words(word))
        if len(words) != 1:
            return None
        lemma = words[0][5]
        _, _, foreign = lemma.partition("-")
        return foreign.lower() if foreign.isascii() and foreign.isalpha() else None


def kanji(text: str) -> list[str]:
    """Each kanji on its own: words that share a kanji often share meaning (崩れる/崩壊, 成果/成功)."""
    return _KANJI.findall(normalize(text))


def bigrams(text: str) -> list[str]:
    """Character bigrams of each run of letters/kana/kanji; a lone character stands for itself."""
    out: list[str] = []
    for run in _WORDLIKE.findall(normalize(text)):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out
