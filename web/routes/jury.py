"""The jury's area. The scoring board arrives with the shortlist; until then jurors see when
review opens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign import campaigns, phases
from campaign.db import utcnow
from campaign.models import Role
from web.auth import require_role


def jury_home(request: Request) -> Response:
    require_role(request, Role.juror, Role.manager)
    campaign = campaigns.require_current(request.app.state.engine)
    review_open = phases.is_open(campaign, phases.Phase.review, utcnow())
    return request.app.state.renderer.render(
        request, "jury/home.html", {"campaign": campaign, "review_open": review_open}
    )


routes = [Route("/jury", jury_home, name="jury_home")]
