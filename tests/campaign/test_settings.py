import pytest

from campaign.settings import SettingsError, load_settings


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(SettingsError, match="ICON_SECRET_KEY is required in production"):
        load_settings({}, dev_key_file=tmp_path / "key")
    assert not (tmp_path / "key").exists()


def test_production_with_a_short_key_is_refused(tmp_path):
    with pytest.raises(SettingsError, match="too short"):
        load_settings({"ICON_SECRET_KEY": "short"}, dev_key_file=tmp_path / "key")


def test_development_generates_a_key_once_and_keeps_it(tmp_path):
    key_file = tmp_path / "key"
    first = load_settings({"ICON_ENV": "development"}, dev_key_file=key_file)
    second = load_settings({"ICON_ENV": "development"}, dev_key_file=key_file)
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 48
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_sms_gateway_settings(tmp_path):
    settings = load_settings(
        {
            "ICON_ENV": "development", "ICON_SMS_GATEWAY": "orange, kannel",
            "ICON_SMS_ALLOW_FROM": "10.0.0.5, 192.0.2.0/24", "ICON_SMS_RATE": "25.5",
            "ICON_SMS_USERNAME": "icon",
        },
        dev_key_file=tmp_path / "key",
    )  # fmt: skip
    assert (settings.sms_gateways, settings.sms_allow_from, settings.sms_rate) == (
        ("orange", "kannel"),
        ("10.0.0.5", "192.0.2.0/24"),
        25.5,
    )
    assert settings.sms_username == "icon"


def test_settings_read_from_icon_variables(tmp_path):
    settings = load_settings(
        {
            "ICON_SECRET_KEY": "k" * 40,
            "ICON_DATABASE_URL": "postgresql://icon@db/icon",
            "ICON_MEDIA_DIR": "/srv/media",
            "ICON_SMS_BACKEND": "http",
            "ICON_SMS_GATEWAY_URL": "http://gateway.local/send",
            "ICON_SMS_SECRET": "s",
            "ICON_BASE_URL": "https://icon.example.org/",
        },
        dev_key_file=tmp_path / "key",
    )
    assert (settings.environment, settings.database_url, str(settings.media_dir)) == (
        "production",
        "postgresql://icon@db/icon",
        "/srv/media",
    )
    assert (settings.sms_backend, settings.base_url, settings.https) == (
        "http",
        "https://icon.example.org",
        True,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ICON_ENV": "staging"}, "ICON_ENV must be one of"),
        (
            {"ICON_ENV": "development", "ICON_SMS_GATEWAY": "kannel,nokia"},
            "ICON_SMS_GATEWAY must be one or more of signed, kannel, .*not 'nokia'",
        ),
        ({"ICON_ENV": "development", "ICON_SMS_GATEWAY": " , "}, "ICON_SMS_GATEWAY must be"),
        ({"ICON_ENV": "development", "ICON_SMS_RATE": "fast"}, "ICON_SMS_RATE must be a number"),
        ({"ICON_ENV": "development", "ICON_SMS_RATE": "0"}, "ICON_SMS_RATE must be a number"),
        (
            {"ICON_ENV": "development", "ICON_SMS_ALLOW_FROM": "10.0.0.1,kannel.local"},
            "ICON_SMS_ALLOW_FROM lists addresses or networks .*not 'kannel.local'",
        ),
        (
            {
                "ICON_SECRET_KEY": "k" * 40,
                "ICON_BASE_URL": "https://icon.org",
                "ICON_SMS_GATEWAY": "kannel",
            },
            "ICON_SMS_SECRET is required",
        ),
        ({"ICON_ENV": "development", "ICON_SMS_BACKEND": "pigeon"}, "ICON_SMS_BACKEND must be"),
        ({"ICON_ENV": "development", "ICON_SMS_BACKEND": "http"}, "needs ICON_SMS_GATEWAY_URL"),
        ({"ICON_SECRET_KEY": "k" * 40}, "ICON_BASE_URL is required in production"),
        ({"ICON_SECRET_KEY": "k" * 40, "ICON_BASE_URL": "icon.org"}, "ICON_BASE_URL is required"),
    ],
)
def test_invalid_settings_say_what_to_fix(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(env, dev_key_file=tmp_path / "key")
