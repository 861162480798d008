"""The Discord front end: slash commands, mentions and Q&A channels rendering core answers."""
