"""Sentence locations as arrays: the same answers as walking the library."""

from bot.articles import load_library
from bot.search.units import Unit, Units


def test_units_match_the_library_walk(folder):
    library = load_library(folder)
    expected = [
        Unit(ai, section.index, pi, si, text)
        for ai, article in enumerate(library.articles)
        for section in article.sections
        for pi, paragraph in enumerate(section.paragraphs)
        for si, text in enumerate(paragraph.sentences)
    ]
    units = Units.of(library)
    assert list(units) == expected
    assert units[3] == expected[3] and units[-1] == expected[-1]
    assert units[2:5] == expected[2:5]
    assert list(units.texts()) == [u.text for u in expected]
    assert units.chars.tolist() == [len(u.text) for u in expected]


def test_paragraph_end_is_the_last_sentence_of_the_same_paragraph(folder):
    units = Units.of(load_library(folder))
    for i, unit in enumerate(units):
        end = int(units.paragraph_end[i])
        same = [j for j, u in enumerate(units) if u.article == unit.article]
        same = [
            j
            for j in same
            if (units[j].section, units[j].paragraph) == (unit.section, unit.paragraph)
        ]
        assert end == max(same)
