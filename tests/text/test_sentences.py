from bot.text.sentences import clip, split_clauses, split_sentences


def test_basic_terminators():
    assert split_sentences("一つ目。二つ目！三つ目？四つ目") == [
        "一つ目。",
        "二つ目！",
        "三つ目？",
        "四つ目",
    ]


def test_terminator_inside_quotes_does_not_split():
    assert split_sentences("彼は「そうだ。行こう！」と言った。次だ。") == [
        "彼は「そうだ。行こう！」と言った。",
        "次だ。",
    ]


def test_closing_bracket_stays_with_its_sentence():
    assert split_sentences("「氷が戻ることはない。」研究者は述べた。") == [
        "「氷が戻ることはない。」",
        "研究者は述べた。",
    ]


def test_dash_and_colon_are_not_sentence_ends():
    s = "これは善意ではない——国際政治にそのようなものはない——圧力だ。結果は明確だ:能力は低下した。"
    assert split_sentences(s) == [
        "これは善意ではない——国際政治にそのようなものはない——圧力だ。",
        "結果は明確だ:能力は低下した。",
    ]


def test_unclosed_quote_falls_back_to_plain_splitting():
    text = "「閉じない引用。" + "長い文です。" * 40
    assert len(split_sentences(text)) == 41


def test_repeated_marks_and_line_breaks():
    assert split_sentences("本当か？！ええ。\n次の行") == ["本当か？！", "ええ。", "次の行"]


def test_clauses_concatenate_back_and_clip_cuts_at_a_clause():
    s = "結果は明確だ:アメリカの能力は低下し、ロシアの能力は強化された。"
    assert "".join(split_clauses(s)) == s
    assert split_clauses(s)[0] == "結果は明確だ:"
    assert clip(s, 20) == "結果は明確だ:アメリカの能力は低下し、"
    assert clip(s, 100) == s
    assert clip("区切りのない長い文" * 10, 5) == "区切りのな"
