"""The bot: settings, the knowledge base it serves, the query log, and command sync."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import hashlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import discord
from discord.ext import commands

from bot.asking import Asker
from bot.discordbot.conversations import Conversations
from bot.discordbot.errors import reply_ephemeral, report_command_error
from bot.discordbot.limits import NO_PINGS
from bot.discordbot.ratelimit import AnswerSlots, QuestionRate
from bot.discordbot.translator import Translator
from bot.discordbot.views import AnswerButton, AnswerCache
from bot.knowledge_base import FolderWatch, KnowledgeBase
from bot.querylog import QueryLog
from bot.settings import Settings
from bot.strings import COMMAND_TEXT, language, t

log = logging.getLogger(__name__)
# The cogs, each a discord.py extension with `async def setup(bot)`; the log's only with a log.
EXTENSIONS = ("bot.discordbot.cogs.qa", "bot.discordbot.cogs.browse")
LOG_EXTENSION = "bot.discordbot.cogs.logs"


class AnswerBot(commands.Bot):
    """Owns what the cogs share; cogs hold the commands."""

    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        query_log: QueryLog | None,
        *,
        sync_global: bool | None = None,
    ) -> None:
        intents = discord.Intents.default()
        # Privileged; only needed to read questions in Q&A channels, and follow-ups in the
        # bot's threads, that do not mention it.
        intents.message_content = bool(settings.qa_channel_ids) or settings.answer_in_threads
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_PINGS,
            help_command=None,
            # Empty: discord.py asks Discord for the application's owner or team instead.
            owner_ids=set(settings.owner_ids) or None,
        )
        self.settings = settings
        self.kb = kb
        self.query_log = query_log
        self.asker = Asker(lambda: self.kb, query_log)
        self.cooldown = QuestionRate(settings.user_burst, settings.user_cooldown_seconds)
        self.slots = AnswerSlots(settings.max_concurrent_answers)
        self.answers = AnswerCache()  # what answer buttons page through (views.py)
        self.conversations = Conversations()  # what a reply to an answer follows up
        self.sync_global = sync_global
        self.sync_state = settings.log_db.parent / "command-tree.sha256"
        self._reload_lock = asyncio.Lock()
        self._watch: asyncio.Task[None] | None = None  # `watch_knowledge`, when enabled
        # Set when stopping: new questions are turned away, those in flight are finished or
        # apologised to (`drain`).
        self.stopping = False
        self._in_flight: dict[asyncio.Task[object], Callable[[], Awaitable[None]]] = {}

    async def setup_hook(self) -> None:
        await self.tree.set_translator(Translator())
        self.add_dynamic_items(AnswerButton)
        self.tree.error(self.on_tree_error)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.query_log is not None:
            await self.load_extension(LOG_EXTENSION)
        await self.sync_commands()
        if self.settings.watch_seconds > 0:
            self._watch = asyncio.create_task(self.watch_knowledge(self.settings.watch_seconds))

    async def on_tree_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        """Errors of the slash commands. Not `on_command_error`: that name is `commands.Bot`'s
        handler for prefix commands, which take a Context, and this bot has none."""
        if self.stopping:
            # A command that came in while the connection closes cannot be replied to; it is no
            # bug, and a traceback per such command would bury the stop's summary line.
            log.info("a command could not be answered while stopping: %s", error)
            return
        await report_command_error(interaction, error, self.locale_of(interaction))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: messages are handled by the Q&A cog's listener."""

    @contextlib.asynccontextmanager
    async def answering(self, apologise: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
        """Mark the current task as owing someone an answer until the block ends; if the bot
        stops first, `drain` cancels it and awaits `apologise()` (tell them, log the row)."""
        task = asyncio.current_task()
        if task is None:  # not inside a task: nothing `drain` could cancel
            yield
            return
        self._in_flight[task] = apologise
        try:
            yield
        finally:
            self._in_flight.pop(task, None)

    async def drain(self, grace: float) -> tuple[int, int]:
        """Stop taking questions, give those in flight `grace` seconds, then apologise to the
        rest. Returns (finished during the grace period, apologised to)."""
        self.stopping = True
        waiting = len(self._in_flight)
        if self._in_flight:
            await asyncio.wait(list(self._in_flight), timeout=grace)
        left = list(self._in_flight.items())
        self._in_flight.clear()
        for task, _ in left:
            task.cancel()
        results = await asyncio.gather(
            *(apologise() for _, apologise in left), return_exceptions=True
        )
        for error in results:
            if isinstance(error, Exception):
                log.warning("could not tell a user the bot is stopping: %s", error)
        return waiting - len(left), len(left)

    async def sync_commands(self) -> None:
        """Guild sync at start for configured guilds (instant); global sync only when asked or
        when the command tree changed since the last global sync, to respect rate limits."""
        for guild_id in self.settings.discord_guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as e:
                # One wrong id must not keep the bot from serving the others.
                log.warning(
                    "DISCORD_GUILD_IDS: cannot sync commands to guild %s (%s %s): is the bot in "
                    "that server, invited with the applications.commands scope?",
                    guild_id,
                    e.status,
                    e.text,
                )
                continue
            log.info("synced %d command(s) to guild %s", len(synced), guild_id)
        digest = await self.tree_digest()
        wanted = self.sync_global
        if wanted is None:
            wanted = not self.settings.discord_guild_ids and self._stored_digest() != digest
        if wanted:
            synced = await self.tree.sync()
            log.info("synced %d command(s) globally", len(synced))
            self._store_digest(digest)

    async def tree_digest(self) -> str:
        """What Discord would be sent: the commands and their Japanese/English names."""
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands()]
        blob = json.dumps([payload, COMMAND_TEXT], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    async def on_ready(self) -> None:
        # What exists now (the knowledge base, discord.py's cache and state) lives as long as the
        # process: frozen, full collections no longer walk it. Under a burst of questions they
        # ran every second or so and paused the loop for 50-250 ms each. Refcounting still frees
        # frozen objects (a reload's old knowledge base); only cycles among them would stay.
        gc.freeze()
        guilds = len(self.guilds)
        print(
            f"Discord に接続しました: {self.user} ({guilds} サーバー) / connected to Discord as "
            f"{self.user} ({guilds} server(s))",
            file=sys.stderr,
            flush=True,
        )

    def _stored_digest(self) -> str | None:
        try:
            return self.sync_state.read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def _store_digest(self, digest: str) -> None:
        try:
            self.sync_state.parent.mkdir(parents=True, exist_ok=True)
            self.sync_state.write_text(digest, encoding="utf-8")
        except OSError as e:
            log.warning("cannot record the command sync state in %s: %s", self.sync_state, e)

    def locale_of(self, interaction: discord.Interaction) -> str:
        """Japanese for Japanese clients, English for English ones, else the configured default."""
        return (
            language(interaction.locale.value if interaction.locale else None)
            or self.settings.default_locale
        )

    def is_moderator(self, member: discord.abc.User) -> bool:
        """A moderator by server-wide rights: Manage Server, or the configured role.

        Never by the permissions of the channel the command was used in: an overwrite that
        grants Manage Messages in one channel (even to @everyone) must not open the log.
        """
        if not isinstance(member, discord.Member):
            return False
        if member.guild_permissions.manage_guild:
            return True
        role = self.settings.moderator_role_id
        return role is not None and any(r.id == role for r in member.roles)

    async def reload_knowledge(self, folder: Path | None = None) -> tuple[bool, str]:
        """Build a new knowledge base off the loop and serve it once ready (changed articles
        are spliced into the stored index: `bot.search.update`). As at start-up, a file that
        cannot be read is skipped and named (the second value); the old knowledge base stays
        only when the folder itself cannot be read."""
        async with self._reload_lock:
            folder = folder or self.settings.knowledge_dir
            try:
                previous = self.kb if self.kb.library.folder == folder else None
                # In a thread of its own, not the answering one: questions keep being answered
                # from the articles served now until the new ones are loaded and warmed up.
                kb = await asyncio.to_thread(
                    functools.partial(KnowledgeBase.load, folder, previous=previous)
                )
            except Exception as e:  # a missing folder, or anything else: keep serving
                log.exception("reload failed")
                return False, str(e)
            self.kb = kb
            return True, "\n".join(str(e) for e in kb.library.errors)

    async def watch_knowledge(self, seconds: float) -> None:
        """Serve the articles as they are in the folder: look every `seconds` (off the loop)
        and reload once a change has settled. A few changed articles are spliced into the
        stored index in about a second (`bot.search.update`), so nobody has to run /reload."""
        folder = self.settings.knowledge_dir
        watch = await asyncio.to_thread(FolderWatch, folder)
        while True:
            await asyncio.sleep(seconds)
            if await asyncio.to_thread(watch.changed):
                ok, errors = await self.reload_knowledge(folder)
                log.info(
                    "knowledge folder %s changed: %s (%d articles)%s",
                    folder,
                    "reloaded" if ok else "reload failed, still serving the old articles",
                    len(self.kb.library.articles),
                    f"; skipped: {errors}" if errors else "",
                )

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await super().close()

    async def send_error(self, interaction: discord.Interaction) -> None:
        try:
            await reply_ephemeral(interaction, t("error", self.locale_of(interaction)))
        except discord.HTTPException:
            log.exception("could not tell the user about the error")
