"""Answer cards stay inside Discord's limits and never carry live markdown or mentions."""

import dataclasses

from bot.answers import Answer, Citation, Passage
from bot.discordbot import cards
from bot.knowledge_base import KnowledgeBase
from tests.conftest import markdown_article


def passage(quote: str, **kw) -> Passage:
    citation = Citation(
        "題名", kw.get("section", "節"), "著者", "発行元", "2025-08-18", kw.get("url")
    )
    return Passage(quote, "a", "題名", citation.section, 1, 2, 0.5, ("会談",), citation)


def test_answer_embed_bolds_matched_terms_and_cites(kb):
    answer = kb.ask("アンカレッジは最終的な平和だったのか")
    embed = cards.answer_embed("アンカレッジは最終的な平和だったのか", answer, 0, "ja")
    assert "**アンカレッジ**" in embed.description
    assert "**平和**" in embed.description
    assert embed.fields[0].name == "出典"
    assert "次に何が起こるか" in embed.fields[0].value and "第2段落" in embed.fields[0].value
    assert embed.footer.text.startswith("確度: ")
    english = cards.answer_embed("q", answer, 0, "en")
    assert english.fields[0].name == "Source" and "paragraph 2" in english.fields[0].value


def test_english_questions_say_what_they_were_searched_by(kb):
    answer = kb.ask("Why did Gorbachev make concessions?")
    embed = cards.answer_embed("Why did Gorbachev make concessions?", answer, 0, "en")
    note, quote = embed.description.split("\n\n", 1)
    assert "gorbachev → ゴルバチョフ" in note and "not an answer" in note
    assert quote.startswith("> ") and "ゴルバチョフ" in quote
    assert embed.colour == cards.CANDIDATE_COLOUR
    refusal = kb.ask("What is the weather in Tokyo?")
    refused = cards.refusal_embed("What is the weather in Tokyo?", refusal, kb.library, "ja")
    assert "日本語で質問してください" in refused.description


def test_user_text_is_inert(kb):
    question = "@everyone **太字** <@&123> の会談は？"
    answer = Answer(question, True, "passage", (passage("会談は *重要* だった @here"),))
    embed = cards.answer_embed(question, answer, 0, "ja")
    assert "@everyone" not in embed.title and "@\u200beveryone" in embed.title
    assert "@here" not in embed.description
    assert "\\*重要\\*" in embed.description


def test_every_part_fits_discord_limits(kb):
    long_quote = "会談" * 3000
    answer = Answer(
        "q" * 600,
        True,
        "passage",
        (passage(long_quote, section="節" * 2000, url="https://x.example/" + "a" * 50),),
    )
    embed = cards.answer_embed("q" * 600, answer, 0, "ja")
    assert len(embed.title) <= 256
    assert len(embed.description) <= 4096
    assert all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed) <= 6000
    refusal = cards.refusal_embed(
        "q" * 600, Answer("q", False, "refused", unknown_terms=("x" * 5000,)), kb.library, "ja"
    )
    assert len(refusal.description) <= 4096 and len(refusal) <= 6000


def test_refusal_names_unknown_terms_and_lists_topics(kb):
    answer = kb.ask("ゼレンスキーは会談に参加したのか")
    embed = cards.refusal_embed("ゼレンスキーは会談に参加したのか", answer, kb.library, "ja")
    assert "記事には、この質問に答える箇所が見つかりませんでした" in embed.description
    assert "「ゼレンスキー" in embed.description
    assert embed.fields[0].name == "記事で扱っている話題:"
    assert "トランプの国内勝利" in embed.fields[0].value


def test_a_near_refusal_shows_the_nearest_passage_marked_as_not_an_answer(kb):
    found = kb.ask("アンカレッジは最終的な平和だったのか")
    near = dataclasses.replace(found, answered=False, kind="refused", nearest=True)
    for locale, heading, message in (
        ("ja", "いちばん近い箇所はここです（質問の答えとは限りません）:", "はっきり答える箇所"),
        ("en-US", "The closest passage (it may not answer the question):", "clearly answers"),
    ):
        embed = cards.refusal_embed(
            "アンカレッジは最終的な平和だったのか", near, kb.library, locale
        )
        assert message in embed.description
        assert [f.name for f in embed.fields] == [heading]  # instead of the topic list
        assert "アンカレッジは最終的な平和ではなかった" in embed.fields[0].value.replace("**", "")
        assert "アラスカで旧世界秩序が崩壊" in embed.fields[0].value  # cited


def test_a_refusal_among_many_articles_names_the_command_that_lists_them(tmp_path):
    for i in range(8):
        markdown_article(tmp_path, f"a{i}", f"題{i}", f"第{i}の記事は港湾について述べる。")
    many = KnowledgeBase.load(tmp_path, persist=False)
    answer = many.ask("ビットコインの価格は？")
    for locale, command in (("ja", "`/記事一覧`"), ("en-US", "`/articles`")):
        embed = cards.refusal_embed(answer.question, answer, many.library, locale)
        assert command in embed.fields[0].value


def test_a_request_for_a_summary_names_the_slash_command(kb):
    answer = Answer("この記事の要約を教えて", False, "refused")
    assert (
        "記事の要約は `/要約` で見られます。"
        in cards.refusal_embed(answer.question, answer, kb.library, "ja").description
    )
    assert (
        "`/summary` gives a summary"
        in cards.refusal_embed(answer.question, answer, kb.library, "en-US").description
    )


def test_fit_marks_truncation():
    assert cards.fit("abc", 5) == "abc"
    cut = cards.fit("あ" * 100, 20, "ja")
    assert len(cut) == 20 and cut.endswith("（以下省略）")


def test_a_metadata_answer_states_the_field_and_cites_the_header_line(kb):
    answer = kb.ask("この記事の執筆者は誰ですか")
    embed = cards.answer_embed("この記事の執筆者は誰ですか", answer, 0, "ja")
    # A sentence we made from the header, not a quotation: no block quote; the header line,
    # verbatim, is cited under it.
    assert embed.description.startswith("著者はティモフィー・ボルダチェフ（")
    assert "25行目「著者:執筆者:ティモフィー・ボルダチェフ、" in embed.fields[0].value
    english = cards.answer_embed("Who wrote this article?", answer, 0, "en")
    assert english.description.startswith("The author is ティモフィー・ボルダチェフ (")
    quoted = cards.answer_embed(
        "q", kb.ask("アラスカ会談はロシアにとってどんな勝利だったか"), 0, "ja"
    )
    assert quoted.description.startswith("> ")  # a passage of the article is quoted
    assert "line 25" in english.fields[0].value


def test_header_answers_for_several_articles_share_one_card(folder):
    answer = KnowledgeBase.load(folder, persist=False).ask("この記事は誰が書いた？")
    embed = cards.answer_embed("この記事は誰が書いた？", answer, 0, "ja")
    assert [f.name for f in embed.fields] == [p.article_title for p in answer.passages]
    assert all(p.quote in f.value for p, f in zip(answer.passages, embed.fields, strict=True))
    assert embed.footer.text is None  # answers, not candidates to page through


def test_citations_name_sections_and_paragraphs_in_the_readers_language(kb):
    lead = kb.ask("アラスカ会談はロシアにとってどんな勝利だったか").passages[0]
    assert lead.section_index == 0  # the lead: its name is ours, not the article's
    ja, en = cards.citation_markdown(lead, "ja"), cards.citation_markdown(lead, "en-US")
    assert "リード" in ja and "（第1段落）" in ja
    assert "Lead" in en and " (paragraph 1)" in en and "リード" not in en and "（" not in en
    header = kb.ask("この記事の著者は誰ですか").passages[0]
    assert "記事情報" in cards.citation_markdown(header, "ja")
    en = cards.citation_markdown(header, "en-US")
    assert "article header" in en and "記事情報" not in en
