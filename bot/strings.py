"""Every user-facing string, Japanese first, English where the user's locale is English.

One table so that a translator edits one file, and so that a missing translation is a test
failure rather than an English message shown to a Japanese reader.
"""

from __future__ import annotations

DEFAULT_LOCALE = "ja"

MESSAGES: dict[str, dict[str, str]] = {
    "refused": {
        "ja": "記事には、この質問に答える箇所が見つかりませんでした。",
        "en": "The articles don't answer this question.",
    },
    "unknown_terms": {
        "ja": "「{terms}」は記事のどこにも出てきません。",
        "en": "“{terms}” does not appear anywhere in the articles.",
    },
    "covered": {
        "ja": "記事で扱っている話題:",
        "en": "What the articles cover:",
    },
    "closest": {
        "ja": "いちばん近い箇所（参考）:",
        "en": "Closest passage (for reference):",
    },
    "invalid": {
        "ja": "質問から検索できる語が見つかりませんでした。記事の内容について、言葉を足して質問してください。",
        "en": "I found no words to search for in that. Please ask about the articles in a few more words.",
    },
    "empty": {
        "ja": "質問が空です。記事について知りたいことを書いてください。",
        "en": "The question is empty. Please write what you want to know about the articles.",
    },
    "too_long": {
        "ja": "質問が長すぎます（{limit}文字まで、いまは{length}文字）。短くしてもう一度どうぞ。",
        "en": "That question is too long ({length} characters; the limit is {limit}). Please shorten it.",
    },
    "cooldown": {
        "ja": "少しお待ちください。あと{seconds}秒で次の質問ができます。",
        "en": "Please wait a moment: you can ask again in {seconds} s.",
    },
    "busy": {
        "ja": "ただいま混み合っています。少し待ってからもう一度どうぞ。",
        "en": "I'm busy answering others. Please try again in a moment.",
    },
    "error": {
        "ja": "申し訳ありません、エラーが発生しました。時間をおいてもう一度お試しください。",
        "en": "Sorry, something went wrong. Please try again later.",
    },
    "source": {"ja": "出典", "en": "Source"},
    "score": {"ja": "スコア", "en": "score"},
    "paragraph": {"ja": "第{n}段落", "en": "paragraph {n}"},
    "header": {"ja": "記事情報", "en": "article header"},
    "candidate": {"ja": "候補 {i}/{n}", "en": "candidate {i}/{n}"},
    "matched": {"ja": "一致した語", "en": "matched terms"},
    "no_articles": {
        "ja": "記事がまだありません。knowledge/ フォルダに記事ファイルを置いてください。",
        "en": "There are no articles yet. Put article files in the knowledge/ folder.",
    },
    "chat_intro": {
        "ja": "記事について質問してください（終了: Ctrl-D または :q）。コマンド: /articles /summary [記事] [節] /help",
        "en": "Ask about the articles (quit: Ctrl-D or :q). Commands: /articles /summary [article] [section] /help",
    },
    "connect_hint": {
        "ja": "DISCORD_TOKEN が未設定なので、コンソールで起動しました。Discord に接続するには .env に DISCORD_TOKEN を設定し、`python -m bot run` を実行してください（README 参照）。",
        "en": "DISCORD_TOKEN is not set, so this is the console chat. To connect to Discord, set DISCORD_TOKEN in .env and run `python -m bot run` (see README).",
    },
    "help": {
        "ja": "記事の内容について質問すると、答えになる箇所をそのまま引用し、出典を示します。記事が扱っていない質問には、そう正直にお答えします。",
        "en": "Ask about the articles and I quote the passage that answers, verbatim, with its source. If the articles don't cover it, I say so.",
    },
    "unknown_article": {
        "ja": "記事「{key}」は見つかりません。記事の一覧: {ids}",
        "en": "No article “{key}”. Articles: {ids}",
    },
    "unknown_section": {
        "ja": "記事「{article}」に節「{key}」はありません。節: {sections}",
        "en": "Article “{article}” has no section “{key}”. Sections: {sections}",
    },
    "unknown_length": {
        "ja": "要約の長さ「{key}」はありません。使える長さ: {lengths}",
        "en": "No summary length “{key}”. Lengths: {lengths}",
    },
    "summary_empty": {
        "ja": "この節には本文がありません。",
        "en": "This section has no text.",
    },
    "summary_of": {"ja": "{title} の要約", "en": "Summary of {title}"},
    "lead": {"ja": "リード", "en": "lead"},
}


def t(key: str, locale: str | None = None, **params: object) -> str:
    """The message `key` in `locale` ('ja' or 'en'; 'en-US' etc. count as English)."""
    lang = "en" if (locale or DEFAULT_LOCALE).lower().startswith("en") else "ja"
    text = MESSAGES[key].get(lang) or MESSAGES[key][DEFAULT_LOCALE]
    return text.format(**params) if params else text
