"""How long one changed article takes to be served: the stored index updated, not rebuilt.

On a copy of a knowledge folder whose index is stored (`--knowledge DIR`, e.g. the real-text
library `bench/run.py --knowledge` made, or `bench/out/synthetic-N`), in a process already
serving it, as a /reload or the folder watch finds it, this times
`KnowledgeBase.load(previous=…)` after each of: one article edited (a sentence added, in the
middle of the library), one added (a new file between two others), one removed; `--repeat`
times each, in turn. Each timing covers all of it: reading the folder listing, parsing and
analysing the article, copying the arrays into a new generation, and loading that.
`warm_up_s` is what follows before the bot serves it (`Answerer.warm_up`, while the old
articles are still answered from, in another thread). For comparison, `full_build_s` is the same load with the stored index removed (skipped with
`--no-build`).

Run: `python bench/update.py --knowledge DIR [--repeat 3] [--json]`. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.articles.library import is_article_name  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.search import store  # noqa: E402

ADDED = "。この一文は更新の計測のために加えた。"


WARM: list[float] = []


def timed(folder: Path, previous: KnowledgeBase | None) -> tuple[float, KnowledgeBase]:
    """Seconds until the changed folder's index is updated and loaded; the warm-up after it
    (the tables the first questions need, made before the bot swaps the new articles in) goes
    to WARM. In a thread of its own, as the bot reloads (the main thread would freeze every
    object a load makes, `bot.search.store._gc_paused`)."""
    out: list[tuple[float, KnowledgeBase]] = []

    def run() -> None:
        start = time.perf_counter()
        kb = KnowledgeBase.load(folder, previous=previous, warm=False)
        loaded = time.perf_counter()
        kb.answerer.warm_up()
        WARM.append(time.perf_counter() - loaded)
        out.append((loaded - start, kb))

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return out[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="update-bench-") as tmp:
        folder = Path(tmp) / "knowledge"
        shutil.copytree(args.knowledge, folder)  # with its stored index
        # The copy's pages are written back before anything is timed: a served index was
        # written long before a reload, and the first update would otherwise wait for the
        # kernel to flush half a gigabyte of this script's own copy (2.0 s instead of 0.9).
        os.sync()
        kb = KnowledgeBase.load(folder)  # current (or built once, if it was not)
        names = sorted(p.name for p in folder.iterdir() if is_article_name(p.name))
        middle = folder / names[len(names) // 2]
        times: dict[str, list[float]] = {"edit_s": [], "add_s": [], "remove_s": []}
        for i in range(args.repeat):
            text = middle.read_text(encoding="utf-8")
            middle.write_text(text.rstrip("\n") + ADDED * (i + 1) + "\n", encoding="utf-8")
            seconds, kb = timed(folder, kb)
            times["edit_s"].append(seconds)
            added = folder / f"{middle.stem}-update-bench{middle.suffix}"
            shutil.copyfile(folder / names[len(names) // 3], added)
            seconds, kb = timed(folder, kb)
            times["add_s"].append(seconds)
            added.unlink()
            seconds, kb = timed(folder, kb)
            times["remove_s"].append(seconds)
        row: dict[str, object] = {
            "articles": len(kb.library.articles),
            "sentences": kb.answerer.index.lemma_field.n_docs,
            **{name: round(statistics.median(values), 3) for name, values in times.items()},
            "max_s": round(max(max(v) for v in times.values()), 3),
            "all_s": {name: [round(v, 3) for v in values] for name, values in times.items()},
            "warm_up_s": round(statistics.median(WARM), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        if not args.no_build:
            shutil.rmtree(folder / store.INDEX_DIR)
            row["full_build_s"] = round(timed(folder, None)[0], 2)
    if not args.json:
        print("one article changed, then served (median of", args.repeat, "each):", file=sys.stderr)
    print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
