"""The knowledge folder: every article file in it, loaded independently.

Adding an article is dropping a file in the folder. One broken file is reported (file and line)
and skipped, so it never takes the other articles down.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.articles import ewave, markdown
from bot.articles.model import Article, ArticleError

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIX = ".meta.toml"
SIDECAR_FIELDS = {f.name for f in dataclasses.fields(Article)} - {
    "id",
    "path",
    "format",
    "sections",
    "header_lines",
    "warnings",
}


@dataclass(frozen=True)
class Library:
    """The loaded articles, in file-name order, plus the errors of files that failed to load."""

    folder: Path
    articles: tuple[Article, ...]
    errors: tuple[ArticleError, ...] = ()

    @cached_property
    def by_id(self) -> dict[str, Article]:
        """Every article by its id, made once per library (a reload makes a new library)."""
        return {a.id: a for a in self.articles}

    @cached_property
    def newest_first(self) -> tuple[Article, ...]:
        """The articles by date, newest first, sorted once rather than at every question."""
        return tuple(sorted(self.articles, key=lambda a: a.date_order, reverse=True))

    def get(self, key: str) -> Article | None:
        """Find an article by id, unique id prefix, or unique part of its title."""
        key = key.strip()
        if not key:
            return None
        if (article := self.by_id.get(key)) is not None:
            return article
        for test in (lambda a: a.id.startswith(key), lambda a: key in a.title):
            found = [a for a in self.articles if test(a)]
            if len(found) == 1:
                return found[0]
        return None


def article_id(path: Path) -> str:
    """A short id that stays the same as long as the file name does."""
    stem = unicodedata.normalize("NFKC", path.name.split(".")[0]).lower()
    slug = re.sub(r"[^\w-]+", "-", stem).strip("-")
    return slug or "article"


# One article's file at most: a commentary is tens of kilobytes, and indexing a 50 MB file took
# 84 s and 810 MB, during which a /reload served nothing new. Larger files are skipped, named.
MAX_ARTICLE_BYTES = 10_000_000


def load_article(path: Path) -> Article:
    """Read one file in whichever layout it is in, then apply its sidecar metadata if any."""
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(
                path,
                None,
                f"{size / 1e6:.1f} MB は1記事の上限 {MAX_ARTICLE_BYTES / 1e6:g} MB を超えています。"
                f"複数のファイルに分けてください / {size / 1e6:.1f} MB is over the "
                f"{MAX_ARTICLE_BYTES / 1e6:g} MB limit for one article: split it into several files",
            )
        raw = path.read_bytes()
    except OSError as e:
        raise ArticleError(path, None, f"読み込めません / cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ArticleError(path, line, "UTF-8 のテキストではありません / not UTF-8 text") from None
    if not text.strip():
        raise ArticleError(path, None, "ファイルが空です / the file is empty")
    aid = article_id(path)
    if path.suffix == ".md":
        article = markdown.parse(path, text, aid)
    elif ewave.looks_like(text):
        article = ewave.parse(path, text, aid)
    else:
        raise ArticleError(
            path,
            1,
            "形式が分かりません。「本文」の行と「■」見出しのある文書か、Markdown (.md) にしてください"
            " / unknown layout: expected a '本文' line and '■' headings, or a Markdown (.md) file",
        )
    return _safe_url(_apply_sidecar(article))


def _safe_url(article: Article) -> Article:
    """Only http(s) links are kept: the url becomes a clickable Discord link, and
    `javascript:` or `file:` must never be one. Any other url is dropped with a warning."""
    url = article.url
    if url is None or url.lower().startswith(("http://", "https://")):
        return article
    note = (
        f"{article.path.name}: url「{url[:60]}」は無視しました（http:// と https:// のみ） / "
        f"url '{url[:60]}' ignored: only http:// and https:// links are shown"
    )
    return dataclasses.replace(article, url=None, warnings=(*article.warnings, note))


def _apply_sidecar(article: Article) -> Article:
    """Fields in `<name>.meta.toml` correct or add header fields; the article file stays untouched."""
    sidecar = article.path.with_name(sidecar_name(article.path.name))
    if not sidecar.exists():
        return article
    try:
        data = tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ArticleError(
            sidecar,
            _toml_line(e),
            f"メタデータファイルが不正です（{article.path.name} は読み込みません） / invalid "
            f"metadata file, {article.path.name} skipped: {e}",
        ) from None
    unknown = sorted(set(data) - SIDECAR_FIELDS)
    if unknown:
        raise ArticleError(
            sidecar,
            None,
            f"不明な項目（{article.path.name} は読み込みません） / unknown field(s), "
            f"{article.path.name} skipped: {', '.join(unknown)}",
        )
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ArticleError(
            sidecar,
            None,
            f"項目は引用符で囲んだ文字列にしてください（{article.path.name} は読み込みません） / "
            f"field(s) must be text in quotes, {article.path.name} skipped: {', '.join(bad)}",
        )
    # A corrected field is quoted from the sidecar, no longer from the header line it replaces.
    kept = tuple(h for h in article.header_lines if h.field not in data)
    return dataclasses.replace(article, header_lines=kept, **data)


def _toml_line(e: Exception) -> int | None:
    m = re.search(r"line (\d+)", str(e))
    return int(m[1]) if m else None


def load_library(folder: Path) -> Library:
    """Load every article file in `folder`; errors are collected, not raised."""
    if folder.exists() and not folder.is_dir():
        raise ArticleError(
            folder,
            None,
            "記事フォルダではなくファイルです（BOT_KNOWLEDGE_DIR または --knowledge には記事の入ったフォルダを指定） / "
            "a file, not the knowledge folder (BOT_KNOWLEDGE_DIR or --knowledge names the folder of articles)",
        )
    if not folder.is_dir():
        raise ArticleError(
            folder,
            None,
            "記事フォルダがありません（BOT_KNOWLEDGE_DIR を確認） / knowledge folder does not exist (see BOT_KNOWLEDGE_DIR)",
        )
    articles: list[Article] = []
    errors: list[ArticleError] = []
    for path in sorted(folder.iterdir(), key=lambda p: file_order(p.name)):
        if not path.is_file() or not is_article_name(path.name):
            continue
        try:
            articles.append(load_article(path))
        except ArticleError as e:
            log.error("skipping article: %s", e)
            errors.append(e)
    errors.sort(key=lambda e: file_order(e.path.name))
    return Library(folder, unique_ids(articles), tuple(errors))


def file_order(name: str) -> tuple[str, str]:
    """Where a file's article stands in the library: by name, case-insensitively."""
    return name.casefold(), name


def is_article_name(name: str) -> bool:
    """Whether a file of this name in the knowledge folder is read as an article."""
    return (
        name.endswith(ARTICLE_SUFFIXES)
        and not name.startswith((".", "_"))
        and Path(name).stem.upper() != "README"
    )


def sidecar_name(article_name: str) -> str:
    """The name of the metadata file that corrects an article file's header fields."""
    return article_name.split(".")[0] + SIDECAR_SUFFIX


def unique_ids(articles: list[Article]) -> tuple[Article, ...]:
    """The articles in order, a repeated id (two files named alike) made unique with -2, -3."""
    seen: set[str] = set()
    out: list[Article] = []
    for article in articles:
        base = article_id(article.path)
        aid = base
        n = 2
        while aid in seen:
            aid = f"{base}-{n}"
            n += 1
        seen.add(aid)
        out.append(article if article.id == aid else dataclasses.replace(article, id=aid))
    return tuple(out)
