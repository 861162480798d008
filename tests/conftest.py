"""Shared fixtures: the bundled knowledge base (built once) and sample articles in both formats.

Tests leave the checkout as they found it: the bundled articles are served from a copy in a
temporary folder (building an index writes `.index/` beside the articles), the query log is a
temporary file, every subprocess inherits `BOT_KNOWLEDGE_DIR` and `BOT_LOG_DB` pointing there,
and a session that leaves a new `knowledge/.index/` behind or touches `data/queries.sqlite3`
fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.knowledge_base import KnowledgeBase
from bot.settings import BUNDLED_KNOWLEDGE, DEFAULT_LOG_DB

SEED = BUNDLED_KNOWLEDGE / "alaska-old-world-order.txt"

SECOND_EWAVE = """エントランスへ

北極圏の新しい航路
氷が溶けて開かれる海

The new Arctic route opens as the ice melts
War on UKRINE #8300 2 September 2025

RT 英語翻訳・山田花子(翻訳家)
独立系メデア E-wave Tokyo 2025年9月3日(JST)

2025年9月3日 10:00 北極

著者:執筆者:イワン・ペトロフ、北極研究所研究員


本文

 北極海の氷は毎年少しずつ減っている。砕氷船の需要は急速に伸びている。

■航路の経済性

 北極海航路はスエズ運河経由より距離が短い。輸送費は三割ほど安くなる可能性がある。

■環境への懸念

 専門家は生態系への影響を警告している。「氷が戻ることはない。」と研究者は述べた。

この記事は雑誌 Arctic Review に最初に掲載され、RTチームによって翻訳・編集されました。


本稿終了
"""

MARKDOWN = """---
title: 量子計算機の現在
author: 佐藤一郎
publisher: テスト出版
date: 2025-10-01
url: https://example.org/quantum
---

量子計算機は重ね合わせを使って計算する。誤り訂正が最大の課題だ。

## 誤り訂正

論理量子ビットを作るには多数の物理量子ビットが必要になる。表面符号がよく使われる。

## 応用

創薬と材料設計が有望な応用分野とされている。
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes several seconds; CI runs it, `-m 'not slow'` skips it locally"
    )


@pytest.fixture(scope="session")
def knowledge_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled articles, copied out of the checkout."""
    folder = tmp_path_factory.mktemp("knowledge")
    for path in BUNDLED_KNOWLEDGE.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _knowledge_out_of_checkout(
    knowledge_copy: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    index = BUNDLED_KNOWLEDGE / ".index"
    existed = index.exists()
    real_log = DEFAULT_LOG_DB
    before = _stamp(real_log)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BOT_KNOWLEDGE_DIR", str(knowledge_copy))
        mp.setenv("BOT_LOG_DB", str(tmp_path_factory.mktemp("log") / "queries.sqlite3"))
        yield
    if not existed and index.exists():
        raise AssertionError(f"a test wrote {index} into the checkout")
    if _stamp(real_log) != before:
        raise AssertionError(f"a test wrote to the real query log {real_log}")


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a file (and its WAL), None when there is none."""
    try:
        stats = [p.stat() for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    except OSError:
        return None
    return (sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats)) if stats else None


@pytest.fixture(scope="session")
def kb(knowledge_copy: Path) -> KnowledgeBase:
    return KnowledgeBase.load(knowledge_copy)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A knowledge folder with the seed, a second E-wave article and a Markdown article."""
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    (tmp_path / "alaska-old-world-order.meta.toml").write_text(
        (BUNDLED_KNOWLEDGE / "alaska-old-world-order.meta.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (tmp_path / "arctic-route.txt").write_text(SECOND_EWAVE, encoding="utf-8")
    (tmp_path / "quantum.md").write_text(MARKDOWN, encoding="utf-8")
    return tmp_path


def markdown_article(folder: Path, name: str, title: str, lead: str, **sections: str) -> Path:
    """Write `<name>.md`: front matter with the title, the lead, then one `##` per section."""
    body = "".join(f"## {heading}\n\n{text}\n\n" for heading, text in sections.items())
    path = folder / f"{name}.md"
    path.write_text(f"---\ntitle: {title}\n---\n\n{lead}\n\n{body}", encoding="utf-8")
    return path
