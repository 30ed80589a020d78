import hashlib

import pytest

from audio_spots import storage, upload
from audio_spots.errors import AudioRefused, TooLarge
from tests.audio_spots.helpers import files_under, multipart, sample
from tests.conftest import run_async

CT = "multipart/form-data; boundary=XyZ"
FIELDS = {"profile_id": "1", "language": "bm", "title": "Un titre", "transcript": "Aw ni ce"}


class Body:
    """A request body arriving in chunks, counting what the reader pulled."""

    def __init__(self, data: bytes = b"", chunk: int = 64 * 1024, tail: int = 0) -> None:
        self.data, self.chunk, self.tail, self.pulled = data, chunk, tail, 0

    async def __aiter__(self):
        for i in range(0, len(self.data), self.chunk):
            piece = self.data[i : i + self.chunk]
            self.pulled += len(piece)
            yield piece
        filler = b"\0" * self.chunk
        for _ in range(self.tail // self.chunk):
            self.pulled += len(filler)
            yield filler


def receive(body: Body, media_dir, content_type: str = CT, length: str | None = None):
    return run_async(upload.receive(content_type, length, body.__aiter__(), media_dir))


def test_receive_streams_the_file_to_disk_and_keeps_the_fields(tmp_path):
    audio = sample("tone.mp3").read_bytes()
    got = receive(Body(multipart(FIELDS, "spot.mp3", audio), chunk=1000), tmp_path)
    assert got.fields == FIELDS
    assert got.filename == "spot.mp3"
    assert (got.file.hash, got.file.size) == (hashlib.sha256(audio).hexdigest(), len(audio))
    assert got.file.path.read_bytes() == audio
    assert files_under(tmp_path) == [f"tmp/{got.file.path.name}"]


def test_receive_refuses_200_mb_after_reading_about_20(tmp_path):
    head = multipart(FIELDS, "big.mp3", b"")[: -len("\r\n--XyZ--\r\n")]
    body = Body(head, tail=200 * 1024 * 1024)
    with pytest.raises(TooLarge) as refused:
        receive(body, tmp_path)
    assert refused.value.status == 413
    # It stopped in the chunk that held byte 20 MB + 1 of the file: not one chunk more.
    assert storage.MAX_BYTES < body.pulled - len(head) <= storage.MAX_BYTES + body.chunk
    assert files_under(tmp_path) == []


def test_receive_refuses_a_declared_oversize_without_reading(tmp_path):
    body = Body(multipart(FIELDS, "big.mp3", b"x"))
    with pytest.raises(TooLarge):
        receive(body, tmp_path, length=str(200 * 1024 * 1024))
    assert (body.pulled, files_under(tmp_path)) == (0, [])


def test_receive_takes_one_file_only(tmp_path):
    one = multipart({}, "a.mp3", b"first")[: -len("--XyZ--\r\n")]
    two = one + multipart({}, "b.mp3", b"second")
    with pytest.raises(AudioRefused) as refused:
        receive(Body(two), tmp_path)
    assert refused.value.message == "Send one file at a time."
    assert files_under(tmp_path) == []


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_receive_refuses_what_is_not_a_multipart_form(tmp_path, content_type):
    with pytest.raises(AudioRefused) as refused:
        receive(Body(b"title=x"), tmp_path, content_type=content_type)
    assert refused.value.message == "The form could not be read: send it again."


def test_receive_refuses_a_broken_body_and_leaves_nothing(tmp_path):
    body = multipart(FIELDS, "a.mp3", b"sound")[:-30] + b"\r\n--Xy\r\nnot a header line\r\n"
    with pytest.raises(AudioRefused):
        receive(Body(body), tmp_path)
    assert files_under(tmp_path) == []


def test_receive_with_no_file_chosen_gives_none(tmp_path):
    got = receive(Body(multipart(FIELDS, "", b"")), tmp_path)
    assert (got.fields, got.file, files_under(tmp_path)) == (FIELDS, None, [])


def test_receive_an_empty_named_file_is_refused(tmp_path):
    with pytest.raises(AudioRefused) as refused:
        receive(Body(multipart(FIELDS, "empty.mp3", b"")), tmp_path)
    assert refused.value.message == "The file is empty."
