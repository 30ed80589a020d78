"""The ``icon`` command line."""

from __future__ import annotations

import argparse
import copy
import sys
from importlib.metadata import entry_points
from pathlib import Path

from campaign import backup, db, demo, editions, migrations, people, setup, sms
from campaign.errors import Invalid
from campaign.models import Role
from campaign.phases import Phase
from campaign.settings import SettingsError, load_settings


class CommandError(Exception):
    """A command's clear refusal: printed as ``icon: <message>``, exit status 2."""


def _engine(settings):
    return db.make_engine(settings.database_url, settings.sqlite_synchronous)


def log_config() -> dict:
    """uvicorn's logging, less its access log (raw paths and queries: web/middleware.py logs each
    request by its route template instead), plus the site's own loggers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["requests"] = {
        "formatter": "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["icon"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["icon.access"] = {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def cmd_serve(settings, args) -> int:
    import uvicorn

    try:
        migrations.ensure_migrated(_engine(settings))
    except migrations.DatabaseNotMigrated as exc:
        print(exc, file=sys.stderr)
        return 1
    _print_setup_link(settings)
    print(f"Serving on http://{args.host}:{args.port} ({args.workers} worker(s))")
    uvicorn.run(
        "web.asgi:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,
        log_config=log_config(),
    )
    return 0


def _print_setup_link(settings) -> bool:
    token = setup.issue(_engine(settings), settings.secret_key)
    if token is None:
        return False
    hours = int(setup.SETUP_MAX_AGE.total_seconds() // 3600)
    print(
        f"No staff account yet. Open this link to create the first manager and edition "
        f"(valid {hours} hours, until a manager exists):"
    )
    print(f"{settings.base_url}/setup/{token}", flush=True)
    return True


def cmd_setup_link(settings, args) -> int:
    migrations.ensure_migrated(_engine(settings))
    if not _print_setup_link(settings):
        raise CommandError("a manager exists already: invite staff with `icon user add`.")
    return 0


def cmd_campaign_new(settings, args) -> int:
    engine = _engine(settings)
    migrations.ensure_migrated(engine)
    try:
        campaign = editions.create(engine, None, args.country, args.year, args.title or "")
    except Invalid as exc:
        messages = {
            "country": f"unknown country code {args.country!r} (ISO 3166 alpha-2, e.g. NP).",
            "year": f"{args.country.upper()} already has an edition for {args.year}."
            if exc.errors.get("year") == editions.YEAR_TAKEN
            else f"{args.year!r} is not a year between 2000 and 2100.",
            "title": "the title needs between 3 and 200 characters.",
        }
        raise CommandError(" ".join(messages[f] for f in exc.errors)) from exc
    print(
        f"Edition {campaign.year} for {campaign.country} created: {campaign.title!r}, "
        f"{len(campaign.regions)} regions, time zone {campaign.timezone}."
    )
    return 0


def cmd_migrate(settings, args) -> int:
    migrations.upgrade(_engine(settings))
    print(f"Database migrated to revision {migrations.head()}.")
    return 0


def cmd_demo(settings, args) -> int:
    engine = _engine(settings)
    try:
        migrations.ensure_migrated(engine)
    except migrations.DatabaseNotMigrated as exc:
        print(exc, file=sys.stderr)
        return 1
    logins = demo.seed(engine, Phase(args.phase), reset=args.reset)
    print(f"Demo campaign ready, in its {args.phase} phase. Sign in at {settings.base_url}/login:")
    for login in logins:
        print(f"  {login.role:<9} {login.email:<36} password: {login.password}")
    return 0


def cmd_user_add(settings, args) -> int:
    try:
        user, token = people.invite(
            _engine(settings), settings.secret_key, None, args.email, args.role, args.name
        )
    except Invalid as exc:
        for field, message in exc.errors.items():
            print(f"{field}: {message}", file=sys.stderr)
        return 2
    print(f"Invitation for {user.email} ({user.role}), valid 7 days, usable once:")
    print(f"{settings.base_url}/invitation/{token}")
    return 0


def cmd_outbox(settings, args) -> int:
    for line in sms.outbox_lines(_engine(settings)):
        print(line)
    return 0


def cmd_backup(settings, args) -> int:
    size = backup.backup(_engine(settings), Path(args.file))
    print(f"Backup written to {args.file} ({size} bytes).")
    return 0


def cmd_restore(settings, args) -> int:
    backup.restore(_engine(settings), Path(args.file))
    print(f"Database restored from {args.file}. Restart the site.")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="icon", description="Integrity Icon campaign site")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate
    )
    demo_p = sub.add_parser("demo", help="seed a realistic demo campaign")
    demo_p.add_argument(
        "--phase",
        choices=[p.value for p in Phase if p != Phase.upcoming],
        default=Phase.nominations.value,
    )
    demo_p.add_argument("--reset", action="store_true", help="delete everything first")
    demo_p.set_defaults(func=cmd_demo)
    user = sub.add_parser("user", help="staff accounts").add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser("add", help="invite a staff member; prints the invitation link")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--name", default="")
    add.set_defaults(func=cmd_user_add)
    sub.add_parser(
        "setup-link", help="the first-run link, while no staff account exists"
    ).set_defaults(func=cmd_setup_link)
    edition = sub.add_parser("campaign", help="editions").add_subparsers(
        dest="action", required=True
    )
    new = edition.add_parser("new", help="set up an edition from the country's presets")
    new.add_argument("--country", required=True, help="ISO 3166 alpha-2 code, e.g. NP")
    new.add_argument("--year", required=True)
    new.add_argument("--title", default="")
    new.set_defaults(func=cmd_campaign_new)
    sub.add_parser("outbox", help="stored SMS as JSON lines").set_defaults(func=cmd_outbox)
    b = sub.add_parser(
        "backup", help="consistent copy of the database, taken while the site serves"
    )
    b.add_argument("file")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="replace the database's content with a backup")
    r.add_argument("file")
    r.set_defaults(func=cmd_restore)
    # Domain packages add their own commands (``icon nominations import ...``) without campaign/
    # importing them: each entry point is a ``register(subparsers)`` function.
    for entry in sorted(entry_points(group="icon.commands"), key=lambda e: e.name):
        entry.load()(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
        return args.func(settings, args)
    except (SettingsError, backup.BackupError, CommandError, migrations.DatabaseNotMigrated) as exc:
        print(f"icon: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
