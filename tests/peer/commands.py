"""Application commands: the commands the bot synced (``PUT .../commands``, global or per
guild) and rendering a test's ``{"option": value}`` as interaction data against that schema.

With ``strict_commands`` a test cannot invoke a command the bot never synced, nor pass an option
the synced schema does not have, just as a user could not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.peer.limits import ApiError, form_error
from tests.peer.messages import Messages
from tests.peer.models import PeerChannel, PeerRole, PeerUser, Request
from tests.peer.protocol import ALL_PERMISSIONS


class Commands(Messages):
    """``commands``: (guild id, or None for global) -> {command name -> command payload with id}."""

    def __init__(self, *args: Any, strict_commands: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.strict_commands = strict_commands
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}

    # ------------------------------------------------------------------ REST: command sync

    def _check_app(self, app_id: str) -> None:
        if app_id != str(self.app_id):
            raise ApiError(403, 50001, "Missing Access")

    def _scope(self, guild_id: str | None) -> int | None:
        if guild_id is None:
            return None
        if not any(str(g.id) == guild_id for g in self.guilds):
            raise ApiError(403, 50001, "Missing Access")
        return int(guild_id)

    def _store_command(self, scope: int | None, body: dict[str, Any]) -> dict[str, Any]:
        existing = self.commands.setdefault(scope, {}).get(body["name"])
        cmd = {
            "type": 1,
            "description": "",
            "default_member_permissions": None,
            "nsfw": False,
            **body,
            "id": existing["id"] if existing else str(self._snowflake()),
            "application_id": str(self.app_id),
            "version": str(self._snowflake()),
        }
        if scope is not None:
            cmd["guild_id"] = str(scope)
        self.commands[scope][body["name"]] = cmd
        return cmd

    async def _r_put_commands(
        self, rec: Request, app_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        scope = self._scope(guild_id)
        if not isinstance(rec.json, list) or len(rec.json) > 100:
            raise form_error(
                {"_": ("BASE_TYPE_BAD_LENGTH", "Must be between 0 and 100 in length.")}
            )
        old = self.commands.get(scope, {})
        self.commands[scope] = {}
        for body in rec.json:
            if body["name"] in old:
                self.commands[scope][body["name"]] = old[body["name"]]
            self._store_command(scope, body)
        return 200, list(self.commands[scope].values())

    # ------------------------------------------------------------------ options against the schema

    def _command_schema(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        if guild_id is not None and name in self.commands.get(guild_id, {}):
            return self.commands[guild_id][name]
        return self.commands.get(None, {}).get(name)

    def _option_value(
        self, otype: int, value: Any, resolved: dict[str, dict[str, Any]], channel: PeerChannel
    ) -> Any:
        guild = self._guild_of(channel)
        if otype == 4:
            return int(value)
        if otype == 10:
            return float(value)
        if otype == 5:
            return bool(value)
        if otype in (6, 9) and not (otype == 9 and isinstance(value, PeerRole)):
            user = self.user(value)
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.member(user.id) if guild else None
            if member is not None and guild is not None:
                resolved.setdefault("members", {})[str(user.id)] = {
                    **self._member_payload(guild, member, user=False),
                    "permissions": str(self.permissions(user, channel)),
                }
            return str(user.id)
        if otype in (8, 9):
            role = (
                value if isinstance(value, PeerRole) else guild.role(int(value)) if guild else None
            )
            if role is None:
                raise LookupError(f"unknown role {value!r}")
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if otype == 7:
            target = value if isinstance(value, PeerChannel) else self._get_channel(value)
            payload = self.channel_payload(target)
            resolved.setdefault("channels", {})[str(target.id)] = {
                **{
                    k: payload[k]
                    for k in ("id", "type", "name", "parent_id", "thread_metadata")
                    if k in payload
                },
                "permissions": str(ALL_PERMISSIONS),
            }
            return str(target.id)
        if otype == 11:
            filename, data, *ctype = value
            aid = str(self._snowflake())
            self.attachments[aid] = data
            url = f"{self.base_url}/attachments/{aid}/{filename}"
            resolved.setdefault("attachments", {})[aid] = {
                "id": aid,
                "filename": filename,
                "size": len(data),
                "url": url,
                "proxy_url": url,
                "content_type": ctype[0] if ctype else "text/plain; charset=utf-8",
                "ephemeral": True,
            }
            return aid
        return str(value)

    def _build_options(
        self,
        path: list[str],
        schema: dict[str, Any] | None,
        options: Mapping[str, Any],
        channel: PeerChannel,
        resolved: dict[str, dict[str, Any]],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        """Render ``{"name": value}`` as interaction options, nesting subcommand (group) levels."""
        defs = (schema or {}).get("options") or []
        if path:
            sub = next((o for o in defs if o["name"] == path[0]), None)
            if sub is None and schema is not None:
                raise ValueError(f"no subcommand {path[0]!r} in {schema['name']!r}")
            sub_type = sub["type"] if sub else (2 if len(path) > 1 else 1)
            inner = self._build_options(path[1:], sub, options, channel, resolved, focused)
            return [{"name": path[0], "type": sub_type, "options": inner}]
        by_name = {o["name"]: o for o in defs}
        if any(o.get("type") in (1, 2) for o in defs):
            raise ValueError(f"{schema and schema['name']!r} needs a subcommand: {sorted(by_name)}")
        if schema is not None:
            unknown = set(options) - set(by_name)
            if unknown:
                raise ValueError(
                    f"unknown option(s) {sorted(unknown)} for {schema['name']!r}; has {sorted(by_name)}"
                )
            missing = [n for n, o in by_name.items() if o.get("required") and n not in options]
            if missing and focused is None:
                raise ValueError(f"missing required option(s) {missing} for {schema['name']!r}")
        out = []
        for name, value in options.items():
            if name in by_name:
                otype = by_name[name]["type"]
                allowed = [c["value"] for c in by_name[name].get("choices") or []]
                if allowed and name != focused and value not in allowed:
                    raise ValueError(f"{value!r} is not one of the choices {allowed} of {name!r}")
            else:
                otype = {bool: 5, int: 4, float: 10}.get(
                    type(value), 6 if isinstance(value, PeerUser) else 3
                )
            if name == focused:
                out.append({"name": name, "type": otype, "value": str(value), "focused": True})
            else:
                out.append(
                    {
                        "name": name,
                        "type": otype,
                        "value": self._option_value(otype, value, resolved, channel),
                    }
                )
        return out

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        channel: PeerChannel,
        focused: str | None,
    ) -> dict[str, Any]:
        root, *path = name.split()
        guild_id = channel.guild_id
        guild = guild_id is not None
        schema = self._command_schema(root, guild_id)
        if schema is None and self.strict_commands:
            synced = {str(k): sorted(v) for k, v in self.commands.items()}
            raise LookupError(f"command {root!r} was never synced by the bot (synced: {synced})")
        if schema is not None and self.strict_commands:
            contexts = schema.get("contexts")
            if contexts is not None and (0 if guild else 1) not in contexts:
                raise LookupError(
                    f"command {root!r} is not available in {'guilds' if guild else 'DMs'}"
                )
        resolved: dict[str, dict[str, Any]] = {}
        data: dict[str, Any] = {
            "id": (schema or {}).get("id") or str(self._snowflake()),
            "name": root,
            "type": 1,
            "options": self._build_options(path, schema, options or {}, channel, resolved, focused),
        }
        if schema is not None and schema.get("guild_id"):
            data["guild_id"] = schema["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data
