"""Questions about an article itself (who wrote it, when, where it first appeared), answered from
its header by quoting the header line verbatim.

A question is about the header when it names a header field and asks nothing else: once the
field words, the article reference and question words are taken out, no content word is left
(「この記事の執筆者は誰ですか」, 「誰が翻訳しましたか」). When content words remain, it is still a
header question if it points at an article (「アラスカの記事はいつ公開された」) or asks who with a
field word that only ever means the header (「アラスカの記事の著者は誰」); otherwise it is about the
content (「筆者の主張は何ですか」 searches the text, not the byline).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.text.tokens import normalize

ARTICLE_REFERENCE = re.compile(
    r"記事|本稿|この文章|このコラム|コラム|\barticle\b|\bcolumn\b|\bpiece\b"
)

# (field, strong pattern, weak pattern); the first field that matches wins, so the more specific
# ones (where it first appeared, the original title) come before the general ones.
FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "first_published",
        r"初出|最初.*(掲載|発表|出|載)",
        r"(どこ|どの).*(掲載|発表|載)|originally|first (appear|publish)\w*",
    ),
    (
        "original_title",
        r"原題|英語の(題|タイトル)|元の(題|タイトル)|original title",
        r"英語.*(題|タイトル)",
    ),
    (
        "translator",
        r"翻訳者|訳者|和訳|邦訳|日本語(に|へ)(訳|翻訳)|translator",
        r"翻訳|訳し|translat\w*",
    ),
    (
        "author",
        r"執筆者|著者|筆者|作者|\bauthor\b",
        r"書い|書か|執筆|\bwr[io]te\b|\bwritten\b|\bwriter\b",
    ),
    ("date", r"公開日|掲載日|発行日|publication date", r"いつ|日付|何日|公開|\bwhen\b|\bdate\b"),
    ("publisher", r"発行元|掲載元|出版社|publisher", r"出版|発行|媒体|メディア|サイト|publish\w*"),
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


ASKS_WHO = re.compile(r"誰|だれ|どなた|名前|\bwho\b|\bname\b")
ASKS_WHEN = re.compile(r"いつ|何日|何年|日付|\bwhen\b")


def metadata_field(question: str, content_words: Callable[[str], list[str]]) -> str | None:
    """The header field a question asks about, or None for a question about the content.

    `content_words` gives the content words of a text (the search's lemmas), to tell whether
    anything but the field is asked.
    """
    q = normalize(question)
    matches = [(name, bool(strong.search(q))) for name, strong, weak in _COMPILED]
    matches = [
        (name, is_strong)
        for (name, is_strong), (_, _, weak) in zip(matches, _COMPILED, strict=True)
        if is_strong or weak.search(q)
    ]
    if not matches:
        return None
    # 「この翻訳記事はいつ公開された」 names the translation but asks when: the question word
    # decides between fields it mentions, before their order does.
    if ASKS_WHEN.search(q):
        matches.sort(key=lambda m: m[0] != "date")
    name, is_strong = matches[0]
    if not content_words(strip_field_words(q)):
        return name
    if ARTICLE_REFERENCE.search(q) or (is_strong and ASKS_WHO.search(q)):
        return name
    return None


# English words that make a question but name no topic (Japanese ones are stop lemmas already).
ENGLISH_QUESTION_WORDS = re.compile(
    r"\b(who|whom|when|where|what|which|did|does|do|is|was|were|it|its|this|that|the|a|an|by|of|in|on|for|first)\b"
)


def strip_field_words(question: str) -> str:
    """The question without header vocabulary, to find which article it is about."""
    q = ARTICLE_REFERENCE.sub(" ", normalize(question))
    # Field words first: 「first appear」 is one, and its 「first」 is also a question word.
    for _, strong, weak in _COMPILED:
        q = weak.sub(" ", strong.sub(" ", q))
    return ENGLISH_QUESTION_WORDS.sub(" ", q)
