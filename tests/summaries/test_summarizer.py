"""summarize(): shape, citations, coverage and errors, on the seed, our own and built articles."""

import dataclasses
import json
from pathlib import Path

import pytest

from bot.articles import Article, load_library
from bot.articles.model import LEAD_HEADING
from bot.presentation import summary_error_text
from bot.summaries import Summary, SummaryError, find_article, summarize
from tests.summaries.helpers import build


def positions(article: Article, summary: Summary) -> list[tuple[int, int, int]]:
    """(section, paragraph, sentence) of each quoted sentence, found by its citation."""
    out = []
    for s in summary.sentences:
        section = article.sections[s.section_index]
        paragraph = section.paragraphs[s.paragraph - 1]
        out.append((s.section_index, s.paragraph, paragraph.sentences.index(s.text)))
    return out


@pytest.mark.parametrize("length", ["short", "long", "outline"])
def test_sentences_are_verbatim_cited_and_in_article_order(seed, analyzer, length):
    summary = summarize(seed, length=length, analyzer=analyzer)
    for s in summary.sentences:
        section = seed.sections[s.section_index]
        assert s.section == section.heading
        assert s.text in section.paragraphs[s.paragraph - 1].text
    where = positions(seed, summary)
    assert where == sorted(where)
    assert len(set(where)) == len(where)


def test_lengths_and_section_coverage_on_the_seed(seed, analyzer):
    non_empty = {s.index for s in seed.sections if s.paragraphs}
    short = summarize(seed, length="short", analyzer=analyzer)
    long = summarize(seed, length="long", analyzer=analyzer)
    outline = summarize(seed, length="outline", analyzer=analyzer)
    assert len(short.sentences) == 3
    assert len({s.section_index for s in short.sentences}) == 3
    assert len(long.sentences) == 8
    assert {s.section_index for s in long.sentences} == non_empty
    assert [s.section_index for s in outline.sentences] == sorted(non_empty)


def test_seed_summaries_draw_on_the_readers_key_sentences(seed, analyzer, key_sentences):
    def hits(length: str) -> int:
        summary = summarize(seed, length=length, analyzer=analyzer)
        return sum(s.text in key_sentences for s in summary.sentences)

    lead_3 = [t for s in seed.sections for t in s.sentences][:3]
    assert sum(t in key_sentences for t in lead_3) == 1  # the baseline the figures beat
    assert hits("short") >= 2
    assert hits("long") >= 6


def test_section_summary_draws_from_that_section_only(seed, analyzer):
    for key in (2, "2", "対話の新たな基盤", "新たな基盤"):
        summary = summarize(seed, section=key, length="long", analyzer=analyzer)
        assert (summary.section_index, summary.section) == (2, "対話の新たな基盤")
        assert {s.section_index for s in summary.sentences} == {2}
        assert len(summary.sentences) == min(8, len(seed.sections[2].sentences))
    short = summarize(seed, section=2, analyzer=analyzer)
    assert len(short.sentences) == 3
    assert {s.paragraph for s in short.sentences} == {1, 2}  # spread over its paragraphs
    assert len(summarize(seed, section=2, length="outline", analyzer=analyzer).sentences) == 1


def test_json_contract(seed, analyzer):
    data = summarize(seed, length="short", analyzer=analyzer).to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["article"] == "alaska-old-world-order"
    assert data["title"] == seed.title
    assert data["length"] == "short"
    assert data["section"] is None
    assert len(data["sentences"]) == 3
    for s in data["sentences"]:
        assert {"text", "section", "paragraph"} <= s.keys()
        assert isinstance(s["paragraph"], int)
    assert data["sentences"][0]["section"] == LEAD_HEADING


def test_one_section_and_one_sentence_articles(analyzer):
    one_section = build(
        [
            (
                "本論",
                [
                    ["猫は夜に活動する。", "猫はよく眠る。"],
                    ["犬は昼に散歩する。", "犬は人に従う。"],
                ],
            )
        ]
    )
    short = summarize(one_section, length="short", analyzer=analyzer)
    assert len(short.sentences) == 3
    assert len(summarize(one_section, length="outline", analyzer=analyzer).sentences) == 1
    assert len(summarize(one_section, length="long", analyzer=analyzer).sentences) == 4

    single = build([(LEAD_HEADING, [["ただ一文だけの記事だ。"]])])
    for length in ("short", "long", "outline"):
        summary = summarize(single, length=length, analyzer=analyzer)
        assert [s.text for s in summary.sentences] == ["ただ一文だけの記事だ。"]


def test_empty_section_is_skipped_and_summarised_as_empty(rail_folder: Path, analyzer):
    rail = load_library(rail_folder).get("rail")
    empty = rail.section("今後の課題")
    assert empty is not None and not empty.paragraphs
    outline = summarize(rail, length="outline", analyzer=analyzer)
    assert [s.section_index for s in outline.sentences] == [
        s.index for s in rail.sections if s.paragraphs
    ]
    assert summarize(rail, section="今後の課題", analyzer=analyzer).sentences == ()


def test_our_own_article_leads_with_its_opening_and_keeps_its_flagged_conclusion(
    rail_folder: Path, analyzer
):
    """Sanity off the seed: the opening and the sentence its author flags as the conclusion."""
    rail = load_library(rail_folder).get("rail")
    short = summarize(rail, length="short", analyzer=analyzer)
    texts = [s.text for s in short.sentences]
    assert texts[0] == rail.sections[0].sentences[0]
    assert "結論は明確だ:地方鉄道の将来は、鉄道会社ではなく地域が決めるべきである。" in texts
    long = summarize(rail, length="long", analyzer=analyzer)
    assert len({s.section_index for s in long.sentences}) == 5


def test_unknown_article_section_and_length_name_what_exists(kb, seed, analyzer):
    with pytest.raises(SummaryError) as e:
        summarize(kb.library, "no-such-article", analyzer=analyzer)
    assert "no-such-article" in summary_error_text(e.value, "ja")
    assert "alaska-old-world-order" in summary_error_text(e.value, "ja")
    assert "alaska-old-world-order" in summary_error_text(e.value, "en")
    with pytest.raises(SummaryError) as e:
        summarize(seed, section="存在しない節", analyzer=analyzer)
    assert "存在しない節" in summary_error_text(
        e.value
    ) and "対話の新たな基盤" in summary_error_text(e.value)
    with pytest.raises(SummaryError, match="short, long, outline"):
        summarize(seed, length="medium", analyzer=analyzer)
    with pytest.raises(SummaryError) as e:
        summarize(seed, section=99, analyzer=analyzer)
    assert "5. 次に何が起こるか" in summary_error_text(e.value)


def test_library_lookup_defaults_to_the_newest_article(folder: Path, rail_folder: Path):
    (folder / "rail.md").write_text((rail_folder / "rail.md").read_text(encoding="utf-8"))
    library = load_library(folder)
    assert find_article(library, None).id == "rail"  # 2025-11-02, the newest
    assert find_article(library, "  ").id == "rail"
    assert find_article(library, "alaska").id == "alaska-old-world-order"
    assert find_article(library, "量子").id == "quantum"


def test_repeated_requests_are_cached(kb, analyzer):
    first = summarize(kb.library, "alaska", length="long", analyzer=analyzer)
    again = summarize(kb.library, "alaska-old-world-order", length="long", analyzer=analyzer)
    assert again is first


def test_a_sentence_without_words_is_quoted_only_when_nothing_else_is_left(analyzer):
    article = build(
        [(LEAD_HEADING, [["……。", "猫は夜に活動する。", "犬は昼に散歩する。", "鳥は朝に鳴く。"]])]
    )
    texts = [s.text for s in summarize(article, length="short", analyzer=analyzer).sentences]
    assert "……。" not in texts
    assert len(texts) == 3


def test_a_long_article_is_ranked_over_a_bounded_shortlist(seed, analyzer, monkeypatch):
    """Past MAX_CANDIDATES sentences LexRank runs over a linear-time shortlist, openers first."""
    from bot.summaries import summarizer
    from bot.summaries.candidates import candidates

    copies = [
        dataclasses.replace(s, index=len(seed.sections) * k + s.index, heading=f"{s.heading}{k}")
        for k in range(30)  # 180 sections: all their openers fit in half the shortlist
        for s in seed.sections
    ]
    long = dataclasses.replace(seed, sections=tuple(copies))
    cands = candidates(long.sections, by_paragraph=False)
    assert len(cands) > summarizer.MAX_CANDIDATES
    kept = summarizer.shortlist(cands)
    assert len(kept) == summarizer.MAX_CANDIDATES and kept == sorted(set(kept))
    assert all(i in kept for i, c in enumerate(cands) if c.opens_section)
    ranked: list[int] = []
    real = summarizer.lexrank
    monkeypatch.setattr(summarizer, "lexrank", lambda sim: ranked.append(len(sim)) or real(sim))
    summary = summarize(long, length="long", analyzer=analyzer)
    assert ranked == [summarizer.MAX_CANDIDATES]
    texts = {c.text for c in cands}
    assert summary.sentences and all(s.text in texts for s in summary.sentences)


def test_a_short_article_is_not_shortlisted(seed):
    from bot.summaries import summarizer
    from bot.summaries.candidates import candidates

    cands = candidates(seed.sections, by_paragraph=False)
    assert summarizer.shortlist(cands) == list(range(len(cands)))
