"""Follow-ups through the peer: a reply (with the ping) to an answer continues its question."""

from __future__ import annotations

from bot.querylog import Scope

FIRST = "ゴルバチョフはなぜ必要のない妥協をしたのか"
POST = "POST /channels/{channel_id}/messages"


async def _reply_of(peer, mark):
    return await peer.wait_for(lambda r: r.route == POST, since=mark)


async def _say(peer, text: str, reply_to: str | None = None):
    """Post `text` mentioning the bot (as a reply to `reply_to`); the bot's reply request."""
    mark = len(peer.requests)
    if reply_to is None:
        await peer.send_message(f"{peer.bot_mention} {text}", mentions=[peer.bot_user])
    else:
        await peer.send_message(text, mentions=[peer.bot_user], reply_to=reply_to)
    return await _reply_of(peer, mark)


async def test_a_reply_to_an_answer_is_answered_with_its_context_and_logged(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        answer = await _say(peer, FIRST)
        follow = await _say(peer, "それはなぜですか？", reply_to=answer.response["id"])
        description = follow.json["embeds"][0]["description"]
        assert "の続きとして検索しました" in description and FIRST[:10] in description
        third = await _say(peer, "どんな妥協でしたか？", reply_to=follow.response["id"])
        assert "の続きとして検索しました" in third.json["embeds"][0]["description"]
        await log.flush()
        rows = {r.question: r for r in await log.recent(Scope.shell(), 10)}
        assert rows["それはなぜですか？"].continues == rows[FIRST].id
        assert rows["どんな妥協でしたか？"].continues == rows["それはなぜですか？"].id


async def test_a_slash_answer_can_be_followed_up_in_english_too(settings, start_bot):
    async with start_bot(settings) as (_, peer, _log):
        answered = await (
            await peer.slash("ask", {"question": FIRST}, locale="en-US")
        ).wait_original()
        mark = len(peer.requests)
        await peer.send_message(
            "それはいつのことですか？", mentions=[peer.bot_user], reply_to=answered["id"]
        )
        follow = await _reply_of(peer, mark)
        # The conversation stays in its asker's language (a message carries no locale).
        assert "Searched as a follow-up" in follow.json["embeds"][0]["description"]


async def test_without_context_a_question_with_no_subject_is_asked_for_one(settings, start_bot):
    async with start_bot(settings) as (_, peer, _log):
        reply = await _say(peer, "それはなぜですか？")
        text = reply.json["embeds"][0]["description"]
        assert "言葉を足して質問してください" in text and "> " not in text  # no weak quote


async def test_thanks_under_an_answer_is_not_a_question(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        answer = await _say(peer, FIRST)
        mark = len(peer.requests)
        await peer.send_message(
            "ありがとう", mentions=[peer.bot_user], reply_to=answer.response["id"]
        )
        await peer.send_message(f"{peer.bot_mention} {FIRST}", mentions=[peer.bot_user])
        reply = await _reply_of(peer, mark)  # the next reply is to the new question
        assert "の続き" not in reply.json["embeds"][0]["description"]
        await log.flush()
        assert "ありがとう" not in {r.question for r in await log.recent(Scope.shell(), 10)}


async def test_a_thread_conversation_of_three_questions(settings, start_bot):
    async with start_bot(settings, answer_in_threads=True) as (_, peer, log):
        mark = len(peer.requests)
        await peer.send_message(f"{peer.bot_mention} {FIRST}", mentions=[peer.bot_user])
        started = await peer.wait_for(
            lambda r: r.route == "POST /channels/{channel_id}/messages/{message_id}/threads",
            since=mark,
        )
        thread_id = started.response["id"]
        assert started.json["name"] == FIRST
        first = await _reply_of(peer, mark)
        assert first.path == f"/channels/{thread_id}/messages" and first.json["embeds"]
        for question in ("それはなぜですか？", "どんな妥協でしたか？"):
            mark = len(peer.requests)
            await peer.send_message(question, channel_id=thread_id)  # no mention needed here
            reply = await _reply_of(peer, mark)
            assert reply.path == f"/channels/{thread_id}/messages"
            assert "の続きとして検索しました" in reply.json["embeds"][0]["description"]
        await log.flush()
        rows = {r.question: r for r in await log.recent(Scope.shell(), 10)}
        assert rows["それはなぜですか？"].continues == rows[FIRST].id
        assert rows["どんな妥協でしたか？"].continues == rows["それはなぜですか？"].id
