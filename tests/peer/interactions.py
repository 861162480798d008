"""Interactions: injecting slash commands, autocomplete, button/select clicks and modal
submits, and the bot's answers to them (callback, followups, edits of its responses).

The rules that bite in production are enforced: an interaction is acknowledged once, with a
response type valid for its kind; followups need an acknowledged interaction; the first followup
after a "thinking" defer replaces the placeholder.
"""

# Waits take ``timeout=`` (the brief's API, and it feeds the failure message), not asyncio.timeout.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.peer.commands import Commands
from tests.peer.limits import (
    ApiError,
    form_error,
    validate_choices,
    validate_message,
    walk_components,
)
from tests.peer.models import PeerChannel, PeerUser, Request, UploadedFile
from tests.peer.protocol import (
    CB_AUTOCOMPLETE,
    CB_DEFERRED,
    CB_DEFERRED_UPDATE,
    CB_MESSAGE,
    CB_MODAL,
    CB_UPDATE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    IX_AUTOCOMPLETE,
    IX_COMMAND,
    IX_COMPONENT,
    IX_MODAL,
)


@dataclass
class _Interaction:
    """One injected interaction and what the bot has done with it so far."""

    id: str
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: str
    guild_id: str | None
    source_message_id: str | None = None
    callback: Request | None = None
    original_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None


class InteractionHandle:
    """What ``slash``/``click``/``submit_modal`` return: the injected interaction and its fate.

    Waiting on a handle is scoped to its token, so two commands in one test never get confused.
    """

    def __init__(self, peer: Interactions, state: _Interaction) -> None:
        self._peer = peer
        self._state = state

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self._state.type} token={self.token[:12]}…>"

    @property
    def id(self) -> str:
        return self._state.id

    @property
    def token(self) -> str:
        return self._state.token

    @property
    def payload(self) -> dict[str, Any]:
        """The INTERACTION_CREATE ``d`` that was sent to the bot."""
        return self._state.payload

    @property
    def requests(self) -> list[Request]:
        """Every REST call made with this interaction's token (callback, followups, edits)."""
        return [r for r in self._peer.requests if self.token in r.path]

    @property
    def original(self) -> dict[str, Any] | None:
        """The current state of the ``@original`` response message, if any."""
        mid = self._state.original_id
        return self._peer.messages.get(mid) if mid else None

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Current state of followup messages (not counting a followup that filled a defer)."""
        return [
            self._peer.messages[m] for m in self._state.followup_ids if m in self._peer.messages
        ]

    async def callback(self, timeout: float = 5.0) -> Request:
        """Wait for the bot's ``POST /interactions/{id}/{token}/callback`` and return it."""
        return await self._peer.wait_until(
            lambda: self._state.callback,
            timeout=timeout,
            what=f"interaction callback for {self.id}",
        )

    async def wait_original(
        self, pred: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the original response exists, is no longer 'thinking', and matches ``pred``.

        Why: a bot may answer directly, or defer and edit later; the test asserts on what the user
        ends up seeing without caring which path the bot took.
        """

        def ready() -> dict[str, Any] | None:
            msg = self.original
            if msg is None or msg["flags"] & FLAG_LOADING:
                return None
            return msg if pred is None or pred(msg) else None

        return await self._peer.wait_until(ready, timeout=timeout, what=f"original of {self.id}")


class Interactions(Commands):
    """Every injected interaction, by handle and by token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interactions: list[InteractionHandle] = []
        self._ix_by_token: dict[str, _Interaction] = {}

    # ------------------------------------------------------------------ injection

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        who: PeerUser,
        channel: PeerChannel,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> _Interaction:
        peer_guild = self._guild_of(channel)
        iid = str(self._snowflake())
        token = f"peer-ix-{iid}-token"
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(self.permissions(self.bot_user, channel)),
            "channel_id": str(channel.id),
            "channel": {
                **self.channel_payload(channel),
                "permissions": str(self.permissions(who, channel)),
            },
        }
        if peer_guild is not None:
            member = peer_guild.member(who.id)
            if member is None:
                raise LookupError(f"{who.name} is not a member of guild {peer_guild.id}")
            payload.update(
                guild_id=str(peer_guild.id),
                guild_locale=peer_guild.preferred_locale,
                guild={
                    "id": str(peer_guild.id),
                    "locale": peer_guild.preferred_locale,
                    "features": [],
                },
                member={
                    **self._member_payload(peer_guild, member),
                    "permissions": str(self.permissions(who, channel)),
                },
                context=0,
                authorizing_integration_owners={"0": str(peer_guild.id)},
            )
        else:
            payload.update(user=who.payload(), context=1, authorizing_integration_owners={"0": "0"})
        if message is not None:
            payload["message"] = message
        state = _Interaction(
            iid,
            token,
            itype,
            payload,
            str(channel.id),
            str(peer_guild.id) if peer_guild else None,
            source_message_id=message["id"] if message else None,
        )
        self._ix_by_token[token] = state
        handle = InteractionHandle(self, state)
        self.interactions.append(handle)
        return state

    def _handle(self, state: _Interaction) -> InteractionHandle:
        return next(h for h in reversed(self.interactions) if h._state is state)

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int | str | PeerUser | None = None,
        channel_id: int | str | None = None,
        guild: bool = True,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Inject a slash command (``name`` may be ``"group sub"``) and return its handle.

        Option values are typed from the synced schema: users (id/name/PeerUser), channels, roles
        and attachments (``(filename, bytes[, content_type])``) also get ``resolved`` data.
        ``guild=False`` sends it from the user's DM with the bot. Default user: ``peer.member``.
        """
        who, channel = self._target(user, channel_id, guild)
        data = self._command_data(name, options, channel, focused=None)
        state = self._interaction(IX_COMMAND, data, who=who, channel=channel, locale=locale)
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: int | str | PeerUser | None = None,
        channel_id: int | str | None = None,
        guild: bool = True,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Inject an autocomplete interaction (the user typing into ``focused``); return choices.

        The choices are validated as Discord does (at most 25, names 1-100 chars).
        """
        who, channel = self._target(user, channel_id, guild)
        data = self._command_data(name, options, channel, focused=focused)
        state = self._interaction(IX_AUTOCOMPLETE, data, who=who, channel=channel, locale=locale)
        await self.dispatch("INTERACTION_CREATE", state.payload)
        # Wait on the callback, not on the choices: an empty list is a legitimate answer.
        await self.wait_until(lambda: state.callback, timeout=timeout, what=f"autocomplete {name}")
        return list(state.choices or [])

    def _find_component(
        self, custom_id: str, message_id: int | str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        candidates = (
            [self.messages[str(message_id)]]
            if message_id is not None and str(message_id) in self.messages
            else list(reversed(self.messages.values()))
        )
        for msg in candidates:
            for _, comp in walk_components(msg.get("components") or []):
                if comp.get("custom_id") == custom_id:
                    return msg, dict(comp)
        raise LookupError(f"no live message has a component with custom_id {custom_id!r}")

    async def click(
        self,
        custom_id: str,
        *,
        message_id: int | str | None = None,
        user: int | str | PeerUser | None = None,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Press a button (or choose ``values`` in a select) on a message the bot sent.

        Without ``message_id`` the newest message carrying ``custom_id`` is used. The default user
        is the one who triggered the interaction that produced the message, else ``peer.member``.
        """
        msg, comp = self._find_component(custom_id, message_id)
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if user is None:
            meta = msg.get("interaction_metadata") or {}
            user = int(meta["user"]["id"]) if meta else None
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if values is not None or comp.get("type") in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        who, channel = self._target(user, msg["channel_id"], True)
        state = self._interaction(
            IX_COMPONENT, data, who=who, channel=channel, locale=locale, message=msg
        )
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    async def submit_modal(
        self,
        values: Mapping[str, str | Sequence[str]],
        *,
        custom_id: str | None = None,
        user: int | str | PeerUser | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit the newest modal the bot opened (or the one with ``custom_id``).

        ``values`` maps text-input custom_ids to text (select custom_ids to lists of values).
        """
        source = next(
            (
                s
                for s in reversed(list(self._ix_by_token.values()))
                if s.modal is not None and custom_id in (None, s.modal.get("custom_id"))
            ),
            None,
        )
        if source is None or source.modal is None:
            raise LookupError(f"the bot opened no modal {custom_id or ''}")

        def render(comp: Mapping[str, Any]) -> dict[str, Any]:
            if comp.get("type") == 1:
                return {"type": 1, "components": [render(c) for c in comp.get("components", [])]}
            if comp.get("type") == 18:
                return {"type": 18, "component": render(comp["component"])}
            out: dict[str, Any] = {"type": comp.get("type"), "custom_id": comp.get("custom_id")}
            value = values.get(comp.get("custom_id") or "")
            if comp.get("type") == 4:
                out["value"] = value or ""
            else:
                out["values"] = list(value or [])
            return out

        data = {
            "custom_id": source.modal["custom_id"],
            "components": [render(c) for c in source.modal.get("components", [])],
        }
        if user is None:
            user = int((source.payload.get("member") or source.payload)["user"]["id"])
        who, channel = self._target(user, source.channel_id, True)
        message = self.messages.get(source.source_message_id or "")
        state = self._interaction(
            IX_MODAL, data, who=who, channel=channel, locale=locale, message=message
        )
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    # ------------------------------------------------------------------ REST: the bot's responses

    def _ix(self, token: str, interaction_id: str | None = None) -> _Interaction:
        state = self._ix_by_token.get(token)
        if state is None or (interaction_id is not None and state.id != interaction_id):
            raise ApiError(
                404,
                10062 if interaction_id else 10015,
                "Unknown interaction" if interaction_id else "Unknown Webhook",
            )
        return state

    def _interaction_message(
        self,
        state: _Interaction,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        flags: int | None = None,
    ) -> dict[str, Any]:
        who = state.payload.get("member", state.payload).get("user") or {}
        meta = {
            "id": state.id,
            "type": state.type,
            "user": who,
            "authorizing_integration_owners": state.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if state.type == IX_COMMAND:
            meta["name"] = state.payload["data"]["name"]
        if state.source_message_id:
            meta["interacted_message_id"] = state.source_message_id
        msg = self._new_message(
            self._get_channel(state.channel_id),
            self.bot_user,
            body,
            files,
            webhook_id=str(self.app_id),
            application_id=str(self.app_id),
            interaction_metadata=meta,
        )
        if flags is not None:
            msg["flags"] = flags
        msg["type"] = 20 if state.type == IX_COMMAND else 0
        return msg

    async def _r_callback(self, rec: Request, interaction_id: str, token: str) -> tuple[int, Any]:
        state = self._ix(token, interaction_id)
        if state.callback is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        allowed = {
            IX_COMMAND: {CB_MESSAGE, CB_DEFERRED, CB_MODAL},
            IX_COMPONENT: {CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_MODAL},
            IX_AUTOCOMPLETE: {CB_AUTOCOMPLETE},
            IX_MODAL: {CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE},
        }.get(state.type, set())
        if ctype not in allowed:
            raise form_error(
                {
                    "type": (
                        "INTERACTION_RESPONSE_TYPE_INVALID",
                        f"Invalid response type {ctype} for interaction type {state.type}",
                    )
                }
            )
        resource: dict[str, Any] = {"type": ctype}
        ix_info: dict[str, Any] = {"id": state.id, "type": state.type}
        msg: dict[str, Any] | None = None
        if ctype == CB_MESSAGE:
            validate_message(data, rec.files)
            msg = self._interaction_message(state, data, rec.files)
            state.original_id = msg["id"]
        elif ctype == CB_DEFERRED:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            msg = self._interaction_message(state, {}, (), flags=flags)
            state.original_id = msg["id"]
            ix_info["response_message_loading"] = True
        elif ctype in (CB_DEFERRED_UPDATE, CB_UPDATE):
            msg = self.messages.get(state.source_message_id or "")
            if msg is None:
                raise ApiError(404, 10008, "Unknown Message")
            if ctype == CB_UPDATE:
                self._edit_message(msg, data, rec.files)
            state.original_id = msg["id"]
        elif ctype == CB_AUTOCOMPLETE:
            choices = data.get("choices") or []
            validate_choices(choices)
            state.choices = list(choices)
        elif ctype == CB_MODAL:
            state.modal = dict(data)
        state.callback = rec
        if msg is not None:
            ix_info["response_message_id"] = msg["id"]
            ix_info["response_message_ephemeral"] = bool(msg["flags"] & FLAG_EPHEMERAL)
            resource["message"] = msg
            if ctype in (CB_MESSAGE, CB_DEFERRED):
                await self._echo("MESSAGE_CREATE", msg)
            elif ctype == CB_UPDATE:
                await self._echo("MESSAGE_UPDATE", msg)
        return 200, {"interaction": ix_info, "resource": resource}

    async def _r_followup(self, rec: Request, app_id: str, token: str) -> tuple[int, Any]:
        self._check_app(app_id)
        state = self._ix(token)
        if state.callback is None:
            # Discord creates the interaction webhook only once the interaction is acknowledged.
            raise ApiError(404, 10015, "Unknown Webhook")
        body = rec.json or {}
        validate_message(body, rec.files)
        original = self.messages.get(state.original_id or "")
        if original is not None and original["flags"] & FLAG_LOADING:
            # As on Discord, the first followup after a "thinking" defer replaces the placeholder.
            keep_ephemeral = original["flags"] & FLAG_EPHEMERAL
            self._edit_message(original, {**body, "flags": 0}, rec.files)
            original["flags"] |= keep_ephemeral
            await self._echo("MESSAGE_UPDATE", original)
            msg = original
        else:
            msg = self._interaction_message(state, body, rec.files)
            state.followup_ids.append(msg["id"])
            await self._echo("MESSAGE_CREATE", msg)
        if rec.query.get("wait") in ("0", "false", "False"):
            return 204, None
        return 200, msg

    def _webhook_message(self, state: _Interaction, message_id: str) -> dict[str, Any]:
        mid = state.original_id if message_id == "@original" else message_id
        if (
            mid is None
            or mid not in self.messages
            or (mid != state.original_id and mid not in state.followup_ids)
        ):
            raise ApiError(404, 10008, "Unknown Message")
        return self.messages[mid]

    async def _r_webhook_get(
        self, rec: Request, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        return 200, self._webhook_message(self._ix(token), message_id)

    async def _r_webhook_edit(
        self, rec: Request, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        msg = self._webhook_message(self._ix(token), message_id)
        self._edit_message(msg, rec.json or {}, rec.files)
        await self._echo("MESSAGE_UPDATE", msg)
        return 200, msg
