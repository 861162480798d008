"""Answers: the one answer type every front end renders, and the engine that produces it."""

from bot.answers.engine import Answerer
from bot.answers.model import Answer, Citation, Passage

__all__ = ["Answer", "Answerer", "Citation", "Passage"]
