"""All settings in one typed place, read from the environment and `.env`.

A wrong value fails at start with the name of the setting at fault, instead of surfacing later
as a confusing error deep inside discord.py or sqlite.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.strings import language

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_home(root: Path, cwd: Callable[[], Path] = Path.cwd) -> Path:
    """Where the default article folder and query log are: the checkout the bot runs from, or,
    installed as a package (`pip install .`: no pyproject.toml beside the package, which sits
    in site-packages with no articles), the working directory (asked only then: a checkout
    must start even from a working directory that has since been removed)."""
    return root if (root / "pyproject.toml").is_file() else cwd()


HOME = default_home(PROJECT_ROOT)
BUNDLED_KNOWLEDGE = HOME / "knowledge"
DEFAULT_LOG_DB = HOME / "data" / "queries.sqlite3"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the setting."""


def _ids(env: Mapping[str, str], name: str) -> tuple[int, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return ()
    out = []
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()):
            raise SettingsError(
                f"{name}: '{part}' は Discord の ID ではありません（数字のみ、カンマ区切り） / "
                f"'{part}' is not a Discord id (digits only, comma-separated)"
            )
        out.append(int(part))
    return tuple(out)


def _optional_id(env: Mapping[str, str], name: str) -> int | None:
    ids = _ids(env, name)
    if len(ids) > 1:
        raise SettingsError(
            f"{name}: ID は1つだけ指定してください（{len(ids)} 個） / expected one id, got {len(ids)}"
        )
    return ids[0] if ids else None


def _load_dotenv(path: Path) -> None:
    """Set the variables `path` defines that the environment doesn't, if it exists. A file
    that isn't UTF-8 (a Japanese comment saved as Shift_JIS) or a line that isn't NAME=value is
    a `SettingsError` naming the file and line: python-dotenv raised the first as a traceback
    and skipped the second with a warning that named neither."""
    from dotenv import load_dotenv
    from dotenv.parser import parse_stream

    if not path.is_file():
        return
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise SettingsError(
            f"{path}, line {line}: UTF-8 ではありません。UTF-8 で保存してください / "
            f"not UTF-8 text; save it as UTF-8"
        ) from None
    except OSError as e:
        raise SettingsError(f"{path}: 読めません / unreadable ({e.strerror})") from None
    for binding in parse_stream(io.StringIO(text)):
        # A bare word (a token pasted without its name) parses as a name without a value; the
        # line itself is not shown, for the same reason.
        if binding.error or (binding.key is not None and binding.value is None):
            raise SettingsError(
                f"{path}, line {binding.original.line}: NAME=value の形の行ではありません / "
                f"not a NAME=value line"
            )
    load_dotenv(stream=io.StringIO(text), override=False)


# The longest period, in days, that a setting or a log report accepts: a century. Longer ones
# reach back past the calendar's first year (LOG_RETENTION_DAYS=1000000 stopped the purge
# with an OverflowError, silently, in its background task).
MAX_DAYS = 36500


def _number(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float = 0,
    maximum: float = math.inf,
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(
            f"{name}: '{raw}' は数値ではありません / '{raw}' is not a number"
        ) from None
    if not math.isfinite(value):
        raise SettingsError(
            f"{name}: '{raw}' は有限の数値ではありません / '{raw}' is not a finite number"
        )
    if value < minimum:
        raise SettingsError(
            f"{name}: {raw} は最小値 {minimum:g} 未満です / {raw} is below the minimum {minimum:g}"
        )
    if value > maximum:
        raise SettingsError(
            f"{name}: {raw} は最大値 {maximum:g} を超えています / {raw} is above the maximum {maximum:g}"
        )
    return value


def _whole(
    env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: float = math.inf
) -> int:
    value = _number(env, name, default, minimum=minimum, maximum=maximum)
    if value != int(value):
        raise SettingsError(
            f"{name}: '{env[name].strip()}' は整数ではありません / '{env[name].strip()}' is not a whole number"
        )
    return int(value)


def _url(env: Mapping[str, str], name: str, schemes: tuple[str, ...]) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(tuple(f"{s}://" for s in schemes)) or raw[-3:] == "://":
        raise SettingsError(
            f"{name}: '{raw}' は {' / '.join(schemes)} の URL ではありません / "
            f"'{raw}' is not a {' or '.join(schemes)} URL"
        )
    return raw


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(
        f"{name}: '{raw}' は true / false（1, 0, yes, no）のどれでもありません / "
        f"'{raw}' is not one of true, false (1, 0, yes, no)"
    )


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser() if raw else default


@dataclass(frozen=True)
class Settings:
    """Every setting the bot reads; `.env.example` documents each one."""

    knowledge_dir: Path = BUNDLED_KNOWLEDGE
    log_db: Path = DEFAULT_LOG_DB
    log_retention_days: int | None = None
    discord_token: str | None = None
    discord_guild_ids: tuple[int, ...] = ()
    qa_channel_ids: tuple[int, ...] = ()
    answer_in_threads: bool = False
    moderator_role_id: int | None = None
    owner_ids: tuple[int, ...] = ()
    user_cooldown_seconds: float = 30.0
    user_burst: int = 3
    max_concurrent_answers: int = 32
    stop_grace_seconds: float = 10.0
    watch_seconds: float = 10.0
    default_locale: str = "ja"
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    log_level: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: os.environ after loading `.env`)."""
        if env is None:
            from dotenv import find_dotenv

            # A .env in the working directory (or above it) too: find_dotenv alone would search
            # from this file's folder, which for an installed package is site-packages.
            paths = [PROJECT_ROOT / ".env"]
            if found := find_dotenv(usecwd=True):
                paths.append(Path(found))
            for path in dict.fromkeys(p.resolve() for p in paths):
                _load_dotenv(path)
            env = os.environ
        default = cls()  # the defaults are the fields' own, written once above
        raw_locale = env.get("BOT_DEFAULT_LOCALE", "").strip() or default.default_locale
        # Discord's tags (en-US, en-GB, ja) and the short ones alike.
        locale = language(raw_locale)
        if locale is None:
            raise SettingsError(
                f"BOT_DEFAULT_LOCALE: '{raw_locale}' は ja / en（en-US などのタグも可）ではありません / "
                f"'{raw_locale}' is not one of ja, en (or a tag like en-US)"
            )
        token = env.get("DISCORD_TOKEN", "").strip() or None
        retention = _whole(env, "LOG_RETENTION_DAYS", 0, minimum=0, maximum=MAX_DAYS)
        level = env.get("BOT_LOG_LEVEL", "").strip().upper() or None
        if level is not None and level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError(
                f"BOT_LOG_LEVEL: '{level}' は DEBUG, INFO, WARNING, ERROR のどれでもありません / "
                f"'{level}' is not one of DEBUG, INFO, WARNING, ERROR"
            )
        return cls(
            knowledge_dir=_path(env, "BOT_KNOWLEDGE_DIR", default.knowledge_dir),
            log_db=_path(env, "BOT_LOG_DB", default.log_db),
            log_retention_days=retention or None,
            discord_token=token,
            discord_guild_ids=_ids(env, "DISCORD_GUILD_IDS"),
            qa_channel_ids=_ids(env, "DISCORD_QA_CHANNEL_IDS"),
            answer_in_threads=_flag(env, "DISCORD_ANSWER_IN_THREADS"),
            moderator_role_id=_optional_id(env, "DISCORD_MODERATOR_ROLE_ID"),
            owner_ids=_ids(env, "DISCORD_OWNER_IDS"),
            user_cooldown_seconds=_number(
                env, "BOT_USER_COOLDOWN_SECONDS", default.user_cooldown_seconds
            ),
            user_burst=_whole(env, "BOT_USER_BURST", default.user_burst, minimum=1),
            max_concurrent_answers=_whole(
                env, "BOT_MAX_CONCURRENT_ANSWERS", default.max_concurrent_answers, minimum=1
            ),
            stop_grace_seconds=_number(env, "BOT_STOP_GRACE_SECONDS", default.stop_grace_seconds),
            watch_seconds=_number(env, "BOT_WATCH_SECONDS", default.watch_seconds),
            default_locale=locale,
            discord_api_base=_url(env, "DISCORD_API_BASE", ("http", "https")),
            discord_gateway_url=_url(env, "DISCORD_GATEWAY_URL", ("ws", "wss")),
            log_level=level,
        )
