"""The light rendition: mono Opus at 24 kbit/s in Ogg, made by Debian's ffmpeg.

A minute of it is about 180 KB, against 960 KB for a 128 kbit/s MP3: what a listener on a
prepaid phone plan can afford. ``bitexact`` makes the output depend only on the input, so the
same original gives the same light file, stored once.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from mutagen.oggopus import OggOpus

from audio_spots import storage
from audio_spots.errors import AudioRefused
from audio_spots.probe import DEMUXER, Probed
from campaign.i18n import N_

log = logging.getLogger("icon")
BITRATE = "24k"
TIMEOUT_S = 120  # 15 minutes of audio encode in about 10 s; far more means something is wrong
# A file whose sound stops well before its header says (a cut upload) is refused.
SHORT_RATIO, SHORT_SLACK_S = 0.9, 0.5


def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        # A server without ffmpeg is misconfigured: an error for the operator, not the manager.
        raise RuntimeError("ffmpeg is not installed: apt-get install ffmpeg")
    return found


def command(source: Path, fmt: str, target: Path) -> list[str]:
    return [
        ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-protocol_whitelist",
        "file",
        "-f",
        DEMUXER[fmt],
        "-i",
        str(source),
        "-vn",
        "-map_metadata",
        "-1",
        "-ac",
        "1",
        "-c:a",
        "libopus",
        "-b:a",
        BITRATE,
        "-fflags",
        "+bitexact",
        "-flags:a",
        "+bitexact",
        "-f",
        "ogg",
        str(target),
    ]


def make_light(
    source: Path, probed: Probed, media_dir: Path, timeout: float = TIMEOUT_S
) -> storage.Pending:
    """The light rendition as a pending file (hash and size known); AudioRefused if ffmpeg cannot
    make it from this file in time, and then no file is left behind."""
    target = storage.temp_path(media_dir, ".ogg")
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments; the paths are our own temp files
            command(source, probed.format, target), capture_output=True, timeout=timeout
        )
        if done.returncode != 0:
            log.warning("ffmpeg failed on %s: %s", source.name, done.stderr[-500:])
            raise AudioRefused(N_("This audio file could not be converted: it may be damaged."))
        try:
            length = OggOpus(target).info.length
        except Exception:  # noqa: BLE001 - no readable output is a failed conversion
            length = 0.0
        if length < probed.duration_s * SHORT_RATIO - SHORT_SLACK_S:
            raise AudioRefused(N_("The sound stops before the end of the file: it is cut short."))
        return storage.hashed(target)
    except subprocess.TimeoutExpired as exc:
        target.unlink(missing_ok=True)
        raise AudioRefused(N_("Converting this file took too long.")) from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
