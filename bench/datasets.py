"""Every question set the project is judged on, each with the library it is asked of.

Shared by the evaluation harness (`bench/answers.py`) and the model fitting script
(`bench/fit_ranking.py`), so both read the same questions against the same articles. Sets in
`../shared/eval/` are read in place; libraries made of several folders are copied into a
temporary folder (never written into `../shared`, which is read-only).
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
JSQUAD = SHARED / "jsquad-valid"
NEWS = SHARED / "news-dev"
# Seven more articles in the publisher's layout with Discord-style questions, written for the
# project by helpers who saw only the layout and news-dev's rules (`bench/check_news.py`).
EXTRA = ROOT / "bench" / "news"
# Six more, written the same way later, that both models are fitted on (news-extra stays the
# refusal's test of articles it has never seen).
TRAIN = ROOT / "bench" / "news-train"
# Eight more, written the same way, that no model is fitted on: new articles to both of them.
TEST = ROOT / "bench" / "news-test"
# Six more, written the same way a session later, that no model is fitted on either: a second
# test of new articles, kept apart from news-test so that its figures stay comparable.
TEST_2 = ROOT / "bench" / "news-test-2"
UNANSWERABLE = ("out_of_scope", "hard_negative", "cross_library", "cross_article")


@dataclass(frozen=True)
class QuestionSet:
    """Questions (qa_eval's JSONL records) and the article files of the library they are asked of."""

    name: str
    questions: list[dict]
    articles: tuple[Path, ...] = field(repr=False)

    @contextmanager
    def library(self) -> Iterator[Path]:
        """A folder holding exactly this set's articles."""
        with tempfile.TemporaryDirectory(prefix=f"kiji-{self.name}-") as tmp:
            for path in self.articles:
                shutil.copy2(path, tmp)
            yield Path(tmp)


def read_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _files(folder: Path, *patterns: str) -> tuple[Path, ...]:
    return tuple(sorted(p for pattern in patterns for p in folder.glob(pattern)))


def seed_articles() -> tuple[Path, ...]:
    return _files(ROOT / "knowledge", "*.txt", "*.md", "*.toml")


def jsquad_halves() -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """JSQuAD's articles split in two (alternate files), for the cross-library refusal set."""
    articles = _files(JSQUAD / "knowledge", "*.md")
    return articles[0::2], articles[1::2]


def cross_library(questions: list[dict]) -> list[QuestionSet]:
    """JSQuAD questions about one half of the articles, asked of the other half's library:
    none can be answered there."""
    halves = jsquad_halves()
    out = []
    for i, (mine, other) in enumerate((halves, halves[::-1])):
        ids = {p.stem for p in mine}
        asked = [
            {**q, "kind": "cross_library", "gold": []} for q in questions if q["article"] in ids
        ]
        out.append(QuestionSet(f"cross-library-{i + 1}", asked, other))
    return out


def jsquad_half_sets(questions: list[dict]) -> list[QuestionSet]:
    """JSQuAD questions asked of the half library that holds their article."""
    out = []
    for i, mine in enumerate(jsquad_halves()):
        ids = {p.stem for p in mine}
        asked = [q for q in questions if q["article"] in ids]
        out.append(QuestionSet(f"jsquad-half-{i + 1}", asked, mine))
    return out


# JSQuAD's articles in small libraries: shuffled and cut into groups of each size, each library
# asked up to SMALL_QUESTIONS of its own articles' questions and as many about articles it
# lacks. The bot serves one article to thousands; the refusal is fitted on these libraries too
# (as on the half and quarter libraries), and `library_size` tells it which size it reads.
SMALL_SIZES = (1, 3, 9)
SMALL_QUESTIONS = 40


def small_libraries(questions: list[dict]) -> list[QuestionSet]:
    """JSQuAD questions asked of small libraries of its articles (`SMALL_SIZES`): answerable
    when their article is in it, `cross_library` when not. Drawn with a fixed seed."""
    articles = _files(JSQUAD / "knowledge", "*.md")
    by_article = _by_article(questions)
    rng = random.Random(0)
    out = []
    for size in SMALL_SIZES:
        order = list(articles)
        rng.shuffle(order)
        for start in range(0, len(order) - size + 1, size):
            group = tuple(order[start : start + size])
            ids = {p.stem for p in group}
            mine = [q for p in group for q in by_article.get(p.stem, [])]
            mine = rng.sample(mine, min(SMALL_QUESTIONS, len(mine)))
            others = rng.sample([q for q in questions if q["article"] not in ids], len(mine))
            asked = mine + [{**q, "kind": "cross_library", "gold": []} for q in others]
            out.append(QuestionSet(f"small-{size}-{start}", asked, group))
    return out


# Each half library's articles cut at random into two libraries of about fifteen, this many
# times: a library size between the small ones and the halves, and other articles beside each.
QUARTER_REPEATS = 2


def quarter_libraries(questions: list[dict]) -> list[QuestionSet]:
    """Each half's articles split at random into two libraries (`QUARTER_REPEATS` times), each
    asked its own articles' questions and as many of the other's (`cross_library`). Within one
    half, so that a fit on one half's articles never reads the other half's. Fixed seeds."""
    by_article = _by_article(questions)
    out = []
    for repeat in range(QUARTER_REPEATS):
        rng = random.Random(100 + repeat)
        for h, half in enumerate(jsquad_halves()):
            order = list(half)
            rng.shuffle(order)
            parts = (tuple(order[: len(order) // 2]), tuple(order[len(order) // 2 :]))
            for i, library in enumerate(parts):
                mine = [q for p in library for q in by_article.get(p.stem, [])]
                theirs = [q for p in parts[1 - i] for q in by_article.get(p.stem, [])]
                theirs = rng.sample(theirs, min(len(theirs), len(mine)))
                asked = mine + [{**q, "kind": "cross_library", "gold": []} for q in theirs]
                out.append(QuestionSet(f"quarter-{repeat}-{h + 1}-{i + 1}", asked, library))
    return out


def _by_article(questions: list[dict]) -> dict[str, list[dict]]:
    by_article: dict[str, list[dict]] = {}
    for q in questions:
        by_article.setdefault(q["article"], []).append(q)
    return by_article


def norm(text: str) -> str:
    """qa_eval.py's normalisation: NFKC, whitespace removed (an answer is in a quote or a
    library when its normalised text is)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def cross_article(news_sets: list[QuestionSet]) -> list[QuestionSet]:
    """The news-domain sets' answerable questions, each asked of one single-article library
    that does not hold its answer: the articles other than its own in turn, so that each
    article's questions are spread over the others.

    JSQuAD's cross-library questions are about other subjects altogether; these share the
    news articles' names and vocabulary (アメリカ, 関税, ロシア) and ask what only another
    article says, as a member asks a one-article server about something it doesn't cover.
    """
    seed = seed_articles()
    singles = [seed, *((p,) for p in _files(NEWS, "*.txt"))]
    singles.append(_files(ROOT / "bench" / "heldout" / "articles", "brics-*.txt"))
    singles += [(p,) for p in _files(EXTRA, "*.txt")]
    texts = ["".join(norm(p.read_text(encoding="utf-8")) for p in paths) for paths in singles]
    asked: list[list[dict]] = [[] for _ in singles]
    turn = [0 for _ in singles]
    for qset in news_sets:
        if qset.name in ("news-train", "news-test", "news-test-2"):
            continue  # their articles are not among the libraries: these sets stay as they were
        for q in qset.questions:
            if q["kind"] != "answerable":
                continue
            golds = [norm(g) for g in q["gold"]]
            holds = [any(g in text for g in golds) for text in texts]
            if not any(holds):
                continue
            home = holds.index(True)
            turn[home] += 1
            for step in range(len(singles) - 1):
                other = (home + 1 + (turn[home] + step) % (len(singles) - 1)) % len(singles)
                if not holds[other]:
                    record = {**q, "id": f"{qset.name}/{q['id']}", "kind": "cross_article"}
                    asked[other].append({**record, "gold": []})
                    break
    return [
        QuestionSet(f"cross-article-{paths[-1].stem}", questions, paths)
        for paths, questions in zip(singles, asked, strict=True)
    ]


def train_cross(train: QuestionSet) -> list[QuestionSet]:
    """news-train's answerable questions, each asked of the seed and the other news-train
    articles (one library per article left out): questions in the members' own style about an
    article the library doesn't have, as negatives for the refusal's fit. Named news-train like
    the questions they come from, so that whatever holds news-train out holds them out too;
    never scored (`all_sets` leaves them out)."""
    seed = seed_articles()
    texts = {p: norm(p.read_text(encoding="utf-8")) for p in train.articles if p not in seed}
    out = []
    for article in texts:
        others = [p for p in texts if p != article]
        own = [
            {**q, "kind": "cross_article", "gold": []}
            for q in train.questions
            if q["kind"] == "answerable"
            and q["id"].startswith(f"{article.stem}-")
            and not any(norm(g) in texts[p] for g in q["gold"] for p in others)
        ]
        out.append(QuestionSet("news-train", own, seed + tuple(others)))
    return out


def all_sets() -> list[QuestionSet]:
    """Every set, smallest first; the cross-article and JSQuAD's cross-library sets last."""
    news = news_sets()
    jsquad = read_questions(JSQUAD / "questions.jsonl")
    return [
        *news,
        QuestionSet("jsquad", jsquad, _files(JSQUAD / "knowledge", "*.md")),
        *cross_article(news),
        *cross_library(jsquad),
    ]


def news_sets() -> list[QuestionSet]:
    """The news-domain sets: the seed's, the two-article library's, news-dev, news-extra (its
    seven articles beside the seed), news-train (its six beside the seed), news-test (its
    eight beside the seed) and news-test-2 (its six beside the seed)."""
    seed = seed_articles()
    return [
        QuestionSet("seed-dev", read_questions(SHARED / "dev_questions.jsonl"), seed),
        QuestionSet(
            "seed-paraphrase", read_questions(ROOT / "bench" / "paraphrase_questions.jsonl"), seed
        ),
        QuestionSet(
            "seed-heldout", read_questions(ROOT / "bench" / "heldout_questions.jsonl"), seed
        ),
        QuestionSet(
            "two-articles",
            read_questions(ROOT / "bench" / "heldout" / "questions.jsonl"),
            _files(ROOT / "bench" / "heldout" / "articles", "*.txt", "*.md", "*.toml"),
        ),
        QuestionSet(
            "news-dev", read_questions(NEWS / "questions.jsonl"), seed + _files(NEWS, "*.txt")
        ),
        QuestionSet(
            "news-extra",
            [q for path in _files(EXTRA, "*.jsonl") for q in read_questions(path)],
            seed + _files(EXTRA, "*.txt"),
        ),
        QuestionSet(
            "news-train",
            [q for path in _files(TRAIN, "*.jsonl") for q in read_questions(path)],
            seed + _files(TRAIN, "*.txt"),
        ),
        QuestionSet(
            "news-test",
            [q for path in _files(TEST, "*.jsonl") for q in read_questions(path)],
            seed + _files(TEST, "*.txt"),
        ),
        QuestionSet(
            "news-test-2",
            [q for path in _files(TEST_2, "*.jsonl") for q in read_questions(path)],
            seed + _files(TEST_2, "*.txt"),
        ),
    ]
