"""Japanese text: normalisation, sentence splitting and tokens for search."""
