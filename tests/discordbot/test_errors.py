"""Replies that must reach the member whatever state the interaction was left in."""

import asyncio
from types import SimpleNamespace

import discord
import pytest

from bot.discordbot.errors import ALREADY_ACKNOWLEDGED, reply_ephemeral


class Interaction:
    """An interaction whose acknowledgement reached Discord while the task awaiting it was
    cancelled: it believes it has not responded, Discord refuses a second response."""

    def __init__(self, refusal_code: int | None) -> None:
        self.sent: list[str] = []
        self.edited: list[str] = []
        self.followed: list[str] = []
        self.refusal_code = refusal_code
        self.response = SimpleNamespace(is_done=lambda: False, send_message=self._send)
        self.followup = SimpleNamespace(send=self._follow)

    async def _send(self, text: str, **_: object) -> None:
        if self.refusal_code is not None:
            response = SimpleNamespace(status=400, reason="Bad Request")
            raise discord.HTTPException(response, {"code": self.refusal_code, "message": "no"})
        self.sent.append(text)

    async def edit_original_response(self, *, content: str, **_: object) -> None:
        self.edited.append(content)

    async def _follow(self, text: str, **_: object) -> None:
        self.followed.append(text)


@pytest.mark.parametrize("replace", [True, False])
def test_a_refused_second_response_becomes_an_edit(replace):
    interaction = Interaction(ALREADY_ACKNOWLEDGED)
    asyncio.run(reply_ephemeral(interaction, "停止します", replace=replace))
    assert (interaction.sent, interaction.edited, interaction.followed) == ([], ["停止します"], [])


def test_a_fresh_interaction_is_answered_directly_and_other_refusals_still_raise():
    fresh = Interaction(None)
    asyncio.run(reply_ephemeral(fresh, "こんにちは", replace=True))
    assert (fresh.sent, fresh.edited) == (["こんにちは"], [])
    other = Interaction(50035)  # invalid form body: not a state mix-up, not hidden
    with pytest.raises(discord.HTTPException):
        asyncio.run(reply_ephemeral(other, "x", replace=True))
    assert other.edited == []
