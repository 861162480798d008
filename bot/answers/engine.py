"""From a question to an `Answer`: header questions from the header, the rest by passage search.

Passages are found in two stages. The BM25 fields propose candidate windows of 1-3 sentences
(`SearchIndex.candidates`); a linear model over named features (`bot.ranking.features`) ranks
them; a second model over the best window and the question decides whether it answers at all
or the articles don't cover it. Both models are fitted on thousands of questions by
`bench/fit_ranking.py` (`docs/retrieval.md`); no cut-off here is set by hand. English questions
go their own way (`_answer_english`).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from bot.answers.byline import Headers, header_passage
from bot.answers.expected import expected_type
from bot.answers.highlight import matched_spans
from bot.answers.metadata import SOURCES, metadata_field, strip_field_words
from bot.answers.model import Answer, AnswerKind, Citation, Passage
from bot.answers.questions import clean_question
from bot.articles import Article, Library
from bot.ranking.confidence import cutoffs
from bot.ranking.features import (
    QuestionShape,
    lacks_asked_kind,
    question_features,
    window_features,
)
from bot.ranking.model import RankingModel, load_model
from bot.search.index import MAX_QUOTE_CHARS, Candidates, QueryTerms, SearchIndex
from bot.search.loanwords import ENGLISH_STOPWORDS, LoanwordBridge
from bot.text.kinds import PERSON, PLACE, is_person, is_place
from bot.text.sentences import clip
from bot.text.tokens import Analyzer, Morpheme, bigrams

PASSAGES = 3
# A veto over the refusal model, kept because it holds on every set of `bench/answers.py` where
# the model alone does not, in small libraries above all (docs/retrieval.md): words the
# articles never use beside fewer than two matched mean another topic (`_about_something_else`).
MIN_MATCHED_WITH_UNKNOWN = 2
_HIRAGANA = re.compile(r"[\u3041-\u309f]+")
MIN_UNKNOWN_TO_REFUSE = 2


@dataclass(frozen=True)
class Hit:
    """A window of consecutive sentences from one paragraph, with the ranking model's score."""

    units: tuple[int, ...]
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """A question's candidate windows with their features: what the models read, and what
    `bench/fit_ranking.py` fits them on."""

    candidates: Candidates
    windows: np.ndarray  # windows × WINDOW_FEATURES
    shape: QuestionShape


class UnknownWords(NamedTuple):
    """The nouns of a question that occur nowhere in the articles (`Answerer.unknown_terms`)."""

    terms: tuple[str, ...]  # adjacent ones merged: ビットコイン, not ビット, コイン
    has_name: bool  # one of them is a name
    words: int  # how many words they are (ビットコイン counts two)
    parts: tuple[tuple[str, ...], ...]  # the words each term is made of


@dataclass(frozen=True)
class Ranking:
    """The windows best first (k disjoint ones), the refusal model's verdict on the first, and
    the ranking model's probability that the first is the right one among the candidates."""

    hits: list[Hit]
    answered: bool
    near: bool  # refused, but near enough to show the first window as the nearest passage
    confidence: float
    coverage: float
    lacking_kind: str | None  # the kind of answer asked for, when the first window holds none


_JAPANESE = re.compile(r"[ぁ-ゖァ-ヺ一-鿿々]")
_LATIN = re.compile(r"[A-Za-z]")
# A katakana word (names and loanwords), full- or half-width: a middle dot separates two.
_KATAKANA = re.compile(r"[ァ-ヺーｦ-ﾟ]{2,}")
# A capitalised English word inside a sentence (a name: Vance, Anchorage), three letters or
# more: not a sentence's first word (「Hello. Please tell me…」).
_ENGLISH_NAME = re.compile(r"(?<![.!?]\s)(?<=[\s,;:(\"'])[A-Z][a-z]{2,}\b")


# Entries of the per-answerer caches, emptied when full (a question is looked up twice in a row;
# a title for every window of a question).
QUESTION_CACHE = 256
TITLE_CACHE = 4096
# Searched, refused or answered alike: it runs every stage of `Answerer.answer` once.
WARM_UP_QUESTION = "この記事の著者が語る世界の変化とは何か"


class Answerer:
    """Answers questions about one library; immutable once built, safe to share across threads."""

    def __init__(
        self,
        library: Library,
        analyzer: Analyzer | None = None,
        index: SearchIndex | None = None,
        model: RankingModel | None = None,
    ) -> None:
        """`index`, when given, must be of `library` with `analyzer`'s tokens (a stored one).
        `model` defaults to the packaged one (`bot.ranking.model.MODEL_FILE`)."""
        self.library = library
        self.analyzer = analyzer or Analyzer()
        self.index = index or SearchIndex(library, self.analyzer)
        self.model = model or load_model()
        cutoffs()  # read now: a damaged cut-offs file stops the bot at start, naming the file
        # Caches of this answerer's own, not of the class: a class-wide cache keyed by `self`
        # kept every answerer a reload replaced alive, with its library and the index pages it
        # had read (500 MB each at 10,000 articles), until enough newer entries pushed it out.
        # Plain dicts, not `lru_cache` on bound methods: those would be reference cycles, and
        # the answerer loaded at start-up is frozen (`bot.search.store._gc_paused`), so a cycle
        # would keep it for good.
        self._unknown: dict[str, UnknownWords] = {}
        self._titles: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self._stated: dict[str, tuple[Passage, ...]] = {}

    def warm_up(self) -> None:
        """Make at start-up what the first question would otherwise wait for: the index of
        header names and title words, the library's lists by id and by date, the bridge for
        Latin-letter words, numpy's lazily imported parts and MeCab's first pages. At 10,000
        articles the first answer took 40-140 ms instead of 5, and the first refusal naming a
        missing word 130 ms (the bigrams of every title)."""
        self.answer(WARM_UP_QUESTION)
        self.headers.warm_up()
        _ = self.library.by_id, self.library.newest_first, self.bridge
        for field in SOURCES:
            self._stated_anywhere(field)

    def answer(self, question: str, k: int = PASSAGES, *, earlier: str | None = None) -> Answer:
        """The answer to `question`. A follow-up (`earlier`: the question it continues, as in
        「それはなぜですか？」 under an answer) is searched with the earlier question's words
        too, while what it asks for (なぜ: a reason) is its own."""
        typed = clean_question(question)
        text = self.respelled(typed)
        if not text:
            return Answer(question, False, AnswerKind.INVALID)
        if earlier:
            answer = self._answer_japanese(
                question, text, k, self.respelled(clean_question(earlier))
            )
            return dataclasses.replace(answer, continues=earlier)
        if named := self.headers.named(text):
            # 「ボルダチェフとは誰」: a name from a header is answered from that header.
            return Answer(question, True, AnswerKind.METADATA, named[:PASSAGES], coverage=1.0)
        field = metadata_field(text, self.analyzer.lemmas)
        if field is not None:
            header_only = not self.analyzer.lemmas(strip_field_words(text))
            meant = self._articles_meant(text, header_only)
            passages = (
                self._stated_anywhere(field)
                if meant is None
                else self._metadata_passages(meant, field)
            )
            if len(passages) > PASSAGES:
                # 「この記事は誰が書いた」 naming none of many: which is meant is the user's call.
                return Answer(question, False, AnswerKind.WHICH_ARTICLE)
            if passages:
                return Answer(question, True, AnswerKind.METADATA, passages, coverage=1.0)
            # Asked who wrote it and nothing else, and the header doesn't say: searching the
            # text for 「書いた」 would quote any sentence that happens to share a word. A
            # question that also asks about the content (「記事によると、プーチンはいつ訪れた」)
            # is searched.
            if header_only:
                return Answer(question, False, AnswerKind.NO_METADATA)
        # As typed: 「アマゾン？」 respelled as the articles' 「amazon？」 is still a Japanese question.
        if _LATIN.search(typed) and not _JAPANESE.search(typed):
            return self._answer_english(question, text, k)
        return self._answer_japanese(question, text, k)

    def respelled(self, text: str) -> str:
        """The question with each katakana word the articles (text or header) never use written
        as they write the same sounds (バンス → ヴァンス, ピトゥフィク → ピツフィク, チモフィー →
        ティモフィー): a name has several katakana spellings, and members type their own.

        A word of the dictionary is left alone (ベスト is not ヴェスト, レーベル not レベル); a
        proper noun it knows may differ only in how a sound is written (シェール is not シェル);
        a word it doesn't know, or reads only in pieces, may differ in long vowels and ッ too
        (コバヒーゼ → コバヒゼ, スカボロ → スカボロー). A name they write in Latin letters is
        searched so (エコワス → ecowas: `LoanwordBridge.respell`)."""

        def swap(m: re.Match[str]) -> str:
            word = unicodedata.normalize("NFKC", m.group(0))
            if self.index.is_known(word) or self.headers.knows(word):
                return m.group(0)
            pieces = list(self.analyzer.morphemes(word))
            if len(pieces) == 1 and not pieces[0].unknown and pieces[0].pos_detail != "固有名詞":
                return m.group(0)
            loose = len(pieces) > 1 or pieces[0].unknown
            for bridge in (self.bridge, self.headers.spellings):
                if spelled := bridge.respell(word, long_vowels=loose):
                    return spelled
            return m.group(0)

        return _KATAKANA.sub(swap, text)

    def _answer_japanese(self, question: str, text: str, k: int, earlier: str = "") -> Answer:
        terms = self.index.query_terms(text)
        if earlier:
            terms = terms.plus(self.index.query_terms(earlier))
        elif not terms.lemmas:
            # 「それはなぜですか？」 out of the blue: nothing says what it is about, and a search on
            # its characters alone would quote whatever shares them. Ask for the subject.
            return Answer(question, False, AnswerKind.INVALID)
        if terms.empty:
            return Answer(question, False, AnswerKind.INVALID)
        # Said to appear nowhere: not if a header holds it or a word of it (headers are not
        # searched): 「結局合意」 when the subtitle says 合意, ヴァルダイ of the author's role.
        found = self.unknown_terms(text)
        unknown = tuple(
            _as_written(t, question)
            for t, words in zip(found.terms, found.parts, strict=True)
            if not any(self.headers.mentions(w) for w in (t, *words))
        )
        ranking = self.rank(text, terms, k)
        if ranking is None:
            return Answer(question, False, AnswerKind.REFUSED, unknown_terms=unknown)
        return Answer(
            question,
            ranking.answered,
            AnswerKind.PASSAGE if ranking.answered else AnswerKind.REFUSED,
            tuple(self._passage(h) for h in ranking.hits),
            unknown_terms=unknown,
            coverage=ranking.coverage,
            confidence=ranking.confidence,
            lacking_kind=ranking.lacking_kind if ranking.answered else None,
            nearest=ranking.near,
        )

    def evidence(self, text: str, terms: QueryTerms) -> Evidence | None:
        """The first stage's candidate windows for a question, with their features."""
        candidates = self.index.candidates(terms, self.model.first_stage)
        if candidates is None:
            return None
        unknown = self.unknown_terms(text)
        named, names = {}, set()
        for m in self.analyzer.morphemes(text):
            if m.is_content and m.is_name:
                names.add(m.lemma)
            if is_person(m):
                named[m.lemma] = PERSON
            elif is_place(m):
                named[m.lemma] = PLACE
        asked = set(terms.bigram_sequence)
        overlap: dict[int, float] = {}
        held_by_titles: dict[str, list[int]] = {}
        for a in np.unique(candidates.articles).tolist():
            title, title_lemmas = self._title_terms(a)
            overlap[a] = len(title & asked) / len(title) if title else 0.0
            for t in terms.lemmas:
                if t in title_lemmas:
                    held_by_titles.setdefault(t, []).append(a)
        shape = QuestionShape(
            expected_type(text),
            named,
            unknown.words,
            unknown.has_name,
            sum(terms.lemmas.values()),
            overlap,
            {t: tuple(a) for t, a in held_by_titles.items()},
            frozenset(names),
            self.index.unknown_share(terms.lemmas, self.index.lemma_field),
            self.index.unknown_share(terms.bigrams, self.index.bigram_field),
            len(self.index.units),
        )
        return Evidence(candidates, window_features(candidates, shape), shape)

    def _title_terms(self, article: int) -> tuple[frozenset[str], frozenset[str]]:
        """An article title's bigrams and lemmas."""
        if (found := self._titles.get(article)) is None:
            if len(self._titles) >= TITLE_CACHE:
                self._titles.clear()
            title = self.library.articles[article].title
            found = self._titles[article] = (
                frozenset(bigrams(title)),
                frozenset(self.analyzer.lemmas(title)),
            )
        return found

    def rank(self, text: str, terms: QueryTerms, k: int = PASSAGES) -> Ranking | None:
        """The k best disjoint windows by the ranking model, and whether the first answers."""
        found = self.evidence(text, terms)
        if found is None:
            return None
        c = found.candidates
        scores = self.model.ranker(found.windows)
        order = sorted(range(len(c.windows)), key=lambda j: (-scores[j], c.windows[j]))
        top = order[0]
        verdict = self.model.verdict(question_features(found.windows, scores, top, found.shape))
        # Softmax over the candidates (the listwise model's own scale), summed over the windows
        # that overlap the first (they quote the same place, a sentence more or less): how sure
        # the ranking is that this place answers. It tracks correctness; the refusal model's
        # probability (answerable or not) hardly does among answered questions.
        shifted = np.exp(scores - scores.max())
        place = set(c.windows[top])
        same = [j for j, w in enumerate(c.windows) if not place.isdisjoint(w)]
        confidence = float(shifted[same].sum() / shifted.sum())
        matched = c.matched(top)
        elsewhere = (verdict.answered or verdict.near) and self._about_something_else(
            text, found.shape, matched
        )
        hits: list[Hit] = []
        used: set[int] = set()
        for j in order:
            if used.isdisjoint(c.windows[j]):
                window = self.index.with_contrast(c.windows[j], used)
                hits.append(Hit(window, round(float(scores[j]), 4), c.matched(j)))
                used.update(window)
                if len(hits) == k:
                    break
        coverage = round(float(c.lemma_coverage[top]), 3)
        return Ranking(
            hits,
            verdict.answered and not elsewhere,
            # A window that shares no word with the question (「おはよう」 matched by characters
            # alone) is near nothing; `fit_ranking.py` fits the margin under the same condition.
            verdict.near and not elsewhere and bool(matched),
            round(confidence, 3),
            coverage,
            found.shape.asked if lacks_asked_kind(found.windows[top], found.shape) else None,
        )

    @cached_property
    def bridge(self) -> LoanwordBridge:
        """The loanword bridge of the library's vocabulary, made at start (`warm_up`)."""
        vocabulary = self.index.lemma_field.vocabulary
        frequency = self.index.lemma_field.document_frequency
        return LoanwordBridge(vocabulary, self.analyzer.origin, frequency)

    def _answer_english(self, question: str, text: str, k: int) -> Answer:
        """Candidates for an English question, found by the names and loanwords it shares
        with the articles.

        Never `answered`: a passage that mentions Putin is not an answer to what was asked
        about him, so it is shown as a candidate (kind `crosslingual`) with the words it was
        found by. A question in Latin letters that shares no such word may still be one the
        Japanese search handles (「G7」), and is tried there before asking for Japanese.
        """
        pairs = tuple(self.bridge.translate(text))
        # Capitalised words inside a sentence with no counterpart are names the articles
        # never use: a refusal says so (「Vance」), as it does for a Japanese question's, unless
        # a header holds them (Tokyo of E-wave Tokyo).
        found = {en for en, _ in pairs}
        unknown = tuple(
            dict.fromkeys(
                w
                for w in _ENGLISH_NAME.findall(text)
                if w.lower() not in found
                and w.lower() not in ENGLISH_STOPWORDS
                and not self.headers.mentions(w)
            )
        )
        if all(en == term for en, term in pairs):
            # Nothing to translate, at most words the articles spell the same (NATO, or 「G7」
            # which shares no word at all): the ordinary search may well answer it.
            fallback = self._answer_japanese(question, text, k)
            if fallback.answered:
                return fallback
            if not pairs:
                return Answer(
                    question, False, AnswerKind.REFUSED, unknown_terms=unknown, language="en"
                )
        terms = self.index.terms_of_words([term for _, term in pairs])
        ranking = self.rank(text, terms, k)
        if ranking is None:
            return Answer(
                question,
                False,
                AnswerKind.REFUSED,
                unknown_terms=unknown,
                language="en",
                translations=pairs,
            )
        return Answer(
            question,
            False,
            AnswerKind.CROSSLINGUAL,
            tuple(self._passage(h) for h in ranking.hits),
            coverage=ranking.coverage,
            language="en",
            translations=tuple((en, term) for en, term in pairs if en != term),
        )

    def _about_something_else(
        self, question: str, shape: QuestionShape, matched: tuple[str, ...]
    ) -> bool:
        """Words the articles never use, beside fewer than two matched, mean another topic:
        「アラスカの天気は」 (a known name as the setting, an unknown subject), 「プーチンの好きな
        食べ物は」. One unknown word beside a matched common word is more often a paraphrase
        (「サミットで何が証明された」 for 首脳会談) and is left to the model."""
        if not shape.unknown_words or len(matched) >= MIN_MATCHED_WITH_UNKNOWN:
            return False
        if shape.unknown_words >= MIN_UNKNOWN_TO_REFUSE:
            return True
        names = {m.lemma for m in self.analyzer.morphemes(question) if m.is_name}
        return set(matched) <= names

    def unknown_terms(self, question: str) -> UnknownWords:
        """`_unknown_terms`, cached: asked twice per question (for the answer and for the
        models' evidence), analysed once."""
        if (found := self._unknown.get(question)) is None:
            if len(self._unknown) >= QUESTION_CACHE:
                self._unknown.clear()
            found = self._unknown[question] = self._unknown_terms(question)
        return found

    def _unknown_terms(self, question: str) -> UnknownWords:
        """Nouns of the question that occur nowhere in the articles, whether one is a name, how
        many words they are, and the words each is made of.

        Adjacent unknown nouns merge, so 論理量子ビット is named whole; but it still counts as
        three unknown words when judging whether the question is about something else. A term
        is named with the nouns it is compounded with (ビットコイン, not コイン, when ビット is a
        word of the articles): the compound cannot appear where a part of it never does.
        """
        morphemes = list(self.analyzer.morphemes(question))
        runs: list[tuple[int, int]] = []  # [start, end) of each run of unknown nouns
        for i, m in enumerate(morphemes):
            if m.is_noun and m.is_content and not self._known(m):
                if runs and runs[-1][1] == i:
                    runs[-1] = (runs[-1][0], i + 1)
                else:
                    runs.append((i, i + 1))
        terms: list[str] = []
        parts: list[tuple[str, ...]] = []
        has_name = False
        for start, end in runs:
            run = morphemes[start:end]
            while start > 0 and _compounds(morphemes[start - 1]):
                start -= 1
            while end < len(morphemes) and _compounds(morphemes[end]):
                end += 1
            compound = morphemes[start:end]
            term = "".join(
                (" " if i and m.surface.isascii() and compound[i - 1].surface.isascii() else "")
                + m.surface
                for i, m in enumerate(compound)
            )
            # いく of いくつ (a numeral in kana) asks for a number and names nothing: it still
            # counts as an unknown word, but a refusal does not say it appears nowhere.
            asks_a_number = all(
                m.pos_detail == "数詞" and _HIRAGANA.fullmatch(m.surface) for m in run
            )
            if len(term) >= 2 and term not in terms and not asks_a_number:
                terms.append(term)
                parts.append(tuple(m.surface for m in run))
                has_name = has_name or any(m.is_name for m in run)
        return UnknownWords(tuple(terms), has_name, sum(e - s for s, e in runs), tuple(parts))

    def _known(self, m: Morpheme) -> bool:
        if self.index.is_known(m.lemma) or self.headers.knows(m.surface):
            return True
        grams = bigrams(m.surface)
        return len(m.surface) > 1 and all(g in self.index.bigram_field.vocabulary for g in grams)

    def quote(self, units: tuple[int, ...]) -> str:
        """The verbatim text of a window: its paragraph from the first sentence to the last."""
        first, last = self.index.units[units[0]], self.index.units[units[-1]]
        paragraph = (
            self.library.articles[first.article].sections[first.section].paragraphs[first.paragraph]
        )
        start = paragraph.text.find(first.text)
        end = paragraph.text.find(last.text, start) + len(last.text)
        quote = paragraph.text[start:end] if start >= 0 and end > start else first.text
        return clip(quote, MAX_QUOTE_CHARS)

    def _passage(self, hit: Hit) -> Passage:
        first = self.index.units[hit.units[0]]
        article = self.library.articles[first.article]
        section = article.sections[first.section]
        paragraph = section.paragraphs[first.paragraph]
        quote = self.quote(hit.units)
        return Passage(
            quote=quote,
            article=article.id,
            article_title=article.title,
            section=section.heading,
            section_index=section.index,
            paragraph=paragraph.number,
            score=hit.score,
            matched_terms=hit.matched_terms,
            citation=Citation.of(article, section.heading),
            highlights=matched_spans(quote, hit.matched_terms, self.analyzer),
        )

    def _metadata_passages(self, articles: Sequence[Article], field: str) -> tuple[Passage, ...]:
        """One stated field per article that has it, each citing its own article; at most one
        more than an answer shows, which says "more than can be shown" (never all 10,000)."""
        found = (p for a in articles if (p := header_passage(a, field)))
        return tuple(itertools.islice(found, PASSAGES + 1))

    def _stated_anywhere(self, field: str) -> tuple[Passage, ...]:
        """`_metadata_passages` over every article, newest first, found once per field: a field
        that few or no headers state (「いつ出版されたか」 in a library without publication
        lines) took a look at all 10,000 headers, 90 ms, at every such question."""
        if field not in self._stated:
            self._stated[field] = self._metadata_passages(self.library.newest_first, field)
        return self._stated[field]

    def _articles_meant(self, question: str, header_only: bool) -> list[Article] | None:
        """The articles a header question is about: those it names by id, title or title words,
        else the one whose text its other words find strongly. A question naming none is about
        every article (None) if it asks about the header only (「この記事は誰が書いた」); if it
        also asks about the content, about none (it is searched instead)."""
        articles = self.library.articles
        if len(articles) <= 1:
            return list(articles)
        if named := self.headers.named_in(question):
            return named
        if header_only:
            return None
        rest = strip_field_words(question)
        if titled := self.headers.titled(self.analyzer.lemmas(rest)):
            return titled
        # 「Who wrote the Sahel article?」: the title says サヘル.
        english = _LATIN.search(rest) and not _JAPANESE.search(rest)
        if english and (titled := self.headers.titled([t for _, t in self.bridge.translate(rest)])):
            return titled
        terms = self.index.query_terms(rest)
        ranking = self.rank(rest, terms, 1) if not terms.empty else None
        if ranking is not None and ranking.answered:
            return [articles[self.index.units[ranking.hits[0].units[0]].article]]
        return []

    @cached_property
    def headers(self) -> Headers:
        """The names and title words of the library's headers, gathered once."""
        return Headers(self.library, self.analyzer)


def _compounds(m: Morpheme) -> bool:
    """Whether a word next to an unknown noun is part of the same compound (a noun, prefix or
    suffix, not a pronoun): ビット of ビットコイン, ラン of ホームラン."""
    return m.is_noun and m.pos != "代名詞" and m.is_content


def _as_written(term: str, question: str) -> str:
    """A word of the question as the member wrote it: the analysis lower-cases Latin letters,
    and a refusal saying 「nato」 or 「サッカーw杯」 appears nowhere should say 「NATO」, 「サッカーW杯」."""
    if not any(ch.isascii() and ch.isalpha() for ch in term):
        return term
    written = unicodedata.normalize("NFKC", question)
    at = written.lower().find(term.lower())
    return written[at : at + len(term)] if at >= 0 else term
