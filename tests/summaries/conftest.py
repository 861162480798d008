"""Fixtures for summary tests: the seed article, its key sentences, a folder with our own article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.articles import Article
from bot.knowledge_base import KnowledgeBase
from bot.text.tokens import Analyzer
from tests.summaries.helpers import RAIL

KEY_SENTENCES = Path(__file__).resolve().parents[2] / "bench" / "summary_key_sentences.json"


@pytest.fixture(scope="session")
def analyzer(kb: KnowledgeBase) -> Analyzer:
    return kb.analyzer


@pytest.fixture(scope="session")
def seed(kb: KnowledgeBase) -> Article:
    return kb.library.get("alaska-old-world-order")


@pytest.fixture(scope="session")
def key_sentences() -> set[str]:
    return set(json.loads(KEY_SENTENCES.read_text(encoding="utf-8"))["key_sentences"])


@pytest.fixture
def rail_folder(tmp_path: Path) -> Path:
    (tmp_path / "rail.md").write_text(RAIL, encoding="utf-8")
    return tmp_path
