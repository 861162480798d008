"""/logs with the bot in two servers: each server's moderators see and forget their own rows.

Server 1 is the peer's default guild; server 2 has its own owner and moderator, and the member
who asks questions is in both. The bot's owner (the application owner: server 1's owner) also
sees direct messages; no one else does.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import sqlite3

from bot.discordbot.client import AnswerBot
from bot.querylog import QueryEntry, QueryLog, Scope
from tests.peer import (
    DEFAULT_GUILD_ID,
    DiscordPeer,
    PeerChannel,
    PeerGuild,
    PeerMember,
    PeerOverwrite,
    PeerRole,
    PeerUser,
    run_bot,
)
from tests.peer.models import default_guild
from tests.peer.protocol import DEFAULT_EVERYONE_PERMISSIONS, MANAGE_GUILD, MANAGE_MESSAGES

GUILD_2 = 2300000000000000100
CHANNEL_2 = 2300000000000000110
MOD_ROLE_2 = 2300000000000000120
ASKED_IN_1 = "アンカレッジは最終的な平和だったのか"
ASKED_IN_2 = "サミットで何が決まったのか"
ASKED_IN_DM = "この記事の著者は誰ですか"
REFUSED_IN_1 = "ビットコインの価格はいくらですか"


def two_servers() -> list[PeerGuild]:
    first = default_guild()
    member = first.members[-1].user
    owner_2, moderator_2 = (
        PeerUser(2300000000000000200, "owner2"),
        PeerUser(2300000000000000201, "moderator2"),
    )
    second = PeerGuild(
        id=GUILD_2,
        name="Second Guild",
        owner_id=owner_2.id,
        channels=[PeerChannel(CHANNEL_2, "questions")],
        roles=[
            PeerRole(GUILD_2, "@everyone", DEFAULT_EVERYONE_PERMISSIONS),
            PeerRole(MOD_ROLE_2, "Moderator", MANAGE_GUILD | MANAGE_MESSAGES, 2),
        ],
        members=[
            PeerMember(owner_2),
            PeerMember(moderator_2, roles=[MOD_ROLE_2]),
            PeerMember(member),
        ],
    )
    return [first, second]


def text_of(message: dict) -> str:
    parts = [message.get("content") or ""]
    for e in message.get("embeds", []):
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f["name"] + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


async def _logs(peer: DiscordPeer, sub: str, options: dict, user: str, channel: int) -> str:
    ix = await peer.slash(f"logs {sub}", options, user=user, channel_id=channel, locale="ja")
    return text_of(await ix.wait_original())


async def test_a_moderator_of_server_2_cannot_read_export_or_forget_server_1(
    settings, kb, tmp_path
):
    settings = dataclasses.replace(settings, discord_guild_ids=(DEFAULT_GUILD_ID, GUILD_2))
    log = QueryLog(settings.log_db)
    await log.start()
    bot = AnswerBot(settings, kb, log)
    peer = DiscordPeer(guilds=two_servers())
    try:
        async with run_bot(bot, peer):
            channel_1 = peer.guilds[0].channels[0].id
            for question, channel in (
                (ASKED_IN_1, channel_1),
                (REFUSED_IN_1, channel_1),
                (ASKED_IN_2, CHANNEL_2),
            ):
                ix = await peer.slash(
                    "ask", {"question": question}, user="member", channel_id=channel
                )
                await ix.wait_original()
            # A direct message (commands here are synced to the two servers only).
            member = peer.guilds[0].members[-1].user.id
            log.record(QueryEntry(ASKED_IN_DM, "mention", True, user_id=member))
            await log.flush()

            recent = await _logs(peer, "recent", {"count": 50}, "moderator2", CHANNEL_2)
            assert ASKED_IN_2 in recent
            assert ASKED_IN_1 not in recent and ASKED_IN_DM not in recent
            found = await _logs(peer, "search", {"text": "アンカレッジ"}, "moderator2", CHANNEL_2)
            assert ASKED_IN_1 not in found
            found = await _logs(peer, "search", {"text": "サミット"}, "moderator2", CHANNEL_2)
            assert ASKED_IN_2 in found  # search works; it just cannot reach server 1
            refused = await _logs(peer, "unanswered", {"days": 7}, "moderator2", CHANNEL_2)
            assert REFUSED_IN_1 not in refused
            refused = await _logs(peer, "unanswered", {"days": 7}, "moderator", channel_1)
            assert REFUSED_IN_1 in refused  # it is unanswered, in server 1
            stats = await _logs(peer, "stats", {"days": 7}, "moderator2", CHANNEL_2)
            assert "質問 1 件" in stats

            ix = await peer.slash("logs export", {}, user="moderator2", channel_id=CHANNEL_2)
            await ix.wait_original()
            upload = next(r for r in ix.requests if r.files).files[0]
            rows = list(csv.DictReader(io.StringIO(upload.data.decode("utf-8-sig"))))
            assert [r["question"] for r in rows] == [ASKED_IN_2]

            forgot = await _logs(peer, "forget", {"user": "member"}, "moderator2", CHANNEL_2)
            assert "1 件削除しました" in forgot
            left = {r.question for r in await log.recent(Scope.shell(), 50)}
            assert left == {ASKED_IN_1, REFUSED_IN_1, ASKED_IN_DM}

            # Server 1's moderator sees server 1 only; the bot's owner also sees the DM.
            seen = await _logs(peer, "recent", {"count": 50}, "moderator", channel_1)
            assert ASKED_IN_1 in seen and ASKED_IN_DM not in seen
            seen = await _logs(peer, "recent", {"count": 50}, "owner", channel_1)
            assert ASKED_IN_1 in seen and ASKED_IN_DM in seen

            await log.flush()
            with contextlib.closing(sqlite3.connect(settings.log_db)) as conn:
                actions = set(conn.execute("SELECT guild_id, action FROM moderator_actions"))
            assert actions >= {(GUILD_2, "forget"), (GUILD_2, "export")}
    finally:
        await log.close()


async def test_a_channel_overwrite_does_not_make_a_moderator(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        channel = peer.guilds[0].channels[0]
        channel.overwrites.append(PeerOverwrite(DEFAULT_GUILD_ID, allow=MANAGE_MESSAGES))
        ix = await peer.slash("logs recent", {}, user="member", channel_id=channel.id, locale="ja")
        call = await ix.callback()
        assert call.json["data"]["content"] == "このコマンドはモデレーター専用です。"
