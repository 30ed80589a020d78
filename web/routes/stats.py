"""The public /stats page: the campaign in figures, for anyone and for the annual report.

Counts only: no nominator, no phone, no nominee name. Vote counts follow each round's visibility
(voting.figures). Numbers are formatted for the reader's language with Babel.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from babel.numbers import format_decimal, format_percent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from audio_spots import catalogue
from campaign import campaigns
from campaign.i18n import N_
from nominations import stats
from voting import figures as vote_figures
from web import charts

# The msgids of moderation/labels.html's channel_name, for the chart drawn here.
CHANNELS = {"web": N_("Web"), "sms": N_("SMS"), "paper": N_("Paper form")}


def _spots(counts: dict[str, int], languages: list[dict]) -> list[tuple[str, int]]:
    """(language name, published spots) for every campaign language, zeros included, then any
    language since removed from the settings."""
    names = {lang["code"]: lang["name"] for lang in languages}
    others = sorted(set(counts) - set(names))
    return [(names.get(code, code), counts.get(code, 0)) for code in [*names, *others]]


def _charts(found: stats.PublicFigures, gettext: Callable[[str], str], number) -> dict:
    # Largest first: the chart is for the shape; the table keeps the campaign's order.
    regions = sorted(
        ((r.region or gettext("No region"), r.nominations) for r in found.by_region),
        key=lambda row: -row[1],
    )
    weeks = len(found.by_week)
    week = gettext("Week %(num)s")
    return {
        "regions": charts.bars(
            regions,
            ident="chart-regions",
            number=number,
            title=gettext("Nominations by region"),
            desc=gettext("One bar per region, the largest first. The table gives the numbers."),
        ),
        "channels": charts.bars(
            [(gettext(CHANNELS.get(c.key, c.key)), c.count) for c in found.by_channel],
            ident="chart-channels",
            number=number,
            title=gettext("Nominations by channel"),
            desc=gettext("One bar per channel. The table gives the numbers."),
        ),
        "weeks": charts.columns(
            found.by_week,
            ident="chart-weeks",
            title=gettext("Nominations per week"),
            desc=gettext(
                "One column per week since nominations opened. The table gives the numbers."
            ),
            first=week % {"num": 1} if weeks else "",
            last=week % {"num": weeks} if weeks > 1 else "",
        ),
    }


def stats_page(request: Request) -> Response:
    engine, renderer = request.app.state.engine, request.app.state.renderer
    campaign, years = campaigns.showing(engine, request.query_params.get("year"))
    context: dict = {"campaign": campaign, "years": years}
    if campaign is not None:
        lang = renderer.language(request)
        number = partial(format_decimal, locale=lang)
        found = stats.public_figures(engine, campaign.id)
        spots = catalogue.published_counts_by_language(engine, campaign.id)
        context |= {
            "figures": found,
            "votes": vote_figures.public_votes(engine, campaign.id),
            "spots": _spots(spots, campaign.languages),
            "charts": _charts(found, partial(renderer.gettext, request), number),
            "number": number,
            "percent": lambda share: format_percent(share / 100, locale=lang),
        }
    return renderer.render(request, "stats/figures.html", context)


routes = [Route("/stats", stats_page, name="stats")]
