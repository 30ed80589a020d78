"""What the fuzz tests of the public entry points share: nasty text, form encodings a browser
would never send (invalid UTF-8, repeated and missing fields, other content types), and the row
count of every table, to show that a refused input stores nothing."""

from __future__ import annotations

import json
import os
from urllib.parse import quote_plus

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

import campaign.tables  # noqa: F401 - every table in the metadata, whatever the test imported
from tests.conftest import csrf_token

# Bounded and reproducible: the same examples on every run, on SQLite and PostgreSQL alike.
FUZZ = settings(
    max_examples=int(os.environ.get("ICON_FUZZ_EXAMPLES", "50")),
    deadline=None,
    derandomize=not os.environ.get("ICON_FUZZ_EXAMPLES"),
    database=None,
    suppress_health_check=[
        # One database per test, shared by its examples: each example counts rows before and
        # after itself, so what earlier examples stored does not matter.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Inputs that broke, or could break, something: controls and NUL (PostgreSQL refuses NUL), the
# XML-invalid U+FFFE/U+FFFF, lone surrogates (not valid UTF-8 at all), digits of other scripts
# ("١".isdigit() is true and int("²") fails), numbers beyond any column, very long text.
NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x08\x1b[31m\x7f",
    "\ufffe",
    "\uffff",
    "\ud800",
    "x\udfffy",
    "٧٦١٢٣٤٥٦",  # Arabic-Indic
    "۷۶۱۲۳۴۵۶",  # Extended Arabic-Indic (Urdu)
    "७६१२३४५६",  # Devanagari
    "７６１２３４５６",  # full width
    "²",
    "-1",
    "0",
    "9" * 40,
    "1e999",
    "NaN",
    "+" + "9" * 300,
    "x" * 5000,
    "é" * 3000,
    "\u202eevil",
    "🙂" * 40,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%(code)s %s {0} {{ 7*7 }}",
    "\r\n\r\n",
    "//evil.example/",
    "/\\evil.example",
)

_odd_characters = st.one_of(
    st.characters(),
    st.characters(categories=["Nd", "No", "Cc", "Cf", "Zs"]),
    st.sampled_from("\x00\ufffe\uffff\ud800\udbff\udc00\udfff\u200b\u00a0"),
)
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(_odd_characters, max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)


@st.composite
def mutated(draw, base: dict, names: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``base`` as form pairs, with a few fields replaced, dropped, repeated or added."""
    pairs = [(k, str(v)) for k, v in base.items()]
    known = tuple(base) + names
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(("replace", "drop", "repeat", "add")))
        if action in ("replace", "drop") and pairs:
            index = draw(st.integers(0, len(pairs) - 1))
            if action == "replace":
                pairs[index] = (pairs[index][0], draw(texts))
            else:
                del pairs[index]
        elif action == "repeat":
            pairs.append((draw(st.sampled_from(known)), draw(texts)))
        else:
            pairs.append((draw(texts), draw(texts)))
    return pairs


ENCODINGS = ("urlencoded", "multipart", "json", "text", "none")
encodings = st.sampled_from(ENCODINGS)


def _bytes(value: str) -> bytes:
    # A lone surrogate cannot be UTF-8: sent as the bytes a broken client would send.
    return value.encode("utf-8", "surrogatepass")


def urlencoded(pairs) -> bytes:
    return "&".join(f"{quote_plus(_bytes(k))}={quote_plus(_bytes(v))}" for k, v in pairs).encode()


def multipart(pairs, boundary: str = "fuzz-boundary-7MA4YWxkTrZu0gW") -> bytes:
    parts = []
    for name, value in pairs:
        header = f'Content-Disposition: form-data; name="{name}"'
        parts.append(
            b"--%s\r\n%s\r\n\r\n%s\r\n" % (boundary.encode(), _bytes(header), _bytes(value))
        )
    return b"".join(parts) + b"--%s--\r\n" % boundary.encode()


def submit(client, url: str, pairs, encoding: str = "urlencoded", **kwargs):
    """A form post in ``encoding``, carrying the CSRF token as the site's pages would (the field
    for a plain form, the header otherwise): what is fuzzed is the form, not the CSRF check."""
    token = csrf_token(client)
    headers = {"X-CSRF-Token": token, **kwargs.pop("headers", {})}
    if encoding == "urlencoded":
        headers.pop("X-CSRF-Token")
        body = urlencoded([("csrf_token", token), *pairs])
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif encoding == "multipart":
        body = multipart(pairs)
        headers["Content-Type"] = "multipart/form-data; boundary=fuzz-boundary-7MA4YWxkTrZu0gW"
    elif encoding == "json":
        body = _bytes(json.dumps(dict(pairs), ensure_ascii=False))
        headers["Content-Type"] = "application/json"
    elif encoding == "text":
        body = urlencoded(pairs)
        headers["Content-Type"] = "text/plain"
    else:
        body = urlencoded(pairs)
    return client.post(url, content=body, headers=headers, follow_redirects=False, **kwargs)


def rows(engine) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    tables = SQLModel.metadata.sorted_tables
    counts = [select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables]
    with engine.connect() as connection:
        return dict(connection.execute(select(*counts)).one()._mapping)


def changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Table -> rows added (or removed), for the tables that changed."""
    return {name: after[name] - before[name] for name in after if after[name] != before[name]}
