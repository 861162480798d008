"""The HTTP control API (``/_peer/*``), so a script can drive a standalone peer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.peer.interactions import InteractionHandle
from tests.peer.models import Request
from tests.peer.rest import Rest


class Control(Rest):
    """Injects a slash command and exposes the recorded requests over HTTP."""

    def _control_routes(self) -> list[tuple[str, str, Callable[[web.Request], Any]]]:
        """HTTP control API so a script can drive a standalone peer (all JSON):

        - ``POST /_peer/interaction`` {name, options?, user?, channel_id?, guild?, locale?} -> {id, token}
        - ``POST /_peer/wait`` {route?, method?, path_contains?, since?, timeout?} -> request
        - ``GET /_peer/requests?since=N``
        """
        return [
            ("POST", "/_peer/interaction", self._c_interaction),
            ("POST", "/_peer/wait", self._c_wait),
            ("GET", "/_peer/requests", self._c_requests),
        ]

    async def _control(
        self, request: web.Request, action: Callable[[dict[str, Any]], Any]
    ) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else {}
            return self._json_response(200, await action(body))
        except (LookupError, ValueError, TypeError, RuntimeError) as err:
            return self._json_response(400, {"error": f"{type(err).__name__}: {err}"})
        except TimeoutError as err:
            return self._json_response(408, {"error": str(err)})

    @staticmethod
    def _ix_ref(handle: InteractionHandle) -> dict[str, Any]:
        return {"id": handle.id, "token": handle.token}

    async def _c_interaction(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return self._ix_ref(
                await self.slash(
                    b["name"],
                    b.get("options") or {},
                    user=b.get("user"),
                    channel_id=b.get("channel_id"),
                    guild=b.get("guild", True),
                    locale=b.get("locale", "en-US"),
                )
            )

        return await self._control(request, act)

    async def _c_wait(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            def pred(r: Request) -> bool:
                return (
                    (b.get("method") in (None, r.method))
                    and (b.get("route") in (None, r.route))
                    and (b.get("path_contains") is None or b["path_contains"] in r.path)
                )

            rec = await self.wait_for(
                pred, timeout=float(b.get("timeout", 10.0)), since=int(b.get("since", 0))
            )
            return rec.to_dict()

        return await self._control(request, act)

    async def _c_requests(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return self._json_response(200, [r.to_dict() for r in self.requests[since:]])
