"""Proof that the peer (tests/peer/) can drive a real, unmodified discord.py bot.

The bot here is deliberately defined in this file (not the project bot): these tests pin the
peer's protocol behaviour, so the project's bot tests can rely on it. Every wait is on a
recorded event; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from tests.peer import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    FLAG_EPHEMERAL,
    DiscordPeer,
    run_bot,
)

ARTICLES = ["alaska-old-world-order", "arctic-route", "quantum-computing"]
EXPORT_TEXT = "北極海の氷は毎年少しずつ減っている。"
GUILD = discord.Object(DEFAULT_GUILD_ID)
REPO = Path(__file__).resolve().parents[1]


class SourcesView(discord.ui.View):
    """A button under each answer; clicking it shows the sources privately."""

    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="出典", custom_id="sources", style=discord.ButtonStyle.secondary)
    async def sources(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("出典: alaska-old-world-order.txt", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    comment: discord.ui.TextInput = discord.ui.TextInput(label="Comment", custom_id="comment")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.comment.value}", ephemeral=True)


@app_commands.command(description="Ask a question about the articles")
async def ask(interaction: discord.Interaction, question: str) -> None:
    title = "回答" if interaction.locale is discord.Locale.japanese else "Answer"
    embed = discord.Embed(title=title, description=f"Q: {question}")
    await interaction.response.send_message(embed=embed, view=SourcesView())


@app_commands.command(description="Summarise one article")
async def summary(interaction: discord.Interaction, article: str) -> None:
    await interaction.response.send_message(f"summary of {article}")


@summary.autocomplete("article")
async def summary_article(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=a, value=a) for a in ARTICLES if a.startswith(current)]


@app_commands.command(description="Export an article as a file")
async def export(interaction: discord.Interaction, article: str) -> None:
    await interaction.response.defer(thinking=True)
    file = discord.File(io.BytesIO(EXPORT_TEXT.encode()), filename=f"{article}.txt")
    await interaction.followup.send("here", file=file)


@app_commands.command(description="Send feedback")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


admin = app_commands.Group(name="admin", description="Moderator tools")
admin_articles = app_commands.Group(name="articles", description="Articles", parent=admin)


@admin_articles.command(name="reload", description="Reload the articles")
async def reload_articles(interaction: discord.Interaction, force: bool = False) -> None:
    if not interaction.permissions.manage_messages:
        await interaction.response.send_message("権限がありません", ephemeral=True)
        return
    await interaction.response.send_message(f"reloaded force={force}")


class PeerTestBot(commands.Bot):
    """Default intents (no MESSAGE_CONTENT): it answers mentions, as the project bot does."""

    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default())
        self.seen: list[discord.Message] = []

    async def setup_hook(self) -> None:
        for command in (ask, export, feedback, admin):
            self.tree.add_command(command)
        self.tree.add_command(summary, guild=GUILD)
        await self.tree.sync()
        await self.tree.sync(guild=GUILD)

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)
        if message.author.bot or self.user not in message.mentions:
            return
        question = message.content.replace(self.user.mention, "").strip()
        await message.reply(
            f"質問: {question}",
            mention_author=False,
            allowed_mentions=discord.AllowedMentions.none(),
        )


@pytest.fixture
async def running() -> AsyncIterator[tuple[DiscordPeer, PeerTestBot]]:
    bot = PeerTestBot()
    async with run_bot(bot) as peer:
        yield peer, bot
        assert peer.bot_task is not None and not peer.bot_task.done()


def route(name: str) -> object:
    return lambda r: r.route == name


async def test_login_ready_and_command_sync(running: tuple[DiscordPeer, PeerTestBot]) -> None:
    peer, bot = running
    assert bot.is_ready() and bot.user is not None and bot.user.id == peer.bot_user.id
    paths = [(r.method, r.path) for r in peer.requests]
    assert paths[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert all(r.headers["Authorization"] == "Bot peer-test-token" for r in peer.requests)

    global_sync = peer.find(route("PUT /applications/{app_id}/commands"))[0]
    assert sorted(c["name"] for c in global_sync.json) == ["admin", "ask", "export", "feedback"]
    guild_sync = peer.find(route("PUT /applications/{app_id}/guilds/{guild_id}/commands"))[0]
    assert [c["name"] for c in guild_sync.json] == ["summary"]
    assert sorted(peer.commands[None]) == ["admin", "ask", "export", "feedback"]

    identify = await peer.wait_identified()
    assert identify["intents"] == discord.Intents.default().value
    guild = bot.get_guild(DEFAULT_GUILD_ID)
    assert guild is not None and guild.get_channel(DEFAULT_CHANNEL_ID) is not None
    assert guild.me is not None and guild.me.id == peer.bot_user.id


async def test_slash_replies_with_embed_and_button_routes_to_view(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, _ = running
    ix = await peer.slash("ask", {"question": "誰が書いた?"}, locale="ja")
    call = await ix.callback()
    assert call.route == "POST /interactions/{interaction_id}/{token}/callback"
    assert call.query == {"with_response": "1"} and call.status == 200
    assert call.json["type"] == 4
    (embed,) = call.json["data"]["embeds"]
    assert embed["title"] == "回答" and embed["description"] == "Q: 誰が書いた?"
    button = call.json["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "sources"

    message = await ix.wait_original()
    assert message["interaction_metadata"]["name"] == "ask"
    click = await peer.click("sources")
    reply = await click.callback()
    assert reply.json["data"]["content"].startswith("出典")
    assert reply.json["data"]["flags"] & FLAG_EPHEMERAL
    # The click came from the user who asked, on the message the answer created.
    assert click.payload["message"]["id"] == message["id"]
    assert click.payload["member"]["user"]["id"] == str(peer.member.id)


async def test_autocomplete_returns_choices(running: tuple[DiscordPeer, PeerTestBot]) -> None:
    peer, _ = running
    choices = await peer.autocomplete("summary", {"article": "a"}, focused="article")
    assert [c["value"] for c in choices] == ["alaska-old-world-order", "arctic-route"]
    ix = await peer.slash("summary", {"article": "arctic-route"})
    assert (await ix.wait_original())["content"] == "summary of arctic-route"
    assert ix.payload["data"]["guild_id"] == str(DEFAULT_GUILD_ID)  # a guild-synced command


async def test_deferred_followup_with_file_is_parsed_from_multipart(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, _ = running
    ix = await peer.slash("export", {"article": "arctic-route"})
    assert (await ix.callback()).json == {"type": 5}
    followup = await peer.wait_for(
        lambda r: r.route == "POST /webhooks/{app_id}/{token}" and ix.token in r.path
    )
    assert followup.headers["Content-Type"].startswith("multipart/form-data")
    assert followup.json["content"] == "here"
    (upload,) = followup.files
    assert upload.filename == "arctic-route.txt" and upload.text == EXPORT_TEXT
    # The first followup after a "thinking" defer replaces the placeholder, as on Discord.
    message = await ix.wait_original()
    assert message["content"] == "here"
    (attachment,) = message["attachments"]
    async with aiohttp.ClientSession() as http, http.get(attachment["url"]) as resp:
        assert (await resp.read()).decode() == EXPORT_TEXT


async def test_mention_gets_a_reply_with_allowed_mentions(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, bot = running
    await peer.send_message("no mention, so no content without the intent")
    sent = await peer.send_message(f"{peer.bot_mention} 誰が書いた?", author=peer.moderator)
    reply = await peer.wait_for(route("POST /channels/{channel_id}/messages"))
    assert reply.path == f"/channels/{DEFAULT_CHANNEL_ID}/messages"
    assert reply.json["content"] == "質問: 誰が書いた?"
    assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert str(reply.json["message_reference"]["message_id"]) == sent["id"]
    assert reply.response["mentions"] == [] and reply.response["type"] == 19
    # Discord blanks content of un-mentioned messages for bots without MESSAGE_CONTENT.
    assert [m.content for m in bot.seen][:2] == ["", f"{peer.bot_mention} 誰が書いた?"]
    # The bot's own reply is echoed back over the gateway and ignored by the bot.
    await peer.wait_gateway(lambda f: f.t == "MESSAGE_CREATE" and f.d["id"] == reply.response["id"])


async def test_gateway_drop_resumes_and_commands_still_work(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, _ = running
    frame = await peer.drop_gateway(code=4000)
    assert frame is not None and frame.op == 6 and peer.resume_count == 1
    ix = await peer.slash("ask", {"question": "after resume"})
    assert (await ix.callback()).json["data"]["embeds"][0]["description"] == "Q: after resume"

    frame = await peer.drop_gateway(code=4000, resumable=False)
    assert frame is not None and frame.op == 2 and peer.identify_count == 2
    ix = await peer.slash("ask", {"question": "after re-identify"})
    assert (await ix.callback()).json["data"]["embeds"][0]["description"] == "Q: after re-identify"


async def test_events_sent_while_disconnected_are_replayed_on_resume(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, _ = running
    await peer.drop_gateway(wait=False)
    # Nothing yields between the drop and the injection, so the bot is certainly offline here.
    assert not peer.connected
    ix = await peer.slash("ask", {"question": "queued"})
    assert (await ix.callback()).status == 200
    sent = [f.t for f in peer.gateway_frames if f.direction == "send" and f.connection == 2]
    # Replayed on the new connection before RESUMED, like Discord's missed-event replay.
    assert sent[sent.index("INTERACTION_CREATE") + 1] == "RESUMED"


async def test_subcommand_group_and_member_permissions(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, _ = running
    as_mod = await peer.slash("admin articles reload", {"force": True}, user=peer.moderator)
    assert (await as_mod.wait_original())["content"] == "reloaded force=True"
    option = as_mod.payload["data"]["options"][0]
    assert option["type"] == 2 and option["options"][0]["type"] == 1
    as_member = await peer.slash("admin articles reload", user=peer.member)
    denied = await as_member.wait_original()
    assert denied["content"] == "権限がありません" and denied["flags"] & FLAG_EPHEMERAL


async def test_modal_submit_and_dm_interaction(running: tuple[DiscordPeer, PeerTestBot]) -> None:
    peer, _ = running
    opened = await peer.slash("feedback", guild=False)
    assert (await opened.callback()).json["type"] == 9
    assert "user" in opened.payload and "member" not in opened.payload
    submitted = await peer.submit_modal({"comment": "良い記事"})
    assert (await submitted.wait_original())["content"] == "thanks: 良い記事"


async def test_discord_limits_surface_as_http_exceptions(
    running: tuple[DiscordPeer, PeerTestBot],
) -> None:
    peer, bot = running
    channel = bot.get_channel(DEFAULT_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.code == 50035 and "Must be 2000 or fewer" in str(info.value)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send(embed=discord.Embed(description="y" * 4097))
    assert "embeds.0.description" in str(info.value)
    with pytest.raises(LookupError, match="never synced"):
        await peer.slash("not-a-command")


async def test_unknown_routes_are_404_and_recorded() -> None:
    async with DiscordPeer() as peer, aiohttp.ClientSession() as http:
        headers = {"Authorization": "Bot t"}
        async with http.get(f"{peer.api_base}/users/@me", headers=headers) as resp:
            assert resp.headers["Content-Type"] == "application/json"
        async with http.post(f"{peer.api_base}/guilds/1/bans/2", headers=headers) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 0
        async with http.get(f"{peer.api_base}/users/@me") as resp:
            assert resp.status == 401
    assert [(r.method, r.path) for r in peer.unknown_requests] == [("POST", "/guilds/1/bans/2")]


async def test_standalone_server_can_be_driven_over_http() -> None:
    """``python -m tests.peer`` + the /_peer control API drive a bot in-process here."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.peer",
        "--port",
        "0",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    bot = PeerTestBot()
    old_base, old_gateway = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    try:
        base = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().strip()
        listening = json.loads(await proc.stdout.readline())
        assert listening["DISCORD_API_BASE"] == f"{base}/api/v10"
        discord.http.Route.BASE = listening["DISCORD_API_BASE"]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            listening["DISCORD_GATEWAY_URL"]
        )
        bot._connection.guild_ready_timeout = 0.05
        task = asyncio.create_task(bot.start("standalone-token"))
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        async with aiohttp.ClientSession(base_url=base) as http:
            body = {"name": "ask", "options": {"question": "CLI?"}}
            async with http.post("/_peer/interaction", json=body) as resp:
                token = (await resp.json())["token"]
            wait = {"path_contains": f"{token}/callback", "timeout": 5}
            async with http.post("/_peer/wait", json=wait) as resp:
                call = await resp.json()
            assert call["json"]["data"]["embeds"][0]["description"] == "Q: CLI?"
            async with http.get("/_peer/requests") as resp:
                assert any(r["method"] == "PUT" for r in await resp.json())
        await bot.close()
        await task
        lines = []
        while not any(f"{token}/callback" in line for line in lines):
            lines.append((await asyncio.wait_for(proc.stdout.readline(), 5)).decode())
        logged = json.loads(lines[-1])
        assert logged["event"] == "rest" and logged["json"]["type"] == 4
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = (
            old_base,
            old_gateway,
        )
        proc.terminate()
        await proc.wait()


def test_script_form_prints_its_url() -> None:
    script = Path(__file__).with_name("peer")  # the package directory, run as a script
    with subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--quiet"], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().startswith("http://127.0.0.1:")
        finally:
            proc.terminate()
