"""The Discord world the bot sees: guilds, users, channels and DMs, the permission algorithm,
and the payloads (channel, member, GUILD_CREATE) those objects are rendered as.

``PeerWorld`` is the base of ``DiscordPeer``: every other layer (records, gateway, messages,
commands, interactions, REST) looks things up through it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from tests.peer.limits import ApiError
from tests.peer.models import PeerChannel, PeerGuild, PeerMember, PeerRole, PeerUser, default_guild
from tests.peer.protocol import (
    ADMINISTRATOR,
    ALL_PERMISSIONS,
    API_PREFIX,
    DEFAULT_APP_ID,
    DEFAULT_BOT_ROLE_ID,
    DEFAULT_EVERYONE_PERMISSIONS,
    DEFAULT_GUILD_ID,
    DISCORD_EPOCH_MS,
    GUILD_MEMBERS,
    THREAD_TYPES,
)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class PeerWorld:
    """The world (guilds, users, channels), the bot's identity in it, and where the peer listens.

    The arguments are documented on ``DiscordPeer``.
    """

    def __init__(
        self,
        guilds: Sequence[PeerGuild] | None = None,
        *,
        bot_user_id: int | None = None,
        app_id: int = DEFAULT_APP_ID,
        bot_name: str = "kiji-bot",
        token: str | None = None,
    ) -> None:
        self.app_id = app_id
        self.bot_user = PeerUser(bot_user_id or app_id, bot_name, bot=True)
        self.guilds: list[PeerGuild] = list(guilds) if guilds is not None else [default_guild()]
        self.token = token
        self.port: int | None = None  # set by start()
        self._users: dict[int, PeerUser] = {self.bot_user.id: self.bot_user}
        self._channels: dict[int, PeerChannel] = {}
        self._dm_channels: dict[int, PeerChannel] = {}
        self._last_snowflake = 0
        for guild in self.guilds:
            self._adopt_guild(guild)

    # ------------------------------------------------------------------ where the peer listens

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("DiscordPeer not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE`` / ``DISCORD_API_BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` / ``DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway/"

    # ------------------------------------------------------------------ world lookups

    def _adopt_guild(self, guild: PeerGuild) -> None:
        if guild.role(guild.id) is None:
            guild.roles.insert(0, PeerRole(guild.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS))
        if guild.member(self.bot_user.id) is None:
            role_id = DEFAULT_BOT_ROLE_ID if guild.id == DEFAULT_GUILD_ID else self._snowflake()
            guild.roles.append(PeerRole(role_id, self.bot_user.name, 0, 1, managed=True))
            guild.members.append(PeerMember(self.bot_user, roles=[role_id]))
        for member in guild.members:
            self._users.setdefault(member.user.id, member.user)
        for channel in guild.channels:
            channel.guild_id = guild.id
            self._channels[channel.id] = channel

    def user(self, who: int | str | PeerUser) -> PeerUser:
        """Resolve a user by id, by name, or pass a ``PeerUser`` through."""
        if isinstance(who, PeerUser):
            return who
        if isinstance(who, int) or (isinstance(who, str) and who.isdigit()):
            found = self._users.get(int(who))
        else:
            found = next((u for u in self._users.values() if u.name == who), None)
        if found is None:
            raise LookupError(
                f"unknown user {who!r}; known: {[u.name for u in self._users.values()]}"
            )
        return found

    @property
    def guild(self) -> PeerGuild:
        """The first guild (the default one unless ``guilds=`` was given)."""
        return self.guilds[0]

    @property
    def channel(self) -> PeerChannel:
        """The first text channel of the first guild."""
        return next(c for c in self.guild.channels if c.type in (0, 5))

    @property
    def owner(self) -> PeerUser:
        return self.user(self.guild.owner_id)

    @property
    def moderator(self) -> PeerUser:
        return self.user("moderator")

    @property
    def member(self) -> PeerUser:
        return self.user("member")

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot_user.id}>"

    def _guild_of(self, channel: PeerChannel) -> PeerGuild | None:
        return next((g for g in self.guilds if g.id == channel.guild_id), None)

    def _get_channel(self, channel_id: int | str) -> PeerChannel:
        cid = int(channel_id)
        channel = self._channels.get(cid)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def dm_channel(self, who: int | str | PeerUser) -> PeerChannel:
        """The DM channel between the bot and a user (created on first use, as on Discord)."""
        user = self.user(who)
        channel = self._dm_channels.get(user.id)
        if channel is None:
            channel = PeerChannel(self._snowflake(), "", type=1, recipient_id=user.id)
            self._dm_channels[user.id] = channel
            self._channels[channel.id] = channel
        return channel

    def _target(
        self, user: int | str | PeerUser | None, channel_id: int | str | None, guild: bool
    ) -> tuple[PeerUser, PeerChannel]:
        """Who acts where: default user ``member``; default channel the first text channel or DM."""
        who = self.user(user) if user is not None else self.member
        if channel_id:
            return who, self._get_channel(channel_id)
        return who, self.channel if guild else self.dm_channel(who)

    def permissions(
        self, who: int | str | PeerUser, channel: PeerChannel | int | None = None
    ) -> int:
        """Discord's permission algorithm: @everyone, roles, admin/owner, then channel overwrites."""
        user = self.user(who)
        if isinstance(channel, int):
            channel = self._get_channel(channel)
        if channel is not None and channel.type == 1:
            return DEFAULT_EVERYONE_PERMISSIONS
        guild = self._guild_of(channel) if channel is not None else self.guild
        if guild is None:
            return 0
        if user.id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.member(user.id)
        if member is None:
            return 0
        everyone = guild.role(guild.id)
        perms = everyone.permissions if everyone else 0
        for rid in member.roles:
            role = guild.role(rid)
            perms |= role.permissions if role else 0
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is not None and channel.type in THREAD_TYPES and channel.parent_id:
            channel = self._channels.get(channel.parent_id, channel)
        if channel is not None:
            overwrites = {o.id: o for o in channel.overwrites}
            if guild.id in overwrites:
                perms = (perms & ~overwrites[guild.id].deny) | overwrites[guild.id].allow
            allow = deny = 0
            for rid in member.roles:
                if rid in overwrites:
                    allow |= overwrites[rid].allow
                    deny |= overwrites[rid].deny
            perms = (perms & ~deny) | allow
            if user.id in overwrites:
                perms = (perms & ~overwrites[user.id].deny) | overwrites[user.id].allow
        return perms

    # ------------------------------------------------------------------ payload rendering

    def _snowflake(self) -> int:
        now = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        self._last_snowflake = max(now, self._last_snowflake + 1)
        return self._last_snowflake

    def _member_payload(
        self, guild: PeerGuild, member: PeerMember, *, user: bool = True
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "roles": [str(r) for r in member.roles],
            "nick": member.nick,
            "avatar": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if user:
            out["user"] = member.user.payload()
        return out

    def channel_payload(self, channel: PeerChannel) -> dict[str, Any]:
        """The channel object as GUILD_CREATE and interaction payloads render it."""
        out: dict[str, Any] = {"id": str(channel.id), "type": channel.type, "flags": 0}
        if channel.type == 1:
            recipient = self.user(channel.recipient_id or 0)
            out.update(last_message_id=None, recipients=[recipient.payload()])
            return out
        out.update(
            guild_id=str(channel.guild_id),
            name=channel.name,
            position=channel.position,
            parent_id=str(channel.parent_id) if channel.parent_id else None,
            permission_overwrites=[o.payload() for o in channel.overwrites],
            nsfw=channel.nsfw,
        )
        if channel.type in (0, 5, 15):
            out.update(topic=channel.topic, rate_limit_per_user=0, last_message_id=None)
        if channel.type == 15:
            out.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None)
        if channel.type == 2:
            out.update(bitrate=64000, user_limit=0, rtc_region=None)
        if channel.type in THREAD_TYPES:
            out.update(
                owner_id=str(channel.owner_id) if channel.owner_id else None,
                rate_limit_per_user=0,
                message_count=0,
                member_count=1,
                total_message_sent=0,
                applied_tags=[],
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                    "create_timestamp": now_iso(),
                },
            )
        return out

    def guild_create_payload(self, guild: PeerGuild, intents: int) -> dict[str, Any]:
        """A full GUILD_CREATE, complete enough that member/channel/role caches are populated.

        Without the GUILD_MEMBERS intent Discord only includes the bot's own member, so a bot
        relying on ``guild.get_member`` without that intent fails here as it would in production.
        """
        threads = [c for c in guild.channels if c.type in THREAD_TYPES]
        members = [
            m for m in guild.members if intents & GUILD_MEMBERS or m.user.id == self.bot_user.id
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "roles": [r.payload() for r in guild.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [self._member_payload(guild, m) for m in members],
            "channels": [self.channel_payload(c) for c in guild.channels if c not in threads],
            "threads": [self.channel_payload(c) for c in threads],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
        }
