"""Check the news-domain articles and questions in bench/news/, bench/news-train/,
bench/news-test/ and bench/news-test-2/ (exit 1 on any problem).

Each article `<folder>/<id>.txt` (the publisher's plain-text layout) has its questions in
`<folder>/<id>.jsonl`: qa_eval records `{"id", "kind", "q", "gold"}`, and for negatives a
`"check": {"mentions": regex or null, "answer": regex}`. The rules are news-dev's: a gold is
verbatim, once, inside one body paragraph of its own article and in no other article (the
seed, news-dev's, the held-out BRICS article, the other files here); metadata golds are in the
header; no sentence of any article that mentions what a negative asks about (`mentions`) also
carries what an answer would need (`answer`).

    python bench/check_news.py [ID ...]
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# news-extra (never fitted on by the refusal), news-train (fitted on by both models),
# news-test and news-test-2 (by neither).
NEWS_FOLDERS = (
    ROOT / "bench" / "news",
    ROOT / "bench" / "news-train",
    ROOT / "bench" / "news-test",
    ROOT / "bench" / "news-test-2",
)
# A gold found in another article, or a negative's answer, matters only where both articles
# can be in one library. news-test-2's articles are asked only beside each other and the seed
# (`bench.datasets`: in no cross-article library), so they are checked against those and
# OTHER_FOLDERS' alone, and the other folders' questions are not checked against them: their
# real-world dates and figures (12月4日) recur in the older sets' golds.
APART = ROOT / "bench" / "news-test-2"
NEWS_DEV = ROOT.parent / "shared" / "eval" / "news-dev"
OTHER_FOLDERS = (ROOT / "knowledge", NEWS_DEV, ROOT / "bench" / "heldout" / "articles")
KINDS = ("answerable", "metadata", "out_of_scope", "hard_negative")


@functools.cache
def sentences(text: str) -> tuple[str, ...]:
    """news-dev's checker's sentences (split once per article, read for every negative)."""
    return tuple(
        s for line in text.splitlines() for s in re.split(r"(?<=[。！？])", line) if s.strip()
    )


def check(folder: Path, aid: str, everything: dict[str, str]) -> list[str]:
    """The problems of one article's questions."""
    path = folder / f"{aid}.jsonl"
    if not path.exists():
        return [f"{path}: missing"]
    text = everything[aid]
    if "\n本文\n" not in text:
        return [f"{folder / aid}.txt: no 本文 line"]
    header, body = text.split("\n本文\n", 1)
    errors = []
    seen = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path}:{n}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON ({exc})")
            continue
        if q.get("id") in seen or not str(q.get("id", "")).startswith(f"{aid}-"):
            errors.append(f"{where}: id {q.get('id')!r} repeated or not {aid}-NN")
        seen.add(q.get("id"))
        if q.get("kind") not in KINDS or not q.get("q") or not isinstance(q.get("gold"), list):
            errors.append(f"{where}: kind must be one of {KINDS}, q non-empty, gold a list")
            continue
        if q["kind"] in ("out_of_scope", "hard_negative"):
            checks = q.get("check")
            if q["gold"] or not isinstance(checks, dict) or "answer" not in checks:
                errors.append(f"{where}: a negative has no gold and a check.answer regex")
                continue
            try:
                mentions = re.compile(checks.get("mentions") or "")
                answer = re.compile(checks["answer"])
            except (re.error, TypeError) as exc:
                errors.append(f"{where}: check is not a regex ({exc})")
                continue
            for name, other in everything.items():
                for s in sentences(other):
                    if mentions.search(s) and answer.search(s):
                        errors.append(f"{where}: possible answer in {name}: {s.strip()[:80]}")
            continue
        if not q["gold"]:
            errors.append(f"{where}: no gold")
        for g in q["gold"]:
            home = header if q["kind"] == "metadata" else body
            if g not in home:
                errors.append(
                    f"{where}: gold not in {aid}'s {'header' if home is header else 'body'}: {g}"
                )
            elif q["kind"] == "answerable":
                if body.count(g) != 1:
                    errors.append(f"{where}: gold occurs {body.count(g)} times in the body: {g}")
                if not any(g in line for line in body.splitlines()):
                    errors.append(f"{where}: gold spans paragraphs: {g}")
            for name, other in everything.items():
                if name != aid and g in other:
                    errors.append(f"{where}: gold also in {name}: {g}")
    return errors


def main(argv: list[str]) -> int:
    missing = [str(f) for f in OTHER_FOLDERS if not any(f.glob("*.txt"))]
    if missing:
        print(f"no articles to check against in {', '.join(missing)}")
        return 1
    paths = [p for f in (*OTHER_FOLDERS, *NEWS_FOLDERS) for p in sorted(f.glob("*.txt"))]
    everything: dict[str, str] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if everything.setdefault(path.stem, text) != text:
            print(f"{path}: another article has the name {path.stem}; give it its own")
            return 1
    ours = {p.stem: f for f in NEWS_FOLDERS for p in f.glob("*.txt")}
    ids = argv or sorted(ours)
    unknown = [aid for aid in ids if aid not in ours]
    if unknown:
        print(f"no article {', '.join(unknown)} in {' or '.join(map(str, NEWS_FOLDERS))}")
        return 1
    shared = {p.stem for f in OTHER_FOLDERS for p in f.glob("*.txt")}
    apart = {aid for aid, f in ours.items() if f == APART}

    def beside(aid: str) -> dict[str, str]:
        """The articles `aid` can share a library with."""
        keep = (shared | apart) if aid in apart else set(everything) - apart
        return {name: text for name, text in everything.items() if name in keep}

    errors = [e for aid in ids for e in check(ours[aid], aid, beside(aid))]
    print(f"{len(ids)} article(s), {len(errors)} problem(s)")
    for e in errors:
        print("  ", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
