"""Plain-text rendering of answers, laid out like the Discord answer card."""

from __future__ import annotations

import unicodedata

from bot.answers import Answer, Passage
from bot.answers.byline import sentence
from bot.answers.highlight import segments
from bot.answers.model import AnswerKind
from bot.answers.topics import related_articles
from bot.articles import Library
from bot.presentation import confidence_text, passage_section, refusal_lines, section_name
from bot.strings import t

BOLD, RESET = "\033[1m", "\033[0m"


def passage_text(p: Passage, *, color: bool, locale: str = "ja") -> str:
    """A quote in 「」 with its source; a header answer (a sentence made from the header, not a
    quotation) without them, its header line cited verbatim."""
    if p.fact is not None:
        quote = sentence(p.fact, locale)
    elif color:
        quote = "".join(
            f"{BOLD}{s}{RESET}" if hit else s for s, hit in segments(p.quote, p.highlights)
        )
    else:
        quote = p.quote
    where = p.citation.text(passage_section(p, locale))
    if p.paragraph:
        where += t("paragraph_note", locale, n=p.paragraph)
    if p.fact is not None and p.fact.line:
        where += t("header_line_note", locale, n=p.fact.line, text=p.fact.source)
    if p.citation.url:
        where += f"\n   {p.citation.url}"
    shown = quote if p.fact is not None else f"「{quote}」"
    return f"{shown}\n   — {t('source', locale)}: {where}"


def answer_text(
    answer: Answer,
    library: Library,
    *,
    color: bool,
    locale: str = "ja",
    articles_command: str = "/articles",
    summary_command: str = "/summary",
) -> str:
    """The best passage and the other candidates, or a refusal that says what the articles cover
    (the `…_command`s are how this front end lists the articles and summarises one)."""
    if answer.kind == AnswerKind.INVALID:
        return "\n".join(refusal_lines(answer, locale))
    if answer.kind == AnswerKind.METADATA:
        # One answer per article asked about (several when none was named), not candidates.
        return "\n".join(passage_text(p, color=color, locale=locale) for p in answer.passages)
    if answer.shows_passages:
        lines = [passage_text(answer.passages[0], color=color, locale=locale)]
        if sure := confidence_text(answer, locale):
            lines.append(f"   {sure}")
        if answer.translations:
            lines.insert(0, t("translated", locale, pairs=answer.translation_text()))
        for i, p in enumerate(answer.passages[1:], start=2):
            lines.append(
                f"  [{t('candidate', locale, i=i, n=len(answer.passages))}] {p.quote[:60]}… ({p.section})"
            )
        return "\n".join(lines)
    return refusal_text(
        answer, library, locale, articles_command, summary_command=summary_command, color=color
    )


def refusal_text(
    answer: Answer,
    library: Library,
    locale: str = "ja",
    articles_command: str = "/articles",
    *,
    summary_command: str = "/summary",
    color: bool = False,
) -> str:
    """Why nothing was answered, then the nearest passage when the refusal was a near thing,
    else what the articles cover (the console's `articles_command` lists them all)."""
    lines = refusal_lines(answer, locale, summary_command=summary_command)
    if answer.nearest and answer.passages:
        lines.append(t("nearest", locale))
        lines.append(passage_text(answer.passages[0], color=color, locale=locale))
        return "\n".join(lines)
    if not library.articles:
        lines.append(t("no_articles", locale))
        return "\n".join(lines)
    lines.append(t("covered", locale))
    articles, more = related_articles(answer, library)
    for article in articles:
        headings = " / ".join(s.heading for s in article.sections if not s.is_lead)
        lines.append(f"・{article.title}: {headings}")
    if more:
        lines.append(t("more_articles", locale, n=f"{more:,}", command=articles_command))
    return "\n".join(lines)


def articles_text(library: Library, locale: str = "ja") -> str:
    if not library.articles:
        return t("no_articles", locale)
    out = []
    for a in library.articles:
        out.append(f"[{a.id}] {a.title} — {a.credit}")
        for s in a.sections:
            out.append(f"   {s.index}. {section_name(s.index, s.heading, locale)}")
    return "\n".join(out)


def terminal_safe(text: str) -> str:
    """`text` with control characters (ESC, OSC, BEL, CR…) shown escaped, not obeyed: questions
    are typed by anyone, and a terminal would run `\\x1b]52;…` or rewrite the screen."""
    return "".join(
        ch
        if ch == " " or unicodedata.category(ch)[0] != "C"
        else ch.encode("unicode_escape").decode()
        for ch in text
    )
