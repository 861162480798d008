"""Synthetic articles: deterministic, in the seed's layout, shaped like the seed."""

import pytest

from bench.lexicon import load_pools, pool_of
from bench.synth import Generator, file_name, write_corpus
from bot.articles import load_library
from bot.articles.library import load_article
from bot.settings import BUNDLED_KNOWLEDGE
from bot.text.tokens import Analyzer


@pytest.fixture(scope="module")
def generator() -> Generator:
    seed = load_article(BUNDLED_KNOWLEDGE / "alaska-old-world-order.txt")
    return Generator(load_pools("\n".join(s.text for s in seed.sections), Analyzer()))


def test_seed_words_head_the_pools(generator):
    assert generator.pools.names[0] == "ロシア"
    assert "会談" in generator.pools.nouns[:5]
    assert len(generator.pools.nouns) > 10_000  # the lexicon's long tail


def test_only_standard_spellings_of_japanese_words_enter_a_pool():
    noun = ["名詞", "普通名詞", "一般", "*", "*", "*", "カイダン", "会談", "会談", "", "", "", "漢"]
    assert pool_of(noun) == "nouns"
    assert pool_of([*noun[:8], "會談", *noun[9:]]) is None  # a variant spelling
    assert pool_of([*noun[:7], "ABC", "ABC", *noun[9:]]) is None


def test_articles_are_deterministic_and_independent_of_corpus_size(generator, tmp_path):
    small = write_corpus(tmp_path / "small", 3, generator)
    large = write_corpus(tmp_path / "large", 5, generator)
    for i in range(3):
        assert (small / file_name(i)).read_bytes() == (large / file_name(i)).read_bytes()
    assert generator.questions(5) == generator.questions(5)


def test_articles_read_as_e_wave_with_the_seeds_shape(generator, tmp_path):
    library = load_library(write_corpus(tmp_path, 20, generator))
    assert not library.errors
    assert all(not a.warnings for a in library.articles)
    first = library.articles[0]
    assert (first.format, first.number, first.date) == ("ewave", "8231", "2025-08-18")
    assert first.author and first.translator and first.publisher and first.first_published
    assert all(len(a.sections) == 6 for a in library.articles)
    paragraphs = sum(a.paragraph_count for a in library.articles) / 20
    sentences = sum(a.sentence_count for a in library.articles) / 20
    assert 10 <= paragraphs <= 15 and 36 <= sentences <= 56


def test_a_complete_corpus_is_reused(generator, tmp_path):
    folder = write_corpus(tmp_path, 2, generator)
    (folder / file_name(0)).write_text("changed", encoding="utf-8")
    write_corpus(tmp_path, 2, generator)
    assert (folder / file_name(0)).read_text(encoding="utf-8") == "changed"
    write_corpus(tmp_path, 1, generator)  # another size rewrites and drops the extra file
    assert sorted(p.name for p in folder.glob("*.txt")) == [file_name(0)]
