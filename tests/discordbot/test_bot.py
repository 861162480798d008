"""The bot end to end: a real discord.py client against a local Discord protocol peer."""

from __future__ import annotations

import asyncio
import threading

import discord
from discord import app_commands

from bot.querylog import Scope
from tests.discordbot.conftest import button
from tests.peer import DEFAULT_CHANNEL_ID, DEFAULT_GUILD_ID, FLAG_EPHEMERAL

ALL = Scope.shell()

ANSWERABLE = "アンカレッジは最終的な平和だったのか"


def embed_of(message: dict) -> dict:
    return message["embeds"][0]


def plain(markdown: str) -> str:
    """Embed text without our bold marks, to compare with article text."""
    return markdown.replace("**", "")


async def test_ready_and_command_sync(settings, start_bot):
    async with start_bot(settings) as (bot, peer, _):
        synced = await peer.wait_for(
            lambda r: r.method == "PUT" and f"/guilds/{DEFAULT_GUILD_ID}/commands" in r.path
        )
        names = {c["name"] for c in synced.json}
        assert {"ask", "summary", "articles", "help", "reload", "logs"} <= names
        ask = next(c for c in synced.json if c["name"] == "ask")
        assert ask["name_localizations"]["ja"] == "質問"
        assert ask["description_localizations"]["ja"].startswith("記事について質問")
        # with guild ids configured, no global sync happens at start (rate limits)
        assert not peer.find(
            lambda r: (
                r.method == "PUT" and r.path.endswith("/commands") and "/guilds/" not in r.path
            )
        )
        assert bot.intents.message_content is False


async def test_global_sync_only_when_the_tree_changed(settings, start_bot):
    async with start_bot(settings, discord_guild_ids=()) as (_, peer, _):
        await peer.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
    async with start_bot(settings, discord_guild_ids=()) as (bot, peer, _):
        await bot.wait_until_ready()
        assert not peer.find(lambda r: r.method == "PUT" and r.path.endswith("/commands"))


async def test_ask_answered_with_quote_and_citation(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        ix = await peer.slash("ask", {"question": ANSWERABLE}, locale="ja")
        msg = await ix.wait_original()
        embed = embed_of(msg)
        assert embed["description"].startswith("> ")
        assert "**アンカレッジ**は**最終**的な**平和**ではなかった。" in embed["description"]
        assert embed["fields"][0]["name"] == "出典"
        assert (
            "アラスカで旧世界秩序が崩壊 — 次に何が起こるか — ティモフィー・ボルダチェフ"
            in embed["fields"][0]["value"]
        )
        assert embed["footer"]["text"].startswith("確度: ")  # a word readers understand
        assert not (msg.get("flags", 0) & FLAG_EPHEMERAL)
        await log.flush()
        [row] = await log.recent(ALL)
        assert (row.source, row.answered, row.question) == ("slash", True, ANSWERABLE)


async def test_ask_in_english_locale_and_private(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        ix = await peer.slash("ask", {"question": ANSWERABLE, "public": False}, locale="en-US")
        msg = await ix.wait_original()
        assert embed_of(msg)["fields"][0]["name"] == "Source"
        assert msg["flags"] & FLAG_EPHEMERAL


async def test_ask_refused_names_unknown_terms(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        ix = await peer.slash("ask", {"question": "ビットコインの価格はいくらですか"}, locale="ja")
        embed = embed_of(await ix.wait_original())
        assert "見つかりませんでした" in embed["description"]
        assert "「ビットコイン」「価格」" in embed["description"]
        assert "トランプの国内勝利" in embed["fields"][0]["value"]


async def test_an_english_question_gets_candidates_marked_as_not_an_answer(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        ix = await peer.slash(
            "ask", {"question": "Why did Gorbachev make concessions?"}, locale="en-US"
        )
        message = await ix.wait_original()
        embed = embed_of(message)
        assert "gorbachev → ゴルバチョフ" in embed["description"]
        assert "not an answer" in embed["description"]
        assert "ゴルバチョフ" in embed["description"].split("\n\n", 1)[1]
        assert button(message, "Next")  # the other candidates can be paged
        await log.flush()
        (row,) = await log.recent(ALL)
        assert (row.answered, row.kind) == (False, "crosslingual")  # not answered, told apart


async def test_everyone_in_a_question_never_pings(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        ix = await peer.slash("ask", {"question": f"@everyone <@&{DEFAULT_GUILD_ID}> {ANSWERABLE}"})
        answered = await ix.wait_original()
        assert "最終的な平和ではなかった" in plain(embed_of(answered)["description"])
        edits = [r for r in ix.requests if r.json and "allowed_mentions" in r.json]
        assert edits and all(r.json["allowed_mentions"]["parse"] == [] for r in edits)
        await peer.send_message(
            f"{peer.bot_mention} @everyone @here {ANSWERABLE}", mentions=[peer.bot_user]
        )
        reply = await peer.wait_for(lambda r: r.route == "POST /channels/{channel_id}/messages")
        assert reply.json["allowed_mentions"]["parse"] == []
        assert reply.json["allowed_mentions"].get("replied_user") is False


async def test_over_long_and_empty_questions_get_a_clear_message(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        ix = await peer.slash("ask", {"question": "あ" * 501}, locale="ja")
        call = await ix.callback()
        assert "質問が長すぎます（500文字まで、いまは501文字）" in call.json["data"]["content"]
        assert call.json["data"]["flags"] & FLAG_EPHEMERAL
        ix = await peer.slash("ask", {"question": "   "}, locale="en-US")
        call = await ix.callback()
        assert "The question is empty" in call.json["data"]["content"]
        await log.flush()
        assert await log.recent(ALL) == []


async def test_a_conversation_is_answered_and_a_flood_is_slowed_and_logged(settings, start_bot):
    """Three questions per 30 s: a follow-up at once is answered, the fourth waits (logged)."""
    async with start_bot(settings, user_cooldown_seconds=30, user_burst=3) as (_, peer, log):
        for question in (ANSWERABLE, "米露の対立はどうなるのか", "ゴルバチョフはなぜ妥協したのか"):
            ix = await peer.slash("ask", {"question": question}, locale="ja")
            assert "embeds" in await ix.wait_original()
        fourth = await peer.slash("ask", {"question": "サミットで何が決まったのか"}, locale="ja")
        call = await fourth.callback()
        assert "少しお待ちください" in call.json["data"]["content"]
        assert call.json["data"]["flags"] & FLAG_EPHEMERAL
        other = await peer.slash("ask", {"question": ANSWERABLE}, user=peer.moderator, locale="ja")
        assert "embeds" in await other.wait_original()
        await log.flush()
        kinds = {r.question: r.kind for r in await log.recent(ALL, 10)}
        assert kinds["サミットで何が決まったのか"] == "rate_limited"


async def test_all_slots_taken_acknowledges_then_says_please_wait_and_logs_it(settings, start_bot):
    async with start_bot(
        settings, max_concurrent_answers=1, user_cooldown_seconds=60, user_burst=1
    ) as (
        bot,
        peer,
        log,
    ):
        async with bot.slots.hold():
            bot.slots.wait_seconds = 0.05  # every slot is busy with someone else's question
            ix = await peer.slash("ask", {"question": ANSWERABLE}, locale="en-US")
            call = await ix.callback()
            assert call.json["type"] == 5  # acknowledged at once (deferred), whatever the load
            told = await ix.wait_original()
            assert "busy answering others" in told["content"]
            await peer.send_message(f"{peer.bot_mention} {ANSWERABLE}", mentions=[peer.bot_user])
            reply = await peer.wait_for(lambda r: r.route == "POST /channels/{channel_id}/messages")
            assert "混み合っています" in reply.json["content"]
        await log.flush()
        rows = await log.recent(ALL)
        assert [(r.answered, r.kind, r.source) for r in rows] == [
            (False, "busy", "mention"),
            (False, "busy", "slash"),
        ]
        # the same user, at once: turned away before, so no cooldown holds them back now
        again = await peer.slash("ask", {"question": ANSWERABLE}, locale="en-US")
        assert "embeds" in await again.wait_original()


async def test_stopping_finishes_or_apologises_to_everyone_acknowledged(settings, start_bot):
    release = threading.Event()
    async with start_bot(settings) as (bot, peer, log):
        real = bot.asker.knowledge

        def slow_kb():  # answers wait until released: they are "in flight" when the stop comes
            kb = real()

            class Slow:
                def ask(self, question, earlier=None):
                    release.wait(10)
                    return kb.ask(question, earlier)

            return Slow()

        bot.asker.knowledge = slow_kb
        asked = [
            await peer.slash("ask", {"question": ANSWERABLE}, user=who, locale="ja")
            for who in ("member", "moderator")
        ]
        for ix in asked:
            assert (await ix.callback()).json["type"] == 5
        await asyncio.sleep(0.1)
        finished, apologised = await bot.drain(grace=0.2)
        release.set()
        assert (finished, apologised) == (0, 2)
        for ix in asked:
            assert "再起動のため停止中" in (await ix.wait_original())["content"]
        late = await peer.slash("ask", {"question": ANSWERABLE}, user="owner", locale="ja")
        assert "再起動のため停止中" in (await late.callback()).json["data"]["content"]
        await log.flush()
        assert sorted((r.answered, r.kind) for r in await log.recent(ALL)) == [
            (False, "stopped"),  # the two in flight, told
            (False, "stopped"),
            (False, "stopped"),  # the one that came after, turned away
        ]


async def test_stopping_waits_for_answers_within_the_grace_period(settings, start_bot):
    async with start_bot(settings) as (bot, peer, log):
        ix = await peer.slash("ask", {"question": ANSWERABLE}, locale="ja")
        await ix.callback()
        _, apologised = await bot.drain(grace=10)
        assert apologised == 0
        assert "embeds" in await ix.wait_original()
        await log.flush()
        assert [r.kind for r in await log.recent(ALL)] == ["passage"]


async def test_someone_elses_next_candidate_is_a_private_copy(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        ix = await peer.slash(
            "ask", {"question": "ゴルバチョフはなぜ必要のない妥協をしたのか"}, locale="ja"
        )
        msg = await ix.wait_original()
        other = await peer.click(
            button(msg, "次の候補"), message_id=msg["id"], user=peer.moderator, locale="en-US"
        )
        call = await other.callback()
        assert call.json["type"] == 4 and call.json["data"]["flags"] & FLAG_EPHEMERAL
        assert "candidate 2/3" in call.json["data"]["embeds"][0]["footer"]["text"].lower()
        assert "候補 1/3" in embed_of(ix.original)["footer"]["text"]  # the shared one unchanged
        copy = await other.wait_original()
        again = await peer.click(
            button(copy, "Next"), message_id=copy["id"], user=peer.moderator, locale="en-US"
        )
        paged = await again.callback()
        assert paged.json["type"] == 7  # their own copy pages in place
        assert "candidate 3/3" in paged.json["data"]["embeds"][0]["footer"]["text"].lower()


async def test_answer_buttons_keep_no_view_and_outlive_the_answer_cache(settings, start_bot):
    """Memory stays flat however many answers are served: no view object per answer, answers
    kept for paging in a bounded cache; votes need neither and always work."""
    async with start_bot(settings) as (bot, peer, log):
        bot.answers.size = 2
        messages = []
        for question in (
            "ゴルバチョフはなぜ必要のない妥協をしたのか",
            ANSWERABLE,
            "米露の対立はどうなるのか",
        ):
            ix = await peer.slash("ask", {"question": question}, locale="ja")
            messages.append(await ix.wait_original())
        assert len(bot.answers) == 2
        assert bot.persistent_views == []
        first = messages[0]
        nxt = await peer.click(button(first, "次の候補"), message_id=first["id"], locale="ja")
        assert "期限切れ" in (await nxt.callback()).json["data"]["content"]
        up = await peer.click(button(first, "👍"), message_id=first["id"], locale="ja")
        assert "評価ありがとうございます" in (await up.callback()).json["data"]["content"]
        await log.flush()
        assert (await log.stats(ALL, 1)).thumbs_up == 1


async def test_buttons_next_candidate_whole_section_and_feedback(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        ix = await peer.slash(
            "ask", {"question": "ゴルバチョフはなぜ必要のない妥協をしたのか"}, locale="ja"
        )
        msg = await ix.wait_original()
        assert "候補 1/3" in embed_of(msg)["footer"]["text"]
        nxt = await peer.click(button(msg, "次の候補"), message_id=msg["id"], locale="ja")
        edited = await nxt.callback()
        assert edited.json["type"] == 7  # UPDATE_MESSAGE
        assert "候補 2/3" in edited.json["data"]["embeds"][0]["footer"]["text"]
        section = await peer.click(button(msg, "節全体"), message_id=msg["id"], locale="ja")
        shown = await section.callback()
        assert shown.json["data"]["flags"] & FLAG_EPHEMERAL
        # the whole section of the candidate now shown (the second), not of the first
        second = edited.json["data"]["embeds"][0]["description"]
        opening = second.removeprefix("> ").replace("**", "")[:20]
        assert opening in shown.json["data"]["embeds"][0]["description"].replace("**", "")
        up = await peer.click(
            button(msg, "👍"), message_id=msg["id"], user=peer.member, locale="ja"
        )
        assert "評価ありがとうございます" in (await up.callback()).json["data"]["content"]
        down = await peer.click(button(msg, "👎"), message_id=msg["id"], user=peer.moderator)
        await down.callback()
        await log.flush()
        stats = await log.stats(ALL, 1)
        assert (stats.thumbs_up, stats.thumbs_down) == (1, 1)


async def test_summary_and_autocomplete(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        choices = await peer.autocomplete(
            "summary", {"article": "ala"}, focused="article", locale="ja"
        )
        assert [c["value"] for c in choices] == ["alaska-old-world-order"]
        sections = await peer.autocomplete(
            "summary",
            {"article": "alaska-old-world-order", "section": "トランプ"},
            focused="section",
            locale="ja",
        )
        assert [c["value"] for c in sections] == ["3", "4"]
        ix = await peer.slash(
            "summary", {"article": "alaska-old-world-order", "length": "short"}, locale="ja"
        )
        assert (await ix.callback()).json["type"] == 5  # acknowledged first, then summarised
        embed = (await ix.wait_original())["embeds"][0]
        assert embed["title"] == "アラスカで旧世界秩序が崩壊 の要約"
        assert embed["description"].count("> ") == 3
        assert "ティモフィー・ボルダチェフ" in embed["footer"]["text"]
        ix = await peer.slash("summary", {"article": "nope"}, locale="ja")
        call = await ix.callback()
        assert (
            "nope" in call.json["data"]["content"] and call.json["data"]["flags"] & FLAG_EPHEMERAL
        )


async def test_articles_and_help(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        call = await (await peer.slash("articles", locale="ja")).callback()
        embed = call.json["data"]["embeds"][0]
        assert embed["title"] == "記事一覧"
        assert (
            "alaska-old-world-order" in embed["description"]
            and "5. 次に何が起こるか" in embed["description"]
        )
        call = await (await peer.slash("help", locale="en-US")).callback()
        assert call.json["data"]["embeds"][0]["title"] == "How to use"


async def test_mention_is_answered_as_a_reply(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        sent = await peer.send_message(f"{peer.bot_mention} {ANSWERABLE}", mentions=[peer.bot_user])
        reply = await peer.wait_for(lambda r: r.route == "POST /channels/{channel_id}/messages")
        assert str(reply.json["message_reference"]["message_id"]) == sent["id"]
        assert "最終的な平和ではなかった" in plain(reply.json["embeds"][0]["description"])
        await log.flush()
        assert [r.source for r in await log.recent(ALL)] == ["mention"]


async def test_qa_channel_questions_answered_small_talk_ignored(settings, start_bot):
    async with start_bot(settings, qa_channel_ids=(DEFAULT_CHANNEL_ID,)) as (bot, peer, log):
        assert bot.intents.message_content is True
        mark = peer.mark()
        await peer.send_message("おはようございます")
        await peer.send_message("米露の対立はこれからどうなるのか")
        reply = await peer.wait_for(
            lambda r: r.route == "POST /channels/{channel_id}/messages", since=mark
        )
        assert "米露の対立は新たな段階に入る" in plain(reply.json["embeds"][0]["description"])
        await log.flush()
        assert [r.question for r in await log.recent(ALL)] == ["米露の対立はこれからどうなるのか"]
        assert (
            len(peer.find(lambda r: r.route == "POST /channels/{channel_id}/messages", since=mark))
            == 1
        )


async def test_a_failing_handler_gives_a_friendly_error(settings, start_bot, caplog):
    async with start_bot(settings, allow_errors=True) as (bot, peer, _):

        @app_commands.command(name="boom", description="fails")
        async def boom(interaction: discord.Interaction) -> None:
            raise RuntimeError("broken on purpose")

        bot.tree.add_command(boom, guild=discord.Object(DEFAULT_GUILD_ID))
        await bot.tree.sync(guild=discord.Object(DEFAULT_GUILD_ID))
        ix = await peer.slash("boom", locale="ja")
        call = await ix.callback()
        assert "エラーが発生しました" in call.json["data"]["content"]
        assert call.json["data"]["flags"] & FLAG_EPHEMERAL
        assert "broken on purpose" in caplog.text  # the traceback is logged for us
        assert not bot.is_closed()


async def test_gateway_drop_is_survived(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        await peer.drop_gateway()
        ix = await peer.slash("ask", {"question": ANSWERABLE})
        assert "最終的な平和ではなかった" in plain(
            embed_of(await ix.wait_original())["description"]
        )
        assert peer.resume_count + peer.identify_count >= 2


async def test_concurrent_asks_all_answered(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        handles = await asyncio.gather(
            *(
                peer.slash("ask", {"question": f"{ANSWERABLE} {i}"}, user=peer.user(peer.member))
                for i in range(20)
            )
        )
        messages = await asyncio.gather(*(h.wait_original(timeout=30) for h in handles))
        assert all(
            "最終的な平和ではなかった" in plain(embed_of(m)["description"]) for m in messages
        )
        await log.flush()
        assert len(await log.recent(ALL, 100)) == 20


async def test_a_reply_that_pings_the_bot_without_a_written_mention_is_not_a_question(
    settings, start_bot
):
    async with start_bot(settings) as (_, peer, log):
        mark = peer.mark()
        await peer.send_message("ありがとう", mentions=[peer.bot_user])
        await peer.send_message(f"{peer.bot_mention} {ANSWERABLE}", mentions=[peer.bot_user])
        await peer.wait_for(lambda r: r.route == "POST /channels/{channel_id}/messages", since=mark)
        replies = peer.find(lambda r: r.route == "POST /channels/{channel_id}/messages", since=mark)
        assert len(replies) == 1
        await log.flush()
        assert [r.question for r in await log.recent(ALL)] == [ANSWERABLE]


async def test_articles_pages_many_articles_within_limits(settings, start_bot, tmp_path):
    from bot.knowledge_base import KnowledgeBase

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        sections = "\n\n".join(f"## 見出し{j}の長い節の名前\n\n本文{j}。" for j in range(12))
        (folder / f"a{i:02}.md").write_text(
            f"---\ntitle: 記事{i}\n---\n\n{sections}\n", encoding="utf-8"
        )
    async with start_bot(settings) as (bot, peer, _):
        bot.kb = KnowledgeBase.load(folder)
        ix = await peer.slash("articles", locale="ja")
        call = await ix.callback()
        embed = call.json["data"]["embeds"][0]
        assert "a00" in embed["description"] and "1/6 ページ" in embed["footer"]["text"]
        assert len(embed["description"]) <= 4096
        msg = ix.original
        click = await peer.click(button(msg, "▶"), message_id=msg["id"], locale="ja")
        page2 = (await click.callback()).json["data"]["embeds"][0]
        assert "a05" in page2["description"] and "2/6 ページ" in page2["footer"]["text"]


async def test_a_wrong_guild_id_is_reported_and_the_others_still_work(settings, start_bot, caplog):
    async with start_bot(settings, discord_guild_ids=(DEFAULT_GUILD_ID, 42)) as (_, peer, _):
        ix = await peer.slash("ask", {"question": ANSWERABLE})
        assert "embeds" in await ix.wait_original()
    assert "DISCORD_GUILD_IDS: cannot sync commands to guild 42" in caplog.text
