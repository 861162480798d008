"""`summarize`: an extractive, cited summary of an article or of one of its sections.

Sentences are scored by LexRank centrality times general location and cue priors, then chosen
by MMR spread over sections (over paragraphs when one section is summarised), and returned in
article order. Nothing is generated, so every sentence can be quoted verbatim with its place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from bot.articles import Article, Library, Section
from bot.summaries.candidates import Candidate, candidates
from bot.summaries.centrality import lexrank, similarity, tfidf
from bot.summaries.model import LENGTHS, Length, Summary, SummaryError, SummarySentence
from bot.summaries.salience import priors
from bot.summaries.selection import best_per_group, select
from bot.text.tokens import Analyzer, bigrams

SIZES: dict[str, int] = {"short": 3, "long": 8}
CACHE_SIZE = 256


def summarize(
    source: Article | Library,
    article: str | None = None,
    *,
    section: int | str | None = None,
    length: str = "short",
    analyzer: Analyzer,
) -> Summary:
    """Summarise `source`, or, when it is a library, its article `article` (id, id prefix or
    part of the title; by default the only or the newest article).

    Raises SummaryError naming what exists when the article, section or length is unknown.
    Results are cached per article content, section and length, since Discord asks repeatedly.
    """
    target = source if isinstance(source, Article) else find_article(source, article)
    if length not in LENGTHS:
        raise SummaryError("unknown_length", key=length, lengths=", ".join(LENGTHS))
    chosen = (
        None if section is None or str(section).strip() == "" else find_section(target, section)
    )
    return _summarize(target, None if chosen is None else chosen.index, length, analyzer)


def find_article(library: Library, key: str | None) -> Article:
    """The article `key` names; without a key the only article, or else the newest by date."""
    if not library.articles:
        raise SummaryError("no_articles")
    if key is None or not key.strip():
        return max(library.articles, key=lambda a: a.date_order)
    found = library.get(key)
    if found is None:
        ids = ", ".join(a.id for a in library.articles)
        raise SummaryError("unknown_article", key=key.strip(), ids=ids)
    return found


def find_section(article: Article, key: int | str) -> Section:
    """A section by index, exact heading or unique part of a heading."""
    found = article.section(key)
    if found is None:
        listing = ", ".join(f"{s.index}. {s.heading}" for s in article.sections)
        raise SummaryError("unknown_section", article=article.id, key=key, sections=listing)
    return found


@lru_cache(maxsize=CACHE_SIZE)
def _summarize(
    article: Article, section: int | None, length: Length, analyzer: Analyzer
) -> Summary:
    sections = article.sections if section is None else (article.sections[section],)
    cands = candidates(sections, by_paragraph=section is not None)
    picked = _pick(cands, length, analyzer)
    return Summary(
        article_id=article.id,
        title=article.title,
        length=length,
        section=None if section is None else article.sections[section].heading,
        section_index=section,
        sentences=tuple(
            SummarySentence(c.text, c.section.heading, c.section.index, c.paragraph)
            for c in (cands[i] for i in sorted(picked))
        ),
    )


def _pick(cands: list[Candidate], length: Length, analyzer: Analyzer) -> list[int]:
    """Indices into `cands` of the sentences to quote."""
    if not cands:
        return []
    lemmas = [analyzer.lemmas(c.text) for c in cands]
    grams = [bigrams(c.text) for c in cands]
    sim = similarity([tfidf(lemmas), tfidf(grams)])
    # A sentence without a word ("……。") says nothing: quoted only when nothing else is left.
    wordy = np.array([bool(g) for g in grams])
    scores = lexrank(sim) * priors(cands, lemmas) * wordy
    groups = [c.group for c in cands]
    if length == "outline":
        if len({c.section.index for c in cands}) == 1:
            return [int(np.argmax(scores))]
        return best_per_group(scores, groups)
    return select(scores, sim, groups, SIZES[length])
