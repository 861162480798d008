from pathlib import Path

import pytest

from bot.articles import ArticleError, load_library
from bot.articles.library import load_article
from tests.conftest import SEED


def test_seed_header_fields(kb):
    a = kb.library.get("alaska-old-world-order")
    assert a is not None
    assert a.title == "アラスカで旧世界秩序が崩壊"  # corrected by the sidecar
    assert a.original_title.startswith("The old world order cracked in Alaska.")
    assert (a.series, a.number) == ("War on UKRINE", "8231")
    assert a.author == "ティモフィー・ボルダチェフ"
    assert a.author_role == "ヴァルダイ・クラブ・プログラム・ディレクター"
    assert "池田こみち" in a.translator
    assert a.publisher == "独立系メデア E-wave Tokyo"
    assert a.date == "2025-08-18"
    assert a.category == "ロシア・旧ソ連諸国"
    assert a.caption.endswith("© Andrew Harnik/Getty Images")
    assert "Profile" in a.first_published


def test_seed_sections_and_verbatim_text(kb):
    a = kb.library.articles[0]
    assert [s.heading for s in a.sections] == [
        "リード",
        "ワシントンの古い教義を破る",
        "対話の新たな基盤",
        "トランプの国内勝利",
        "プーチン対ゴルバチョフ – そしてトランプの異なる戦い",
        "次に何が起こるか",
    ]
    assert a.sections[0].is_lead
    raw = SEED.read_text(encoding="utf-8")
    for section in a.sections:
        for p in section.paragraphs:
            assert p.text in raw
            assert raw.splitlines()[p.line - 1].strip() == p.text
            for s in p.sentences:
                assert s in p.text
    # the trailer and the end marker are not body text
    assert all("本稿終了" not in s for s in a.sections[-1].sentences)
    assert a.paragraph_count == 12


def test_without_sidecar_the_title_is_as_published(tmp_path: Path):
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    a = load_article(tmp_path / SEED.name)
    assert a.title == "ラスカで旧世界秩序が崩壊"


def test_second_article_in_the_same_layout(folder: Path):
    lib = load_library(folder)
    assert not lib.errors
    a = lib.get("arctic-route")
    assert a.title == "北極圏の新しい航路"
    assert a.subtitle == "氷が溶けて開かれる海"
    assert a.original_title == "The new Arctic route opens as the ice melts"
    assert a.number == "8300"
    assert a.author == "イワン・ペトロフ"
    assert a.date == "2025-09-03"
    assert [s.heading for s in a.sections] == ["リード", "航路の経済性", "環境への懸念"]
    assert a.sections[2].paragraphs[0].sentences == (
        "専門家は生態系への影響を警告している。",
        "「氷が戻ることはない。」と研究者は述べた。",
    )


def test_malformed_file_names_file_and_line_and_spares_the_others(folder: Path):
    bad = folder / "broken.txt"
    bad.write_text("タイトル\n\n本文\n\n 本文の段落。\n■\n 段落。\n本稿終了\n", encoding="utf-8")
    lib = load_library(folder)
    assert len(lib.articles) == 3
    [err] = lib.errors
    assert err.path == bad
    assert err.line == 6
    assert "broken.txt:6" in str(err)


def test_missing_body_marker_and_non_utf8(tmp_path: Path):
    (tmp_path / "nobody.txt").write_text("タイトル\n■見出し\n 段落。\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("タイトル\n本文\n".encode() + b"\n\xff\xfe bad\n")
    lib = load_library(tmp_path)
    assert lib.articles == ()
    messages = {e.path.name: e for e in lib.errors}
    assert "unknown layout" in messages["nobody.txt"].message
    assert messages["latin1.txt"].line == 4
    assert "UTF-8" in messages["latin1.txt"].message


def test_a_scraped_page_without_the_body_marker_starts_its_body_after_the_author(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    (tmp_path / "a.txt").write_text(
        "\n".join(x for x in lines if x.strip() != "本文"), encoding="utf-8"
    )
    (article,) = load_library(tmp_path).articles
    original = load_article(SEED)
    assert article.author == original.author
    assert [s.heading for s in article.sections] == [s.heading for s in original.sections]
    assert article.sentence_count == original.sentence_count
    assert any("no '本文' line" in w for w in article.warnings)


def test_bad_sidecar_is_reported_with_its_line(folder: Path):
    (folder / "arctic-route.meta.toml").write_text('title = "ok"\nurl = \n', encoding="utf-8")
    lib = load_library(folder)
    [err] = lib.errors
    assert err.path.name == "arctic-route.meta.toml"
    assert err.line == 2


def test_sidecar_adds_url_and_rejects_unknown_fields(folder: Path):
    (folder / "arctic-route.meta.toml").write_text(
        'url = "https://example.org/a"\n', encoding="utf-8"
    )
    assert load_library(folder).get("arctic-route").url == "https://example.org/a"
    (folder / "arctic-route.meta.toml").write_text('colour = "red"\n', encoding="utf-8")
    with pytest.raises(ArticleError, match="colour"):
        load_article(folder / "arctic-route.txt")


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ArticleError, match="BOT_KNOWLEDGE_DIR"):
        load_library(tmp_path / "nope")
