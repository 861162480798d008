"""Fixtures of the search tests."""

from pathlib import Path

import pytest

from bot.search import store
from bot.search.parts import IndexParts


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every index build, by the folder of its library."""
    calls: list[Path] = []
    real = IndexParts.build

    def counting(library, analyzer):
        calls.append(library.folder)
        return real(library, analyzer)

    monkeypatch.setattr(store.IndexParts, "build", counting)
    return calls
