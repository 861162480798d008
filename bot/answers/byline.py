"""An article's header as knowledge: sentences that state a header field, and the names it holds.

A metadata answer states the field (「著者はティモフィー・ボルダチェフ（…）です。」) rather than
quoting the header line, whose layout (「著者:執筆者:…」, 「author: …」) is the file's, not an
answer; the line stays on the passage (`HeaderFact`) so that the answer can still be traced.
The value in the sentence is verbatim from the header, so a reader can find it there.

The people and the publisher a header names are words the bot knows: 「ボルダチェフとは誰」 is
answered from the byline instead of being told the name appears nowhere in the articles. The
words of a title name its article: 「インドの記事を書いたのは誰」 asks about the one titled インド….
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cached_property, lru_cache

from bot.answers.metadata import SOURCES
from bot.answers.model import HEADER_SECTION, Citation, HeaderFact, Passage
from bot.articles import Article, Library
from bot.search.index import MAX_QUOTE_CHARS
from bot.search.loanwords import LoanwordBridge
from bot.strings import t
from bot.text.romaji import is_katakana_word
from bot.text.sentences import clip
from bot.text.tokens import Analyzer, bigrams, normalize

# Header fields that name someone, in the order a name found in several is answered.
NAME_FIELDS = ("author", "translator", "publisher")
_JA_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
# 「池田こみち(環境総合研究所顧問)」: a name with its role in brackets, as translator lines give it.
_WITH_ROLE = re.compile(r"^(?P<name>.+?)\s*[(（](?P<role>[^()（）]+)[)）]$")
# 「Xとは誰ですか」「Xとは」「Xって誰」「Xって何者?」, and the English `who is X`.
_WHO_IS = re.compile(
    r"^(?P<x>.+?)\s*(?:とは|って)\s*"
    r"(?:誰|だれ|どなた|何者|なにもの|何|なに|どんな(?:人|人物|方|団体|組織|媒体|メディア|サイト))?"
    r"\s*(?:です|でしょう|なの|なん|だ)?\s*(?:か|かな)?\s*[?？。!！]*$"
    r"|^(?:who|what)\s+(?:is|are|was)\s+(?P<en>.+?)\s*[?？.]*$"
)
_SEPARATOR = re.compile(r"[\s・=]+")
_NOT_IN_KEY = re.compile(r"[\s・=\-‐‑–—]+")
MIN_PART_CHARS = 2
# `who is Timofei Bordachev`: a name in Latin letters, looked up by sound.
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .'’-]*")


def header_fact(article: Article, field: str) -> HeaderFact | None:
    """What the article's header says for `field` and the line saying it, or None if it doesn't."""
    line = next((h for name in SOURCES[field] if (h := article.header(name))), None)
    detail = None
    if field == "author":
        value, detail = article.author, article.author_role
    elif field == "translator":
        value, detail = split_role(article.translator or "")
    elif field == "date":
        # As the header writes it (2025年8月18日), not the sortable form the loader keeps.
        found = _JA_DATE.search(line.text) if line else None
        value = found[0] if found else article.date
    elif field == "series" and article.series and article.number:
        value = f"{article.series} #{article.number}"
    else:
        value = getattr(article, field, None)
    if not value:
        return None
    return HeaderFact(
        field, value, detail or None, line.line if line else 0, line.text if line else ""
    )


# Cached: a library's few translators sign thousands of articles, each asked about by name.
@lru_cache(maxsize=4096)
def split_role(who: str) -> tuple[str, str | None]:
    """`池田こみち(環境総合研究所顧問)` -> (`池田こみち`, `環境総合研究所顧問`)."""
    found = _WITH_ROLE.match(who.strip())
    return (found["name"], found["role"].strip()) if found else (who.strip(), None)


def sentence(fact: HeaderFact, locale: str | None = None) -> str:
    """The fact as a sentence in `locale`, its value verbatim."""
    if fact.field == "first_published" and fact.value.endswith("。"):
        return fact.value  # the article's own trailer is already a sentence that says it
    value = fact.value
    if fact.detail:
        value = t("fact_detail", locale, value=value, detail=fact.detail)
    return t(f"fact_{fact.field}", locale, value=value)


def header_passage(article: Article, field: str) -> Passage | None:
    """A metadata answer for one article: the field stated as a sentence, the header line kept."""
    fact = header_fact(article, field)
    if fact is None:
        return None
    return Passage(
        quote=clip(sentence(fact), MAX_QUOTE_CHARS),
        article=article.id,
        article_title=article.title,
        section=HEADER_SECTION,
        section_index=-1,
        paragraph=0,
        score=1.0,
        matched_terms=(field,),
        citation=Citation.of(article, HEADER_SECTION),
        fact=fact,
    )


def asked_name(question: str) -> str | None:
    """X of 「Xとは誰ですか」「Xって誰」「Xとは」, the only thing such a question asks about."""
    found = _WHO_IS.match(normalize(question).strip())
    return (found["x"] or found["en"]).strip() if found else None


def _key(text: str) -> str:
    return _NOT_IN_KEY.sub("", normalize(text))


def _name_keys(name: str) -> set[str]:
    """How a name may be asked for: whole, or any run of its parts (ボルダチェフ alone)."""
    parts = [p for p in _SEPARATOR.split(normalize(name)) if p]
    return {
        _key("".join(parts[i:j])) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)
    }


def _katakana_pieces(texts: Iterable[str]) -> set[str]:
    """The katakana words of header texts, split at their separators (ティモフィー・ボルダチェフ)."""
    return {
        piece
        for text in texts
        for piece in _SEPARATOR.split(normalize(text))
        if is_katakana_word(piece)
    }


class Headers:
    """What a library's headers hold, gathered once: who wrote, translated and published each
    article, and the words of its titles (to tell which article a question names).

    Nothing here runs the tokenizer before the first answer (at 10,000 articles that took
    seconds): a question word is known from the headers when it is a piece of a name, and titles
    are analysed on the first question that needs them (a header question among many articles).
    """

    def __init__(self, library: Library, analyzer: Analyzer) -> None:
        self.library = library
        self.analyzer = analyzer
        # Read from the article fields, as `header_fact(article, field).value` gives them, and
        # each distinct name split and normalised once (per article through header_fact, that
        # took 5 s on the first question at 100,000 articles).
        self.names: list[tuple[Article, str, str]] = []
        for article in library.articles:
            for field in NAME_FIELDS:
                value = getattr(article, field)
                if value and field == "translator":
                    value = split_role(value)[0]
                if value:
                    self.names.append((article, field, value))
        values = {name for _, _, name in self.names}
        parts = {_key(p) for value in values for p in _SEPARATOR.split(value)}
        # Every run of two or more characters of a name part: ボルダチェフ of
        # ティモフィー・ボルダチェフ, 池田 of 池田こみち.
        self.pieces = frozenset(
            part[i:j]
            for part in parts
            for i in range(len(part))
            for j in range(i + 2, len(part) + 1)
        )

    def warm_up(self) -> None:
        """Make every lookup table now (at start-up) rather than on the question that first
        needs it: at 10,000 articles the bigrams of every title alone took 116 ms."""
        _ = self.header_bigrams, self.title_words, self.exact_names, self.name_index
        _ = self.name_bridge, self.role_index, self.spellings

    def knows(self, word: str) -> bool:
        """Whether `word` is (a piece of) a name the headers give."""
        return _key(word) in self.pieces

    @cached_property
    def header_bigrams(self) -> frozenset[str]:
        """The character bigrams of every header field a reader sees: titles, caption, byline
        (the author's role says ヴァルダイ・クラブ), publisher and series."""
        return frozenset(
            gram
            for a in self.library.articles
            for text in (
                a.title,
                a.subtitle,
                a.original_title,
                a.caption,
                a.author,
                a.author_role,
                a.translator,
                a.publisher,
                a.series,
            )
            if text
            for gram in bigrams(_key(text))
        )

    def mentions(self, word: str) -> bool:
        """Whether `word` may be in an article's header (all its bigrams are: `header_bigrams`):
        the articles' text beyond their sentences, so that a refusal never says a word the
        caption or the byline uses appears nowhere."""
        grams = bigrams(_key(word))
        return bool(grams) and all(g in self.header_bigrams for g in grams)

    @cached_property
    def title_words(self) -> dict[str, list[int]]:
        """Each lemma of a title or subtitle -> the articles (indices) whose titles hold it."""
        index: dict[str, list[int]] = {}
        for i, a in enumerate(self.library.articles):
            for lemma in set(self.analyzer.lemmas(f"{a.title} {a.subtitle or ''}")):
                index.setdefault(lemma, []).append(i)
        return index

    def titled(self, words: list[str]) -> list[Article]:
        """The articles whose titles hold the most of `words`, when that is more than half of
        them (「インドの記事」: インド; 「サヘルの軍事政権とECOWAS離脱の記事」: サヘル, 軍事, 政権 of
        five). A member names an article by its subject, not always in its title's words. Counted
        over the words' lists of articles, not by a pass over every title."""
        distinct = set(words)
        counts = Counter(i for w in distinct for i in self.title_words.get(w, ()))
        if not counts:
            return []
        most = max(counts.values())
        if most * 2 <= len(distinct):
            return []
        return [self.library.articles[i] for i in sorted(i for i, n in counts.items() if n == most)]

    @cached_property
    def exact_names(self) -> tuple[dict[str, list[int]], int]:
        """Each article's id and normalised title -> the articles (indices), and the longest."""
        names: dict[str, list[int]] = {}
        for i, a in enumerate(self.library.articles):
            for key in {a.id, normalize(a.title)}:
                if len(key) >= MIN_PART_CHARS:
                    names.setdefault(key, []).append(i)
        return names, max((len(k) for k in names), default=0)

    def named_in(self, question: str) -> list[Article]:
        """The articles whose id or title the question contains, in library order: every
        stretch of the question looked up (bounded by its length, not by the library's)."""
        names, longest = self.exact_names
        q = normalize(question)
        found: set[int] = set()
        for i in range(len(q)):
            for j in range(i + MIN_PART_CHARS, min(len(q), i + longest) + 1):
                found.update(names.get(q[i:j], ()))
        return [self.library.articles[i] for i in sorted(found)]

    def named(self, question: str) -> tuple[Passage, ...]:
        """What the headers say of whom 「Xとは誰」 asks about: one passage per role they give
        X (the translator of five articles is told once, citing the first). `who is X` in
        Latin letters is looked up by the names' sounds (Bordachev: ボルダチェフ)."""
        x = asked_name(question)
        if not x:
            return ()
        keys = [_key(x)] if len(_key(x)) >= MIN_PART_CHARS else []
        if _LATIN_NAME.fullmatch(x):  # as written (E-wave Tokyo), else by sound
            pieces = [term for _, term in self.name_bridge.translate(x)]
            keys += ["".join(pieces), *pieces] if pieces else []
        hits = next((self.name_index[k] for k in keys if k in self.name_index), [])
        entries = self.names
        if not hits:
            hits, entries = (
                next((self.role_index[k] for k in keys if k in self.role_index), []),
                self.roles,
            )
        found: dict[tuple[str, str], Passage] = {}
        for i in hits:  # in library order
            article, field, name = entries[i]
            if (field, name) not in found:
                passage = header_passage(article, field)
                if passage is not None:
                    found[field, name] = passage
        return tuple(found.values())

    @cached_property
    def name_bridge(self) -> LoanwordBridge:
        """The katakana pieces of the headers' names, paired with English spellings by sound
        (as `bot.search.loanwords` pairs an English question's words with the articles')."""
        return LoanwordBridge(
            _katakana_pieces(name for _, _, name in self.names), self.analyzer.origin
        )

    @cached_property
    def spellings(self) -> LoanwordBridge:
        """The katakana pieces of the headers' names and roles, to write a question's word as
        a header does (チモフィー → ティモフィー, バルダイ → ヴァルダイ: `Answerer.respelled`)."""
        texts = [name for _, _, name in self.names] + [role for _, _, role in self.roles]
        return LoanwordBridge(_katakana_pieces(texts), lambda term: None)

    @cached_property
    def roles(self) -> list[tuple[Article, str, str]]:
        """The roles bylines give (the author's, the translator's in brackets), with the field
        whose line gives them."""
        out = []
        for a in self.library.articles:
            if a.author and a.author_role:
                out.append((a, "author", a.author_role))
            role = split_role(a.translator)[1] if a.translator else None
            if role:
                out.append((a, "translator", role))
        return out

    @cached_property
    def role_index(self) -> dict[str, list[int]]:
        """A role's leading words -> the roles (indices into `roles`): 「ヴァルダイ・クラブとは」
        asks about the organisation a role names first (ヴァルダイ・クラブ・プログラム・
        ディレクター), and the byline that gives it is what the articles say of it. Only leading
        words: 「ディレクターとは」 asks about no one's byline."""
        index: dict[str, list[int]] = {}
        for i, (_, _, role) in enumerate(self.roles):
            parts = [p for p in _SEPARATOR.split(normalize(role)) if p]
            for end in range(1, len(parts) + 1):
                key = _key("".join(parts[:end]))
                if len(key) >= MIN_PART_CHARS:
                    index.setdefault(key, []).append(i)
        return index

    @cached_property
    def name_index(self) -> dict[str, list[int]]:
        """Every way a name may be asked for -> the names (indices into `names`), so 「Xとは誰」
        looks X up instead of trying every article's names. A name is asked for whole or by a
        run of its parts (ボルダチェフ); one written in one piece (池田こみち) also by any stretch
        of it (池田), as a surname is asked alone."""
        index: dict[str, list[int]] = {}
        keys_of: dict[str, set[str]] = {}
        for i, (_, _, name) in enumerate(self.names):
            keys = keys_of.get(name)
            if keys is None:
                keys = _name_keys(name)
                if not _SEPARATOR.search(name.strip()):  # one piece: any stretch of it
                    whole = _key(name)
                    keys |= {
                        whole[a:b]
                        for a in range(len(whole))
                        for b in range(a + MIN_PART_CHARS, len(whole) + 1)
                    }
                keys_of[name] = keys
            for key in keys:
                index.setdefault(key, []).append(i)
        return index
