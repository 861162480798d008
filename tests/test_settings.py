import os

import pytest

import bot.settings
from bot.settings import Settings, SettingsError


def test_defaults_and_typed_values():
    s = Settings.from_env(
        {
            "DISCORD_GUILD_IDS": "1, 2",
            "LOG_RETENTION_DAYS": "30",
            "BOT_DEFAULT_LOCALE": "en",
            "DISCORD_TOKEN": " t ",
        }
    )
    assert s.discord_guild_ids == (1, 2)
    assert s.log_retention_days == 30
    assert s.default_locale == "en"
    assert s.discord_token == "t"
    assert Settings.from_env({}).log_retention_days is None


@pytest.mark.parametrize(("tag", "locale"), [("en-US", "en"), ("en-GB", "en"), ("ja-JP", "ja")])
def test_a_locale_tag_as_discord_writes_it_is_read_as_its_language(tag, locale):
    assert Settings.from_env({"BOT_DEFAULT_LOCALE": tag}).default_locale == locale


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DISCORD_GUILD_IDS", "12a"),
        ("DISCORD_GUILD_IDS", "²"),
        ("DISCORD_MODERATOR_ROLE_ID", "1,2"),
        ("BOT_USER_COOLDOWN_SECONDS", "abc"),
        ("BOT_USER_COOLDOWN_SECONDS", "nan"),
        ("BOT_USER_COOLDOWN_SECONDS", "-1"),
        ("BOT_MAX_CONCURRENT_ANSWERS", "inf"),
        ("BOT_MAX_CONCURRENT_ANSWERS", "2.5"),
        ("BOT_MAX_CONCURRENT_ANSWERS", "0"),
        ("LOG_RETENTION_DAYS", "0.5"),
        ("LOG_RETENTION_DAYS", "1000000"),
        ("BOT_DEFAULT_LOCALE", "fr"),
        ("BOT_LOG_LEVEL", "LOUD"),
        ("DISCORD_API_BASE", "notaurl"),
        ("DISCORD_GATEWAY_URL", "http://x"),
    ],
)
def test_a_bad_value_names_its_setting(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_answer_in_threads_is_a_yes_or_no_setting():
    assert Settings.from_env({"DISCORD_ANSWER_IN_THREADS": "true"}).answer_in_threads
    assert not Settings.from_env({"DISCORD_ANSWER_IN_THREADS": "0"}).answer_in_threads
    with pytest.raises(SettingsError, match="DISCORD_ANSWER_IN_THREADS"):
        Settings.from_env({"DISCORD_ANSWER_IN_THREADS": "maybe"})


def test_a_dotenv_in_the_working_directory_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bot.settings, "PROJECT_ROOT", tmp_path / "checkout")  # no .env there
    monkeypatch.delenv("BOT_DEFAULT_LOCALE", raising=False)
    (tmp_path / ".env").write_text("BOT_DEFAULT_LOCALE=en\n", encoding="utf-8")
    try:
        assert Settings.from_env().default_locale == "en"
    finally:
        os.environ.pop("BOT_DEFAULT_LOCALE", None)  # load_dotenv wrote it into the process


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        # A Japanese comment saved as Shift_JIS, as Windows Notepad may.
        ("BOT_USER_BURST=3\n# コメント\n".encode("shift_jis"), "line 2: UTF-8 ではありません"),
        (b"BOT_USER_BURST=3\nthis line is garbage\n", "line 2: NAME=value の形の行ではありません"),
        (b"BOT_USER_BURST=3\nMTIzNDU2Nzg5.token\n", "line 2: NAME=value の形の行ではありません"),
    ],
)
def test_a_dotenv_that_cannot_be_read_is_an_error_naming_the_file(
    tmp_path, monkeypatch, content, fault
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(bot.settings, "PROJECT_ROOT", tmp_path / "checkout")
    monkeypatch.delenv("BOT_USER_BURST", raising=False)
    (tmp_path / ".env").write_bytes(content)
    with pytest.raises(SettingsError, match=fault) as raised:
        Settings.from_env()
    assert str(tmp_path / ".env") in str(raised.value)
    assert "BOT_USER_BURST" not in os.environ  # nothing of a faulty file is applied


def test_an_installed_package_keeps_its_folders_in_the_working_directory(tmp_path):
    checkout, site, cwd = tmp_path / "checkout", tmp_path / "site-packages", tmp_path / "work"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text("[project]\n", encoding="utf-8")
    assert bot.settings.default_home(checkout, lambda: cwd) == checkout
    assert bot.settings.default_home(site, lambda: cwd) == cwd  # not site-packages/knowledge
