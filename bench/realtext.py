"""A real-text archive of N articles from JSQuAD's 59 Wikipedia articles, without duplicates.

    python bench/realtext.py N OUT_DIR

Copy k of article a keeps a's title (with the copy number) and header, and its paragraphs in
order, but each paragraph's sentences are shuffled (seeded by a, k and the paragraph), and every
other paragraph is taken from copy k of another article: no two articles, paragraphs or
sentence orders repeat, while the text stays real Japanese prose with real vocabulary. Copy 0 is
the original, so JSQuAD's questions still have their answers. `bench/run.py --knowledge OUT_DIR
--questions-file ../shared/eval/jsquad-valid/questions.jsonl` measures it.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import JSQUAD  # noqa: E402
from bot.text.sentences import split_sentences  # noqa: E402


def read(path: Path) -> tuple[list[str], list[str]]:
    """(front matter lines, body paragraphs) of one of JSQuAD's Markdown articles."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    body = "\n".join(lines[end + 1 :])
    return lines[1:end], [p.strip() for p in body.split("\n\n") if p.strip()]


def write_archive(n: int, out: Path) -> Path:
    sources = [read(p) for p in sorted((JSQUAD / "knowledge").glob("*.md"))]
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        a, k = i % len(sources), i // len(sources)
        header, paragraphs = sources[a]
        if k:
            partner = sources[(a + k) % len(sources)][1]
            mixed = []
            for j, paragraph in enumerate(paragraphs):
                text = partner[j % len(partner)] if j % 2 and partner else paragraph
                sentences = split_sentences(text)
                random.Random(f"{a}-{k}-{j}").shuffle(sentences)
                mixed.append("".join(sentences))
            paragraphs = mixed
            header = [
                f"{line} ({k})" if line.startswith("title:") else line
                for line in header
                if not line.startswith("url:")
            ]
        text = "---\n" + "\n".join(header) + "\n---\n\n" + "\n\n".join(paragraphs) + "\n"
        (out / f"r{i:06d}.md").write_text(text, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="how many articles")
    ap.add_argument("out", type=Path, help="folder to write them to")
    args = ap.parse_args()
    print(write_archive(args.n, args.out))


if __name__ == "__main__":
    main()
