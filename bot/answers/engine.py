"""From a question to an `Answer`: header questions from the header, the rest by passage search.

A passage answers only if the evidence holds up, checked in this order of cost:
- its fused score (a share of the best score the question could reach) is at least 0.1;
- a question naming someone the articles never mention needs half its lemma IDF mass matched;
- words the articles never use, with fewer than two matched, mean another topic (see below);
- a question asking how many or when needs a passage holding a number or a date.
The cut-offs sit well below the weakest answerable dev question, and were checked on held-out
question sets (`docs/retrieval.md`). English questions go their own way (`_answer_english`).
"""

from __future__ import annotations

import re
from functools import cached_property

from bot.answers.expected import can_answer, expected_type
from bot.answers.highlight import matched_spans
from bot.answers.metadata import SOURCES, metadata_field, strip_field_words
from bot.answers.model import HEADER_SECTION, Answer, Citation, Passage
from bot.answers.questions import clean_question
from bot.articles import Article, Library
from bot.search.index import MAX_QUOTE_CHARS, Hit, SearchIndex
from bot.search.loanwords import LoanwordBridge
from bot.text.sentences import clip
from bot.text.tokens import Analyzer, Morpheme, bigrams, normalize

MIN_SCORE = 0.1
# A question about a person or place the articles never name (ゼレンスキー, 中国) is about
# something else, unless the rest of it matches strongly.
MIN_COVERAGE_WITH_UNKNOWN_NAME = 0.5
# A question that matches fewer than two words of a passage and also holds words the articles
# never use asks about something they don't discuss: 「アラスカの天気は」 (a known name as the
# setting, an unknown subject), 「アラスカ会談でどんな停戦合意が署名されたのか」 (two unknown words).
# One unknown word beside a matched common word is more often a paraphrase of what they do
# discuss (「サミットで何が証明された」 for 首脳会談, 「米国が方針を変えた」 for アプローチ).
MIN_MATCHED_WITH_UNKNOWN = 2
MIN_UNKNOWN_TO_REFUSE = 2
PASSAGES = 3
_JAPANESE = re.compile(r"[ぁ-ゖァ-ヺ一-鿿々]")
_LATIN = re.compile(r"[A-Za-z]")


class Answerer:
    """Answers questions about one library; immutable once built, safe to share across threads."""

    def __init__(
        self,
        library: Library,
        analyzer: Analyzer | None = None,
        index: SearchIndex | None = None,
    ) -> None:
        """`index`, when given, must be of `library` with `analyzer`'s tokens (a stored one)."""
        self.library = library
        self.analyzer = analyzer or Analyzer()
        self.index = index or SearchIndex(library, self.analyzer)

    def answer(self, question: str, k: int = PASSAGES) -> Answer:
        text = clean_question(question)
        if not text:
            return Answer(question, False, "invalid")
        field = metadata_field(text, self.analyzer.lemmas)
        if field is not None:
            passages = self._metadata_passages(text, field)
            if passages:
                return Answer(question, True, "metadata", passages, coverage=1.0)
            # Asked who wrote it and nothing else, and the header doesn't say: searching the
            # text for 「書いた」 would quote any sentence that happens to share a word. A
            # question that also asks about the content (「記事によると、プーチンはいつ訪れた」)
            # is searched.
            if not self.analyzer.lemmas(strip_field_words(text)):
                return Answer(question, False, "no_metadata")
        if _LATIN.search(text) and not _JAPANESE.search(text):
            return self._answer_english(question, text, k)
        return self._answer_japanese(question, text, k)

    def _answer_japanese(self, question: str, text: str, k: int) -> Answer:
        terms = self.index.query_terms(text)
        if terms.empty:
            return Answer(question, False, "invalid")
        hits = self.index.search(terms, k)
        unknown, names_unknown_entity, unknown_words = self.unknown_terms(text)
        if not hits:
            return Answer(question, False, "refused", unknown_terms=unknown)
        hits, passages, fits = self._expected_first(text, hits)
        coverage = round(self.index.max_lemma_coverage(terms, hits[0]), 3)
        answered = (
            fits
            and hits[0].score >= MIN_SCORE
            and not (names_unknown_entity and coverage < MIN_COVERAGE_WITH_UNKNOWN_NAME)
            and not self._about_something_else(text, unknown_words, hits[0])
        )
        return Answer(
            question,
            answered,
            "passage" if answered else "refused",
            passages,
            unknown_terms=unknown,
            coverage=coverage,
        )

    def _expected_first(
        self, question: str, hits: list[Hit]
    ) -> tuple[list[Hit], tuple[Passage, ...], bool]:
        """Hits and passages with, for 「何時間」「いつ」 questions, the first passage holding a
        number or a date put first; False when none does (the topic matched, the question is
        not answered)."""
        passages = [self._passage(h) for h in hits]
        expected = expected_type(question)
        if not expected:
            return hits, tuple(passages), True
        fitting = [i for i, p in enumerate(passages) if can_answer(expected, p.quote)]
        if not fitting:
            return hits, tuple(passages), False
        first = fitting[0]
        order = [first, *(i for i in range(len(hits)) if i != first)]
        return [hits[i] for i in order], tuple(passages[i] for i in order), True

    @cached_property
    def bridge(self) -> LoanwordBridge:
        """Made on the first English question: most libraries never get one."""
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
        if all(en == term for en, term in pairs):
            # Nothing to translate, at most words the articles spell the same (NATO, or 「G7」
            # which shares no word at all): the ordinary search may well answer it.
            fallback = self._answer_japanese(question, text, k)
            if fallback.answered:
                return fallback
            if not pairs:
                return Answer(question, False, "refused", language="en")
        terms = self.index.terms_of_words([term for _, term in pairs])
        hits = self.index.search(terms, k)
        if not hits:
            return Answer(question, False, "refused", language="en", translations=pairs)
        hits, passages, _ = self._expected_first(text, hits)
        return Answer(
            question,
            False,
            "crosslingual",
            passages,
            coverage=round(self.index.max_lemma_coverage(terms, hits[0]), 3),
            language="en",
            translations=tuple((en, term) for en, term in pairs if en != term),
        )

    def _about_something_else(self, question: str, unknown_words: int, best: Hit) -> bool:
        matched = set(best.matched_terms)
        if not unknown_words or len(matched) >= MIN_MATCHED_WITH_UNKNOWN:
            return False
        if unknown_words >= MIN_UNKNOWN_TO_REFUSE:
            return True
        names = {m.lemma for m in self.analyzer.morphemes(question) if m.is_name}
        return matched <= names

    def unknown_terms(self, question: str) -> tuple[tuple[str, ...], bool, int]:
        """Nouns of the question that occur nowhere in the articles, whether one is a name, and
        how many words they are.

        Adjacent unknown nouns merge, so ビットコイン is named whole rather than as ビット, コイン;
        but it still counts as two unknown words (論理量子ビット as three) when judging whether
        the question is about something else.
        """
        runs: list[list[Morpheme]] = []
        previous_unknown = False
        for m in self.analyzer.morphemes(question):
            unknown = m.is_noun and m.is_content and not self._known(m)
            if unknown:
                if previous_unknown:
                    runs[-1].append(m)
                else:
                    runs.append([m])
            previous_unknown = unknown
        terms: list[str] = []
        has_name = False
        for run in runs:
            term = "".join(
                (" " if i and m.surface.isascii() and run[i - 1].surface.isascii() else "")
                + m.surface
                for i, m in enumerate(run)
            )
            if len(term) >= 2 and term not in terms:
                terms.append(term)
                has_name = has_name or any(m.is_name for m in run)
        return tuple(terms), has_name, sum(len(run) for run in runs)

    def _known(self, m: Morpheme) -> bool:
        if self.index.is_known(m.lemma):
            return True
        grams = bigrams(m.surface)
        return len(m.surface) > 1 and all(g in self.index.bigram_field.vocabulary for g in grams)

    def _passage(self, hit: Hit) -> Passage:
        first, last = self.index.units[hit.units[0]], self.index.units[hit.units[-1]]
        article = self.library.articles[first.article]
        section = article.sections[first.section]
        paragraph = section.paragraphs[first.paragraph]
        start = paragraph.text.find(first.text)
        end = paragraph.text.find(last.text, start) + len(last.text)
        quote = paragraph.text[start:end] if start >= 0 and end > start else first.text
        quote = clip(quote, MAX_QUOTE_CHARS)
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

    def _metadata_passages(self, question: str, field: str) -> tuple[Passage, ...]:
        passages = []
        for article in self._articles_meant(question):
            line = next((h for name in SOURCES[field] if (h := article.header(name))), None)
            if line is None:
                value = getattr(article, field, None)
                if not value:
                    continue
                text = value
            else:
                text = line.text
            passages.append(
                Passage(
                    quote=clip(text, MAX_QUOTE_CHARS),
                    article=article.id,
                    article_title=article.title,
                    section=HEADER_SECTION,
                    section_index=-1,
                    paragraph=0,
                    score=1.0,
                    matched_terms=(field,),
                    citation=Citation.of(article, HEADER_SECTION),
                )
            )
        return tuple(passages[:PASSAGES])

    def _articles_meant(self, question: str) -> list[Article]:
        """The article a header question is about: named by its id or title words, else all, newest first."""
        articles = list(self.library.articles)
        if len(articles) <= 1:
            return articles
        q = normalize(question)
        named = [a for a in articles if a.id in q or normalize(a.title) in q]
        if named:
            return named
        terms = self.index.query_terms(strip_field_words(question))
        hits = self.index.search(terms, 1) if not terms.empty else []
        if hits and hits[0].score >= MIN_SCORE:
            return [articles[self.index.units[hits[0].units[0]].article]]
        return sorted(articles, key=lambda a: a.date_order, reverse=True)
