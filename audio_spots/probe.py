"""What an uploaded file really is, read from its content by mutagen (never from its name).

Accepted: MP3 (MPEG layer III), Ogg Opus or Vorbis, MP4/M4A audio, WAVE. Anything else, a file
mutagen cannot parse, or one without sound is refused with a message a manager can act on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from audio_spots.errors import AudioRefused
from campaign.i18n import N_

MAX_DURATION_S = 15 * 60  # spots last a minute or two; a longer file is a wrong file
# What ffmpeg must read each kind as: naming the demuxer keeps it from guessing another format
# (a playlist, say) from hostile content.
DEMUXER = {"mp3": "mp3", "ogg": "ogg", "m4a": "mov", "wav": "wav"}
NOT_AUDIO = N_("This is not an MP3, Ogg, M4A or WAV audio file.")
UNREADABLE = N_("This audio file could not be read: it may be damaged or cut short.")


@dataclass(frozen=True)
class Probed:
    format: str  # mp3 | ogg | m4a | wav
    duration_s: float
    bitrate: int  # bits per second


def _format(audio: object) -> str | None:
    if isinstance(audio, MP3):
        return "mp3" if audio.info.layer == 3 else None
    if isinstance(audio, OggOpus | OggVorbis):
        return "ogg"
    if isinstance(audio, MP4):
        return "m4a"
    if isinstance(audio, WAVE):
        return "wav"
    return None


def probe(path: Path, size: int) -> Probed:
    try:
        audio = mutagen.File(path)
    except Exception as exc:  # noqa: BLE001 - a parser on hostile input: any failure is "unreadable"
        raise AudioRefused(UNREADABLE) from exc
    # A FileType without tags is falsy: compare with None.
    fmt = _format(audio) if audio is not None else None
    if fmt is None:
        raise AudioRefused(NOT_AUDIO)
    length = float(getattr(audio.info, "length", 0) or 0)
    if not (math.isfinite(length) and length > 0):
        raise AudioRefused(UNREADABLE)
    if length > MAX_DURATION_S:
        raise AudioRefused(N_("A spot must be shorter than 15 minutes."))
    bitrate = int(getattr(audio.info, "bitrate", 0) or 0)
    if bitrate <= 0:
        bitrate = round(size * 8 / length)
    return Probed(fmt, round(length, 3), bitrate)
