import pytest

from audio_spots import probe
from audio_spots.errors import AudioRefused
from tests.audio_spots.helpers import sample


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tone.mp3", ("mp3", 3.0, 128)),
        ("tone.ogg", ("ogg", 3.0, None)),
        ("tone-vorbis.ogg", ("ogg", 3.0, 112)),
        ("tone.m4a", ("m4a", 3.0, 96)),
        ("tone.wav", ("wav", 3.0, 1411)),
    ],
)
def test_probe_reads_kind_duration_and_bitrate_from_content(tmp_path, name, expected):
    # Under a neutral name, as uploads are stored: the content alone decides.
    path = tmp_path / "upload.part"
    path.write_bytes(sample(name).read_bytes())
    found = probe.probe(path, path.stat().st_size)
    kbps = round(found.bitrate / 1000) if expected[2] is not None else None
    assert (found.format, round(found.duration_s, 1), kbps) == expected
    assert found.bitrate > 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("text.mp3", "This is not an MP3, Ogg, M4A or WAV audio file."),
        ("tone.flac", "This is not an MP3, Ogg, M4A or WAV audio file."),
        ("truncated.mp3", "This audio file could not be read: it may be damaged or cut short."),
    ],
)
def test_probe_refuses_what_is_not_accepted_audio(tmp_path, name, message):
    path = tmp_path / "upload.part"
    path.write_bytes(sample(name).read_bytes())
    with pytest.raises(AudioRefused) as refused:
        probe.probe(path, path.stat().st_size)
    assert (refused.value.status, refused.value.message) == (422, message)


def test_probe_refuses_an_ogg_cut_before_its_first_page_of_sound(tmp_path):
    path = tmp_path / "upload.part"
    path.write_bytes(sample("tone.ogg").read_bytes()[:5000])
    with pytest.raises(AudioRefused) as refused:
        probe.probe(path, 5000)
    assert refused.value.message == probe.UNREADABLE


def test_probe_ignores_the_name(tmp_path):
    path = tmp_path / "looks-like.wav"
    path.write_bytes(sample("tone.mp3").read_bytes())
    assert probe.probe(path, path.stat().st_size).format == "mp3"
