"""Warnings on the managers' pages: a phase is open by its dates but the public (or the jury)
has nothing to act on in it, or a setting the public pages need is missing. Each is a msgid and
its parameters; the page translates and shows them above its content."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request

from campaign import campaigns, db, phases, sms_settings
from campaign.i18n import N_
from campaign.phases import Phase
from shortlist import workload
from voting import rounds

NO_SMS_NUMBER = N_(
    "No SMS number is set: the public pages hide every SMS instruction until one is. Enter it "
    'as "Short code or number to text" on the SMS page, or set ICON_SMS_NUMBER on the server.'
)
NO_ROUND_OPEN = N_(
    "The voting phase is open but no round is: the home page and /vote tell the public that "
    "no vote is open. Open a round or change the phase dates."
)
ROUND_LATER = N_(
    "The voting phase is open but the next round only opens on %(date)s: until then the public "
    "cannot vote."
)
NO_RESULTS = N_(
    "The results date has passed but no round's results are public: close the round, or "
    "change the results date."
)
NO_READINGS = N_(
    "The jury review is open but no reading has been given to a juror: assign the readings on "
    "the Readings and jurors page."
)


def _date(value: datetime, tz: str, format_date) -> str:
    return format_date(value, tz, "d MMMM y, HH:mm")


def for_managers(request: Request, format_date) -> list[tuple[str, dict]]:
    engine = request.app.state.engine
    found: list[tuple[str, dict]] = []
    campaign = campaigns.current(engine)
    if not sms_settings.sms_number(campaign, request.app.state.settings.sms_number):
        found.append((NO_SMS_NUMBER, {}))
    if campaign is None:
        return found
    now = db.utcnow()
    phase = phases.current_phase(campaign, now)
    vote = rounds.vote_now(engine, campaign.id, now)
    if phase == Phase.voting and not vote.open_until:
        if vote.next_opens_at:
            date = _date(vote.next_opens_at, campaign.timezone, format_date)
            found.append((ROUND_LATER, {"date": date}))
        else:
            found.append((NO_ROUND_OPEN, {}))
    elif phase == Phase.results and not vote.published:
        found.append((NO_RESULTS, {}))
    elif phase == Phase.review and not workload.live_readings(engine, campaign.id):
        found.append((NO_READINGS, {}))
    return found
