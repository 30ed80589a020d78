"""Spot files on disk, named by content: ``media_dir/audio/{sha256}.{ext}``.

An upload is written to ``media_dir/tmp`` while it arrives, hashed and counted as it goes, and
refused the moment it passes the limit. Only a file that became a spot is moved into place, by
rename (same filesystem), so a reader never sees half a file and the same content is kept once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audio_spots.errors import AudioRefused, TooLarge
from campaign.i18n import N_

MAX_BYTES = 20 * 1024 * 1024
AUDIO_DIR, TMP_DIR = "audio", "tmp"
EXTENSIONS = ("mp3", "ogg", "m4a", "wav")
CHUNK = 64 * 1024
_HASH = re.compile(r"^[0-9a-f]{64}$")


def path_for(media_dir: Path, digest: str, ext: str) -> Path:
    # Both parts come from our own database, but a path is built from them: check anyway.
    if not _HASH.match(digest) or ext not in EXTENSIONS:
        raise ValueError(f"not a stored audio name: {digest}.{ext}")
    return Path(media_dir) / AUDIO_DIR / f"{digest}.{ext}"


def temp_path(media_dir: Path, suffix: str) -> Path:
    folder = Path(media_dir) / TMP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, suffix=suffix)
    os.close(fd)
    return Path(name)


@dataclass
class Pending:
    """A complete file in the temporary folder, hashed, waiting to become a spot's or go."""

    path: Path
    hash: str
    size: int

    def keep(self, media_dir: Path, ext: str) -> Path:
        final = path_for(media_dir, self.hash, ext)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            self.path.unlink(missing_ok=True)  # the same bytes are there already
        else:
            os.replace(self.path, final)
        return final

    def discard(self) -> None:
        """Remove the temporary file; harmless once kept."""
        self.path.unlink(missing_ok=True)


class Incoming:
    """An upload being received: call ``write`` per chunk (in a worker thread), then ``finish``."""

    def __init__(self, media_dir: Path, limit: int = MAX_BYTES) -> None:
        self.path = temp_path(media_dir, ".part")
        self.limit, self.size = limit, 0
        self._sha = hashlib.sha256()
        self._file = self.path.open("wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            self.discard()
            raise TooLarge(N_("The file is larger than 20 MB."))
        self._sha.update(data)
        self._file.write(data)

    def finish(self) -> Pending:
        self._file.close()
        if self.size == 0:
            self.discard()
            raise AudioRefused(N_("The file is empty."))
        return Pending(self.path, self._sha.hexdigest(), self.size)

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def hashed(path: Path) -> Pending:
    """A finished temporary file (a rendition) as a Pending, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return Pending(path, sha.hexdigest(), size)
