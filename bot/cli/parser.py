"""The command line's parser, whose usage errors are Japanese first, then argparse's English.

argparse words its errors in English alone (「the following arguments are required: QUESTION」);
every other message of the bot is Japanese first. The commonest errors are said in Japanese
above argparse's own line; any other keeps a bilingual prefix.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

# argparse's messages (Python 3.11-3.13) and their Japanese, by pattern.
_JAPANESE = (
    (re.compile(r"the following arguments are required: (.+)"), "次の引数が必要です: {0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "使えない引数です: {0}"),
    (
        re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.+)\)"),
        "引数 {0} に {1} は選べません（選べるもの: {2}）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), "引数 {0} には値が一つ必要です"),
    (re.compile(r"argument (\S+): invalid (\w+) value: (\S+)"), "引数 {0} の値 {2} は不正です"),
)


def japanese(message: str) -> str | None:
    """argparse's `message` in Japanese, when it is one of the common ones."""
    for pattern, template in _JAPANESE:
        if m := pattern.fullmatch(message):
            return template.format(*m.groups())
    return None


class BilingualParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors say what is wrong in Japanese, then in English.
    Its subcommands' parsers are of the same class (argparse makes them with `type(self)`)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        said = japanese(message)
        lines = [f"{self.prog}: エラー: {said}"] if said else []
        lines.append(f"{self.prog}: {'error' if said else 'エラー / error'}: {message}")
        self.exit(2, "\n".join(lines) + "\n")
