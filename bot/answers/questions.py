"""Checks on a question before it is searched, shared by every front end."""

from __future__ import annotations

import re

MAX_QUESTION_CHARS = 500
# How a Japanese (or English) question usually ends: a question mark, or a sentence-final
# particle/phrase that asks (か, の, かな, 教えて, とは).
_QUESTION_END = re.compile(
    r"([?？]|か|の|かな|かしら|かね|だろう|でしょう|教えて|教えてください|とは|って)[\s。.!！]*$"
)


# Chat noise that is never part of a question: user, role and channel mentions, custom emoji,
# @everyone/@here (full-width too, and glued to a Japanese word: 「@everyoneプーチンは」 has no
# word boundary after everyone), links, markdown marks, invisible characters, and terminal
# escape sequences and other control characters (pasted from a terminal, 「\x1b[31m赤」 would
# search 「31 m赤」).
_NOISE = re.compile(
    r"<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|[@＠](?:everyone|here|ｅｖｅｒｙｏｎｅ|ｈｅｒｅ)(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])"
    r"|https?://\S+|[*_~`|>]+"
    r"|[\u200b-\u200f\u2060\ufeff]"
    r"|\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x1f\x7f-\x9f]"
)


def clean_question(text: str) -> str:
    """The question with chat noise removed, so that a mention is not searched as a word."""
    return " ".join(_NOISE.sub(" ", text).split())


def question_problem(question: str) -> tuple[str, dict[str, int]] | None:
    """A message key and its parameters when the question can't be asked as it is, else None."""
    text = question.strip()
    if not clean_question(text):
        return "empty", {}
    if len(text) > MAX_QUESTION_CHARS:
        return "too_long", {"limit": MAX_QUESTION_CHARS, "length": len(text)}
    return None


def looks_like_question(text: str) -> bool:
    """Whether a chat message in a Q&A channel is a question to answer (not small talk)."""
    text = text.strip()
    return bool(text) and len(text) >= 4 and bool(_QUESTION_END.search(text))


# 「この記事の要約を教えて」「要点は？」「summarize the article」: what the summary command gives,
# which a search for the word 要約 does not.
_SUMMARY = re.compile(
    r"(要約|まとめ|あらすじ|要点|概要)(を|して|は|って|が|[?？]|$)|\bsummar(y|ize|ise)\b",
    re.IGNORECASE,
)


def asks_for_summary(question: str) -> bool:
    """Whether the question asks for a summary of an article rather than for a passage."""
    return bool(_SUMMARY.search(question))
