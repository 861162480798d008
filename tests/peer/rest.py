"""The REST API (``/api/v10``): the route table, request parsing and recording, bot-token auth,
Discord-shaped JSON answers, and the identity routes a login calls.

Each route's handler lives with its concern (messages, commands, interactions); a route the
peer does not know answers 404 and is recorded, so ``run_bot`` can fail a test that used one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.peer.interactions import Interactions
from tests.peer.limits import ApiError
from tests.peer.models import Request, UploadedFile

_log = logging.getLogger(__name__)

_Handler = Callable[..., Any]


class Rest(Interactions):
    """Routes ``/api/v10/{tail}`` to the handlers and records every call in ``requests``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._routes = self._compile_routes()

    def _compile_routes(self) -> list[tuple[str, re.Pattern[str], str, _Handler]]:
        table: list[tuple[str, str, _Handler]] = [
            # identity (login)
            ("GET", "/users/@me", self._r_me),
            ("GET", "/oauth2/applications/@me", self._r_app),
            # command sync (commands.py)
            ("PUT", "/applications/{app_id}/commands", self._r_put_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._r_put_commands),
            # the bot's answers to interactions (interactions.py)
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._r_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._r_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._r_webhook_get),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._r_webhook_edit),
            # channel messages (messages.py)
            ("POST", "/channels/{channel_id}/messages", self._r_create_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._r_edit_message),
            ("POST", "/channels/{channel_id}/typing", self._r_typing),
            (
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self._r_start_thread,
            ),
        ]
        compiled = []
        for method, template, handler in table:
            pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern)
            compiled.append((method, re.compile(pattern + "$"), f"{method} {template}", handler))
        return compiled

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        files: list[UploadedFile] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read()  # type: ignore[union-attr]
                    ctype = part.headers.get("Content-Type")
                    files.append(UploadedFile(part.name or "", part.filename, ctype, bytes(data)))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode("utf-8", "replace"), files

    @staticmethod
    def _json_response(status: int, body: Any) -> web.Response:
        # discord.py only parses JSON when Content-Type is exactly "application/json";
        # aiohttp's json_response appends "; charset=utf-8", which breaks login.
        if status == 204 or body is None:
            return web.Response(status=204)
        data = json.dumps(body, ensure_ascii=False).encode()
        return web.Response(status=status, body=data, headers={"Content-Type": "application/json"})

    async def _api_handler(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        rec = Request(
            index=len(self.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            route="",
            params={},
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower()
                in ("authorization", "x-audit-log-reason", "content-type", "user-agent")
            },
        )
        status, response = 404, {"message": "404: Not Found", "code": 0}
        for method, pattern, template, handler in self._routes:
            match = pattern.match(path)
            if match and method == request.method:
                rec.route, rec.params = template, match.groupdict()
                try:
                    self._check_auth(rec)
                    status, response = await handler(rec, **rec.params)
                except ApiError as err:
                    status, response = err.status, err.body
                break
        if not rec.route:
            _log.warning("unknown Discord route %s %s", request.method, path)
        rec.status, rec.response = status, response
        self.requests.append(rec)
        if self.log_stream and not (request.method == "GET" and path in ("/users/@me",)):
            self._emit({"event": "rest", **rec.to_dict()})
        self._notify()
        return self._json_response(status, response)

    def _check_auth(self, rec: Request) -> None:
        if rec.path.startswith(("/interactions/", "/webhooks/")):
            return
        auth = rec.headers.get("Authorization", "")
        if not auth.startswith("Bot ") or (self.token is not None and auth != f"Bot {self.token}"):
            raise ApiError(401, 0, "401: Unauthorized")

    # ------------------------------------------------------------------ REST: identity

    async def _r_me(self, rec: Request) -> tuple[int, Any]:
        return 200, {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def _r_app(self, rec: Request) -> tuple[int, Any]:
        owner = self.owner if self.guilds else self.bot_user
        return 200, {
            "id": str(self.app_id),
            "name": self.bot_user.name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "rpc_origins": [],
            "interactions_endpoint_url": None,
            "bot": self.bot_user.payload(),
        }
