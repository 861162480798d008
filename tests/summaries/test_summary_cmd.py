"""`summary` subcommand through a parser of its own, until main.py wires it in."""

import argparse
import json
from pathlib import Path

import pytest

from bot.cli import summary_cmd
from bot.knowledge_base import KnowledgeBase


def run(kb: KnowledgeBase, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    summary_cmd.add_parser(parser.add_subparsers(dest="command"))
    return summary_cmd.run(parser.parse_args(["summary", *argv]), kb)


def test_text_output_quotes_each_sentence_under_its_section(kb, capsys):
    assert run(kb) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "アラスカで旧世界秩序が崩壊 の要約"
    quotes = [line for line in lines if line.startswith("「")]
    assert len(quotes) == 3
    assert all(q.endswith("段落）") for q in quotes)
    assert "■ リード" in lines


def test_json_output_for_a_section(kb, capsys):
    assert (
        run(kb, "--article", "alaska", "--section", "次に何が", "--length", "long", "--json") == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["article"] == "alaska-old-world-order"
    assert data["length"] == "long"
    assert data["section"] == "次に何が起こるか"
    assert {s["section"] for s in data["sentences"]} == {"次に何が起こるか"}


def test_outline_prints_one_sentence_per_heading(kb, capsys):
    assert run(kb, "--length", "outline") == 0
    lines = capsys.readouterr().out.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("■ ")]
    assert len(headings) == 6
    assert all(lines[i + 1].startswith("「") for i in headings)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("--article", "no-such-id"), "no-such-id"),
        (("--section", "42"), "42"),
    ],
)
def test_unknown_article_or_section_is_exit_2_with_the_choices(kb, capsys, argv, named):
    assert run(kb, *argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert named in captured.err
    assert "alaska-old-world-order" in captured.err
    assert "Traceback" not in captured.err


def test_default_article_is_the_newest_of_several(folder: Path, capsys):
    kb = KnowledgeBase.load(folder)
    assert run(kb, "--json") == 0
    assert json.loads(capsys.readouterr().out)["article"] == "quantum"  # dated 2025-10-01
