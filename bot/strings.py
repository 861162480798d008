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
    "refused_near": {
        "ja": "この質問にはっきり答える箇所は、記事に見つかりませんでした。",
        "en": "No passage in the articles clearly answers this question.",
    },
    "unknown_terms": {
        "ja": "{terms}は記事のどこにも出てきません。",
        "en": "{terms} does not appear anywhere in the articles.",
    },
    "unknown_terms_many": {
        "ja": "{terms}は記事のどこにも出てきません。",
        "en": "{terms} do not appear anywhere in the articles.",
    },
    "translated": {
        "ja": "記事は日本語です。英語の質問は、記事にも出てくる人名・地名・外来語で探しました: {pairs}。以下は答えではなく、関連しそうな箇所です。日本語で質問すると答えを探せます。",
        "en": "The articles are in Japanese. I searched them for the names and loanwords your question shares with them: {pairs}. These are related passages, not an answer; ask in Japanese for an answer.",
    },
    "more_articles": {
        "ja": "ほか {n} 件の記事があります。全件は {command} で見られます。",
        "en": "…and {n} more articles: {command} lists them all.",
    },
    "unknown_command": {
        "ja": "「{command}」というコマンドはありません。使えるコマンドは /help で見られます。",
        "en": "There is no command “{command}”: /help lists the commands.",
    },
    "unknown_command_close": {
        "ja": "「{command}」というコマンドはありません。{close} のことですか？使えるコマンドは /help で見られます。",
        "en": "There is no command “{command}”. Did you mean {close}? /help lists the commands.",
    },
    "summary_newest": {
        "ja": "記事の指定がないので、いちばん新しい記事を要約します（ほかの記事は /summary [記事] で。一覧は /articles）。",
        "en": "No article named, so this is the newest one (/summary [article] for another; /articles lists them).",
    },
    "summary_extra": {
        "ja": "「{words}」は分かりませんでした。/summary [記事] [節] [short|long|outline] の形で指定してください。",
        "en": "I didn't understand “{words}”: use /summary [article] [section] [short|long|outline].",
    },
    "summary_hint": {
        "ja": "記事の要約は {command} で見られます。",
        "en": "{command} gives a summary of an article.",
    },
    "logged_nearest": {"ja": "近い箇所: {section}", "en": "nearest: {section}"},
    "nearest": {
        "ja": "いちばん近い箇所はここです（質問の答えとは限りません）:",
        "en": "The closest passage (it may not answer the question):",
    },
    "ask_in_japanese": {
        "ja": "記事は日本語で書かれています。日本語で質問してください（人名・地名などは英語でも探せます）。",
        "en": "The articles are in Japanese: please ask in Japanese (names of people and places also work in English).",
    },
    "no_metadata": {
        "ja": "記事の情報（執筆者・翻訳者・日付など）に、この質問の答えは含まれていません。",
        "en": "The article's details (author, translator, date and so on) don't include that.",
    },
    "which_article": {
        "ja": "どの記事についての質問ですか？記事の題名か話題を添えて、もう一度質問してください。",
        "en": "Which article do you mean? Please ask again with its title or topic.",
    },
    "fact_author": {"ja": "著者は{value}です。", "en": "The author is {value}."},
    "fact_translator": {"ja": "翻訳者は{value}です。", "en": "The translator is {value}."},
    "fact_publisher": {"ja": "発行元は{value}です。", "en": "The publisher is {value}."},
    "fact_date": {"ja": "公開日は{value}です。", "en": "It was published on {value}."},
    "fact_original_title": {
        "ja": "原題は「{value}」です。",
        "en": "The original title is “{value}”.",
    },
    "fact_title": {"ja": "タイトルは「{value}」です。", "en": "The title is “{value}”."},
    "fact_series": {"ja": "シリーズは{value}です。", "en": "It is part of the series {value}."},
    "fact_first_published": {"ja": "初出は{value}です。", "en": "It first appeared in {value}."},
    "fact_detail": {"ja": "{value}（{detail}）", "en": "{value} ({detail})"},
    "header_line": {"ja": "{n}行目「{text}」", "en": "line {n}: “{text}”"},
    # The header line after a console citation, bracketed as `paragraph_note` is.
    "header_line_note": {"ja": "（{n}行目「{text}」）", "en": " (line {n}: “{text}”)"},
    "covered": {
        "ja": "記事で扱っている話題:",
        "en": "What the articles cover:",
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
        "ja": "少しお待ちください。あと{seconds}秒でまた使えます。",
        "en": "Please wait a moment: you can use the bot again in {seconds} s.",
    },
    "busy": {
        "ja": "ただいま混み合っています。少し待ってからもう一度どうぞ。",
        "en": "I'm busy answering others. Please try again in a moment.",
    },
    "continues": {
        "ja": "「{question}」の続きとして検索しました",
        "en": "Searched as a follow-up to “{question}”",
    },
    "what_was_wrong": {"ja": "何が問題でしたか？（任意）", "en": "What was wrong? (optional)"},
    "reason_wrong_passage": {"ja": "引用が違う", "en": "Wrong passage"},
    "reason_not_answered": {"ja": "答えになっていない", "en": "Doesn't answer"},
    "reason_other": {"ja": "その他…", "en": "Other…"},
    "reason_detail": {"ja": "どこが問題でしたか", "en": "What was the problem"},
    "reason_thanks": {
        "ja": "ありがとうございます。モデレーターが確認します。",
        "en": "Thank you. The moderators will look at it.",
    },
    "buttons_expired": {
        "ja": "この回答のボタンは期限切れです。もう一度質問してください（評価ボタンは使えます）。",
        "en": "This answer's buttons have expired. Please ask again (the rating buttons still work).",
    },
    "stopping": {
        "ja": "申し訳ありません、ボットは再起動のため停止中です。少ししてからもう一度質問してください。",
        "en": "Sorry, the bot is restarting. Please ask again in a moment.",
    },
    "error": {
        "ja": "申し訳ありません、エラーが発生しました。時間をおいてもう一度お試しください。",
        "en": "Sorry, something went wrong. Please try again later.",
    },
    "source": {"ja": "出典", "en": "Source"},
    "confidence": {"ja": "確度: {level}", "en": "confidence: {level}"},
    "confidence_high": {"ja": "高", "en": "high"},
    "confidence_medium": {"ja": "中", "en": "medium"},
    "confidence_low": {"ja": "低", "en": "low"},
    "lacking_kind": {
        "ja": "（この箇所に、質問の求める{what}は見当たりません）",
        "en": " (this passage gives no {what}, which the question asks for)",
    },
    "kind_person": {"ja": "人名", "en": "name of a person"},
    "kind_place": {"ja": "地名", "en": "place"},
    "kind_number": {"ja": "数", "en": "number"},
    "kind_time": {"ja": "日時", "en": "date or time"},
    "kind_reason": {"ja": "理由", "en": "reason"},
    "candidate": {"ja": "候補 {i}/{n}", "en": "candidate {i}/{n}"},
    "no_articles": {
        "ja": "記事がまだありません。記事フォルダ（BOT_KNOWLEDGE_DIR）に記事ファイルを置いてください。",
        "en": "There are no articles yet. Put article files in the knowledge folder (BOT_KNOWLEDGE_DIR).",
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
    "lead": {"ja": "リード", "en": "Lead"},
    "header_section": {"ja": "記事情報", "en": "article header"},
    "paragraph_note": {"ja": "（第{n}段落）", "en": " (paragraph {n})"},
    "question": {"ja": "質問", "en": "Question"},
    "next_candidate": {"ja": "次の候補", "en": "Next candidate"},
    "whole_section": {"ja": "節全体を表示", "en": "Show whole section"},
    "section_gone": {
        "ja": "この節は記事の再読み込みで見つからなくなりました。もう一度質問してください。",
        "en": "This section is gone after the articles were reloaded. Please ask again.",
    },
    "thanks_feedback": {
        "ja": "評価ありがとうございます（{vote}）。",
        "en": "Thanks for your feedback ({vote}).",
    },
    "moderators_only": {
        "ja": "このコマンドはモデレーター専用です。",
        "en": "This command is for moderators only.",
    },
    "reloaded": {
        "ja": "記事を再読み込みしました: {articles}件、{sentences}文。",
        "en": "Reloaded the articles: {articles} article(s), {sentences} sentences.",
    },
    "summary_which": {
        "ja": "最新の記事「{title}」を要約しました。ほかの記事（全{n}件）は `article:` で選べます。",
        "en": "This summarises the newest article, “{title}”. Pick another of the {n} with `article:`.",
    },
    "choose_article_first": {
        "ja": "先に記事を選んでください（article）",
        "en": "Choose an article first (article)",
    },
    "reload_skipped": {
        "ja": "読み込めなかったファイルは飛ばしました（修正して再度 /reload してください）:\n{errors}",
        "en": "Files that could not be read were skipped (fix them and /reload again):\n{errors}",
    },
    "reload_failed": {
        "ja": "再読み込みに失敗したため、これまでの記事で応答を続けます。\n{errors}",
        "en": "Reload failed, so I keep answering from the previous articles.\n{errors}",
    },
    "articles_title": {"ja": "記事一覧", "en": "Articles"},
    "help_title": {"ja": "使い方", "en": "How to use"},
    "help_commands": {
        "ja": "`/質問`（`/ask`）質問する ・ `/要約`（`/summary`）記事や節の要約 ・ "
        "`/記事一覧`（`/articles`）記事と節の一覧 ・ ボットにメンションして質問することもできます。",
        "en": "`/ask` ask a question · `/summary` summary of an article or section · "
        "`/articles` articles and their sections · you can also mention me with a question.",
    },
    "truncated": {"ja": "…（以下省略）", "en": "… (truncated)"},
    "page": {"ja": "{i}/{n} ページ", "en": "page {i}/{n}"},
    "no_rows": {"ja": "該当する記録はありません。", "en": "No matching rows."},
    "logs_recent_title": {"ja": "最近の質問", "en": "Latest questions"},
    "logs_unanswered_title": {
        "ja": "答えられなかった質問（{days}日間）",
        "en": "Refused questions ({days} days)",
    },
    "logs_search_title": {"ja": "検索: {text}", "en": "Search: {text}"},
    "logs_stats_title": {"ja": "統計（{days}日間）", "en": "Statistics ({days} days)"},
    "logs_stats_body": {
        "ja": "質問 {total} 件・回答 {answered} 件・未回答 {refused} 件・回答率 {rate}\n評価 👍 {up} ・ 👎 {down}",
        "en": "{total} questions · {answered} answered · {refused} refused · answer rate {rate}\nRatings 👍 {up} · 👎 {down}",
    },
    "logs_top_questions": {"ja": "よくある質問", "en": "Top questions"},
    "log_failing": {
        "ja": "⚠️ 質問ログに{minutes}分前から書き込めていません（{queued}件がメモリで待機中）。ボットのログを確認してください。",
        "en": "⚠️ The query log has not been written for {minutes} min ({queued} rows waiting in memory). Check the bot's log.",
    },
    "logs_downvoted_title": {
        "ja": "低評価の回答（{days}日間）",
        "en": "Downvoted answers ({days} days)",
    },
    "reason_none": {"ja": "理由なし", "en": "no reason given"},
    "go_to_message": {"ja": "メッセージ", "en": "message"},
    "logs_partial": {
        "ja": "（一部のみ: 質問が多すぎるため、最も多い質問だけをまとめました）",
        "en": "(Partial: there are too many questions; only the most asked were grouped.)",
    },
    "logs_top_sections": {"ja": "よく引用される節", "en": "Top sections"},
    "logs_export_too_big": {
        "ja": "書き出しが {mb} MB で Discord の添付上限を超えます。日数を絞るか、シェルで `python -m bot logs export` を使ってください。",
        "en": "The export is {mb} MB, over Discord's attachment limit. Pick fewer days, or use `python -m bot logs export` in a shell.",
    },
    "logs_exported": {"ja": "{n} 行を書き出しました。", "en": "Exported {n} row(s)."},
    "logs_forgot": {
        "ja": "{user} の記録を {n} 件削除しました。",
        "en": "Deleted {n} row(s) of {user}.",
    },
    "logs_busy": {
        "ja": "ログのデータベースが使用中です。しばらくしてからもう一度どうぞ。",
        "en": "The log database is busy. Please try again shortly.",
    },
}

# Slash command names and descriptions, for discord.py's Translator. The English text is the
# command's default; Japanese is its localisation.
COMMAND_TEXT: dict[str, dict[str, str]] = {
    "ask": {"ja": "質問", "en": "ask"},
    "ask.description": {
        "ja": "記事について質問し、答えの箇所を出典つきで引用します",
        "en": "Ask about the articles; get the answering passage quoted with its source",
    },
    "ask.question": {"ja": "質問", "en": "question"},
    "ask.question.description": {"ja": "記事について知りたいこと", "en": "What you want to know"},
    "ask.public": {"ja": "全員に表示", "en": "public"},
    "ask.public.description": {
        "ja": "回答をチャンネルの全員に見せる（既定: はい）",
        "en": "Show the answer to everyone in the channel (default: yes)",
    },
    "summary": {"ja": "要約", "en": "summary"},
    "summary.description": {
        "ja": "記事や節の要約を表示します",
        "en": "Summary of an article or a section",
    },
    "summary.article": {"ja": "記事", "en": "article"},
    "summary.article.description": {"ja": "要約する記事", "en": "Article to summarise"},
    "summary.section": {"ja": "節", "en": "section"},
    "summary.section.description": {
        "ja": "要約する節（省略で記事全体）",
        "en": "Section (default: the whole article)",
    },
    "summary.length": {"ja": "長さ", "en": "length"},
    "summary.length.description": {"ja": "短い・長い・見出しごと", "en": "short, long or outline"},
    "length.short": {"ja": "短い（3文）", "en": "short (3 sentences)"},
    "length.long": {"ja": "長い（8文まで）", "en": "long (up to 8 sentences)"},
    "length.outline": {"ja": "見出しごとに1文", "en": "outline (one per section)"},
    "articles": {"ja": "記事一覧", "en": "articles"},
    "articles.description": {
        "ja": "記事と節の一覧を表示します",
        "en": "List the articles and their sections",
    },
    "help": {"ja": "ヘルプ", "en": "help"},
    "help.description": {"ja": "このボットの使い方", "en": "How to use this bot"},
    "logs": {"ja": "ログ", "en": "logs"},
    "logs.description": {
        "ja": "質問ログを確認します（モデレーター専用）",
        "en": "Review the query log (moderators only)",
    },
    "logs.recent": {"ja": "最近", "en": "recent"},
    "logs.recent.description": {"ja": "最近の質問", "en": "Latest questions"},
    "logs.unanswered": {"ja": "未回答", "en": "unanswered"},
    "logs.unanswered.description": {
        "ja": "答えられなかった質問（似た質問をまとめて多い順）",
        "en": "Refused questions, similar ones grouped, most frequent first",
    },
    "logs.downvoted": {"ja": "低評価", "en": "downvoted"},
    "logs.downvoted.description": {
        "ja": "👎 の付いた回答（示した引用・理由・メッセージへのリンク）",
        "en": "Answers voted 👎, with the quote shown, the reason and a link",
    },
    "logs.search": {"ja": "検索", "en": "search"},
    "logs.search.description": {"ja": "質問の文面を検索", "en": "Search question text"},
    "logs.stats": {"ja": "統計", "en": "stats"},
    "logs.stats.description": {
        "ja": "集計と日別グラフ",
        "en": "Figures and a questions-per-day chart",
    },
    "logs.export": {"ja": "書き出し", "en": "export"},
    "logs.export.description": {
        "ja": "CSV で書き出し（UTF-8 BOM 付き）",
        "en": "CSV export (UTF-8 with BOM)",
    },
    "logs.forget": {"ja": "削除", "en": "forget"},
    "logs.forget.description": {
        "ja": "利用者の記録をすべて削除",
        "en": "Delete all rows of a user",
    },
    "logs.count": {"ja": "件数", "en": "count"},
    "logs.count.description": {"ja": "表示する件数", "en": "How many"},
    "logs.user": {"ja": "利用者", "en": "user"},
    "logs.user.description": {"ja": "この利用者に絞る", "en": "Only this user"},
    "logs.channel": {"ja": "チャンネル", "en": "channel"},
    "logs.channel.description": {"ja": "このチャンネルに絞る", "en": "Only this channel"},
    "logs.days": {"ja": "日数", "en": "days"},
    "logs.days.description": {"ja": "さかのぼる日数", "en": "How many days back"},
    "logs.text": {"ja": "文字列", "en": "text"},
    "logs.text.description": {"ja": "探す文字列（部分一致）", "en": "Text to find (substring)"},
    "reload": {"ja": "再読み込み", "en": "reload"},
    "reload.description": {
        "ja": "記事フォルダを再読み込みします（モデレーター専用）",
        "en": "Reload the article folder (moderators only)",
    },
}


def language(tag: str | None) -> str | None:
    """'en' for any English locale tag (en-US, en-GB), 'ja' for Japanese, None for the rest:
    the one place a Discord or CLI locale becomes one of our two languages."""
    tag = (tag or "").lower()
    if tag.startswith("en"):
        return "en"
    if tag.startswith("ja"):
        return "ja"
    return None


def t(key: str, locale: str | None = None, /, **params: object) -> str:
    """The message `key` in `locale` ('ja' or 'en'; 'en-US' etc. count as English, others
    Japanese)."""
    lang = language(locale or DEFAULT_LOCALE) or DEFAULT_LOCALE
    text = MESSAGES[key].get(lang) or MESSAGES[key][DEFAULT_LOCALE]
    return text.format(**params) if params else text


def command_name(key: str, locale: str | None = None) -> str:
    """A slash command's name (`COMMAND_TEXT`) as Discord shows it to a reader in `locale`, for
    messages that point to it (「全件は /記事一覧 で見られます」)."""
    lang = language(locale or DEFAULT_LOCALE) or DEFAULT_LOCALE
    return COMMAND_TEXT[key].get(lang) or COMMAND_TEXT[key]["en"]
