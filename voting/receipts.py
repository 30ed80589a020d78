"""Receipts: the code a voter gets once their vote committed, and the public check of one.

A receipt says whether its vote is counted (or voided), never the choice nor the phone.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from campaign import db, ratelimit
from nominations.intake import CODE_ALPHABET
from voting.models import Ballot, Round

RECEIPT_LENGTH = 10


@dataclass(frozen=True)
class Receipt:
    code: str  # as stored; ``format_receipt`` shows it
    round_title: str
    at: datetime
    candidate_number: int
    candidate_name: str


@dataclass(frozen=True)
class ReceiptCheck:
    found: bool
    round_title: str = ""
    at: datetime | None = None
    void: bool = False
    limited: bool = False


def format_receipt(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def clean_receipt(raw: str) -> str:
    code = re.sub(r"[\s\-.]", "", (raw or "").upper())[:30]
    if len(code) != RECEIPT_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return ""
    return code


def new_receipt() -> str:
    # One draw of 128 random bits spelled in the alphabet: the bias over 24**10 receipts is
    # below 1e-24, and it costs one call instead of ten (it runs for every vote).
    return spelled(int.from_bytes(secrets.token_bytes(16)))


# Two letters a step: the pair of n % 576 is the letter of n % 24, then that of n // 24 % 24.
_PAIRS = [low + high for high in CODE_ALPHABET for low in CODE_ALPHABET]


def spelled(n: int) -> str:
    """The receipt of ``n``: its lowest RECEIPT_LENGTH digits in base 24, lowest first, each
    spelled in CODE_ALPHABET; five divisions instead of ten."""
    code = ""
    for _ in range(RECEIPT_LENGTH // 2):
        n, i = divmod(n, len(_PAIRS))
        code += _PAIRS[i]
    return code


def check_receipt(engine: Engine, raw: str, address: str = "") -> ReceiptCheck:
    """Whether a receipt's vote is counted (or voided); never the choice nor the phone. Wrong
    codes from one address are limited, so receipts cannot be enumerated."""
    code = clean_receipt(raw)
    query = (
        select(Round.title, Ballot.at, Ballot.void)
        .join(Round, col(Round.id) == Ballot.round_id)
        .where(Ballot.receipt == code)
    )
    with db.session(engine) as s, s.begin():
        try:
            row = ratelimit.guarded_lookup(
                s,
                f"receipt-guess:{address}",
                db.utcnow(),
                lambda: s.exec(query).first() if code else None,
            )
        except ratelimit.Blocked:
            return ReceiptCheck(found=False, limited=True)
    if row is None:
        return ReceiptCheck(found=False)
    title, at, void = row
    return ReceiptCheck(found=True, round_title=title, at=at, void=void)
