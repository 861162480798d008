"""The features the ranking model reads, named in one place.

Window features (one row per candidate window, `window_features`) rank the first stage's
windows; question features (`question_features`) describe the best window and the question as a
whole, and decide whether it is an answer or a refusal. The model file stores the names it was
fitted with, and loading it checks them against these lists, so a renamed or reordered feature
can never be read with another's weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.search.index import MAX_QUOTE_CHARS, Candidates
from bot.text.kinds import KINDS, PERSON, PLACE

WINDOW_FEATURES = (
    # Each field's BM25 over the window, each query term at its best sentence, as a share of
    # the best score the question could reach in that field.
    "lemma",
    "bigram",
    "kanji",
    # The same three for the window's best single sentence (each field's best).
    "core_lemma",
    "core_bigram",
    "core_kanji",
    # Share of the question's lemma IDF mass the window matches (rare words count most), and
    # that its best-covering single sentence matches.
    "lemma_idf_coverage",
    "core_idf_coverage",
    # The window's share of the question's lemma IDF mass with its article's title words
    # counted as present: every passage is about its article's subject, so 「ルガンスク人民共和国の
    # 通貨は？」 is answered by 「通貨はロシア・ルーブルが採用されている。」, which never names it.
    "titled_coverage",
    # Proximity: the longest stretch of the question's character bigrams within one sentence.
    "bigram_run",
    # Proximity: how much of the window's score its best single sentence holds.
    "core_share",
    # The window against the best first-stage candidate (0 for that one, negative below).
    "fused_gap",
    # Length: extra sentences beyond the first, and characters as a share of the quote limit.
    "extra_sentences",
    "chars",
    # The article prior: share of the question's lemma IDF mass its whole article holds, and
    # share of its title's bigrams the question holds (「梅雨とは何季の一種か」 in 「梅雨」).
    "article_coverage",
    "title_in_question",
    # The rarest question lemma the window lacks, and that its article lacks (IDF as a share of
    # an unseen word's): one missing rare word says "another subject" better than an average.
    "window_missing",
    "article_missing",
    # Share of the question's proper nouns that neither the window nor its article's title
    # holds: 「コンゴ共和国の公用語は」 is not answered by 「公用語はオランダ語。」, however rare 公用語.
    "names_missing",
    # The expected answer type (`bot.answers.expected`) found in the window: a person or place
    # name the question doesn't already name, a number, a time, a reason clause.
    *(f"asks_{kind}_has_{kind}" for kind in KINDS),
)

# Window evidence the refusal reads of the best window but the ranker does not weigh: fitted
# with the names missing, the ranker put the right window first for four fewer of the 288
# news-domain questions held out by article (docs/retrieval.md), whose answers name a person
# or country in other words (同氏, 同国) more often than Wikipedia's do.
REFUSAL_ONLY = ("names_missing",)
RANKED = tuple(name for name in WINDOW_FEATURES if name not in REFUSAL_ONLY)
_RANKED_COLUMNS = np.array([WINDOW_FEATURES.index(name) for name in RANKED])

# What the window ranker's trees read: each ranked window feature as it is, the same minus the
# best value among the question's windows (trees split on one feature at a time, so "the best
# bigram match of all candidates" has to be a feature of its own), and how many candidates
# there are (log).
RANKER_FEATURES = (
    *RANKED,
    *(f"{name}_below_best" for name in RANKED),
    "candidates",
)

QUESTION_FEATURES = (
    # The ranking model's score of the best window, and its softmax share among candidates.
    "top_score",
    "top_share",
    # The best window's evidence: its WINDOW_FEATURES.
    *(f"top_{name}" for name in WINDOW_FEATURES),
    # The question asks for a kind of answer the best window does not hold.
    "kind_missing",
    # Nouns of the question the articles never use, and whether one of them is a name.
    "unknown_words",
    "unknown_name",
    # Share of the question's lemma and bigram IDF mass the articles never use at all: a
    # question about another subject is made of words the library doesn't have.
    "unknown_lemma_share",
    "unknown_bigram_share",
    # How many content words the question has (log(1 + n)): one matched word of two is weak
    # evidence, of one it is all there is.
    "question_words",
    # The library's size (log of its sentences): every word is more likely unknown to one
    # article than to thirty, and a near match is more telling among few sentences.
    "library_size",
)


@dataclass(frozen=True)
class QuestionShape:
    """What the features need to know of the question itself."""

    asked: str | None  # the kind of answer it expects (`bot.answers.expected`)
    named: dict[str, str]  # its lemmas that are person or place names -> that kind
    unknown_words: int
    unknown_name: bool
    content_words: int
    title_overlap: dict[int, float]  # article index -> share of its title's bigrams in the question
    held_by_titles: dict[str, tuple[int, ...]]  # question lemma -> articles whose title holds it
    names: frozenset[str]  # the question's lemmas that are proper nouns (`Morpheme.is_name`)
    unknown_lemma_share: float
    unknown_bigram_share: float
    library_sentences: int


def window_features(c: Candidates, q: QuestionShape) -> np.ndarray:
    """windows × WINDOW_FEATURES."""
    n = len(c.windows)
    asks = np.zeros((n, len(KINDS)))
    if q.asked is not None:
        k = KINDS.index(q.asked)
        held = c.kinds[:, k].astype(np.float64)
        if q.asked in (PERSON, PLACE):
            # Names the question itself gives (matched in the window) are not the answer.
            rows = [i for i, term in enumerate(c.terms) if q.named.get(term) == q.asked]
            if rows:
                held = held - (c.best[rows] > 0).sum(axis=0)
        asks[:, k] = held > 0
    sizes = np.array([len(w) for w in c.windows], dtype=np.float64)
    safe = np.where(c.fused > 0, c.fused, 1.0)
    columns = [
        c.fields[:, 0],
        c.fields[:, 1],
        c.fields[:, 2],
        c.core_fields[:, 0],
        c.core_fields[:, 1],
        c.core_fields[:, 2],
        c.lemma_coverage,
        c.core_coverage,
        _titled_coverage(c, q),
        c.bigram_run,
        np.where(c.fused > 0, c.core / safe, 0.0),
        c.fused - c.fused.max(),
        sizes - 1,
        np.minimum(c.chars, MAX_QUOTE_CHARS) / MAX_QUOTE_CHARS,
        c.article_coverage,
        np.array([q.title_overlap.get(int(a), 0.0) for a in c.articles]),
        c.window_missing,
        c.article_missing,
        _names_missing(c, q),
    ]
    return np.column_stack([*columns, asks])


def _titled_coverage(c: Candidates, q: QuestionShape) -> np.ndarray:
    """Per window: the share of the question's lemma IDF mass it matches or its article's
    title holds."""
    out = c.lemma_coverage.copy()
    for i, term in enumerate(c.terms):
        if c.lemma_share[i] > 0 and (held := _held_by_title(term, c, q)) is not None:
            out += c.lemma_share[i] * (held & (c.best[i] <= 0))
    return out


def _names_missing(c: Candidates, q: QuestionShape) -> np.ndarray:
    """Per window: the share of the question's names neither it nor its article's title holds
    (a name no sentence holds is missing from every window, unless a title holds it)."""
    if not q.names:
        return np.zeros(len(c.windows))
    rows = {t: i for i, t in enumerate(c.terms) if c.term_fields[i] == 0}
    missing = np.zeros(len(c.windows))
    for name in q.names:
        held = _held_by_title(name, c, q)
        if held is None:
            held = np.zeros(len(c.windows), dtype=bool)
        if name in rows:
            held = held | (c.best[rows[name]] > 0)
        missing += ~held
    return missing / len(q.names)


def _held_by_title(term: str, c: Candidates, q: QuestionShape) -> np.ndarray | None:
    """Per window: whether its article's title holds `term` (None when no title does)."""
    if not (articles := q.held_by_titles.get(term)):
        return None
    held = c.articles == articles[0]
    for a in articles[1:]:
        held |= c.articles == a
    return held


def ranker_inputs(windows: np.ndarray) -> np.ndarray:
    """windows × RANKER_FEATURES, from windows × WINDOW_FEATURES."""
    ranked = windows[:, _RANKED_COLUMNS]
    count = np.full((len(windows), 1), np.log(max(len(windows), 1)))
    return np.hstack([ranked, ranked - ranked.max(axis=0, initial=-np.inf), count])


def lacks_asked_kind(window: np.ndarray, q: QuestionShape) -> bool:
    """Whether the question asks for a kind of answer (a person, a place, a number, a time, a
    reason) that the window (a row of WINDOW_FEATURES) does not hold."""
    return (
        q.asked is not None and not window[WINDOW_FEATURES.index(f"asks_{q.asked}_has_{q.asked}")]
    )


def question_features(
    windows: np.ndarray, scores: np.ndarray, top: int, q: QuestionShape
) -> np.ndarray:
    """QUESTION_FEATURES for the window `top`, given every window's features and scores."""
    shifted = np.exp(scores - scores.max())
    row = windows[top]
    return np.array(
        [
            scores[top],
            shifted[top] / shifted.sum(),
            *row,
            float(lacks_asked_kind(row, q)),
            float(q.unknown_words),
            float(q.unknown_name),
            q.unknown_lemma_share,
            q.unknown_bigram_share,
            float(np.log1p(q.content_words)),
            float(np.log(max(q.library_sentences, 1))),
        ]
    )
