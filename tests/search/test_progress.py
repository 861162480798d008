"""Build progress: a redrawn bar on a terminal, only a start and an end line elsewhere."""

import io

from bot.search.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_a_start_and_an_end_line_only():
    out = io.StringIO()
    p = Progress("indexing sentences", 1000, out)
    for _ in range(100):
        p.advance(10)
    p.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0] == "indexing sentences: 1,000 …"
    assert lines[1].startswith("indexing sentences: 1,000 done in ")
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_a_bar_redrawn_in_place():
    out = Terminal()
    p = Progress("indexing sentences", 100, out)
    p.advance(50)
    p.advance(50)
    p.finish()
    text = out.getvalue()
    assert text.startswith("\rindexing sentences: [")
    assert "100% 100/100" in text
    assert text.count("\n") == 2
