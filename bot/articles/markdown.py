"""Loader for plain Markdown articles: `key: value` front matter between `---` lines, `#` headings.

Every heading level (`##`, `###`, …) opens a section; a `# Title` line before any text is the
title line and is skipped (the front matter's title wins).

This is the format for articles from other sources. Front matter is a flat list of keys, so we
read it ourselves instead of pulling in a YAML parser for six fields.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.articles.model import LEAD_HEADING, Article, ArticleError, HeaderLine, Paragraph, Section
from bot.text.sentences import split_sentences

FIELDS = {
    "title",
    "subtitle",
    "original_title",
    "author",
    "author_role",
    "translator",
    "publisher",
    "date",
    "series",
    "number",
    "category",
    "url",
    "first_published",
}


def parse(path: Path, text: str, article_id: str) -> Article:
    lines = text.splitlines()
    fields, header, warnings, body_start = _front_matter(path, lines)
    sections = _sections(path, lines, body_start)
    if "title" not in fields:
        h1 = next((x.strip()[2:].strip() for x in lines[body_start:] if x.startswith("# ")), "")
        if not h1:
            raise ArticleError(
                path,
                1,
                "front matter に title: がなく、「# 」のタイトル行もありません / no 'title:' in the front matter and no '# ' title line",
            )
        fields["title"] = h1
    return Article(
        id=article_id,
        path=path,
        format="markdown",
        sections=sections,
        header_lines=tuple(header),
        warnings=tuple(warnings),
        **fields,
    )


def _front_matter(
    path: Path, lines: list[str]
) -> tuple[dict[str, str], list[HeaderLine], list[str], int]:
    fields: dict[str, str] = {}
    header: list[HeaderLine] = []
    warnings: list[str] = []
    if not lines or lines[0].strip() != "---":
        return fields, header, warnings, 0
    if not any(x.strip() == "---" for x in lines[1:]):
        raise ArticleError(
            path,
            1,
            "「---」で始まる front matter が閉じられていません / front matter opened with '---' is never closed",
        )
    for i in range(1, len(lines)):
        lineno = i + 1
        line = lines[i].strip()
        if line == "---":
            return fields, header, warnings, i + 1
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep:
            raise ArticleError(
                path,
                lineno,
                f"front matter の行が「key: value」の形ではありません / front matter line is not 'key: value': {line[:40]}",
            )
        value = value.strip().strip('"').strip("'")
        if key not in FIELDS:
            warnings.append(
                f"{path.name}:{lineno}: 不明な項目「{key}」を無視しました / unknown front matter key '{key}' ignored"
            )
            continue
        if value:
            fields[key] = value
            header.append(HeaderLine(key, line, lineno))
    raise AssertionError("unreachable: a closing '---' was found above")


ATX_HEADING = re.compile(r"^(?P<marks>#{1,6})(?:\s+(?P<text>.*)|$)")
# Inline markup, which a reader of the rendered article never sees and a quote must not show:
# images (dropped), links (their text kept), bold (**), strike-through and code marks (not __,
# which names like __init__ use, nor single * and _, which text does), and the marks
# that open a list item or a block quote.
_URL = r"\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"  # one level of brackets, a title
_IMAGE = re.compile(r"!\[[^\]]*\]" + _URL)
_LINK = re.compile(r"\[([^\]]+)\]" + _URL)
_PAIRED = re.compile(r"(\*\*|~~|`)(?=\S)(.+?)(?<=\S)\1")
_LINE_MARK = re.compile(r"^(?:>\s*)+|^(?:[-*+]|\d{1,3}[.)])\s+")


def _sections(path: Path, lines: list[str], start: int) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading, heading_line = LEAD_HEADING, start + 1
    paragraphs: list[Paragraph] = []
    buffer: list[str] = []
    buffer_line = 0

    def end_paragraph() -> None:
        nonlocal buffer
        if buffer:
            text = join_lines(buffer)
            paragraphs.append(
                Paragraph(len(paragraphs) + 1, text, tuple(split_sentences(text)), buffer_line)
            )
            buffer = []

    def end_section() -> None:
        end_paragraph()
        if paragraphs or sections or heading != LEAD_HEADING:
            sections.append(Section(len(sections), heading, tuple(paragraphs), heading_line))

    in_fence = False
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence  # a code block: its lines are text, '# comment' included
            end_paragraph()
            continue
        found = None if in_fence else ATX_HEADING.match(line)
        title = (found["text"] or "").strip().rstrip("#").strip() if found else ""
        if found and len(found["marks"]) == 1 and not sections and not paragraphs and not buffer:
            continue  # a top-level title line; the front matter title wins
        if title:
            # Any heading level opens a section (### included): quoting 「### 小見出し」 as a
            # sentence of the text before it would be wrong, and sections are what we cite.
            end_section()
            heading, heading_line, paragraphs = title, i + 1, []
        elif found:
            end_paragraph()  # a bare '#': a rule between paragraphs, nothing to quote
        elif not (line := line if in_fence else plain(line)):
            end_paragraph()  # a blank line, or one that held only an image
        else:
            if not buffer:
                buffer_line = i + 1
            buffer.append(line)
    end_section()
    if not any(s.paragraphs for s in sections):
        raise ArticleError(path, start + 1, "本文がありません / no body text")
    return tuple(sections)


def plain(line: str) -> str:
    """A line of Markdown as it reads rendered: 「潮汐は**月の引力**で起こる。詳しくは[気象庁](…)」
    is quoted 「潮汐は月の引力で起こる。詳しくは気象庁」."""
    line = _LINE_MARK.sub("", _LINK.sub(r"\1", _IMAGE.sub("", line)))
    return _PAIRED.sub(r"\2", line).strip()


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: Japanese runs on without a space, Latin words keep theirs."""
    out = ""
    for line in (x.strip() for x in lines):
        if out and out[-1].isascii() and line[:1].isascii() and out[-1] != " ":
            out += " "
        out += line
    return out
