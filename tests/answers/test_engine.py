import json
from pathlib import Path

import pytest

from bot.answers.metadata import metadata_field
from bot.answers.questions import MAX_QUESTION_CHARS, question_problem
from bot.knowledge_base import KnowledgeBase
from bot.ranking.model import MODEL_FILE, RankingModel
from tests.conftest import markdown_article

RAW = (Path(__file__).resolve().parents[2] / "knowledge" / "alaska-old-world-order.txt").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "アメリカの強固な経済基盤は何を与えているか",
            "国際的な損失を後で取り戻せるという自信を与えている",
        ),
        ("世界が求めているものは何か", "世界が求めるのは安定"),  # conjugation: 求めている / 求める
        (
            "プーチンとの直接会談でトランプは何を示したか",
            "西欧を迂回できることを示した",
        ),  # spans two sentences
        (
            "モスクワ抜きで世界秩序は成り立つか",
            "モスクワなしにグローバルな秩序は存在しない",
        ),  # paraphrase
    ],
)
def test_ranking_on_known_questions(kb, question, expected):
    answer = kb.ask(question)
    assert answer.answered and answer.kind == "passage"
    assert expected in answer.passages[0].quote


def test_quotes_are_verbatim_short_and_cited(kb):
    answer = kb.ask("ゴルバチョフはなぜ必要のない妥協をしたのか")
    assert 1 <= len(answer.passages) <= 3
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)
    for p in answer.passages:
        assert p.quote in RAW
        assert len(p.quote) <= 300
    best = answer.passages[0]
    assert best.section == "プーチン対ゴルバチョフ – そしてトランプの異なる戦い"
    assert best.paragraph == 1
    assert best.citation.text() == (
        "アラスカで旧世界秩序が崩壊 — プーチン対ゴルバチョフ – そしてトランプの異なる戦い"
        " — ティモフィー・ボルダチェフ, 独立系メデア E-wave Tokyo, 2025-08-18"
    )
    assert "ゴルバチョフ" in best.matched_terms


@pytest.mark.parametrize(
    "question", ["日本の首相は誰ですか", "東京の明日の天気を教えて", "おすすめのラーメン屋を教えて"]
)
def test_out_of_scope_is_refused(kb, question):
    answer = kb.ask(question)
    assert not answer.answered and answer.kind == "refused"


def test_unknown_terms_are_named_and_whole(kb):
    answer = kb.ask("ゼレンスキーはアラスカの会談に参加したのか")
    assert not answer.answered
    assert "ゼレンスキー" in answer.unknown_terms
    assert kb.ask("ビットコインの価格はいくらですか").unknown_terms == ("ビットコイン", "価格")
    # words the articles do use are never reported as unknown
    assert kb.ask("アラスカ会談の結果は").unknown_terms == ()


def test_unknown_terms_are_named_as_written_and_never_a_question_word(kb):
    # The analysis lower-cases Latin letters and splits いくつ into いく + つ: the refusal names
    # what the member wrote, and not the question word.
    assert kb.ask("NATOの加盟国はいくつありますか").unknown_terms == ("NATO", "加盟国")
    # Named with the nouns it is compounded with, Latin letters as written.
    assert kb.ask("大谷のホームラン数は？").unknown_terms == ("大谷", "ホームラン数")
    assert kb.ask("サッカーW杯の優勝国は？").unknown_terms == ("サッカーW杯", "優勝国")
    assert kb.ask("Ｂｉｔｃｏｉｎの価格は？").unknown_terms == ("Bitcoin", "価格")
    # だれ is 誰 in kana: a question word, never a word the articles lack.
    assert kb.ask("ビットコインを作ったのはだれ").unknown_terms == ("ビットコイン",)


def test_a_word_of_the_caption_is_never_said_to_appear_nowhere(kb):
    # The seed's photo caption says 記者会見を行う; captions are not searched, but a refusal
    # must not claim the article never uses the word.
    assert "記者会見" in kb.library.articles[0].caption
    assert "記者会見" not in kb.ask("記者会見はどこで行われたか").unknown_terms
    assert "ビットコイン" in kb.ask("ビットコインの記者会見はいつか").unknown_terms


@pytest.mark.parametrize(
    ("question", "field", "quote_part"),
    [
        ("この記事の執筆者は誰ですか", "author", "ティモフィー・ボルダチェフ"),
        ("Who wrote this article?", "author", "ティモフィー・ボルダチェフ"),
        ("この記事を翻訳したのは誰？", "translator", "池田こみち"),
        ("この記事はいつ公開されましたか", "date", "2025年8月18日"),
        ("この記事の原題は？", "original_title", "The old world order cracked in Alaska"),
        (
            "この記事はどこに最初に掲載されたのか",
            "first_published",
            "雑誌 Profile に最初に掲載され",
        ),
    ],
)
def test_metadata_answers_state_the_header_line_they_cite(kb, question, field, quote_part):
    assert metadata_field(question, kb.analyzer.lemmas) == field
    answer = kb.ask(question)
    assert answer.answered and answer.kind == "metadata"
    p = answer.passages[0]
    assert quote_part in p.quote and p.fact.field == field
    # the stated value is the header's, and the cited line is the file's, verbatim
    assert p.fact.value in p.quote and p.fact.value in p.fact.source
    assert RAW.splitlines()[p.fact.line - 1] == p.fact.source


def test_content_questions_are_not_mistaken_for_metadata(kb):
    lemmas = kb.analyzer.lemmas
    assert metadata_field("トランプはいつ批判者に成功を見せたのか", lemmas) is None
    assert metadata_field("ゴルバチョフは何を書いたか", lemmas) is None
    assert metadata_field("筆者の主張は何ですか", lemmas) is None
    assert metadata_field("著者はロシアの勝利をどう評価しているか", lemmas) is None
    assert kb.ask("筆者の主張は何ですか").kind != "metadata"


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("誰が翻訳しましたか", "translator"),
        ("いつ公開されましたか", "date"),
        ("最初にどこに掲載されましたか", "first_published"),
        ("誰が書いたの？", "author"),
        ("Who translated it?", "translator"),
        ("アラスカの記事の著者は誰", "author"),
        ("日本語に訳したのはどなた?", "translator"),
        # names the translation, asks when: the question word decides
        ("この翻訳記事はいつ公開されたの?", "date"),
        ("When was the translation published?", "date"),
        ("Where did this column first appear?", "first_published"),
        ("Where did it first appear?", "first_published"),  # 「first」 is a field word here
        ("このコラムが最初に載った媒体はどこですか?", "first_published"),
    ],
)
def test_header_questions_without_saying_article(kb, question, field):
    assert metadata_field(question, kb.analyzer.lemmas) == field
    assert kb.ask(question).kind == "metadata"


def test_title_question_states_the_corrected_title(kb):
    answer = kb.ask("この記事のタイトルは？")
    assert answer.kind == "metadata"
    assert answer.passages[0].quote == "タイトルは「アラスカで旧世界秩序が崩壊」です。"
    assert answer.passages[0].fact.line == 0  # from the sidecar, not a line of the article


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("プーチンの好きな食べ物は？", "食べ物"),
        ("ウクライナの首都はどこ？", "首都"),
        ("ロシアの人口は何人ですか", "人口"),
        ("アラスカの天気は", "天気"),
    ],
)
def test_a_known_setting_with_an_unknown_subject_is_refused(kb, question, unknown):
    answer = kb.ask(question)
    assert not answer.answered
    assert unknown in answer.unknown_terms


@pytest.mark.parametrize(
    ("question", "unknown", "quote_part"),
    [
        ("米国が方針を変えたのは善意からなの?", "方針", "アメリカの善意によるものではない"),
        ("サミットで何が証明されたのか", "サミット", "証明した"),
    ],
)
def test_one_unknown_word_beside_a_matched_common_word_is_a_paraphrase(
    kb, question, unknown, quote_part
):
    # With a refusal threshold that lets everything through, only the rules over the model can
    # refuse: the unknown word must not be one of them. (Whether the model answers is judged on
    # thousands of questions by bench/answers.py, not here.)
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["refusal"]["threshold"] = -1e9
    lenient = KnowledgeBase.load(
        kb.library.folder, persist=False, model=RankingModel.from_json(data)
    )
    answer = lenient.ask(question)
    assert unknown in answer.unknown_terms
    assert answer.answered
    # The passage it paraphrases is found (which of the summit's two "proofs" comes first is
    # the ranker's call, judged by the harness).
    assert any(quote_part in p.quote for p in answer.passages)


def test_an_english_question_is_searched_by_the_names_it_shares(kb):
    answer = kb.ask("Why did Gorbachev make concessions?")
    assert answer.language == "en"
    assert answer.translations == (("gorbachev", "ゴルバチョフ"),)
    # candidates shown, but a passage naming him is not an answer to what was asked about him
    assert (answer.answered, answer.kind, answer.shows_passages) == (False, "crosslingual", True)
    assert all("ゴルバチョフ" in p.quote for p in answer.passages)
    sent = json.loads(json.dumps(answer.to_json(), ensure_ascii=False))
    assert (sent["language"], sent["translations"]) == ("en", [["gorbachev", "ゴルバチョフ"]])


def test_an_english_question_asking_when_puts_a_dated_candidate_first(tmp_path):
    markdown_article(
        tmp_path,
        "p",
        "訪問",
        "プーチンは強い指導者だ。プーチンは人気がある。",
        訪問="その後、プーチンは2025年8月にアラスカを訪れた。",
    )
    answer = KnowledgeBase.load(tmp_path, persist=False).ask("When did Putin visit?")
    assert answer.kind == "crosslingual"
    assert "2025年8月" in answer.passages[0].quote


def test_a_latin_letter_question_with_nothing_to_translate_goes_to_the_japanese_search(tmp_path):
    markdown_article(
        tmp_path,
        "g7",
        "価格上限",
        "G7は価格上限を導入した。",
        別="天気は晴れだ。市場は落ち着いている。輸出は増えた。船は東へ向かう。",
    )
    answer = KnowledgeBase.load(tmp_path, persist=False).ask("G7?")
    assert answer.passages and "G7は価格上限を導入した" in answer.passages[0].quote


def test_an_english_question_with_nothing_in_common_is_refused(kb):
    answer = kb.ask("What is the weather in Osaka?")
    assert (answer.answered, answer.language, answer.translations) == (False, "en", ())
    assert answer.unknown_terms == ("Osaka",)


def test_an_english_refusal_names_the_names_the_articles_never_use(kb):
    answer = kb.ask("Where did Vance go, and what did Rubio say?")
    assert not answer.answered
    assert answer.unknown_terms == ("Vance", "Rubio")  # not Where, the question's first word
    # A sentence's first word is no name; a header's word (E-wave Tokyo) is in the articles.
    assert kb.ask("Hello. Please tell me about Vance.").unknown_terms == ("Vance",)
    assert kb.ask("What does E-wave Tokyo publish?").unknown_terms == ()


def test_a_katakana_name_the_articles_write_in_latin_letters_is_found(tmp_path):
    markdown_article(tmp_path, "a", "西アフリカ", "ECOWASの議長国はナイジェリアが務めている。")
    kb = KnowledgeBase.load(tmp_path, persist=False)
    answer = kb.ask("エコワスの議長国はどこ？")
    assert answer.answered and "ECOWAS" in answer.passages[0].quote
    alone = kb.ask("エコワス？")
    assert alone.language == "ja" and alone.kind != "crosslingual"


def test_a_header_question_the_header_cannot_answer_is_refused_not_searched(tmp_path):
    markdown_article(
        tmp_path,
        "a",
        "無署名",
        "筆者は多くを書いた。彼は書いた本で知られる。",
        別="天気は晴れだ。市場は落ち着いている。輸出は増えた。",
    )
    answer = KnowledgeBase.load(tmp_path, persist=False).ask("この記事を書いたのは誰ですか")
    assert (answer.answered, answer.kind, answer.passages) == (False, "no_metadata", ())


def test_a_content_question_that_mentions_the_article_is_still_searched(tmp_path):
    markdown_article(
        tmp_path,
        "a",
        "訪問",
        "プーチンは2025年8月にアラスカを訪れた。",
        別="天気は晴れだ。市場は落ち着いている。輸出は増えた。",
    )
    answer = KnowledgeBase.load(tmp_path, persist=False).ask(
        "記事によると、プーチンはいつアラスカを訪れたのか"
    )
    assert answer.kind != "no_metadata"  # the article has no date, but this asks about its text
    assert "2025年8月" in answer.passages[0].quote


def test_chat_noise_is_not_searched(kb):
    noisy = kb.ask(
        f"<@123> @everyone <@&456> <#789> **{'アンカレッジは最終的な平和だったのか'}** https://x.example/"
    )
    assert noisy.answered and "アンカレッジは最終的な平和ではなかった" in noisy.passages[0].quote
    assert noisy.unknown_terms == ()


@pytest.mark.parametrize("mention", ["@everyone", "＠everyone", "＠ｅｖｅｒｙｏｎｅ", "@here"])
def test_a_mention_glued_to_a_word_is_not_searched(kb, mention):
    # No word boundary between 「everyone」 and a Japanese word: the mention must still go, or
    # the refusal would say 「everyoneプーチン」 appears nowhere.
    answer = kb.ask(f"{mention}プーチンの好きな食べ物は？")
    assert not answer.answered
    assert not any("everyone" in t.lower() or "ｅｖｅｒｙｏｎｅ" in t for t in answer.unknown_terms)
    assert not any(t.startswith("here") for t in answer.unknown_terms)


def test_metadata_picks_the_article_named(folder):
    kb = KnowledgeBase.load(folder)
    answer = kb.ask("北極海航路の記事の著者は誰？")
    assert answer.passages[0].article == "arctic-route"
    assert "イワン・ペトロフ" in answer.passages[0].quote


def test_search_across_articles(folder):
    kb = KnowledgeBase.load(folder)
    answer = kb.ask("論理量子ビットを作るには何が必要か")
    assert answer.answered
    assert answer.passages[0].article == "quantum"
    assert answer.passages[0].citation.url == "https://example.org/quantum"


def test_empty_and_unsearchable_questions(kb):
    assert kb.ask("   ").kind == "invalid"
    assert kb.ask("？？！").kind == "invalid"
    assert question_problem("  ") == ("empty", {})
    assert question_problem("あ" * (MAX_QUESTION_CHARS + 1))[0] == "too_long"
    assert question_problem("質問") is None


def test_json_contract(kb):
    data = json.loads(
        json.dumps(kb.ask("米露の対立はこれからどうなるのか").to_json(), ensure_ascii=False)
    )
    assert data["question"] == "米露の対立はこれからどうなるのか"
    assert data["answered"] is True
    p = data["passages"][0]
    assert {
        "quote",
        "article",
        "section",
        "score",
        "paragraph",
        "matched_terms",
        "citation_text",
    } <= set(p)
    assert isinstance(p["score"], float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("アラスカ会談の意味は？", True),
        ("米露の対立はどうなるのか", True),
        ("トランプは何を示したの", True),
        ("What did the summit prove?", True),
        ("おはようございます", False),
        ("了解", False),
        ("", False),
    ],
)
def test_looks_like_question(text, expected):
    from bot.answers.questions import looks_like_question

    assert looks_like_question(text) is expected


def test_a_one_sentence_article_answers_from_its_sentence(tmp_path):
    markdown_article(tmp_path, "a", "一文", "ロシアは安定を強めた。")
    answer = KnowledgeBase.load(tmp_path, persist=False).ask("ロシアは何を強めたのか")
    assert answer.answered and answer.passages[0].quote == "ロシアは安定を強めた。"


def test_a_name_spelled_another_way_in_katakana_finds_the_articles_spelling(tmp_path):
    markdown_article(
        tmp_path,
        "v",
        "視察",
        "ヴァンス副大統領は3月28日にピツフィク宇宙基地を訪れた。",
        別="天気は晴れだ。市場は落ち着いている。輸出は増えた。船は東へ向かう。",
    )
    kb = KnowledgeBase.load(tmp_path, persist=False)
    assert kb.answerer.respelled("バンス副大統領はどこを訪れた") == "ヴァンス副大統領はどこを訪れた"
    # typed in half-width katakana too
    assert kb.answerer.respelled("ﾊﾞﾝｽ副大統領") == "ヴァンス副大統領"
    answer = kb.ask("バンス副大統領はいつピトゥフィク基地を訪れた？")
    assert answer.answered and "3月28日" in answer.passages[0].quote
    # not said to appear nowhere: the articles write it ヴァンス
    assert answer.unknown_terms == ()


def test_words_of_the_dictionary_are_not_respelled_as_names(tmp_path):
    markdown_article(
        tmp_path,
        "w",
        "地区",
        "ヴェスト・グリーンランド地区ではシェル社が調査に参加した。",
        別="天気は晴れだ。市場は落ち着いている。輸出は増えた。船は東へ向かう。",
    )
    answerer = KnowledgeBase.load(tmp_path, persist=False).answerer
    # ベスト (best) is a word, not a spelling of ヴェスト; シェール (shale) is not シェル
    for question in ("ベストな方法は？", "シェールの調査はどうなった？"):
        assert answerer.respelled(question) == question
    assert "シェール" in answerer.answer("シェールの調査はどうなった？").unknown_terms


def test_a_name_of_the_header_is_respelled_as_the_byline_writes_it(kb):
    assert (
        kb.answerer.respelled("チモフィー・ボルダチェフとは誰？")
        == "ティモフィー・ボルダチェフとは誰？"
    )
    answer = kb.ask("チモフィー・ボルダチェフとは誰？")
    assert answer.kind == "metadata" and "ティモフィー・ボルダチェフ" in answer.passages[0].quote
