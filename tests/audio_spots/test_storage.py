import hashlib

import pytest

from audio_spots import storage
from audio_spots.errors import AudioRefused, TooLarge
from tests.audio_spots.helpers import files_under


def test_incoming_hashes_and_counts_as_it_writes(tmp_path):
    incoming = storage.Incoming(tmp_path)
    incoming.write(b"abc")
    incoming.write(b"def")
    pending = incoming.finish()
    assert (pending.hash, pending.size) == (hashlib.sha256(b"abcdef").hexdigest(), 6)
    assert pending.path.read_bytes() == b"abcdef"
    assert pending.path.parent == tmp_path / "tmp"


def test_keep_moves_the_file_to_its_content_name(tmp_path):
    incoming = storage.Incoming(tmp_path)
    incoming.write(b"ID3 sound")
    final = incoming.finish().keep(tmp_path, "mp3")
    digest = hashlib.sha256(b"ID3 sound").hexdigest()
    assert final == tmp_path / "audio" / f"{digest}.mp3"
    assert files_under(tmp_path) == [f"audio/{digest}.mp3"]


def test_same_content_twice_is_stored_once(tmp_path):
    for _ in range(2):
        incoming = storage.Incoming(tmp_path)
        incoming.write(b"same bytes")
        incoming.finish().keep(tmp_path, "wav")
    assert files_under(tmp_path) == [f"audio/{hashlib.sha256(b'same bytes').hexdigest()}.wav"]


def test_incoming_past_the_limit_is_refused_and_removed(tmp_path):
    incoming = storage.Incoming(tmp_path, limit=10)
    incoming.write(b"0123456789")
    with pytest.raises(TooLarge) as refused:
        incoming.write(b"x")
    assert (refused.value.status, refused.value.message) == (413, "The file is larger than 20 MB.")
    assert files_under(tmp_path) == []


def test_empty_upload_is_refused_and_removed(tmp_path):
    incoming = storage.Incoming(tmp_path)
    with pytest.raises(AudioRefused) as refused:
        incoming.finish()
    assert refused.value.message == "The file is empty."
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    ("digest", "ext"),
    [("../../etc/passwd", "mp3"), ("a" * 64, "exe"), ("A" * 64, "mp3"), ("a" * 64, "/mp3")],
)
def test_path_for_refuses_anything_but_a_hash_and_known_extension(tmp_path, digest, ext):
    with pytest.raises(ValueError):
        storage.path_for(tmp_path, digest, ext)


def test_discard_after_keep_leaves_the_kept_file(tmp_path):
    incoming = storage.Incoming(tmp_path)
    incoming.write(b"kept")
    pending = incoming.finish()
    pending.keep(tmp_path, "ogg")
    pending.discard()
    assert files_under(tmp_path) == [f"audio/{hashlib.sha256(b'kept').hexdigest()}.ogg"]
