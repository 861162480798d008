"""Summary precision against sentences a careful reader picked, next to the lead-3 baseline.

Precision is the share of a summary's sentences that are in the reader's list; coverage is the
share of the article's non-empty sections the summary quotes from. Run:
`python bench/summary_eval.py [KEY_SENTENCES.json ...]` (default: the seed-article set in bench/).
The article is the file named by the set's `article` field, looked up in the bundled knowledge.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.articles import Article, load_library  # noqa: E402
from bot.settings import BUNDLED_KNOWLEDGE  # noqa: E402
from bot.summaries import LENGTHS, summarize  # noqa: E402
from bot.text.tokens import Analyzer  # noqa: E402

DEFAULT_SETS = [ROOT / "bench" / "summary_key_sentences.json"]


def lead(article: Article, n: int = 3) -> list[tuple[int, str]]:
    """The first `n` sentences with their section index: the classic news baseline."""
    return [(s.index, text) for s in article.sections for text in s.sentences][:n]


def row(name: str, picked: list[tuple[int, str]], keys: set[str], article: Article) -> str:
    hits = sum(text in keys for _, text in picked)
    sections = [s.index for s in article.sections if s.paragraphs]
    covered = len({i for i, _ in picked} & set(sections))
    precision = hits / len(picked) if picked else 0.0
    return (
        f"{name:<8} {hits}/{len(picked)}  precision {precision:.2f}  "
        f"sections {covered}/{len(sections)}"
    )


def evaluate(path: Path, analyzer: Analyzer) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    keys = set(data["key_sentences"])
    library = load_library(BUNDLED_KNOWLEDGE)
    article = library.get(Path(data["article"]).name.split(".")[0])
    if article is None:
        sys.exit(f"{path}: article {data['article']!r} is not in {BUNDLED_KNOWLEDGE}")
    print(f"{article.id}: {len(keys)} key sentences of {article.sentence_count}")
    for length in LENGTHS:
        summary = summarize(article, length=length, analyzer=analyzer)
        picked = [(s.section_index, s.text) for s in summary.sentences]
        print(row(length, picked, keys, article))
    print(row("lead-3", lead(article), keys, article))


def main(argv: list[str]) -> None:
    analyzer = Analyzer()
    for path in [Path(a) for a in argv] or DEFAULT_SETS:
        evaluate(path, analyzer)


if __name__ == "__main__":
    main(sys.argv[1:])
