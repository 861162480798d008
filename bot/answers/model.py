"""The answer type shared by the console, the command line and Discord."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.articles.model import Article

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

    def text(self) -> str:
        """`title — section — author, publisher, date`, leaving out what the article lacks."""
        credit = ", ".join(x for x in (self.author, self.publisher, self.date) if x)
        return " — ".join(x for x in (self.title, self.section, credit) if x)


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


@dataclass(frozen=True)
class Answer:
    """What the bot says to a question: quoted passages best first, or an honest refusal.

    `kind` says how it was answered: `passage` (search), `metadata` (the article's header),
    `refused` (no evidence), `invalid` (nothing to search for), `no_metadata` (a question about
    the article's header, e.g. its author, that the header does not answer), `which_article` (a
    header question naming no article, among more articles than an answer lists: the user is
    asked which), `crosslingual` (an English question's candidates, found through
    `translations`: English word, article term; shown, but not an answer). `language` is `en`
    for a question written in Latin letters only.
    """

    question: str
    answered: bool
    kind: str
    passages: tuple[Passage, ...] = ()
    unknown_terms: tuple[str, ...] = ()
    coverage: float = 0.0
    language: str = "ja"
    translations: tuple[tuple[str, str], ...] = ()

    def translation_text(self) -> str:
        """`gorbachev → ゴルバチョフ, alaska → アラスカ`: what an English question was searched by."""
        return ", ".join(f"{en} → {ja}" for en, ja in self.translations)

    @property
    def shows_passages(self) -> bool:
        """Whether front ends show quotes: an answer, or an English question's candidates."""
        return bool(self.passages) and (self.answered or self.kind == "crosslingual")

    @property
    def refusal_key(self) -> str:
        """The message (`bot.strings`) saying why there is no answer: the article is to be
        named, the header lacks it, or the articles don't say."""
        return self.kind if self.kind in ("no_metadata", "which_article") else "refused"

    @property
    def best(self) -> Passage | None:
        return self.passages[0] if self.passages else None

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract: question, answered, passages[] (quote, article, section, score)."""
        data = asdict(self)
        for p in data["passages"]:
            p["citation_text"] = Citation(**p["citation"]).text()
        return data
