"""The loaded knowledge: articles plus everything built from them, swapped as one on reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.answers import Answer, Answerer
from bot.articles import Library, load_library
from bot.ranking.model import RankingModel
from bot.search import store
from bot.search.index import SearchIndex
from bot.search.parts import IndexParts
from bot.text.tokens import Analyzer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeBase:
    """Immutable: a reload builds a new one, so readers never see a half-built index."""

    library: Library
    answerer: Answerer

    @property
    def analyzer(self) -> Analyzer:
        return self.answerer.analyzer

    @classmethod
    def load(
        cls,
        folder: Path,
        analyzer: Analyzer | None = None,
        *,
        persist: bool = True,
        model: RankingModel | None = None,
        previous: KnowledgeBase | None = None,
        warm: bool = True,
    ) -> KnowledgeBase:
        """Articles and index of `folder`, from `<folder>/.index/` when it is current.

        With `persist=False`, or an analyzer other than the stock one (whose tokens the stored
        index was not made with), everything is parsed and indexed in memory. `previous` (a
        reload's current knowledge base) lets a few changed articles be spliced into the stored
        index it was loaded from without opening that again. `warm`: make now what the first
        questions would otherwise wait for (`Answerer.warm_up`), as a server should.
        """
        analyzer = analyzer or Analyzer()
        # A missing folder goes the in-memory way, where `load_library` reports it properly.
        if persist and type(analyzer) is Analyzer and folder.is_dir():
            before = (previous.library, previous.answerer.index.parts) if previous else None
            library, parts = store.load_or_build(folder, analyzer, before)
        else:
            library = load_library(folder)
            parts = IndexParts.build(library, analyzer)
        log.info("loaded %d article(s) from %s", len(library.articles), folder)
        index = SearchIndex(library, analyzer, parts)
        answerer = Answerer(library, analyzer, index, model)
        if warm:
            answerer.warm_up()
        return cls(library, answerer)

    def ask(self, question: str, earlier: str | None = None) -> Answer:
        """Answer `question`; `earlier` is the question it follows up (a reply to an answer)."""
        return self.answerer.answer(question, earlier=earlier)


class FolderWatch:
    """Tells when the knowledge folder's files changed (added, edited, removed, by size and
    modification time) and have then stayed as they are for one more look, so that a file
    still being copied in is not read half-written. Only the folder listing is read: a few
    milliseconds for 10,000 files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen = self._stamps()
        self.pending: dict[str, list[int]] | None = None

    def _stamps(self) -> dict[str, list[int]] | None:
        try:
            return store.file_stamps(self.folder)
        except OSError:  # gone or unreadable for now: /reload reports it if asked
            return None

    def changed(self) -> bool:
        """Look again; True once per change, when it has settled."""
        now = self._stamps()
        if now is None or now == self.seen:
            self.pending = None
            return False
        if now != self.pending:
            self.pending = now
            return False
        self.seen, self.pending = now, None
        return True
