"""The vote's confirmation page filled in from a page rendered once is the page a full render
gives, byte for byte, for every receipt and language."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from web.i18n import Catalogue
from web.routes.vote import _receipt_context
from web.templating import Renderer

TEMPLATE = "vote/voted.html"


def request(lang: str, csrf: str, *, user=None, query: str = "") -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/vote/counted",
        "query_string": query.encode(),
        "headers": [(b"cookie", f"lang={lang}".encode()), (b"host", b"testserver")],
        "state": {"csrf_token": csrf, "offered_languages": ["fr", "en", "ur"], "user": user},
    }
    return Request(scope)


def receipt(code: str, title: str, number: int, name: str) -> dict:
    return {"code": code, "round_title": title, "candidate_number": number, "candidate_name": name}


RECEIPTS = [
    receipt("ABCDE-FGHJK", "Premier tour", 2, "Moussa Traoré"),
    receipt("KLMNP-QRSTU", 'Tour <2> & "final"', 13, "Awa <script>alert('x')</script> Diarra"),
    receipt("VWXYZ-23456", "", 0, ""),
]


@pytest.mark.parametrize("lang", ["fr", "en", "ur"])
def test_the_filled_page_is_the_full_render_for_each_receipt(lang):
    renderer = Renderer(Catalogue())
    for n, values in enumerate(RECEIPTS):
        csrf = f"token-{n}-" + "x" * 34
        full = renderer.render(request(lang, csrf), TEMPLATE, _receipt_context(values))

        filled = renderer.render_filled(request(lang, csrf), TEMPLATE, values, _receipt_context)

        assert filled.body.decode() == full.body.decode()
        assert filled.headers["content-language"] == full.headers["content-language"] == lang
        assert filled.headers["vary"] == full.headers["vary"]
    assert len(renderer.filled) == 1  # the second and third receipts came from the first page


def test_the_page_shows_the_receipt_escaped():
    renderer = Renderer(Catalogue())
    renderer.render_filled(request("en", "t" * 43), TEMPLATE, RECEIPTS[0], _receipt_context)

    page = renderer.render_filled(
        request("en", "t" * 43), TEMPLATE, RECEIPTS[1], _receipt_context
    ).body.decode()

    assert "Awa &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Diarra" in page
    assert "<script>" not in page
    assert '<p class="code" dir="ltr">KLMNP-QRSTU</p>' in page
    assert "You voted for number 13," in page
    assert "\x1e" not in page and "7300000000" not in page


def test_a_signed_in_visitor_gets_the_full_render_with_their_menu():
    renderer = Renderer(Catalogue())
    user = SimpleNamespace(role="manager", email="ana@example.org")
    req = request("fr", "t" * 43, user=user)

    page = renderer.render_filled(req, TEMPLATE, RECEIPTS[0], _receipt_context).body.decode()

    assert "ana@example.org" in page
    assert renderer.filled == {}


def test_a_value_of_another_type_gets_the_full_render():
    renderer = Renderer(Catalogue())
    odd = {**RECEIPTS[0], "candidate_number": 2.0}

    page = renderer.render_filled(request("fr", "t" * 43), TEMPLATE, odd, _receipt_context)

    full = renderer.render(request("fr", "t" * 43), TEMPLATE, _receipt_context(odd))
    assert page.body == full.body
    assert renderer.filled == {}
