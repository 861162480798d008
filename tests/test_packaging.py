"""The installed package carries every data file the bot reads at run time.

`pip install .` (not editable) copies only the files `[tool.setuptools.package-data]` names;
a data file left out works from the checkout and fails once installed (confidence.json did).
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_data_file_under_bot_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = config["tool"]["setuptools"]["package-data"]
    data_files = [
        p
        for p in (ROOT / "bot").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data_files, "expected the ranking model files under bot/"
    undeclared = []
    for path in data_files:
        package = ".".join(path.parent.relative_to(ROOT).parts)
        patterns = declared.get(package, [])
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            undeclared.append(str(path.relative_to(ROOT)))
    assert not undeclared, f"add to [tool.setuptools.package-data] in pyproject.toml: {undeclared}"
