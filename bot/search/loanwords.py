"""English words to the katakana words of the articles: names and loanwords.

The articles are Japanese, and the bot has no translation model; but people also ask in
English. What an English question and a Japanese passage can still share are the words Japanese
writes in katakana: names (Gorbachev/ゴルバチョフ, Anchorage/アンカレッジ) and loanwords
(approach/アプローチ). UniDic records the origin of many of them (ゴルバチョフ-Gorbachyov,
ロシア-Rossiya); for the rest (プーチン) the katakana is read out. Either spelling is compared
with the English word by sound key (`bot.text.romaji`), allowing one consonant's difference in
longer words (Washington/ワシントン), and by overall spelling similarity, so that a short key
alone (rs) does not pair unrelated words. Only words that occur in the articles are candidates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher

from bot.text.romaji import is_katakana_word, romaji, sound_key, spelling_key

# Function words, the commonest verbs and adjectives of English questions, and the words that ask
# about an article's header: they carry no topic, and their sound keys would pair them with
# unrelated katakana (make / モーカ, wrote / ルート).
_STOPWORD_TEXT = """
a about according after again against all also am an and any are as at be been before being
between both but by can could did do does doing done during each for from had has have having
he her here hers him his how i if in into is it its itself just me more most my no nor not now
of off on once only or other our out over own same she should so some such than that the
their them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your
article column author piece text writer say says said saying tell told think thinks thought
mean means meant make makes made get gets got give gives gave take takes took come comes came
go goes went gone see sees saw seen know knows knew want wants wanted use uses used happen
happens happened show shows showed find finds found call called keep kept let put seem seems
become became turn turned start started end ended really main new old good bad big small many
much way thing things something anything point view part kind
write writes wrote written writing translate translates translated translator translation
publish publishes published publisher
"""
ENGLISH_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9'’]*")
MIN_KEY = 2
# Keys at least this long may differ by one consonant (washington sngtn / ワシントン sntn).
FUZZY_KEY = 4
MIN_SIMILARITY = 0.5
# A key of one or two consonants pairs easily (make mk / モーカ moka): the spelling must agree more.
SHORT_KEY = 2
MIN_SIMILARITY_SHORT = 0.6
# A key one consonant off must look more alike (western/washinton 0.5 is chance).
MIN_SIMILARITY_FUZZY = 0.7
# Katakana words are respelled only when their spelling key is at least this long: shorter ones
# differ by a long vowel as often as two words do (ビル/ビール, カード/カド).
MIN_RESPELL_KEY = 5
# A katakana word may stand for a Latin-letter word of the articles (エコワス for ECOWAS, エネオス
# for ENEOS) when their sound keys agree and the katakana read out is this alike: in the
# news-domain sets the right pairs read 0.77 (ekowasu/ecowas) and 0.91 (eneosu/eneos), the
# nearest wrong one 0.67 (raion/lion; ネット/nato, 0.75, is a dictionary word, never respelled).
MIN_SIMILARITY_LATIN = 0.75
# ... and when the Latin word has at least this many letters: short ones pair with names as
# often as spellings do (アラン aran / iran, ロマ roma / rome, both 0.75).
MIN_LATIN_LETTERS = 5


class LoanwordBridge:
    """Pairs English words with the katakana terms of one vocabulary."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        origin: Callable[[str], str | None],
        frequency: Callable[[str], int] = lambda term: 1,
    ) -> None:
        self._frequency = frequency
        self._exact: dict[str, set[tuple[str, str]]] = {}
        self._deleted: dict[str, set[tuple[str, str]]] = {}
        self._ascii = set()
        self._spellings: dict[str, set[str]] = {}
        self._latin: dict[str, set[str]] = {}  # sound key -> Latin-letter words of the articles
        for term in vocabulary:
            if term.isascii():
                self._ascii.add(term)
                if len(term) >= MIN_LATIN_LETTERS and term.isalpha():
                    key = sound_key(term)
                    self._latin.setdefault(key, set()).add(term)
                continue
            if not is_katakana_word(term):
                continue
            if len(key := spelling_key(term)) >= MIN_RESPELL_KEY:
                self._spellings.setdefault(key, set()).add(term)
            spellings = {romaji(term), origin(term) or ""} - {""}
            for spelling in spellings:
                key = sound_key(spelling)
                if len(key) < MIN_KEY:
                    continue
                self._exact.setdefault(key, set()).add((term, spelling))
                if len(key) >= FUZZY_KEY:
                    for variant in _deletions(key):
                        self._deleted.setdefault(variant, set()).add((term, spelling))

    def translate(self, question: str) -> list[tuple[str, str]]:
        """(English word, article term) for each word of the question that has a counterpart."""
        pairs: list[tuple[str, str]] = []
        for word in _LATIN_WORD.findall(question.lower()):
            word = re.sub(r"['’]s$", "", word).strip("'’")
            if word in ENGLISH_STOPWORDS or len(word) < 2 or word.isdigit():
                continue
            if word in self._ascii:  # written the same in the articles: NATO, RT
                term: str | None = word
            elif len(word) < 3 or not word.isalpha():
                continue
            else:
                term = self._best(word)
            if term and all(term != t for _, t in pairs):
                pairs.append((word, term))
        return pairs

    def respell(self, word: str, *, long_vowels: bool) -> str | None:
        """The articles' spelling of a katakana word they write otherwise (バンス → ヴァンス),
        the one they use most if several; None if none sounds the same. Only with `long_vowels`
        may the two differ in long vowels and ッ too (スカボロ → スカボロー): for names, whose
        spellings vary so, but not for words (レーベル is not レベル, シェール not シェル). With no
        katakana spelling, a name the articles write in Latin letters (エコワス → ecowas)."""
        found = [
            t
            for t in self._spellings.get(spelling_key(word), ())
            if t != word and (long_vowels or _lengthened(t) == _lengthened(word))
        ]
        if not found:
            read = romaji(word)
            found = [
                t
                for t in self._latin.get(sound_key(read), ())
                if SequenceMatcher(None, read, t).ratio() >= MIN_SIMILARITY_LATIN
            ]
        return max(found, key=lambda t: (self._frequency(t), t)) if found else None

    def _best(self, word: str) -> str | None:
        key = sound_key(word)
        if len(key) < MIN_KEY:
            return None
        candidates = set(self._exact.get(key, ()))
        if len(key) >= FUZZY_KEY:
            deletions = _deletions(key)
            candidates |= self._deleted.get(key, set())  # the term's key has one more consonant
            for variant in deletions:
                candidates |= self._exact.get(variant, set())  # one fewer
                candidates |= self._deleted.get(variant, set())  # one different
        # An exact key beats a near one; among those, the word the articles use most (a name
        # they keep returning to is likelier meant than a rare lookalike: Putin is プーチン, not
        # プートン), then the closer spelling.
        scored = []
        for term, spelling in candidates:
            similarity = SequenceMatcher(None, word, spelling).ratio()
            exact = sound_key(spelling) == key
            if not exact:
                needed = MIN_SIMILARITY_FUZZY
            elif len(key) <= SHORT_KEY:
                needed = MIN_SIMILARITY_SHORT
            else:
                needed = MIN_SIMILARITY
            if similarity >= needed:
                scored.append((exact, self._frequency(term), similarity, term))
        return max(scored)[3] if scored else None


def _lengthened(word: str) -> tuple[int, int]:
    """How many long vowels and ッ a katakana word writes (`spelling_key` leaves them out)."""
    return word.count("ー"), word.count("ッ")


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}
