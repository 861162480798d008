"""Feature groups of the Discord bot, one cog each."""
