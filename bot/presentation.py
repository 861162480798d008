"""What the front ends say, before any markup: the lines of a refusal, the mark of a log row,
an answer rate, a section's name.

The console, the command line and Discord differ in markup only (ANSI bold, Markdown, embeds),
so the words and their order are decided here once; each front end passes its own `escape`
for text that came from a user or an article (Discord makes mentions and Markdown inert).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.answers.model import HEADER_SECTION, Answer, AnswerKind, Passage
from bot.answers.questions import asks_for_summary
from bot.articles.model import LEAD_HEADING
from bot.querylog.entry import TURNED_AWAY
from bot.ranking.confidence import level
from bot.strings import language, t
from bot.summaries.model import SummaryError


def _same(text: str) -> str:
    return text


def refusal_lines(
    answer: Answer,
    locale: str | None,
    escape: Callable[[str], str] = _same,
    summary_command: str = "/summary",
) -> list[str]:
    """Why there is no answer: the reason, the command that gives what a request for a summary
    wants, the words the articles never use, and for an English question that shared no word
    with them, a request to ask in Japanese."""
    if answer.kind == AnswerKind.INVALID:
        return [t("invalid", locale)]
    lines = [t(answer.refusal_key, locale)]
    if asks_for_summary(answer.question):
        lines.append(t("summary_hint", locale, command=summary_command))
    if answer.unknown_terms:
        words = [escape(x) for x in answer.unknown_terms]
        key = "unknown_terms_many" if len(words) > 1 else "unknown_terms"
        lines.append(t(key, locale, terms=quoted(words, locale)))
    if answer.language == "en" and not answer.translations:
        lines.append(t("ask_in_japanese", locale))
    return lines


def quoted(words: list[str], locale: str | None) -> str:
    """Words each in the reader's quotation marks: 「新宿」「ラーメン屋」, “Shinjuku”, “ramen”."""
    if language(locale) == "en":
        return ", ".join(f"“{w}”" for w in words)
    return "".join(f"「{w}」" for w in words)


# A log row's mark: answered, an English question shown candidates only, turned away
# unanswered (busy, stopping, asked too fast: never searched), refused.
_MARKS = {
    "answered": ("✓", "✅"),
    "crosslingual": ("~", "🔤"),
    "turned_away": ("…", "⏳"),
    "refused": ("✗", "❌"),
}


def row_mark(answered: bool, kind: str | None, *, emoji: bool = False) -> str:
    """✓ / ~ / … / ✗ in a terminal, ✅ / 🔤 / ⏳ / ❌ where emoji show (Discord)."""
    if answered:
        status = "answered"
    elif kind == AnswerKind.CROSSLINGUAL:
        status = "crosslingual"
    elif kind in TURNED_AWAY:
        status = "turned_away"
    else:
        status = "refused"
    return _MARKS[status][1 if emoji else 0]


def confidence_text(answer: Answer, locale: str | None) -> str | None:
    """「確度: 高」 for the first passage of a searched answer (`bot.ranking.confidence`); None
    for a header answer, which states what the header says."""
    word = level(answer.confidence, answer.lacking_kind is not None)
    if word is None:
        return None
    text = t("confidence", locale, level=t(f"confidence_{word}", locale))
    if answer.lacking_kind:
        # 「いつ」 answered from a passage with no date: say so beside the word, not only by it.
        text += t("lacking_kind", locale, what=t(f"kind_{answer.lacking_kind}", locale))
    return text


def rate_text(rate: float | None) -> str:
    """An answer rate as a whole percentage, '-' when nothing was asked."""
    return f"{rate:.0%}" if rate is not None else "-"


def passage_section(p: Passage, locale: str | None) -> str:
    """A passage's section as a citation names it: the header's and the lead's in the
    reader's language, any other by its heading as the article writes it."""
    if p.fact is not None:
        return t("header_section", locale)
    return section_name(p.section_index, p.section, locale)


def logged_section_name(name: str, locale: str | None) -> str:
    """A section as the query log stores it (by name), in the reader's language: the header's
    and the lead's names are the bot's own words, others the article's headings."""
    if name == HEADER_SECTION:
        return t("header_section", locale)
    return t("lead", locale) if name == LEAD_HEADING else name


def section_name(index: int, heading: str, locale: str | None) -> str:
    """The heading, or the word for "lead" in the reader's language for the lead section."""
    return t("lead", locale) if (index, heading) == (0, LEAD_HEADING) else heading


def summary_error_text(error: SummaryError, locale: str | None = None) -> str:
    """What a summary request got wrong, and what exists instead, in the reader's language."""
    # Formatted here, not by `t`: the messages' `{key}` placeholder clashes with `t`'s `key`.
    return t(error.message_key, locale).format(**error.params)
