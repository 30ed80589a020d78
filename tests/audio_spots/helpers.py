"""Real audio made by ffmpeg once per test run, profiles arranged directly, and a multipart body
builder for driving the streaming upload without a browser."""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

from audio_spots import spots, storage
from campaign import db
from profiles.models import Profile, Status

_DIR = Path(tempfile.mkdtemp(prefix="icon-audio-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)
TONE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ac", "2"]
ENCODINGS = {
    "tone.mp3": [*TONE, "-b:a", "128k"],
    "tone.ogg": [*TONE, "-c:a", "libopus", "-b:a", "64k"],
    "tone-vorbis.ogg": [*TONE, "-c:a", "libvorbis"],
    "tone.m4a": [*TONE, "-c:a", "aac", "-b:a", "96k"],
    "tone.wav": TONE,
    "tone.flac": [*TONE, "-c:a", "flac"],
    "other.mp3": ["-f", "lavfi", "-i", "sine=frequency=660:duration=2", "-b:a", "64k"],
}
SPEECH = (
    "Aminata Goïta est sage-femme au centre de santé de Kalaban Coro. Elle accueille chaque "
    "patiente sans rien demander en plus du tarif affiché. Quand un homme lui a offert un cadeau "
    "pour passer avant les autres, elle a refusé, poliment mais fermement, et elle a expliqué "
    "que tout le monde attend son tour. Ses collègues disent qu'elle arrive la première et part "
    "la dernière. Pour voter pour elle, envoyez ICON trois par SMS, ou votez sur le site de la "
    "campagne. Integrity Icon célèbre les fonctionnaires honnêtes du Mali."
)


@functools.cache
def sample(name: str) -> Path:
    """A test file by name: real encodings, and the bad ones the site must refuse."""
    path = _DIR / name
    if name in ENCODINGS:
        subprocess.run(
            [
                "/usr/bin/ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                *ENCODINGS[name],
                str(path),
            ],
            check=True,
        )
    elif name == "speech-30s.mp3":  # a voice, as spots are: Opus is tuned for it
        voice = _DIR / "speech.wav"
        subprocess.run(
            ["/usr/bin/espeak-ng", "-v", "fr", "-s", "150", "-w", str(voice), SPEECH], check=True
        )
        subprocess.run(
            [
                "/usr/bin/ffmpeg",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(voice),
                "-af",
                "apad=whole_dur=30",
                "-t",
                "30",
                "-ac",
                "2",
                "-ar",
                "44100",
                "-b:a",
                "128k",
                str(path),
            ],
            check=True,
        )
    elif name == "text.mp3":
        path.write_text("Bonjour, ceci n'est pas un fichier audio.\n" * 20)
    elif name == "empty.mp3":
        path.write_bytes(b"")
    elif name == "truncated.mp3":
        path.write_bytes(sample("tone.mp3").read_bytes()[:200])
    elif name == "truncated.wav":  # the header promises 3 s, the data stops after 0.17 s
        path.write_bytes(sample("tone.wav").read_bytes()[:30_000])
    else:
        raise KeyError(name)
    return path


def make_profile(engine, campaign_id: int, name: str = "Aminata Goïta", published: bool = True):
    slug = name.lower().replace(" ", "-").replace("ï", "i")
    with db.session(engine) as s, s.begin():
        profile = Profile(
            campaign_id=campaign_id,
            slug=f"{slug}-{campaign_id}",
            year=2024,
            name=name,
            status=Status.published if published else Status.draft,
            published_at=db.utcnow() if published else None,
        )
        s.add(profile)
    return profile


def pending(media_dir: Path, name: str) -> storage.Pending:
    """A sample received as an upload would be: a hashed temporary file in media_dir/tmp."""
    incoming = storage.Incoming(media_dir)
    incoming.write(sample(name).read_bytes())
    return incoming.finish()


def make_spot(engine, media_dir, actor_id, campaign_id, profile, name="tone.mp3", **form):
    values = {
        "profile_id": str(profile),
        "language": "bm",
        "title": "Un agent intègre",
        "transcript": "Aw ni ce, an bɛ fɔ...",
        **form,
    }
    return spots.create_spot(
        engine,
        media_dir,
        actor_id,
        campaign_id,
        spots.SpotIn(**values),
        pending(media_dir, name),
        name,
    )


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder``, relative, sorted: what a bad input must leave unchanged."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def multipart(fields: dict[str, str], filename: str, data: bytes, boundary: str = "XyZ") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: audio/mpeg\r\n\r\n'
    ).encode()
    return b"".join(parts) + head + data + f"\r\n--{boundary}--\r\n".encode()
