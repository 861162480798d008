from pathlib import Path

from bot.articles import load_library


def test_markdown_article(folder: Path):
    a = load_library(folder).get("quantum")
    assert a.format == "markdown"
    assert (a.title, a.author, a.date, a.url) == (
        "量子計算機の現在",
        "佐藤一郎",
        "2025-10-01",
        "https://example.org/quantum",
    )
    assert [s.heading for s in a.sections] == ["リード", "誤り訂正", "応用"]
    assert a.sections[1].paragraphs[0].sentences[1] == "表面符号がよく使われる。"


def test_second_markdown_article_with_h1_title_and_no_front_matter(tmp_path: Path):
    (tmp_path / "plain.md").write_text(
        "# 見出しだけの記事\n\n## 一節\n\n本文の一文。\n", encoding="utf-8"
    )
    a = load_library(tmp_path).get("plain")
    assert a.title == "見出しだけの記事"
    assert [s.heading for s in a.sections] == ["一節"]


def test_unclosed_front_matter_and_bad_line(tmp_path: Path):
    (tmp_path / "open.md").write_text("---\ntitle: x\n\n本文。\n", encoding="utf-8")
    (tmp_path / "badline.md").write_text(
        "---\ntitle: x\nこれは値ではない\n---\n本文。\n", encoding="utf-8"
    )
    errors = {e.path.name: e for e in load_library(tmp_path).errors}
    assert "never closed" in errors["open.md"].message
    assert errors["badline.md"].line == 3


def test_ids_are_stable_short_and_unique(folder: Path):
    (folder / "Quantum.md").write_text(
        (folder / "quantum.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    ids = [a.id for a in load_library(folder).articles]
    assert ids == [
        "alaska-old-world-order",
        "arctic-route",
        "quantum",
        "quantum-2",
    ]  # Quantum.md, quantum.md


def test_every_heading_level_opens_a_section_and_a_top_title_is_skipped(tmp_path):
    (tmp_path / "q.md").write_text(
        "---\ntitle: 題\n---\n\n# 大見出し\n\n最初の段落。\n\n### 小見出し\n\n次の段落だ。\n\n"
        "#タグ風の行は本文だ。\n",
        encoding="utf-8",
    )
    (article,) = load_library(tmp_path).articles
    assert [s.heading for s in article.sections] == ["リード", "小見出し"]
    assert [p.text for p in article.sections[1].paragraphs] == [
        "次の段落だ。",
        "#タグ風の行は本文だ。",
    ]


def test_code_blocks_and_bare_hashes_are_not_headings(tmp_path):
    (tmp_path / "q.md").write_text(
        "---\ntitle: 題\n---\n\n最初の段落。\n\n#\n\n```\n# コメント行。\n```\n\n## 節\n\n本文だ。\n",
        encoding="utf-8",
    )
    (article,) = load_library(tmp_path).articles
    assert [s.heading for s in article.sections] == ["リード", "節"]
    assert [p.text for p in article.sections[0].paragraphs] == ["最初の段落。", "# コメント行。"]


def test_only_http_links_are_kept_as_the_article_url(tmp_path: Path):
    for name, url in (
        ("a", "javascript:alert(1)"),
        ("b", "file:///etc/passwd"),
        ("c", "https://x.org/a"),
    ):
        (tmp_path / f"{name}.md").write_text(
            f"---\ntitle: 題 {name}\nurl: {url}\n---\n\n本文です。\n", encoding="utf-8"
        )
    articles = {a.id: a for a in load_library(tmp_path).articles}
    assert articles["a"].url is None and articles["b"].url is None
    assert "only http:// and https:// links" in articles["a"].warnings[-1]
    assert articles["c"].url == "https://x.org/a"


def test_an_oversized_file_is_skipped_with_its_size_and_the_limit(tmp_path: Path, monkeypatch):
    from bot.articles import library

    monkeypatch.setattr(library, "MAX_ARTICLE_BYTES", 1_000)
    (tmp_path / "small.md").write_text("---\ntitle: 小\n---\n\n本文です。\n", encoding="utf-8")
    (tmp_path / "huge.md").write_text("---\ntitle: 大\n---\n\n" + "長い本文です。" * 200)
    loaded = load_library(tmp_path)
    assert [a.id for a in loaded.articles] == ["small"]
    (error,) = loaded.errors
    assert error.path.name == "huge.md" and "over the 0.001 MB limit" in str(error)


def test_inline_markup_is_quoted_as_it_reads(tmp_path: Path):
    (tmp_path / "q.md").write_text(
        "---\ntitle: 題\n---\n\n"
        "潮汐は**月の引力**で起こる。詳しくは[気象庁](https://x.jp/a_(b))を参照。\n\n"
        "![写真](tides.png)\n\n"
        "- 第一に`満潮`がある。\n- 第二に~~干潮~~干潮がある。\n\n"
        "> 引用された一文。\n\n"
        "```\n**そのまま** [残る](x)\n```\n\n"
        "__init__ と 5 * 3 は本文どおり。\n",
        encoding="utf-8",
    )
    (article,) = load_library(tmp_path).articles
    assert [p.text for p in article.sections[0].paragraphs] == [
        "潮汐は月の引力で起こる。詳しくは気象庁を参照。",
        "第一に満潮がある。第二に干潮干潮がある。",
        "引用された一文。",
        "**そのまま** [残る](x)",  # a code block is quoted as written
        "__init__ と 5 * 3 は本文どおり。",
    ]
    assert article.sections[0].paragraphs[1].line == 9  # cited where the file has it
