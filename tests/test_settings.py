import pytest

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
