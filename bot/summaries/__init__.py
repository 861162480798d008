"""Extractive summaries of articles and sections: verbatim sentences, each with its source."""

from bot.summaries.model import LENGTHS, Length, Summary, SummaryError, SummarySentence
from bot.summaries.summarizer import find_article, find_section, summarize

__all__ = [
    "LENGTHS",
    "Length",
    "Summary",
    "SummaryError",
    "SummarySentence",
    "find_article",
    "find_section",
    "summarize",
]
