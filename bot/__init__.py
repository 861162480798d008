"""Answers questions about a folder of Japanese articles with verbatim, cited quotes."""

__version__ = "0.1.0"
