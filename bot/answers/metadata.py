"""Questions about an article itself (who wrote it, when, where it first appeared), answered from
its header by quoting the header line verbatim.

Field words that only ever mean the article's header (執筆者, 原題) are enough on their own;
words with everyday meanings too (書いた, いつ, タイトル) count only when the question also
points at the article (この記事, 本稿, "this article").
"""

from __future__ import annotations

import re

from bot.text.tokens import normalize

ARTICLE_REFERENCE = re.compile(
    r"記事|本稿|この文章|このコラム|コラム|\barticle\b|\bcolumn\b|\bpiece\b"
)

# (field, strong pattern, weak pattern); the first field that matches wins, so the more specific
# ones (where it first appeared, the original title) come before the general ones.
FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "first_published",
        r"初出|最初に(掲載|発表|出)",
        r"(どこ|どの).*(掲載|発表|載)|originally|first (appeared|published)",
    ),
    (
        "original_title",
        r"原題|英語の(題|タイトル)|元の(題|タイトル)|original title",
        r"英語.*(題|タイトル)",
    ),
    ("translator", r"翻訳者|訳者|translator", r"翻訳|訳し|translat"),
    ("author", r"執筆者|著者|筆者|作者|\bauthor\b", r"書い|書か|執筆|\bwr[io]te\b|\bwritten\b"),
    ("date", r"公開日|掲載日|発行日|publication date", r"いつ|日付|何日|\bwhen\b|\bdate\b"),
    ("publisher", r"発行元|掲載元|出版社|publisher", r"出版|発行|媒体|メディア|サイト|publish"),
    ("series", r"シリーズ|連載番号|series", r"何番|番号|\bnumber\b"),
    ("title", r"題名|表題|見出し", r"タイトル|\btitle\b"),
)
_COMPILED = [(f, re.compile(s), re.compile(w)) for f, s, w in FIELDS]
# Header fields that answer each question, in order of preference.
SOURCES = {
    "first_published": ("first_published",),
    "original_title": ("original_title",),
    "translator": ("translator",),
    "author": ("author",),
    "date": ("date", "category"),
    "publisher": ("publisher",),
    "series": ("series",),
    "title": ("title",),
}


def metadata_field(question: str) -> str | None:
    """The header field a question asks about, or None for a question about the content."""
    q = normalize(question)
    refers = bool(ARTICLE_REFERENCE.search(q))
    for name, strong, weak in _COMPILED:
        if strong.search(q) or (refers and weak.search(q)):
            return name
    return None


def strip_field_words(question: str) -> str:
    """The question without header vocabulary, to find which article it is about."""
    q = normalize(question)
    q = ARTICLE_REFERENCE.sub(" ", q)
    for _, strong, weak in _COMPILED:
        q = weak.sub(" ", strong.sub(" ", q))
    return q
