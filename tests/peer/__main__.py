"""Standalone mode: ``python -m tests.peer --port 8765`` (or ``python tests/peer --port 8765``).

Prints the base URL, then one JSON line per REST call and gateway session event; ``--quiet``
prints only the URL. See the package docstring for pointing a bot at it.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:
    # `python tests/peer`: import the package from the repository, as `python -m tests.peer` does.
    sys.path[0] = str(Path(__file__).resolve().parents[2])

import argparse
import asyncio
import contextlib
from collections.abc import Sequence

from tests.peer.peer import DiscordPeer


async def _serve(port: int, token: str | None, quiet: bool) -> None:
    peer = DiscordPeer(token=token, log_stream=None if quiet else sys.stdout)
    await peer.start(port)
    print(peer.base_url, flush=True)
    peer._emit({"event": "listening", **peer.env(), "base_url": peer.base_url})
    try:
        await asyncio.Event().wait()
    finally:
        await peer.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve a local Discord REST+gateway peer on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--token", default=None, help="require this bot token")
    parser.add_argument("--quiet", action="store_true", help="do not log REST calls to stdout")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, args.quiet))


if __name__ == "__main__":
    main()
