"""The manager's side of the outgoing queue: what it holds, broadcasts, sending again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import audit, campaigns, db, phones, text
from campaign.errors import Invalid
from campaign.i18n import N_
from campaign.models import SmsMessage
from campaign.sms_queue import enqueue, to_hash


@dataclass(frozen=True)
class QueueSummary:
    counts: dict[str, int]
    problems: list[SmsMessage]  # failed and unknown, newest first
    waiting: list[SmsMessage]  # queued, oldest first


def summary(engine: Engine, limit: int = 50) -> QueueSummary:
    with db.session(engine) as s:
        counts = dict(
            s.exec(select(SmsMessage.status, func.count()).group_by(SmsMessage.status)).all()
        )
        problems = s.exec(
            select(SmsMessage)
            .where(col(SmsMessage.status).in_(("failed", "unknown")))
            .order_by(col(SmsMessage.id).desc())
            .limit(limit)
        ).all()
        waiting = s.exec(
            select(SmsMessage)
            .where(SmsMessage.status == "queued")
            .order_by(col(SmsMessage.id))
            .limit(limit)
        ).all()
    return QueueSummary(counts, list(problems), list(waiting))


MAX_BROADCAST = 480  # three GSM 7-bit segments; a longer text costs more than it tells
MAX_RECIPIENTS = 20_000


@dataclass(frozen=True)
class BroadcastIn:
    """A manager's broadcast: the text, the numbers (one a line, or separated by commas) and
    the form's one-time key, so a double submit queues each number once."""

    text: str
    numbers: str
    key: str

    def parse(self, country: str) -> tuple[str, list[str]]:
        body, errors = text.paragraphs(self.text), {}
        if not body:
            errors["text"] = N_("Write the message.")
        elif len(body) > MAX_BROADCAST:
            errors["text"] = N_("The message is too long: 480 characters at most.")
        raw = [n.strip() for n in self.numbers.replace(",", "\n").splitlines() if n.strip()]
        numbers = list(dict.fromkeys(phones.national(n, country) or f"!{n}" for n in raw))
        bad = [n[1:] for n in numbers if n.startswith("!")]
        if bad:
            errors["numbers"] = N_("Some numbers are not valid for this country: see below.")
            errors["bad_numbers"] = ", ".join(bad[:20])
        elif not numbers:
            errors["numbers"] = N_("Enter at least one phone number.")
        elif len(numbers) > MAX_RECIPIENTS:
            errors["numbers"] = N_("Too many numbers: 20,000 at most per broadcast.")
        if not (self.key.isalnum() and 8 <= len(self.key) <= 64):
            errors["text"] = N_("This form has expired. Reload the page and try again.")
        if errors:
            raise Invalid(errors)
        return body, numbers


def broadcast(
    engine: Engine,
    actor_id: int,
    backend: str,
    form: BroadcastIn,
    *,
    store_only: bool,
    secret_key: str,
) -> int:
    """Queues the broadcast in one unit of work; returns how many rows are new."""
    with db.session(engine) as s, s.begin():
        campaign = campaigns.current_in(s)
        body, numbers = form.parse(campaign.country if campaign else "ML")
        added = 0
        for number in numbers:
            # The key names the number only by a short hash: it stays after the number is gone.
            key = f"broadcast:{form.key}:{to_hash(secret_key, number)[:32]}"
            if enqueue(
                s,
                number,
                body,
                backend=backend,
                secret_key=secret_key,
                kind="broadcast",
                dedup_key=key,
            ):
                added += 1
        if store_only:  # the outbox backend: stored for export, never sent
            s.exec(
                update(SmsMessage)
                .where(
                    col(SmsMessage.dedup_key).like(f"broadcast:{form.key}:%"),
                    SmsMessage.status == "queued",
                )
                .values(
                    status="stored",
                    backend="outbox",
                    body=SmsMessage.pending_body,
                    pending_to="",
                    pending_body="",
                )
            )
        audit.record(s, actor_id, "sms.broadcast", "sms", form.key, recipients=added)
    return added


def send_again(engine: Engine, actor_id: int, message_id: int) -> bool:
    """A manager's decision for a failed or unknown message: queue it once more."""
    with db.session(engine) as s, s.begin():
        done = s.exec(
            update(SmsMessage)
            .where(
                col(SmsMessage.id) == message_id,
                col(SmsMessage.status).in_(("failed", "unknown")),
                SmsMessage.pending_to != "",
            )
            .values(status="queued", attempts=0, next_attempt_at=db.utcnow(), error="")
        ).rowcount
        if done:
            audit.record(s, actor_id, "sms.send_again", "sms", message_id)
    return bool(done)
