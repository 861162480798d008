"""`summarize`: an extractive, cited summary of an article or of one of its sections.

Sentences are scored by LexRank centrality times general location and cue priors, then chosen
by MMR spread over sections (over paragraphs when one section is summarised), and returned in
article order. Nothing is generated, so every sentence can be quoted verbatim with its place.

LexRank compares every sentence with every other (and its TF-IDF matrix is sentences ×
vocabulary), so a long article first goes through a linear-time shortlist: the
`MAX_CANDIDATES` sentences closest to the article's centroid (MEAD's centroid score, over
character bigrams), the first sentence of each section among them. Cost is then bounded
whatever the article's length.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
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
# The most sentences LexRank runs over: its cost grows with the square of this.
MAX_CANDIDATES = 400


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
        return library.newest_first[0]
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


def shortlist(cands: list[Candidate], limit: int = MAX_CANDIDATES) -> list[int]:
    """Indices (in article order) of at most `limit` sentences worth ranking, in linear time.

    Each sentence scores the summed weight of its distinct bigrams in the article's centroid
    (how often the article uses each bigram, times its IDF over sentences), divided by the
    square root of its bigram count so long sentences do not win by length alone. Sections'
    opening sentences are kept first (up to half the limit), since summaries spread over
    sections.
    """
    if len(cands) <= limit:
        return list(range(len(cands)))
    # Two passes that recompute each sentence's bigrams rather than keep them: memory stays
    # the size of the vocabulary, not of the article.
    df: Counter[str] = Counter()
    for c in cands:
        df.update(set(bigrams(c.text)))
    n = len(cands)
    weight = {g: count * math.log((1 + n) / (1 + count)) for g, count in df.items()}
    score = [_centroid_score(set(bigrams(c.text)), weight) for c in cands]
    openers = [i for i, c in enumerate(cands) if c.opens_section][: limit // 2]
    taken = set(openers)
    rest = heapq.nlargest(
        limit - len(taken), (i for i in range(n) if i not in taken), key=score.__getitem__
    )
    return sorted(taken.union(rest))


def _centroid_score(grams: set[str], weight: dict[str, float]) -> float:
    return sum(weight[g] for g in grams) / math.sqrt(len(grams)) if grams else 0.0


def _pick(cands: list[Candidate], length: Length, analyzer: Analyzer) -> list[int]:
    """Indices into `cands` of the sentences to quote."""
    if not cands:
        return []
    if len(cands) > MAX_CANDIDATES:
        kept = shortlist(cands)
        return [kept[i] for i in _pick([cands[i] for i in kept], length, analyzer)]
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
