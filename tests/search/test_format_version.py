"""`FORMAT_VERSION` moves with what parsing and analysis store.

The stored index is keyed by `bot.search.store.FORMAT_VERSION`, not by the code that made it, so
a change to sentence splitting, tokenizing, answer kinds or the article parsers must bump it, or
every running bot keeps serving an index made by the old code. This test indexes two fixed
articles (both formats) and compares a digest of every stored array with the one recorded for
the current version in `format_digest.json`.

- Digest changed, version not: bump `FORMAT_VERSION` in bot/search/store.py, then record the new
  digest (below).
- Version bumped: record the new digest for it.

Record with: `python -m tests.search.test_format_version`.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

from bot.articles import load_library
from bot.search import store
from bot.search.parts import IndexParts
from bot.text.tokens import Analyzer

RECORD = Path(__file__).parent / "format_digest.json"

EWAVE = """エントランスへ

北極圏の新しい航路
氷が溶けて開かれる海

The new Arctic route opens as the ice melts
War on UKRINE #8300 2 September 2025

RT 英語翻訳・山田花子(翻訳家)
独立系メデア E-wave Tokyo 2025年9月3日(JST)

2025年9月3日 10:00 北極

著者:執筆者:イワン・ペトロフ、北極研究所研究員


本文

 北極海の氷は毎年少しずつ減っている。砕氷船の需要は急速に伸びている。1990年代から半分になった。

■航路の経済性

 北極海航路はスエズ運河経由より距離が短い。輸送費は三割ほど安くなる可能性がある。プーチン大統領は東京とモスクワを結ぶと述べた。

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

量子計算機は重ね合わせを使って計算する。誤り訂正が最大の課題だ！なぜなら雑音に弱いからである。

## 誤り訂正

論理量子ビットを作るには、多数（数千個）の物理量子ビットが必要になる。「表面符号」がよく使われる。

## 応用

創薬と材料設計が有望な応用分野とされている。Google と IBM が 2019 年に競った。
"""


def digest() -> str:
    """sha256 over every stored array's name, dtype, shape and bytes, for the fixed articles."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "arctic.txt").write_text(EWAVE, encoding="utf-8")
        (folder / "quantum.md").write_text(MARKDOWN, encoding="utf-8")
        library = load_library(folder)
        arrays = store.stored_arrays(library, IndexParts.build(library, Analyzer()))
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = arrays[name]
        h.update(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def test_the_format_version_changes_with_the_stored_analysis():
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    now = digest()
    if record["format"] == store.FORMAT_VERSION:
        assert now == record["digest"], (
            "what the index stores has changed but bot/search/store.py's FORMAT_VERSION "
            f"({store.FORMAT_VERSION}) has not: bump it, then `python -m "
            "tests.search.test_format_version` to record the new digest"
        )
    else:
        raise AssertionError(
            f"FORMAT_VERSION is {store.FORMAT_VERSION} but {RECORD} records version "
            f"{record['format']}: run `python -m tests.search.test_format_version`"
        )


if __name__ == "__main__":
    RECORD.write_text(
        json.dumps({"format": store.FORMAT_VERSION, "digest": digest()}, indent=1) + "\n",
        encoding="utf-8",
    )
    sys.stdout.write(f"recorded {RECORD}\n")
