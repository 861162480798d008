"""The loaded knowledge: articles plus everything built from them, swapped as one on reload."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.answers import Answer, Answerer
from bot.articles import Library, load_library
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
    def load(cls, folder: Path, analyzer: Analyzer | None = None) -> KnowledgeBase:
        library = load_library(folder)
        log.info("loaded %d article(s) from %s", len(library.articles), folder)
        return cls(library, Answerer(library, analyzer))

    def ask(self, question: str) -> Answer:
        return self.answerer.answer(question)
