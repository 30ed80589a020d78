"""Shared by the profile tests: finalists and a winner made through the real services, images
made with Pillow, and published profiles."""

from __future__ import annotations

import io
import itertools
import random
import struct
import zlib

from PIL import Image
from sqlmodel import select

from audio_spots.models import AudioSpot
from campaign import db
from campaign.models import AuditEvent
from nominations.models import Nomination, Nominee, Status
from profiles import editing
from profiles.forms import PastIn, ProfileIn
from profiles.models import Profile
from tests.shortlist.test_board import add_decision
from tests.voting.test_rounds import add_ballots, form
from voting import round_changes

_CODES = itertools.count(1)
STORY = "Elle a refusé tout cadeau pour passer un patient avant les autres."


def add_finalist(engine, campaign_id: int, name: str, region: str = "Kayes") -> int:
    """A nominee with one eligible nomination (its story given), then on every jury stage."""
    with db.session(engine) as s, s.begin():
        nominee = Nominee(campaign_id=campaign_id, name=name, region=region,
                          position="Sage-femme", institution="CSCOM de Kalaban Coro",
                          nomination_count=1)  # fmt: skip
        s.add(nominee)
        s.flush()
        s.add(Nomination(campaign_id=campaign_id, nominee_id=nominee.id,
                         tracking_code=f"P{next(_CODES):07d}", channel="web",
                         status=Status.eligible, nominee_name=name, nominee_region=region,
                         story=f"{STORY} ({name})", nominator_relation="Patiente",
                         nominator_name="Fanta Traoré"))  # fmt: skip
    for stage in ("longlist", "shortlist", "finalist"):
        add_decision(engine, campaign_id, nominee.id, stage)
    return nominee.id


def closed_final(engine, manager_id: int, campaign_id: int, votes: dict[int, int]) -> None:
    """A closed round of one seat among the jury's finalists; ``votes``: ballot number -> web
    votes."""
    r = round_changes.create_round(engine, manager_id, campaign_id,
                            form(source="finalists", seats="1", alternates="0"))  # fmt: skip
    add_ballots(engine, r.id, [(n, "web", False) for n, k in votes.items() for _ in range(k)])
    round_changes.close_round(engine, manager_id, r.id)


def past(engine, manager_id, campaign_id, name, year, distinction="winner", **kw) -> Profile:
    values = {"year": str(year), "name": name, "distinction": distinction} | kw
    return editing.add_past(engine, manager_id, campaign_id, PastIn(**values))


def published(engine, manager_id, profile, **fields) -> Profile:
    if fields:
        values = {k: getattr(profile, k) for k in ProfileIn.__dataclass_fields__} | fields
        editing.update(engine, manager_id, profile.id, ProfileIn(**values))
    return editing.set_status(engine, manager_id, profile.id, "published")


def add_spot(engine, profile: Profile, language: str, **kw) -> int:
    values = dict(campaign_id=profile.campaign_id, profile_id=profile.id, language=language,
                  title=f"Spot {language}", transcript="Première ligne.\nDeuxième ligne.",
                  status="published", original_hash="a" * 64, original_format="mp3",
                  original_bytes=2_400_000, duration_s=62.4, bitrate=128_000,
                  light_hash="b" * 64, light_bytes=190_000) | kw  # fmt: skip
    with db.session(engine) as s, s.begin():
        spot = AudioSpot(**values)
        s.add(spot)
    return spot.id


def state(engine) -> tuple:
    """Every profile's fields and the audit count: what "changes nothing" compares."""
    with db.session(engine) as s:
        rows = [p.model_dump() for p in s.exec(select(Profile).order_by(Profile.id))]
        return rows, len(s.exec(select(AuditEvent.id)).all())


# --- images -------------------------------------------------------------------------------------


def photo_bytes(size=(900, 1200), fmt="JPEG", seed=1, noise=12, **save) -> bytes:
    """A photo-like image: smooth colour fields with some sensor noise."""
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.merge("RGB", (image.getchannel(0), image.getchannel(0).rotate(90),
                                Image.new("L", size, 90)))  # fmt: skip
    rng = random.Random(seed)
    grain = Image.frombytes("L", size, rng.randbytes(width * height))
    mask = grain.point(lambda v: 255 - v % noise)
    image = Image.composite(image, Image.new("RGB", size, "white"), mask)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def noise_bytes(size=(1000, 1000)) -> bytes:
    """The worst case for JPEG: pure random noise."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def halves_with_exif() -> bytes:
    """900x600 as stored, left half red, right half blue; EXIF says "rotate 90° clockwise" and
    carries a GPS position and a camera serial."""
    image = Image.new("RGB", (900, 600), (220, 0, 0))
    image.paste((0, 0, 220), (450, 0, 900, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (12.0, 39.0, 0.0)}  # GPSInfo: Bamako
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"secret comment")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height``: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
