"""Embeds for answers, refusals and listings, always within Discord's size limits.

Text that comes from users or articles is markdown-escaped; only our own bold marks remain.
"""

from __future__ import annotations

import discord
from discord.utils import escape_markdown

from bot.answers import Answer, Passage
from bot.answers.byline import sentence
from bot.answers.highlight import segments
from bot.answers.model import AnswerKind
from bot.answers.topics import related_articles
from bot.articles import Article, Library, Section
from bot.discordbot.limits import (
    DESCRIPTION_LIMIT,
    FIELD_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_LIMIT,
    TITLE_LIMIT,
)
from bot.presentation import confidence_text, passage_section, refusal_lines, section_name
from bot.strings import command_name, t
from bot.summaries import Summary

ANSWER_COLOUR = discord.Colour(0x2B6CB0)
CANDIDATE_COLOUR = discord.Colour(0x718096)  # grey: related passages, not an answer
REFUSAL_COLOUR = discord.Colour(0x718096)


def fit(text: str, limit: int, locale: str | None = None) -> str:
    """`text` cut to `limit` characters, saying so when it was cut."""
    if len(text) <= limit:
        return text
    tail = t("truncated", locale)
    return text[: limit - len(tail)] + tail


def plain(text: str) -> str:
    """User or article text made inert: no markdown, and mentions shown but never parsed."""
    return escape_markdown(text).replace("@", "@\u200b")


def quote_markdown(p: Passage, locale: str | None = None) -> str:
    """A quote as a block quote; a header answer, a sentence we made from the header, as plain
    text (its header line, verbatim, is in the citation), so it never reads as a quotation."""
    if p.fact is not None:
        return plain(sentence(p.fact, locale))
    return "> " + "".join(
        f"**{plain(s)}**" if hit else plain(s) for s, hit in segments(p.quote, p.highlights)
    )


def citation_markdown(p: Passage, locale: str | None) -> str:
    text = plain(p.citation.text(passage_section(p, locale)))
    if p.paragraph:
        text += t("paragraph_note", locale, n=p.paragraph)
    if p.fact is not None and p.fact.line:
        text += f"\n{plain(t('header_line', locale, n=p.fact.line, text=p.fact.source))}"
    if p.citation.url:
        text += f"\n<{p.citation.url}>"
    return text


def answer_embed(question: str, answer: Answer, index: int, locale: str | None) -> discord.Embed:
    """The answer card for candidate `index`: quote, citation, score."""
    if answer.kind == AnswerKind.METADATA and len(answer.passages) > 1:
        return metadata_embed(question, answer, locale)
    p = answer.passages[index]
    description = quote_markdown(p, locale)
    if answer.translations:
        # Candidates for an English question, not an answer: say so before the quote.
        note = plain(t("translated", locale, pairs=answer.translation_text()))
        description = f"{note}\n\n{description}"
    if answer.continues:
        description = f"{continued(answer, locale)}\n{description}"
    embed = discord.Embed(
        title=fit(f"{t('question', locale)}: {plain(question)}", TITLE_LIMIT, locale),
        description=fit(description, DESCRIPTION_LIMIT, locale),
        colour=ANSWER_COLOUR if answer.answered else CANDIDATE_COLOUR,
        url=p.citation.url,
    )
    embed.add_field(
        name=t("source", locale),
        value=fit(citation_markdown(p, locale), FIELD_LIMIT, locale),
        inline=False,
    )
    # How sure, for the passage the answer stands on; the others are candidates.
    parts = [confidence_text(answer, locale) if index == 0 else None]
    if len(answer.passages) > 1:
        parts.append(t("candidate", locale, i=index + 1, n=len(answer.passages)))
    footer = " · ".join(x for x in parts if x) or "\u200b"
    embed.set_footer(text=fit(footer, FOOTER_LIMIT, locale))
    return embed


def continued(answer: Answer, locale: str | None) -> str:
    """Which earlier question a follow-up was searched with, so readers know why."""
    earlier = answer.continues or ""
    shown = earlier if len(earlier) <= 60 else "…" + earlier[-59:]
    return f"-# ↪ {plain(t('continues', locale, question=shown))}"


def metadata_embed(question: str, answer: Answer, locale: str | None) -> discord.Embed:
    """Header answers for several articles (none was named) in one card: each is an answer for
    its own article, not a candidate to page through."""
    embed = discord.Embed(
        title=fit(f"{t('question', locale)}: {plain(question)}", TITLE_LIMIT, locale),
        colour=ANSWER_COLOUR,
    )
    for p in answer.passages:
        _passage_field(embed, plain(p.article_title), p, locale)
    return embed


def _passage_field(embed: discord.Embed, name: str, p: Passage, locale: str | None) -> None:
    """A field holding one passage: its quote, then its citation."""
    embed.add_field(
        name=fit(name, TITLE_LIMIT, locale),
        value=fit(
            f"{quote_markdown(p, locale)}\n{citation_markdown(p, locale)}", FIELD_LIMIT, locale
        ),
        inline=False,
    )


def refusal_embed(
    question: str, answer: Answer, library: Library, locale: str | None
) -> discord.Embed:
    """A polite refusal that names the words the articles never use, then the nearest passage
    when the refusal was a near thing, else what the articles cover."""
    lines = refusal_lines(answer, locale, plain, f"`/{command_name('summary', locale)}`")
    if answer.continues:
        lines.insert(0, continued(answer, locale))
    embed = discord.Embed(
        title=fit(f"{t('question', locale)}: {plain(question)}", TITLE_LIMIT, locale),
        description=fit("\n".join(lines), DESCRIPTION_LIMIT, locale),
        colour=REFUSAL_COLOUR,
    )
    if answer.nearest and answer.passages:
        _passage_field(embed, t("nearest", locale), answer.passages[0], locale)
        return embed
    embed.add_field(
        name=t("covered", locale),
        value=fit(outline(*related_articles(answer, library), locale), FIELD_LIMIT, locale),
        inline=False,
    )
    return embed


def outline(articles: list[Article], more: int, locale: str | None) -> str:
    if not articles:
        return t("no_articles", locale)
    parts = []
    for a in articles:
        headings = "\n".join(f"・{plain(s.heading)}" for s in a.sections if not s.is_lead)
        parts.append(f"**{plain(a.title)}** (`{a.id}`)\n{headings}")
    if more:
        command = f"`/{command_name('articles', locale)}`"
        parts.append(t("more_articles", locale, n=f"{more:,}", command=command))
    return "\n".join(parts)


def article_blocks(library: Library, locale: str | None) -> list[str]:
    """One block of text per article (title, id, credit, numbered sections), for paging."""
    blocks = []
    for a in library.articles:
        sections = "\n".join(
            f"{s.index}. {plain(section_name(s.index, s.heading, locale))}" for s in a.sections
        )
        blocks.append(
            fit(
                f"**{plain(a.title)}** (`{a.id}`)\n{plain(a.credit)}\n{sections}\n",
                MESSAGE_LIMIT,
                locale,
            )
        )
    return blocks


def section_embed(article: Article, section: Section, locale: str | None) -> discord.Embed:
    heading = section_name(section.index, section.heading, locale)
    embed = discord.Embed(
        title=fit(f"{article.title} — {heading}", TITLE_LIMIT, locale),
        description=fit(
            "\n\n".join(plain(p.text) for p in section.paragraphs), DESCRIPTION_LIMIT, locale
        ),
        colour=ANSWER_COLOUR,
        url=article.url,
    )
    if article.credit:
        embed.set_footer(text=fit(article.credit, FOOTER_LIMIT, locale))
    return embed


def help_embed(locale: str | None) -> discord.Embed:
    return discord.Embed(
        title=t("help_title", locale),
        description=f"{t('help', locale)}\n\n{t('help_commands', locale)}",
        colour=ANSWER_COLOUR,
    )


def summary_embed(summary: Summary, library: Library, locale: str | None) -> discord.Embed:
    """The summary's sentences, verbatim, under their section headings; cited in the footer."""
    lines: list[str] = []
    for index, heading, sentences in summary.by_section():
        lines.append(f"**■ {plain(section_name(index, heading, locale))}**")
        lines += [f"> {plain(s.text)}" for s in sentences]
    if not lines:
        lines.append(t("summary_empty", locale))
    article = library.get(summary.article_id)
    embed = discord.Embed(
        title=fit(t("summary_of", locale, title=summary.title), TITLE_LIMIT, locale),
        description=fit("\n".join(lines), DESCRIPTION_LIMIT, locale),
        colour=ANSWER_COLOUR,
        url=article.url if article else None,
    )
    if article:
        footer = f"{t('source', locale)}: {article.title} — {article.credit}"
        embed.set_footer(text=fit(footer, FOOTER_LIMIT, locale))
    return embed
