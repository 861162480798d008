"""Search input is data, never SQL or FTS syntax, whatever a moderator types."""

import pytest

from bot.querylog import Scope

ALL = Scope.shell()

QUESTIONS = [
    "この記事の著者は誰ですか",
    "著者の経歴を教えて",
    "アラスカの人口は？",
    "割引は100%ですか",
    "snake_case とは",
    "use a OR b here",
    'He said "hello"',
]

HOSTILE = [
    "'); DROP TABLE queries; --",
    '"',
    '""',
    "*",
    "%",
    "_",
    "\\",
    "NEAR(a b)",
    "a OR b",
    "a AND b",
    "NOT a",
    "-x",
    "^",
    "col:val",
    "question:著者",
    "x" * 10_000,
    "著" * 10_000,
    "\x00",
]


@pytest.fixture
async def filled(log, entry):
    for question in QUESTIONS:
        log.record(entry(question))
    await log.flush()
    return log


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_text_is_harmless(filled, sql, text):
    found = await filled.search(ALL, text)
    assert all(text.strip() in row.question for row in found)
    assert sql("SELECT COUNT(*) FROM queries") == [(len(QUESTIONS),)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("著者", {"この記事の著者は誰ですか", "著者の経歴を教えて"}),  # 2 characters: LIKE
        ("記事の著", {"この記事の著者は誰ですか"}),  # 4 characters: FTS5 trigram
        ("%", {"割引は100%ですか"}),
        ("_", {"snake_case とは"}),
        ("a OR b", {"use a OR b here"}),
        ('"hello"', {'He said "hello"'}),
        ("USE A", {"use a OR b here"}),
        ("  人口 ", {"アラスカの人口は？"}),
        ("存在しない", set()),
        ("", set()),
    ],
)
async def test_substrings_match(filled, text, expected):
    assert {row.question for row in await filled.search(ALL, text)} == expected


async def test_limit_and_newest_first(log, entry):
    for i in range(5):
        log.record(entry(f"同じ質問 {i}"))
    await log.flush()
    assert [row.question for row in await log.search(ALL, "同じ質問", limit=2)] == [
        "同じ質問 4",
        "同じ質問 3",
    ]
