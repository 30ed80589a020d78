import hashlib
import time

import pytest
from mutagen.oggopus import OggOpus

from audio_spots import probe, rendition
from audio_spots.errors import AudioRefused
from tests.audio_spots.helpers import files_under, sample


def _probed(name: str) -> probe.Probed:
    path = sample(name)
    return probe.probe(path, path.stat().st_size)


@pytest.mark.parametrize(
    "name", ["tone.mp3", "tone.ogg", "tone-vorbis.ogg", "tone.m4a", "tone.wav"]
)
def test_light_rendition_is_mono_opus_of_the_same_length(tmp_path, name):
    light = rendition.make_light(sample(name), _probed(name), tmp_path)
    info = OggOpus(light.path).info
    assert (info.channels, round(info.length, 1)) == (1, 3.0)
    assert (light.hash, light.size) == (
        hashlib.sha256(light.path.read_bytes()).hexdigest(),
        light.path.stat().st_size,
    )
    assert files_under(tmp_path) == [f"tmp/{light.path.name}"]


def test_light_rendition_is_the_same_bytes_for_the_same_original(tmp_path):
    first = rendition.make_light(sample("tone.mp3"), _probed("tone.mp3"), tmp_path)
    again = rendition.make_light(sample("tone.mp3"), _probed("tone.mp3"), tmp_path)
    assert first.hash == again.hash


def test_thirty_seconds_of_spoken_128k_mp3_become_a_fifth_of_the_bytes(tmp_path):
    original = sample("speech-30s.mp3")
    start = time.perf_counter()
    light = rendition.make_light(original, _probed("speech-30s.mp3"), tmp_path)
    took = time.perf_counter() - start
    ratio = light.size / original.stat().st_size
    print(
        f"30 s MP3 {original.stat().st_size} B -> light {light.size} B "
        f"({ratio:.3f}), ffmpeg {took * 1000:.0f} ms"
    )
    assert ratio < 1 / 4
    assert took < 5


def test_a_file_whose_sound_stops_early_is_refused_and_leaves_nothing(tmp_path):
    name = "truncated.wav"  # the header says 3 s; the samples stop at 0.17 s
    with pytest.raises(AudioRefused) as refused:
        rendition.make_light(sample(name), _probed(name), tmp_path)
    assert refused.value.message == "The sound stops before the end of the file: it is cut short."
    assert files_under(tmp_path) == []


def test_a_file_ffmpeg_cannot_decode_is_refused_and_leaves_nothing(tmp_path):
    # Mutagen's verdict stands in for a file that fools the probe but not the decoder.
    fooled = probe.Probed("m4a", 3.0, 128_000)
    with pytest.raises(AudioRefused) as refused:
        rendition.make_light(sample("text.mp3"), fooled, tmp_path)
    assert refused.value.message == "This audio file could not be converted: it may be damaged."
    assert files_under(tmp_path) == []


def test_a_conversion_past_its_time_is_stopped_and_leaves_nothing(tmp_path):
    with pytest.raises(AudioRefused) as refused:
        rendition.make_light(sample("tone.wav"), _probed("tone.wav"), tmp_path, timeout=0.001)
    assert refused.value.message == "Converting this file took too long."
    assert files_under(tmp_path) == []
