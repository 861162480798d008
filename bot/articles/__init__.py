"""Articles: the data model and the loaders for each publisher's layout."""

from bot.articles.library import Library, load_library
from bot.articles.model import Article, ArticleError, Paragraph, Section

__all__ = ["Article", "ArticleError", "Library", "Paragraph", "Section", "load_library"]
