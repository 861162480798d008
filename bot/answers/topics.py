"""Which articles a refusal lists as what the articles do cover.

With one article, that is the article's outline. With an archive of thousands, listing them all
would make every refusal a wall of text (and building it took the Discord bot's event loop
hundreds of milliseconds), so a refusal names a few: the articles its weak candidates came
from, then the newest, and says how many more there are.
"""

from __future__ import annotations

from bot.answers.model import Answer
from bot.articles import Article, Library

MAX_TOPICS = 5


def related_articles(
    answer: Answer, library: Library, limit: int = MAX_TOPICS
) -> tuple[list[Article], int]:
    """Up to `limit` articles to show, and how many others there are."""
    articles = library.articles
    if len(articles) <= limit:
        return list(articles), 0
    chosen: list[Article] = []
    for p in answer.passages:
        article = library.by_id.get(p.article)
        if article is not None and article not in chosen:
            chosen.append(article)
    if len(chosen) < limit:  # the library's own lists, made once: nothing here is per article
        newest = library.newest_first[: limit * 2]
        chosen += [a for a in newest if a not in chosen][: limit - len(chosen)]
    chosen = chosen[:limit]
    return chosen, len(articles) - len(chosen)
