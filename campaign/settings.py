"""Settings from ``ICON_*`` environment variables.

There is no insecure default outside development: a production start without ``ICON_SECRET_KEY``
fails. In development a key is generated once into an ignored local file so sessions survive
restarts.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = ("development", "production")
SMS_BACKENDS = ("outbox", "http")
SMS_GATEWAYS = (
    "signed",
    "kannel",
    "africastalking",
    "twilio",
    "rapidpro",
    "rapidpro-ex",
    "android",
    "orange",
)
DEV_KEY_FILE = Path(".icon-secret-key")


class SettingsError(Exception):
    """A setting is missing or invalid; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    secret_key: str
    environment: str = "development"
    database_url: str = "sqlite:///./icon.db"
    media_dir: Path = Path("./media")
    sms_backend: str = "outbox"
    sms_secret: str = ""
    sms_gateway_url: str = ""
    sms_api_key: str = ""
    sms_number: str = ""  # the short code or number the public texts (shown on the vote page)
    # The gateways that may call in (the first one also sends): see campaign/gateways/.
    sms_gateways: tuple[str, ...] = ("signed",)
    sms_username: str = ""  # Kannel user, Africa's Talking username, Twilio account SID...
    # Twilio's WhatsApp sender (+14155238886): set, Twilio's sends go out by WhatsApp.
    sms_whatsapp_number: str = ""
    sms_allow_from: tuple[str, ...] = ()  # addresses or networks a gateway calls from
    sms_rate: float = 10.0  # outgoing messages per second the gateway accepts
    base_url: str = "http://127.0.0.1:8000"
    # Vote codes and their messages are purged this long after their round closed.
    verification_retention_days: int = 30
    # Stored replies to inbound SMS (a gateway's retry gets the same answer) are purged after this.
    inbound_sms_retention_days: int = 30
    sqlite_synchronous: str = "full"  # campaign.db: "normal" trades power-cut safety for speed
    session_hours: int = 12  # a staff session ends this long after sign-in, whatever it does
    metrics_token: str = ""  # /metrics wants it as a bearer token; without it, loopback only
    housekeeping_minutes: float = 10  # between the server's own purges (web/housekeeping.py)

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")


def _dev_secret_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def load_settings(env: dict[str, str] | None = None, dev_key_file: Path = DEV_KEY_FILE) -> Settings:
    env = dict(os.environ if env is None else env)
    environment = env.get("ICON_ENV", "production")
    if environment not in ENVIRONMENTS:
        raise SettingsError(
            f"ICON_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}."
        )
    secret_key = env.get("ICON_SECRET_KEY", "")
    if not secret_key:
        if environment != "development":
            raise SettingsError(
                "ICON_SECRET_KEY is required in production: set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or set ICON_ENV=development on a laptop."
            )
        secret_key = _dev_secret_key(dev_key_file)
    if len(secret_key) < 32 and environment != "development":
        raise SettingsError("ICON_SECRET_KEY is too short: use at least 32 characters.")
    sms_backend = env.get("ICON_SMS_BACKEND", "outbox")
    if sms_backend not in SMS_BACKENDS:
        raise SettingsError(
            f"ICON_SMS_BACKEND must be one of {', '.join(SMS_BACKENDS)}, not {sms_backend!r}."
        )
    if sms_backend == "http" and not env.get("ICON_SMS_GATEWAY_URL"):
        raise SettingsError(
            "ICON_SMS_BACKEND=http needs ICON_SMS_GATEWAY_URL (and ICON_SMS_API_KEY)."
        )
    sms_gateways = _names(env.get("ICON_SMS_GATEWAY", "signed"))
    unknown = [g for g in sms_gateways if g not in SMS_GATEWAYS] or ([] if sms_gateways else [""])
    if unknown:
        raise SettingsError(
            f"ICON_SMS_GATEWAY must be one or more of {', '.join(SMS_GATEWAYS)} "
            f"(comma-separated), not {unknown[0]!r}."
        )
    try:
        sms_rate = float(env.get("ICON_SMS_RATE", "10"))
    except ValueError:
        sms_rate = 0.0
    if not 0 < sms_rate <= 10_000:
        raise SettingsError("ICON_SMS_RATE must be a number of messages per second, e.g. 10.")
    allow_from = _names(env.get("ICON_SMS_ALLOW_FROM", ""))
    for network in allow_from:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(
                f"ICON_SMS_ALLOW_FROM lists addresses or networks (10.0.0.5, 10.0.0.0/24), "
                f"not {network!r}."
            ) from None
    base_url = env.get("ICON_BASE_URL", "").strip().rstrip("/")
    if environment != "development" and not base_url.startswith(("https://", "http://")):
        raise SettingsError(
            "ICON_BASE_URL is required in production: the site's public address "
            "(https://...), used in invitation links, the podcast feed and shared previews."
        )
    sms_secret = env.get("ICON_SMS_SECRET", "")
    webhooks = sms_backend == "http" or sms_gateways != ("signed",)
    if not sms_secret and environment != "development" and webhooks:
        raise SettingsError("ICON_SMS_SECRET is required to verify the SMS gateway's webhook.")
    retention = env.get("ICON_VERIFICATION_RETENTION_DAYS", "30").strip()
    if not (retention.isascii() and retention.isdigit() and int(retention) <= 3650):
        raise SettingsError(
            "ICON_VERIFICATION_RETENTION_DAYS must be a whole number of days from 0 to 3650, "
            f"not {retention!r}."
        )
    replies = env.get("ICON_INBOUND_SMS_RETENTION_DAYS", "30").strip()
    if not (replies.isascii() and replies.isdigit() and 2 <= int(replies) <= 3650):
        raise SettingsError(
            "ICON_INBOUND_SMS_RETENTION_DAYS must be a whole number of days from 2 to 3650 (a "
            f"gateway retries a message for a day or two), not {replies!r}."
        )
    synchronous = env.get("ICON_SQLITE_SYNCHRONOUS", "full").strip().lower()
    if synchronous not in ("full", "normal"):
        raise SettingsError(
            f"ICON_SQLITE_SYNCHRONOUS must be full (no acknowledged vote lost in a power cut) "
            f"or normal (quicker), not {synchronous!r}."
        )
    session_hours = env.get("ICON_SESSION_HOURS", "12").strip()
    if not (session_hours.isascii() and session_hours.isdigit() and 1 <= int(session_hours) <= 720):
        raise SettingsError(
            "ICON_SESSION_HOURS must be a whole number of hours from 1 to 720 (how long a "
            f"staff sign-in lasts), not {session_hours!r}."
        )
    metrics_token = env.get("ICON_METRICS_TOKEN", "").strip()
    if metrics_token and not (16 <= len(metrics_token) <= 200 and metrics_token.isprintable()):
        raise SettingsError(
            "ICON_METRICS_TOKEN must be 16 to 200 printable characters (the bearer token the "
            "metrics scraper sends), or unset to serve /metrics to this machine only."
        )
    housekeeping = env.get("ICON_HOUSEKEEPING_MINUTES", "10").strip()
    if not (housekeeping.isascii() and housekeeping.isdigit() and 1 <= int(housekeeping) <= 1440):
        raise SettingsError(
            "ICON_HOUSEKEEPING_MINUTES must be a whole number of minutes from 1 to 1440 (how often "
            "old rate-limit events, SMS replies and verification records are purged), "
            f"not {housekeeping!r}."
        )
    return Settings(
        secret_key=secret_key,
        environment=environment,
        database_url=env.get("ICON_DATABASE_URL", "sqlite:///./icon.db"),
        media_dir=Path(env.get("ICON_MEDIA_DIR", "./media")),
        sms_backend=sms_backend,
        sms_secret=sms_secret,
        sms_gateway_url=env.get("ICON_SMS_GATEWAY_URL", ""),
        sms_api_key=env.get("ICON_SMS_API_KEY", ""),
        sms_gateways=sms_gateways,
        sms_username=env.get("ICON_SMS_USERNAME", ""),
        sms_whatsapp_number="".join(env.get("ICON_SMS_WHATSAPP_NUMBER", "").split())[:20],
        sms_allow_from=allow_from,
        sms_rate=sms_rate,
        sms_number=" ".join(env.get("ICON_SMS_NUMBER", "").split())[:20],
        base_url=base_url or "http://127.0.0.1:8000",
        verification_retention_days=int(retention),
        inbound_sms_retention_days=int(replies),
        sqlite_synchronous=synchronous,
        session_hours=int(session_hours),
        metrics_token=metrics_token,
        housekeeping_minutes=int(housekeeping),
    )
