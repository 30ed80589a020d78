"""Profile photos: decode an upload safely, clean it, and store its light renditions.

An upload is trusted for nothing: its name is never used and its kind is decided by decoding it.
Pillow opens only JPEG, PNG and WebP; an image declaring more than MAX_PIXELS (a PNG or WebP,
MAX_PIXELS_LOSSLESS) is refused before its pixels are decoded (Pillow's own decompression-bomb
error and warning count as refusals too), and a JPEG decodes at a reduced scale; a damaged or
truncated file is refused. The cleaned image keeps pixels only: EXIF (GPS position, camera
serial), comments and colour profiles are dropped once the EXIF orientation is applied and the
colours converted to sRGB. Renditions are files named after the content hash of the cleaned
pixels, so the same photo uploaded twice is stored once and a URL's content never changes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import IO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from campaign.errors import Invalid
from campaign.i18n import N_

MAX_BYTES = 10 * 1024 * 1024  # a phone's full-size photo is 2-6 MB
MAX_PIXELS = 40_000_000  # any phone camera; more is a scan, a panorama or a bomb
# PNG and WebP decode whole (a 6300x6300 PNG took ~600 MB resident): a lower cap, read from the
# header. A JPEG decodes straight at a reduced scale (draft) no smaller than DRAFT_SIZE.
MAX_PIXELS_LOSSLESS = 16_000_000
DRAFT_SIZE = (1200, 1200)  # covers the largest rendition (1200x630) whatever the crop
MIN_SIDE = 300  # the Open Graph card is 1200 px wide: smaller would be a blur
FORMATS = ("JPEG", "PNG", "WEBP")
FIELD = "photo"
# name -> (width, height, JPEG quality to start from, byte budget). Fixed sizes, so pages give
# every <img> its width and height and nothing jumps while it loads.
RENDITIONS = {
    "thumb": (160, 160, 72, 15 * 1024),  # the list on /finalists and /icons
    "page": (480, 600, 78, 80 * 1024),  # the profile page, about a phone's width
    "og": (1200, 630, 82, 300 * 1024),  # WhatsApp drops link previews over about 300 KB
}
# Faces sit in the upper part of a portrait: crop around a point above the middle.
CENTRE = (0.5, 0.35)
_SRGB = ImageCms.createProfile("sRGB")
HASH = re.compile(r"[0-9a-f]{64}")


def refuse(message: str) -> Invalid:
    return Invalid({FIELD: message})


def _open(fileobj: IO[bytes]) -> Image.Image:
    """The decoded image, or Invalid: not an image, not an allowed kind, a bomb, damaged."""
    with warnings.catch_warnings():
        # Pillow warns (rather than fails) between MAX_IMAGE_PIXELS and twice that.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fileobj, formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise refuse(N_("This image is too large: at most 40 million pixels."))
            if image.format != "JPEG" and width * height > MAX_PIXELS_LOSSLESS:
                raise refuse(N_("This PNG or WebP image is too large: at most 16 million pixels."))
            if image.format == "JPEG":
                image.draft(image.mode, DRAFT_SIZE)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise refuse(N_("This image is too large: at most 40 million pixels.")) from None
        except UnidentifiedImageError:
            raise refuse(N_("This file is not a JPEG, PNG or WebP photo.")) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise refuse(N_("This photo is damaged or incomplete: export it again.")) from None
    if min(width, height) < MIN_SIDE:
        raise refuse(N_("This photo is too small: at least 300 by 300 pixels."))
    return image


def _srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB, any transparency on white: what every browser shows alike."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        # A phone's wide-gamut (Display P3) photo looks dull once its profile is dropped:
        # convert its colours first. A broken profile is ignored rather than refused.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, TypeError, ValueError):
            pass
    return image


def clean(fileobj: IO[bytes]) -> Image.Image:
    """The upload's pixels, upright, in sRGB, with no metadata at all."""
    image = _open(fileobj)
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        upright = image  # unreadable EXIF: keep the pixels as stored
    rgb = _srgb(upright)
    # A new image from the raw pixels carries nothing else: no info dict, no EXIF, no ICC.
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def content_hash(image: Image.Image) -> str:
    digest = hashlib.sha256(f"{image.mode}:{image.width}x{image.height}:".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()


def encode(image: Image.Image, name: str) -> bytes:
    """One rendition as JPEG, quality lowered step by step until it fits its byte budget."""
    width, height, quality, budget = RENDITIONS[name]
    fitted = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=CENTRE)
    while True:
        buffer = io.BytesIO()
        # Progressive only for the big ones: it costs bytes on a 160 px thumbnail.
        fitted.save(buffer, "JPEG", quality=quality, optimize=True, progressive=name != "thumb")
        data = buffer.getvalue()
        if len(data) <= budget or quality <= 30:
            break
        quality -= 8
    if len(data) > budget:
        raise refuse(N_("This photo could not be made light enough: try another one."))
    return data


def path(media_dir: Path, photo: str, name: str) -> Path:
    """Where a rendition lives; ``photo`` is a stored hash, ``name`` a key of RENDITIONS."""
    if name not in RENDITIONS or not HASH.fullmatch(photo):
        raise ValueError("not a stored photo rendition")
    return Path(media_dir) / "photos" / f"{photo}-{name}.jpg"


def _write(target: Path, data: bytes) -> None:
    """Atomically: a reader never sees half a file, two writers of one hash never clash."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(fileobj: IO[bytes], media_dir: Path) -> str:
    """Check, clean and store an upload's renditions; its content hash. Invalid: nothing is
    written."""
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise refuse(N_("This file is empty."))
    if size > MAX_BYTES:
        raise refuse(N_("This photo is larger than 10 MB."))
    image = clean(fileobj)
    photo = content_hash(image)
    renditions = {name: encode(image, name) for name in RENDITIONS}
    for name, data in renditions.items():
        _write(path(media_dir, photo, name), data)
    return photo
