"""Demo audio spots: in the voting and results phases every finalist's published profile gets
two spots, French and Bambara, spoken by espeak-ng when it is installed and encoded by ffmpeg as
a studio would send them.

They go through the service a manager's upload calls (audio_spots.spots), so the light
renditions are really made under ICON_MEDIA_DIR. Seeded after the profiles (``icon.demo``
order): spots belong to profiles, so this package reads profiles.demo and never the reverse.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from audio_spots import spots, storage
from campaign import db
from campaign.models import Campaign, Role, User
from campaign.phases import Phase
from campaign.settings import load_settings
from profiles import demo as profiles_demo

SPOT_FR = "{line}\nIntegrity Icon Mali."
# Bambara: "Greetings! ... is an honest worker. S/he takes money from no one." espeak-ng has no
# Bambara voice: its French voice reads the text respelled the French way (the transcript keeps
# the Bambara spelling).
SPOT_BM = "Aw ni ce! {name} ye baarakɛla tilennen ye.\nA tɛ wari minɛ mɔgɔ si fɛ."
SPOKEN_BM = "Aw ni tché! {name} yé baarakèla tilennen yé. A tè wari minè mogo si fè."


def _spoken(text: str, target: Path, fmt: str, tools: dict[str, str | None]) -> None:
    """``text`` as speech, encoded the way a studio would send it: MP3 or M4A (AAC)."""
    source = target.with_suffix(".wav")
    if tools["espeak"]:
        voice = [tools["espeak"], "-v", "fr", "-s", "170", "-w", str(source), text]
        subprocess.run(voice, check=True, capture_output=True)  # noqa: S603 - the demo's text
        audio = ["-i", str(source)]
    else:  # no voice: a 4-second tone stands for the speech
        audio = ["-f", "lavfi", "-i", "sine=frequency=330:duration=4"]
    codec = (
        ["-c:a", "libmp3lame", "-b:a", "96k", "-f", "mp3"]
        if fmt == "mp3"
        else ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"]
    )
    encode = [
        tools["ffmpeg"],
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        *audio,
        "-af",
        "apad=pad_dur=0.4",
        "-ac",
        "1",
        "-ar",
        "22050",
        *codec,
        str(target),
    ]
    subprocess.run(encode, check=True, capture_output=True)  # noqa: S603 - fixed arguments
    source.unlink(missing_ok=True)


def seed(engine: Engine, campaign: Campaign, phase: Phase, rng: random.Random) -> None:
    if phase not in (Phase.voting, Phase.results):
        return
    tools = {"ffmpeg": shutil.which("ffmpeg"), "espeak": shutil.which("espeak-ng")}
    if not tools["ffmpeg"]:
        print("Demo: ffmpeg is not installed, so the finalists have no audio spots.")
        return
    media_dir = load_settings().media_dir
    with db.session(engine) as s:
        actor = s.exec(select(User.id).where(User.role == Role.manager)).first()
    jobs = []  # (profile id, language, title, transcript, spoken text, format)
    for finalist in profiles_demo.finalists(engine, campaign.id):
        profile_id, person, line = finalist.profile_id, finalist.person, finalist.line
        fr = SPOT_FR.format(line=line, name=person.name)
        bm = SPOT_BM.format(name=person.name)
        title = f"{person.name}, {profiles_demo.in_sentence(person.position)}"
        jobs.append((profile_id, "fr", title, fr, fr, "mp3"))
        jobs.append(
            (
                profile_id,
                "bm",
                f"{person.name} : baarakɛla tilennen",
                bm,
                SPOKEN_BM.format(name=person.name),
                "m4a",
            )
        )

    def upload(job: tuple) -> None:
        profile_id, language, title, transcript, spoken, fmt = job
        path = storage.temp_path(media_dir, f".{fmt}")
        _spoken(spoken, path, fmt, tools)
        form = spots.SpotIn(str(profile_id), language, title, transcript)
        spot = spots.create_spot(
            engine, media_dir, actor, campaign.id, form, storage.hashed(path), f"{language}.{fmt}"
        )
        spots.set_published(engine, actor, spot.id, True)

    # Each spot is a few short ffmpeg runs: side by side they take a second, not several.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        list(pool.map(upload, jobs))
