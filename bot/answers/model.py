"""The answer type shared by the console, the command line and Discord."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from enum import StrEnum
from typing import Any

from bot.articles.model import Article, credit

HEADER_SECTION = "記事情報"


@dataclass(frozen=True)
class Citation:
    """Where a quote comes from: enough to find it and credit it."""

    title: str
    section: str
    author: str | None
    publisher: str | None
    date: str | None
    url: str | None = None

    @classmethod
    def of(cls, article: Article, section: str) -> Citation:
        return cls(
            article.title, section, article.author, article.publisher, article.date, article.url
        )

    def text(self, section: str | None = None) -> str:
        """`title — section — author, publisher, date`, leaving out what the article lacks;
        `section` names the section in the reader's language instead (lead, article header)."""
        by = credit(self.author, self.publisher, self.date)
        return " — ".join(x for x in (self.title, section or self.section, by) if x)


@dataclass(frozen=True)
class HeaderFact:
    """What a metadata answer states, and the header line it was read from.

    `line` and `source` are the line's number and verbatim text, so that a stated answer can be
    traced to the file; 0 and "" when the value comes from a sidecar correction instead.
    `detail` is a role given with a name (the author's position).
    """

    field: str
    value: str
    detail: str | None = None
    line: int = 0
    source: str = ""


@dataclass(frozen=True)
class Passage:
    """A verbatim quote and its place in an article; for a metadata answer, a sentence stating a
    header field (`fact`), its value verbatim from the header."""

    quote: str
    article: str
    article_title: str
    section: str
    section_index: int
    paragraph: int
    score: float
    matched_terms: tuple[str, ...]
    citation: Citation
    highlights: tuple[tuple[int, int], ...] = ()
    fact: HeaderFact | None = None


class AnswerKind(StrEnum):
    """How a question was handled (`Answer.kind`); the query log stores the value."""

    PASSAGE = "passage"  # quoted from the text found by search
    METADATA = "metadata"  # stated from the article's header
    REFUSED = "refused"  # the articles don't say
    INVALID = "invalid"  # nothing to search for
    NO_METADATA = "no_metadata"  # a header question (its author) the header does not answer
    WHICH_ARTICLE = "which_article"  # a header question naming none of many articles
    CROSSLINGUAL = "crosslingual"  # an English question's candidates: shown, not an answer


@dataclass(frozen=True)
class Answer:
    """What the bot says to a question: quoted passages best first, or an honest refusal.

    `kind` says how it was handled (`AnswerKind`); an English question's candidates are found
    through `translations` (English word, article term). `language` is `en` for a question
    written in Latin letters only.
    """

    question: str
    answered: bool
    kind: AnswerKind
    passages: tuple[Passage, ...] = ()
    unknown_terms: tuple[str, ...] = ()
    coverage: float = 0.0
    language: str = "ja"
    translations: tuple[tuple[str, str], ...] = ()
    # The earlier question this one continued (a follow-up is searched with its words).
    continues: str | None = None
    # The ranking model's probability that the first passage is the right one (None: stated
    # from a header, or not searched). Readers see it as a word (`bot.ranking.confidence`).
    confidence: float | None = None
    # The kind of answer the question asks for (誰, どこ, いつ, 何人, なぜ: `bot.text.kinds`) when
    # the first passage holds none: 「いつ会談が行われた？」 quoted from a passage with no date.
    # Such answers are right less often than the probability says (`bot.ranking.confidence`),
    # and front ends say what the passage lacks.
    lacking_kind: str | None = None
    # Refused, but the first passage came close: front ends show it as the nearest passage,
    # marked as not an answer (`bot.ranking.model.Verdict.near`).
    nearest: bool = False

    def translation_text(self) -> str:
        """`gorbachev → ゴルバチョフ, alaska → アラスカ`: what an English question was searched by."""
        return ", ".join(f"{en} → {ja}" for en, ja in self.translations)

    @property
    def shows_passages(self) -> bool:
        """Whether front ends show quotes: an answer, or an English question's candidates."""
        return bool(self.passages) and (self.answered or self.kind == AnswerKind.CROSSLINGUAL)

    @property
    def refusal_key(self) -> str:
        """The message (`bot.strings`) saying why there is no answer: the article is to be
        named, the header lacks it, no passage clearly answers (the nearest is shown), or the
        articles don't say."""
        if self.kind in (AnswerKind.NO_METADATA, AnswerKind.WHICH_ARTICLE):
            return self.kind.value
        return "refused_near" if self.nearest and self.passages else AnswerKind.REFUSED.value

    @property
    def best(self) -> Passage | None:
        return self.passages[0] if self.passages else None

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract: question, answered, passages[] (quote, article, section, score)."""
        data = _plain(self)
        for p in data["passages"]:
            p["citation_text"] = Citation(**p["citation"]).text()
        return data


def _plain(value: Any) -> Any:
    """What `dataclasses.asdict` makes of an answer, without its deep copy of every string
    (three quarters of a millisecond an answer, a tenth of `ask --json`'s time over JSQuAD)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
