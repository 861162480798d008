"""The peer's data: the world a test builds (users, roles, channels, members, guilds) and what
the peer records (REST requests with their uploads, gateway frames).

Plain dataclasses: a test constructs them to describe its guild, and the peer renders them as
Discord payloads (``payload()`` here, the larger objects in ``world.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.peer.protocol import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_EVERYONE_PERMISSIONS,
    DEFAULT_GUILD_ID,
    DEFAULT_MEMBER_ID,
    DEFAULT_MOD_ROLE_ID,
    DEFAULT_MODERATOR_ID,
    DEFAULT_OWNER_ID,
    MANAGE_GUILD,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
)

# --------------------------------------------------------------------------------------------
# World configuration: plain dataclasses a test can build; the peer renders them as payloads.
# --------------------------------------------------------------------------------------------


@dataclass
class PeerUser:
    """A Discord user. ``name`` doubles as a lookup key (``peer.user("moderator")``)."""

    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class PeerRole:
    """A guild role; the role whose id equals the guild id is @everyone, as on Discord."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class PeerOverwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int = 0
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class PeerChannel:
    """A channel. Types: 0 text, 1 DM, 2 voice, 4 category, 5 news, 11 public thread, 15 forum."""

    id: int
    name: str
    type: int = 0
    parent_id: int | None = None
    topic: str | None = None
    position: int = 0
    nsfw: bool = False
    overwrites: list[PeerOverwrite] = field(default_factory=list)
    owner_id: int | None = None  # threads
    recipient_id: int | None = None  # DMs
    guild_id: int | None = None  # filled in by the peer


@dataclass
class PeerMember:
    """A guild member: a user plus role ids (@everyone is implicit, as on Discord)."""

    user: PeerUser
    roles: list[int] = field(default_factory=list)
    nick: str | None = None


@dataclass
class PeerGuild:
    """A guild with its channels, roles (including @everyone) and members."""

    id: int
    name: str
    owner_id: int
    channels: list[PeerChannel] = field(default_factory=list)
    roles: list[PeerRole] = field(default_factory=list)
    members: list[PeerMember] = field(default_factory=list)
    preferred_locale: str = "en-US"

    def member(self, user_id: int) -> PeerMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def role(self, role_id: int) -> PeerRole | None:
        return next((r for r in self.roles if r.id == role_id), None)


def default_guild() -> PeerGuild:
    """One guild, one text channel, an owner, a moderator (Manage Server, Manage Messages) and a
    plain member."""
    owner = PeerUser(DEFAULT_OWNER_ID, "owner")
    moderator = PeerUser(DEFAULT_MODERATOR_ID, "moderator")
    member = PeerUser(DEFAULT_MEMBER_ID, "member")
    return PeerGuild(
        id=DEFAULT_GUILD_ID,
        name="Peer Guild",
        owner_id=owner.id,
        channels=[PeerChannel(DEFAULT_CHANNEL_ID, "general", topic="記事について質問")],
        roles=[
            PeerRole(DEFAULT_GUILD_ID, "@everyone", DEFAULT_EVERYONE_PERMISSIONS),
            PeerRole(
                DEFAULT_MOD_ROLE_ID,
                "Moderator",
                MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_THREADS,
                2,
            ),
        ],
        members=[
            PeerMember(owner),
            PeerMember(moderator, roles=[DEFAULT_MOD_ROLE_ID]),
            PeerMember(member),
        ],
    )


# --------------------------------------------------------------------------------------------
# What the peer records.
# --------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """One ``files[N]`` part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }
        try:
            out["text"] = self.data.decode("utf-8")
        except UnicodeDecodeError:
            out["text"] = None
        return out


@dataclass
class Request:
    """One REST call the bot made, with what the peer answered.

    ``path`` is relative to the API base (``/channels/1/messages``); ``json`` is the JSON body or,
    for multipart uploads, the parsed ``payload_json``; ``route`` is the matched template
    (``"POST /channels/{channel_id}/messages"``), or ``""`` for routes the peer does not know.
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    route: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    response: Any = None

    @property
    def known(self) -> bool:
        return bool(self.route)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "route": self.route,
            "json": self.json,
            "files": [f.to_dict() for f in self.files],
            "status": self.status,
            "response": self.response,
        }


@dataclass
class GatewayFrame:
    """A gateway frame received from (``direction="recv"``) or sent to the bot."""

    index: int
    connection: int
    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any
