"""Messages: how Discord builds, edits and echoes them, what a user posts, and the channel
message routes the bot calls (send, edit, typing), with their permission checks.

A message is stored as the full payload Discord would return, so a test asserts on exactly what
a user would see; mentions are resolved the way ``allowed_mentions`` lets Discord ping, and
uploads become attachments served by the peer itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from tests.peer.gateway import Gateway
from tests.peer.limits import ApiError, form_error, validate_message
from tests.peer.models import PeerChannel, PeerUser, Request, UploadedFile
from tests.peer.protocol import (
    CREATE_PUBLIC_THREADS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    THREAD_TYPES,
    VIEW_CHANNEL,
)
from tests.peer.world import now_iso

MENTION_USER = re.compile(r"<@!?(\d+)>")
MENTION_ROLE = re.compile(r"<@&(\d+)>")


class Messages(Gateway):
    """Stored messages and uploaded attachments, by id.

    ``echo_bot_messages``: dispatch MESSAGE_CREATE/UPDATE for the bot's own non-ephemeral
    messages, as Discord does (a bot that does not ignore itself will see them).
    """

    def __init__(self, *args: Any, echo_bot_messages: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.echo_bot_messages = echo_bot_messages
        self.messages: dict[str, dict[str, Any]] = {}
        self.attachments: dict[str, bytes] = {}

    # ------------------------------------------------------------------ message objects

    def _author_fields(self, user: PeerUser, channel: PeerChannel) -> dict[str, Any]:
        out: dict[str, Any] = {"author": user.payload()}
        guild = self._guild_of(channel)
        if guild is not None:
            out["guild_id"] = str(guild.id)
            member = guild.member(user.id)
            if member is not None:
                out["member"] = self._member_payload(guild, member, user=False)
        return out

    def _mentions(
        self, content: str, allowed: Mapping[str, Any] | None, replied_to: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Resolve ``<@id>``/``<@&id>``/@everyone the way Discord applies ``allowed_mentions``."""
        parse = (
            ["users", "roles", "everyone"] if allowed is None else list(allowed.get("parse", []))
        )
        allowed_users = (
            None if "users" in parse else {str(u) for u in (allowed or {}).get("users", [])}
        )
        allowed_roles = (
            None if "roles" in parse else {str(r) for r in (allowed or {}).get("roles", [])}
        )
        users: list[dict[str, Any]] = []
        for uid in dict.fromkeys(MENTION_USER.findall(content)):
            if (allowed_users is None or uid in allowed_users) and int(uid) in self._users:
                users.append(self._users[int(uid)].payload())
        replied = True if allowed is None else bool(allowed.get("replied_user", False))
        if (
            replied_to is not None
            and replied
            and replied_to["author"]["id"] not in {u["id"] for u in users}
        ):
            users.append(replied_to["author"])
        roles = [
            r
            for r in dict.fromkeys(MENTION_ROLE.findall(content))
            if allowed_roles is None or r in allowed_roles
        ]
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
        return {"mentions": users, "mention_roles": roles, "mention_everyone": everyone}

    def _attachments(
        self,
        channel_id: str,
        specs: list[dict[str, Any]] | None,
        files: Sequence[UploadedFile],
        existing: Sequence[dict[str, Any]] = (),
    ) -> list[dict[str, Any]]:
        """Turn ``payload_json.attachments`` + ``files[N]`` into attachment objects served here."""
        by_index = {}
        for upload in files:
            match = re.fullmatch(r"files\[(\d+)\]", upload.field)
            if match:
                by_index[match.group(1)] = upload
        if specs is None:
            specs = [{"id": k, "filename": f.filename} for k, f in by_index.items()]
            if not files:
                return list(existing)
        keep = {a["id"]: a for a in existing}
        out: list[dict[str, Any]] = []
        for spec in specs:
            sid = str(spec.get("id"))
            if sid in by_index:
                upload = by_index[sid]
                aid = str(self._snowflake())
                filename = spec.get("filename") or upload.filename or f"file{sid}"
                self.attachments[aid] = upload.data
                url = f"{self.base_url}/attachments/{aid}/{filename}"
                out.append(
                    {
                        "id": aid,
                        "filename": filename,
                        "size": len(upload.data),
                        "url": url,
                        "proxy_url": url,
                        "content_type": upload.content_type or "application/octet-stream",
                        "description": spec.get("description"),
                        "ephemeral": False,
                    }
                )
            elif sid in keep:
                out.append(keep[sid])
        return out

    def _new_message(
        self,
        channel: PeerChannel,
        author: PeerUser,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile] = (),
        message_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create and store a message object as Discord would return it."""
        mid = str(message_id or self._snowflake())
        ref = body.get("message_reference")
        replied_to = self.messages.get(str(ref.get("message_id"))) if ref else None
        content = body.get("content") or ""
        msg: dict[str, Any] = {
            "id": mid,
            "channel_id": str(channel.id),
            "type": 19 if ref else 0,
            "content": content,
            "tts": bool(body.get("tts", False)),
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "pinned": False,
            "flags": int(body.get("flags") or 0),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": list(body.get("components") or []),
            "attachments": self._attachments(str(channel.id), body.get("attachments"), files),
            "reactions": [],
            **self._author_fields(author, channel),
            **self._mentions(content, body.get("allowed_mentions"), replied_to),
        }
        if ref:
            msg["message_reference"] = {"type": 0, "channel_id": str(channel.id), **ref}
            msg["referenced_message"] = replied_to
        if body.get("poll"):
            msg["poll"] = body["poll"]
        msg.update(extra)
        self.messages[mid] = msg
        return msg

    def _edit_message(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[UploadedFile] = ()
    ) -> dict[str, Any]:
        """Apply a PATCH the way Discord does: only the given fields change; validate first."""
        edited = dict(msg)
        self._apply_edit(edited, body, files)
        validate_message(edited)
        msg.update(edited)
        return msg

    def _apply_edit(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = list(body["components"] or [])
        if "attachments" in body or files:
            msg["attachments"] = self._attachments(
                msg["channel_id"], body.get("attachments"), files, msg["attachments"]
            )
        if body.get("flags") is not None:
            keep = msg["flags"] & ~(FLAG_SUPPRESS_EMBEDS | FLAG_LOADING)
            msg["flags"] = keep | (int(body["flags"]) & FLAG_SUPPRESS_EMBEDS)
        if "content" in body or "allowed_mentions" in body:
            msg.update(self._mentions(msg["content"], body.get("allowed_mentions"), None))
        msg["flags"] &= ~FLAG_LOADING
        msg["edited_timestamp"] = now_iso()

    async def _echo(self, event: str, msg: dict[str, Any]) -> None:
        if (
            self.echo_bot_messages
            and not msg["flags"] & FLAG_EPHEMERAL
            and self._session is not None
        ):
            await self.dispatch(event, msg)

    # ------------------------------------------------------------------ a user posts

    async def send_message(
        self,
        content: str = "",
        *,
        channel_id: int | str | None = None,
        author: int | str | PeerUser | None = None,
        mentions: Sequence[int | str | PeerUser] | None = None,
        guild: bool = True,
        reply_to: int | str | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
        embeds: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        """A user posts a message (MESSAGE_CREATE). Returns the stored, full message payload.

        ``mentions`` defaults to the ``<@id>`` mentions found in ``content`` (use
        ``peer.bot_mention``). ``guild=False`` posts in the author's DM with the bot.
        """
        who, channel = self._target(author, channel_id, guild)
        body: dict[str, Any] = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel.id)}
        uploads = [
            UploadedFile(f"files[{i}]", name, None, data)
            for i, (name, data) in enumerate(attachments)
        ]
        msg = self._new_message(channel, who, body, uploads)
        if mentions is not None:
            msg["mentions"] = [self.user(m).payload() for m in mentions]
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    # ------------------------------------------------------------------ REST: channel messages

    def _require(self, channel: PeerChannel, needed: int) -> None:
        if self.permissions(self.bot_user, channel) & needed != needed:
            raise ApiError(403, 50013, "Missing Permissions")

    def _message(self, channel_id: str, message_id: str) -> dict[str, Any]:
        msg = self.messages.get(message_id)
        if msg is None or msg["channel_id"] != channel_id:
            raise ApiError(404, 10008, "Unknown Message")
        return msg

    async def _r_create_message(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        channel = self._get_channel(channel_id)
        needed = VIEW_CHANNEL | (
            SEND_MESSAGES_IN_THREADS if channel.type in THREAD_TYPES else SEND_MESSAGES
        )
        self._require(channel, needed)
        body = rec.json or {}
        validate_message(body, rec.files)
        ref = body.get("message_reference")
        if (
            ref
            and str(ref.get("message_id")) not in self.messages
            and ref.get("fail_if_not_exists", True)
        ):
            raise form_error(
                {"message_reference": ("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
            )
        msg = self._new_message(channel, self.bot_user, body, rec.files)
        await self._echo("MESSAGE_CREATE", msg)
        return 200, msg

    async def _r_start_thread(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        """A public thread started from a message (the bot answering in a thread)."""
        parent = self._get_channel(channel_id)
        self._require(parent, VIEW_CHANNEL | CREATE_PUBLIC_THREADS)
        self._message(channel_id, message_id)  # 404 for an unknown message
        name = str((rec.json or {}).get("name") or "")
        if not 1 <= len(name) <= 100:
            raise form_error({"name": ("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100")})
        thread = PeerChannel(
            int(message_id),  # a thread started from a message takes the message's id
            name,
            type=11,
            parent_id=parent.id,
            owner_id=self.bot_user.id,
        )
        thread.guild_id = parent.guild_id
        guild = self._guild_of(parent)
        if guild is not None:
            guild.channels.append(thread)
        self._channels[thread.id] = thread
        payload = {**self.channel_payload(thread), "newly_created": True}
        await self.dispatch("THREAD_CREATE", payload)
        return 201, self.channel_payload(thread)

    async def _r_edit_message(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        msg = self._message(channel_id, message_id)
        if msg["author"]["id"] != str(self.bot_user.id):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._edit_message(msg, rec.json or {}, rec.files)
        await self._echo("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_typing(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        self._get_channel(channel_id)
        return 204, None

    async def _attachment_handler(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["attachment_id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")
