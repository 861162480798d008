"""The questions behind the bot's recent answers, so that a reply to an answer is a follow-up.

Keyed by the answer message's id; each holds what a follow-up is searched with (the question
and, for a follow-up of a follow-up, the words before it) and the log row it continues. Kept
in memory, bounded and expiring: an hour-old answer is a new conversation.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

CONVERSATIONS = 5_000
EXPIRY_SECONDS = 3600.0
# The most characters of earlier questions a follow-up carries: the last few turns.
CONTEXT_CHARS = 200


@dataclass(frozen=True)
class Turn:
    context: str  # the earlier questions' words, newest last
    query_id: int | None  # the log row of the answer replied to
    at: float
    locale: str  # the language the conversation is in


class Conversations:
    def __init__(
        self,
        size: int = CONVERSATIONS,
        ttl: float = EXPIRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size, self.ttl, self._clock = size, ttl, clock
        self._turns: OrderedDict[int, Turn] = OrderedDict()

    def __len__(self) -> int:
        return len(self._turns)

    def remember(
        self,
        message_id: int,
        question: str,
        query_id: int | None,
        locale: str,
        earlier: Turn | None = None,
    ) -> None:
        """The answer `message_id` answered `question` in `locale` (itself following `earlier`,
        if any)."""
        context = f"{earlier.context} {question}" if earlier else question
        self._turns[message_id] = Turn(context[-CONTEXT_CHARS:], query_id, self._clock(), locale)
        self._turns.move_to_end(message_id)
        while len(self._turns) > self.size:
            self._turns.popitem(last=False)

    def earlier(self, message_id: int) -> Turn | None:
        """The turn a reply to `message_id` continues, unless it is unknown or expired."""
        turn = self._turns.get(message_id)
        if turn is None or self._clock() - turn.at > self.ttl:
            return None
        return turn
