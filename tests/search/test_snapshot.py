"""The library snapshot: arrays and JSON that read back into an equal library."""

import dataclasses
import gc
import weakref

import numpy as np
import pytest

from bot.articles import load_library
from bot.articles.model import Paragraph
from bot.search import snapshot


def test_round_trip_equal_library_with_errors(folder):
    (folder / "broken.txt").write_text("見出しも本文もない\n", encoding="utf-8")
    library = load_library(folder)
    restored = snapshot.load(snapshot.dump(library), folder)
    assert (restored.folder, restored.articles) == (library.folder, library.articles)
    assert [a.warnings for a in restored.articles] == [a.warnings for a in library.articles]
    assert [(str(e), e.line) for e in restored.errors] == [(str(e), e.line) for e in library.errors]


def test_sentences_that_are_not_slices_of_their_paragraph_survive(folder):
    library = load_library(folder)
    article = library.articles[0]
    section = article.sections[1]
    odd = Paragraph(9, "本文そのもの。", ("書き換えた文。", "もう一つ。"), 99)
    section = dataclasses.replace(section, paragraphs=(*section.paragraphs, odd))
    article = dataclasses.replace(article, sections=(article.sections[0], section))
    library = dataclasses.replace(library, articles=(article,))
    assert snapshot.load(snapshot.dump(library), folder).articles == library.articles


def test_paths_follow_a_moved_folder(folder, tmp_path_factory):
    arrays = snapshot.dump(load_library(folder))
    elsewhere = tmp_path_factory.mktemp("moved")
    restored = snapshot.load(arrays, elsewhere)
    assert all(a.path.parent == elsewhere for a in restored.articles)


def test_inconsistent_arrays_are_rejected(folder):
    arrays = snapshot.dump(load_library(folder))
    with pytest.raises(ValueError):
        snapshot.load({**arrays, "ends": arrays["ends"][:-1]}, folder)
    with pytest.raises(ValueError):
        snapshot.load({**arrays, "bounds": arrays["bounds"][:-2]}, folder)
    with pytest.raises(ValueError):
        snapshot.load({**arrays, "text": np.zeros(3, dtype=np.uint8)}, folder)


def test_a_stored_library_holds_no_text_until_asked(folder):
    library = load_library(folder)
    restored = snapshot.load(snapshot.dump(library), folder)
    paragraph = restored.articles[0].sections[1].paragraphs[0]
    assert paragraph._text is None and paragraph._sentences is None
    original = library.articles[0].sections[1].paragraphs[0]
    assert (paragraph.text, paragraph.sentences) == (original.text, original.sentences)


def test_a_stored_section_reads_as_its_tuple_of_paragraphs(folder):
    library = load_library(folder)
    restored = snapshot.load(snapshot.dump(library), folder)
    for parsed, stored in zip(
        library.articles[0].sections, restored.articles[0].sections, strict=True
    ):
        # No paragraph object is kept: each is made when read.
        assert isinstance(stored.paragraphs, snapshot.StoredParagraphs)
        original = parsed.paragraphs
        assert len(stored.paragraphs) == len(original)
        assert stored.paragraphs == original and original == stored.paragraphs
        assert tuple(stored.paragraphs) == original
        assert stored.paragraphs[-1] == original[-1]
        assert stored.paragraphs[1::2] == original[1::2]
        assert [p.line for p in stored.paragraphs] == [p.line for p in original]
        with pytest.raises(IndexError):
            stored.paragraphs[len(original)]
        with pytest.raises(TypeError):
            stored.paragraphs[1.0]  # type: ignore[index]
        assert stored.paragraphs != list(original)  # as a tuple would not be
    assert restored.articles[0].sections[1].paragraphs != library.articles[0].sections[2].paragraphs


def test_a_stored_library_is_freed_without_the_cycle_collector(folder):
    # A start-up library is frozen out of the collector's reach (`bot.search.store`): a
    # reference cycle through it would keep it, and its memory-mapped index, for good.
    restored = snapshot.load(snapshot.dump(load_library(folder)), folder)
    source = weakref.ref(restored.articles[0].sections[1].paragraphs[0]._source)
    gc.disable()
    try:
        del restored
        assert source() is None
    finally:
        gc.enable()
