"""``/manage/sms``: the queue and its failures as a manager sees them, and broadcasts."""

from __future__ import annotations

from sqlmodel import select

from campaign import db
from campaign.models import AuditEvent, SmsMessage
from tests.conftest import login, post, text_of
from tests.factories import PASSWORD, make_user

KEY = "a1b2c3d4e5f6a7b8"


def as_manager(client, engine):
    user = make_user(engine, "manager", "boss@example.org")
    login(client, "boss@example.org", PASSWORD)
    return user


def messages(engine) -> list[tuple[str, str, str, str]]:
    with db.session(engine) as s:
        return [(m.to, m.body, m.status, m.kind)
                for m in s.exec(select(SmsMessage).order_by(SmsMessage.id))]  # fmt: skip


def test_queue_page_shows_counts_and_failures_with_their_reason(client, engine, campaign):
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+22376000001", body="Bonjour", backend="kannel", status="failed",
                         error="after 9 tries: HTTP 503: Service Unavailable"))  # fmt: skip
        s.add(SmsMessage(to="+22376000002", body="Salut", backend="kannel", status="queued"))
    as_manager(client, engine)
    page = text_of(client.get("/manage/sms", headers={"Accept-Language": "en"}).text)
    assert "Failed 1" in page and "Queued 1" in page and "Delivered 0" in page
    assert "+22376000001 Bonjour Failed after 9 tries: HTTP 503: Service Unavailable" in page


def test_queue_states_are_shown_in_the_managers_language(client, engine, campaign):
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+22376000001", body="Bonjour", backend="kannel", status="unknown",
                         error="interrupted while sending"))  # fmt: skip
        s.add(SmsMessage(to="+22376000002", body="Salut", backend="kannel", status="delivered"))
    as_manager(client, engine)
    page = client.get("/manage/sms", headers={"Accept-Language": "fr"}).text
    start = page.index('<section id="queue"')
    queue = text_of(page[start : page.index("</section>", start)])
    assert queue.startswith(
        "File d'attente État Messages En attente 0 En cours d'envoi 0 Envoyé 0 Remis 1 Échec 0 "
        "Incertain 1 Conservé, non envoyé 0 "
    )
    assert "+22376000001 Bonjour Incertain interrupted while sending" in queue


def test_broadcast_queues_each_number_once_even_when_posted_twice(client, engine, campaign):
    as_manager(client, engine)
    form = {"text": "Ce soir a 20h : les resultats.", "numbers": "76 00 00 01\n+22376000002,",
            "key": KEY}  # fmt: skip
    first = post(client, "/manage/sms/broadcast", form, follow_redirects=False)
    again = post(client, "/manage/sms/broadcast", form, follow_redirects=False)
    assert [(r.status_code, r.headers["location"]) for r in (first, again)] == [
        (303, "/manage/sms?sent=2"),
        (303, "/manage/sms?sent=0"),
    ]
    # The test app stores (outbox backend): nothing would ever send these twice.
    assert messages(engine) == [
        ("+223 76 •• •• 01", "Ce soir a 20h : les resultats.", "stored", "broadcast"),
        ("+223 76 •• •• 02", "Ce soir a 20h : les resultats.", "stored", "broadcast"),
    ]
    with db.session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "sms.broadcast"))
        assert [e.details for e in events] == [{"recipients": 2}, {"recipients": 0}]


def test_broadcast_with_bad_numbers_or_too_long_changes_nothing(client, engine, campaign):
    as_manager(client, engine)
    bad = post(client, "/manage/sms/broadcast",
               {"text": "Bonjour", "numbers": "76000001\n12345\nabc", "key": KEY})  # fmt: skip
    long = post(client, "/manage/sms/broadcast",
                {"text": "x" * 481, "numbers": "76000001", "key": KEY})  # fmt: skip
    assert (bad.status_code, long.status_code) == (422, 422)
    assert "Certains numéros ne sont pas valides pour ce pays : voir ci-dessous. 12345, abc" in (
        text_of(bad.text)
    )
    assert "Le message est trop long : 480 caractères au plus." in text_of(long.text)
    assert messages(engine) == []


def test_broadcast_shows_segments_and_unicode_characters(client, engine, campaign):
    as_manager(client, engine)
    response = post(client, "/manage/sms/broadcast",
                    {"text": "Reçu ✓", "numbers": "12", "key": KEY})  # fmt: skip
    assert (
        "1 SMS par téléphone · Envoyé en Unicode (moins de caractères par SMS) à cause de : ç✓"
        in (text_of(response.text))
    )


def test_send_again_requeues_a_failed_message_only(client, engine, campaign):
    with db.session(engine) as s, s.begin():
        s.add(SmsMessage(to="+223 76 •• •• 01", body="", backend="kannel", status="failed",
                         attempts=9, error="HTTP 503", pending_to="+22376000001",
                         pending_body="a"))  # fmt: skip
        s.add(SmsMessage(to="+22376000002", body="b", backend="kannel", status="delivered"))
    as_manager(client, engine)
    again = post(client, "/manage/sms/1/again", follow_redirects=False)
    delivered = post(client, "/manage/sms/2/again", follow_redirects=False)
    assert (again.status_code, delivered.status_code) == (303, 404)
    assert [m[2] for m in messages(engine)] == ["queued", "delivered"]


def test_sms_page_is_for_managers(client, engine, campaign):
    make_user(engine, "volunteer", "v@example.org")
    login(client, "v@example.org", PASSWORD)
    page = client.get("/manage/sms")
    broadcast = post(client, "/manage/sms/broadcast", {"text": "x", "numbers": "76000001",
                                                       "key": KEY})  # fmt: skip
    assert (page.status_code, broadcast.status_code) == (403, 403)
    assert messages(engine) == []
