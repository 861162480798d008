"""Loader for the E-wave Tokyo translation layout (the seed article's publisher).

The layout, top to bottom: Japanese title lines, the English original title and a
`Series #number date` line, translator and publisher lines, a photo caption, a date/category
line, `著者:…`, the `本文` marker, the lead text, `■` section headings, a trailer
(`この記事は…最初に掲載…`) and `本稿終了`. Header fields are recognised by their shape rather
than their position, because scraped pages shift lines around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.articles.model import LEAD_HEADING, Article, ArticleError, HeaderLine, Paragraph, Section
from bot.text.sentences import split_sentences

BODY_MARKER = "本文"
END_MARKER = "本稿終了"
HEADING_MARK = "■"
NAVIGATION = re.compile(r"^(エントランスへ|トップへ|TOPへ|戻る)")
SERIES = re.compile(
    r"^(?P<series>.*?)\s*#(?P<number>\d+)\s+(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4})\s*$"
)
JA_DATE = r"\d{4}年\d{1,2}月\d{1,2}日"
DATED_PUBLISHER = re.compile(rf"^(?P<publisher>.+?)\s*(?P<date>{JA_DATE})\s*(?:\(JST\))?\s*$")
DATE_CATEGORY = re.compile(rf"^(?P<date>{JA_DATE})\s+\d{{1,2}}:\d{{2}}\s*(?P<category>.*)$")
TRANSLATOR = re.compile(r"翻訳[・:]\s*(?P<who>.+)$")
AUTHOR = re.compile(r"^著者[:]\s*(?:執筆者[:]\s*)?(?P<who>.+)$")
TRAILER = re.compile(r"^この記事は.*最初に掲載")
LATIN = re.compile(r"^[\x20-\x7e–—’‘“”]+$")


@dataclass
class _Block:
    """Consecutive non-blank header lines, with the file line number of the first."""

    line: int
    lines: list[str]

    def joined(self) -> str:
        sep = " " if all(LATIN.match(x) for x in self.lines) else ""
        return sep.join(x.strip() for x in self.lines)


def looks_like(text: str) -> bool:
    """True when the text has this layout's body start (the marker, or failing that an author
    line before the first heading) and section headings or end marker."""
    lines = [line.strip() for line in text.splitlines()]
    headed = any(x.startswith(HEADING_MARK) for x in lines)
    starts = BODY_MARKER in lines or _last_author(lines) is not None
    return starts and (END_MARKER in text or headed)


def parse(path: Path, text: str, article_id: str) -> Article:
    lines = text.splitlines()
    header_end, body_at, note = _body_start(path, lines)
    fields, header_lines, warnings = _parse_header(path, lines[:header_end])
    if note:
        warnings.insert(0, note)
    sections, trailer = _parse_body(path, lines, body_at)
    if trailer:
        header_lines.append(HeaderLine("first_published", trailer[1], trailer[0]))
        fields["first_published"] = trailer[1]
    if "title" not in fields:
        raise ArticleError(
            path, 1, "本文の前にタイトル行がありません / no title line found before the body"
        )
    return Article(
        id=article_id,
        path=path,
        format="ewave",
        sections=sections,
        header_lines=tuple(header_lines),
        warnings=tuple(warnings),
        **fields,
    )


def _body_start(path: Path, lines: list[str]) -> tuple[int, int, str | None]:
    """Where the header ends and the body starts (line indexes), and a warning when guessed.

    The `本文` marker says where the body starts. A page scraped without it still has the
    author line; the body is taken to start after it and after any header-shaped lines that
    follow it (scraped pages shift the date or caption lines around).
    """
    for i, line in enumerate(lines):
        if line.strip() == BODY_MARKER:
            return i, i + 1, None
    author = _last_author([line.strip() for line in lines])
    if author is None:
        raise ArticleError(
            path,
            None,
            f"本文の始まりを示す「{BODY_MARKER}」の行も、最初の「{HEADING_MARK}」見出しの前の著者行も"
            f"ありません / no '{BODY_MARKER}' line, and no author line before the first "
            f"'{HEADING_MARK}' heading, marks where the body starts",
        )
    start = author + 1
    while start < len(lines) and (not lines[start].strip() or _header_shaped(lines[start])):
        start += 1
    return (
        start,
        start,
        (
            f"{path.name}:{author + 1}: 「{BODY_MARKER}」の行がないため、著者行の後の "
            f"{start + 1} 行目から本文とみなしました / no '{BODY_MARKER}' line; the body is taken "
            f"to start at line {start + 1}, after the author line"
        ),
    )


def _last_author(lines: list[str]) -> int | None:
    """Index of the last author line before the first section heading, if any."""
    found = None
    for i, line in enumerate(lines):
        if line.startswith(HEADING_MARK):
            break
        if AUTHOR.match(line):
            found = i
    return found


def _header_shaped(line: str) -> bool:
    line = line.strip()
    return bool(
        "©" in line
        or NAVIGATION.match(line)
        or any(p.search(line) for p in (SERIES, DATED_PUBLISHER, DATE_CATEGORY, TRANSLATOR))
    )


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for i, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if current is None:
            current = _Block(i, [])
            blocks.append(current)
        current.lines.append(line)
    return blocks


def _parse_header(
    path: Path, lines: list[str]
) -> tuple[dict[str, str], list[HeaderLine], list[str]]:
    fields: dict[str, str] = {}
    header: list[HeaderLine] = []
    warnings: list[str] = []
    ja_titles: list[_Block] = []
    english: list[_Block] = []
    for block in _blocks(lines):
        if NAVIGATION.match(block.lines[0]):
            block.lines.pop(0)
            block.line += 1
            if not block.lines:
                continue
        consumed = _classify_lines(block, fields, header, english)
        if consumed:
            continue
        if "©" in block.joined():
            fields["caption"] = block.joined()
            header.append(HeaderLine("caption", block.joined(), block.line))
        elif all(LATIN.match(x) for x in block.lines):
            english.append(block)
        elif "series" not in fields and "author" not in fields:
            ja_titles.append(block)
        else:
            warnings.append(
                f"{path.name}:{block.line}: ヘッダー行を認識できません / header line not "
                f"recognised: {block.lines[0][:40]}"
            )
    if ja_titles:
        first = ja_titles[0]
        fields["title"] = first.lines[0]
        header.append(HeaderLine("title", first.lines[0], first.line))
        parts = ["".join(first.lines[1:])] if len(first.lines) > 1 else []
        parts += [b.joined() for b in ja_titles[1:]]
        if parts:
            fields["subtitle"] = " ".join(parts)
    return fields, header, warnings


def _classify_lines(
    block: _Block, fields: dict[str, str], header: list[HeaderLine], english: list[_Block]
) -> bool:
    """Recognise the one-line fields inside a block; True when the whole block was consumed."""
    consumed = 0
    for offset, line in enumerate(block.lines):
        lineno = block.line + offset
        if m := SERIES.match(line):
            fields["series"] = m["series"].strip()
            fields["number"] = m["number"]
            header.append(HeaderLine("series", line, lineno))
            # The English original title sits right above the series line, in this block or the last.
            above = block.lines[:offset] or (english.pop().lines if english else [])
            if above:
                fields["original_title"] = " ".join(above)
                header.append(HeaderLine("original_title", " ".join(above), lineno - 1))
            return True
        if m := TRANSLATOR.search(line):
            fields["translator"] = m["who"].strip()
            header.append(HeaderLine("translator", line, lineno))
        elif m := DATE_CATEGORY.match(line):
            fields.setdefault("date", _iso(m["date"]))
            if m["category"].strip():
                fields["category"] = m["category"].strip()
            header.append(HeaderLine("category", line, lineno))
        elif m := DATED_PUBLISHER.match(line):
            fields["publisher"] = m["publisher"].strip()
            fields["date"] = _iso(m["date"])
            header.append(HeaderLine("publisher", line, lineno))
            header.append(HeaderLine("date", line, lineno))
        elif m := AUTHOR.match(line):
            who = m["who"].strip()
            name, _, role = who.partition("、")
            fields["author"] = name.strip()
            if role.strip():
                fields["author_role"] = role.strip()
            header.append(HeaderLine("author", line, lineno))
        else:
            continue
        consumed += 1
    return consumed == len(block.lines)


def _iso(ja_date: str) -> str:
    y, m, d = (int(x) for x in re.findall(r"\d+", ja_date))
    return f"{y:04d}-{m:02d}-{d:02d}"


def _parse_body(
    path: Path, lines: list[str], start: int
) -> tuple[tuple[Section, ...], tuple[int, str] | None]:
    sections: list[Section] = []
    heading, heading_line = LEAD_HEADING, start + 1
    paragraphs: list[Paragraph] = []
    trailer: tuple[int, str] | None = None

    def close() -> None:
        if paragraphs or sections or heading != LEAD_HEADING:
            sections.append(Section(len(sections), heading, tuple(paragraphs), heading_line))

    for i in range(start, len(lines)):
        lineno = i + 1
        line = lines[i].strip()
        if not line:
            continue
        if line.startswith(END_MARKER):
            break
        if TRAILER.match(line):
            trailer = (lineno, line)
            continue
        if line.startswith(HEADING_MARK):
            title = line.lstrip(HEADING_MARK).strip()
            if not title:
                raise ArticleError(
                    path,
                    lineno,
                    f"「{HEADING_MARK}」の見出しに文字がありません / a '{HEADING_MARK}' heading with no text",
                )
            close()
            heading, heading_line, paragraphs = title, lineno, []
            continue
        paragraphs.append(
            Paragraph(len(paragraphs) + 1, line, tuple(split_sentences(line)), lineno)
        )
    close()
    if not any(s.paragraphs for s in sections):
        raise ArticleError(
            path,
            start + 1,
            f"「{BODY_MARKER}」の後に本文がありません / no body text after '{BODY_MARKER}'",
        )
    return tuple(sections), trailer
