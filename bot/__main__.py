"""`python -m bot`: see `bot.cli.main`."""

from bot.cli.main import main

raise SystemExit(main())
