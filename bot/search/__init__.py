"""Search over the articles' sentences: BM25 scoring and passage selection."""
