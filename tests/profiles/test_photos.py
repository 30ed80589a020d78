"""Photos: decoded, not trusted; bombs, fakes, damaged and tiny files refused with nothing
written; EXIF applied then stripped; renditions of fixed sizes, the thumbnail under 15 KB."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from campaign.errors import Invalid
from profiles import photos
from tests.profiles.helpers import (
    halves_with_exif,
    noise_bytes,
    photo_bytes,
    png_declaring,
)

TOO_LARGE = "This image is too large: at most 40 million pixels."
LOSSLESS_TOO_LARGE = "This PNG or WebP image is too large: at most 16 million pixels."
NOT_AN_IMAGE = "This file is not a JPEG, PNG or WebP photo."
DAMAGED = "This photo is damaged or incomplete: export it again."


def _files(media) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _opened(media, photo, name) -> Image.Image:
    image = Image.open(photos.path(media, photo, name))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_store_writes_three_renditions_named_by_content_hash(tmp_path, fmt):
    photo = photos.store(io.BytesIO(photo_bytes(fmt=fmt)), tmp_path)

    assert len(photo) == 64
    assert _files(tmp_path) == [f"{photo}-og.jpg", f"{photo}-page.jpg", f"{photo}-thumb.jpg"]
    sizes = {name: _opened(tmp_path, photo, name).size for name in photos.RENDITIONS}
    assert sizes == {"thumb": (160, 160), "page": (480, 600), "og": (1200, 630)}
    assert {_opened(tmp_path, photo, n).format for n in photos.RENDITIONS} == {"JPEG"}


def test_store_twice_the_same_photo_keeps_one_copy(tmp_path):
    first = photos.store(io.BytesIO(photo_bytes()), tmp_path)
    second = photos.store(io.BytesIO(photo_bytes()), tmp_path)

    assert first == second
    assert len(_files(tmp_path)) == 3


@pytest.mark.parametrize("data", [photo_bytes(), noise_bytes()], ids=["photo", "pure-noise"])
def test_thumbnail_is_under_15_kb(tmp_path, data):
    photo = photos.store(io.BytesIO(data), tmp_path)

    size = photos.path(tmp_path, photo, "thumb").stat().st_size
    assert size < 15 * 1024
    assert photos.path(tmp_path, photo, "og").stat().st_size < 300 * 1024


def test_exif_orientation_is_applied_then_every_piece_of_metadata_dropped(tmp_path):
    photo = photos.store(io.BytesIO(halves_with_exif()), tmp_path)

    for name in photos.RENDITIONS:
        image = _opened(tmp_path, photo, name)
        assert (dict(image.getexif()), image.info.get("exif"), image.info.get("comment")) == (
            {},
            None,
            None,
        ), name
        assert "icc_profile" not in image.info
    page = _opened(tmp_path, photo, "page").convert("RGB")
    # Stored landscape with red on the left; turned upright, red is on top and blue below.
    top, bottom = page.getpixel((240, 5)), page.getpixel((240, 595))
    assert (top[0] > 180 and top[2] < 40, bottom[2] > 180 and bottom[0] < 40) == (True, True)
    raw = photos.path(tmp_path, photo, "og").read_bytes()
    assert (b"SERIAL-12345" in raw, b"secret comment" in raw, b"Exif" in raw) == (False,) * 3


def test_transparent_png_is_flattened_on_white(tmp_path):
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")

    photo = photos.store(io.BytesIO(buffer.getvalue()), tmp_path)

    assert _opened(tmp_path, photo, "thumb").convert("RGB").getpixel((80, 80)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (png_declaring(50_000, 50_000), TOO_LARGE),  # Pillow's own bomb error
        (png_declaring(10_000, 9_000), TOO_LARGE),  # Pillow's bomb warning, refused too
        (png_declaring(8_000, 6_000), TOO_LARGE),  # our limit, under Pillow's
        (png_declaring(6_300, 6_300), LOSSLESS_TOO_LARGE),  # ~600 MB to decode whole
        (png_declaring(4_001, 4_000), LOSSLESS_TOO_LARGE),
        (b"Ceci n'est pas une photo.\n" * 20, NOT_AN_IMAGE),  # text renamed .jpg
        (b"GIF89a" + b"\x00" * 200, NOT_AN_IMAGE),
        (photo_bytes(fmt="GIF"), NOT_AN_IMAGE),  # a real image, of a kind not allowed
        (photo_bytes()[:6000], DAMAGED),  # truncated JPEG
        (photo_bytes(fmt="PNG")[:20000], DAMAGED),  # truncated PNG
        (b"", "This file is empty."),
        (photo_bytes(size=(299, 800)), "This photo is too small: at least 300 by 300 pixels."),
    ],
    ids=["bomb", "bomb-warning", "over-limit", "png-6300", "png-16mpx", "text", "gif-header", "gif",
         "cut-jpeg", "cut-png", "empty", "tiny"],
)  # fmt: skip
def test_bad_upload_is_refused_and_nothing_is_written(tmp_path, data, message):
    with pytest.raises(Invalid) as caught:
        photos.store(io.BytesIO(data), tmp_path)

    assert caught.value.errors == {"photo": message}
    assert _files(tmp_path) == []


def test_upload_over_10_mb_is_refused_before_decoding(tmp_path):
    data = photo_bytes() + b"\x00" * (photos.MAX_BYTES)

    with pytest.raises(Invalid) as caught:
        photos.store(io.BytesIO(data), tmp_path)

    assert caught.value.errors == {"photo": "This photo is larger than 10 MB."}
    assert _files(tmp_path) == []


@pytest.mark.parametrize(
    ("photo", "name"),
    [("../" * 3 + "a" * 55, "thumb"), ("A" * 64, "thumb"), ("a" * 64, "../../etc"), ("", "og")],
)
def test_path_accepts_only_a_stored_hash_and_a_rendition_name(tmp_path, photo, name):
    with pytest.raises(ValueError):
        photos.path(tmp_path, photo, name)


def test_a_large_jpeg_decodes_reduced_and_still_makes_its_renditions(tmp_path):
    # 5000x6000 = 30 Mpx: over the PNG cap, within the JPEG one; decoded at a quarter scale.
    data = photo_bytes(size=(5000, 6000), quality=90)
    assert len(data) <= photos.MAX_BYTES
    cleaned = photos.clean(io.BytesIO(data))
    photo = photos.store(io.BytesIO(data), tmp_path)

    assert cleaned.size == (1250, 1500)
    sizes = {name: _opened(tmp_path, photo, name).size for name in photos.RENDITIONS}
    assert sizes == {"thumb": (160, 160), "page": (480, 600), "og": (1200, 630)}
