"""Receiving an upload form as it streams in: the file part goes to disk chunk by chunk, hashed
and counted, and the body is refused the moment the file passes 20 MB. Nothing holds the whole
file in memory.

Free of any web framework: it takes the Content-Type and Content-Length values and an async
iterator of body chunks (Starlette's ``request.stream()``). File writes run in worker threads,
so the event loop never waits on the disk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from anyio import to_thread
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from audio_spots import storage
from audio_spots.errors import AudioRefused, TooLarge
from campaign.i18n import N_
from campaign.text import whole

FIELDS_MAX = 256 * 1024  # the text fields together: a long transcript fits many times over
MAX_FIELDS = 10
BODY_MAX = storage.MAX_BYTES + FIELDS_MAX
BAD_FORM = N_("The form could not be read: send it again.")


@dataclass
class Received:
    fields: dict[str, str]
    file: storage.Pending | None
    filename: str  # as the browser named it: kept for the audit log only, never for a path


@dataclass
class _State:
    """What the parser's callbacks gather between two chunks of body."""

    fields: dict[str, str] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    is_file: bool = False
    files: int = 0
    text: bytearray = field(default_factory=bytearray)
    text_bytes: int = 0
    to_write: list[bytes] = field(default_factory=list)
    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes = b""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda d, a, b: self._add("header_name", d[a:b]),
            "on_header_value": lambda d, a, b: self._add("header_value", d[a:b]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def _add(self, name: str, data: bytes) -> None:
        setattr(self, name, getattr(self, name) + data)

    def part_begin(self) -> None:
        self.disposition, self.is_file, self.text = b"", False, bytearray()

    def header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        self.is_file = b"filename" in options
        if self.is_file:
            self.files += 1
            self.filename = options[b"filename"].decode("utf-8", "replace")
            if self.files > 1:
                raise AudioRefused(N_("Send one file at a time."))
        elif len(self.fields) >= MAX_FIELDS:
            raise AudioRefused(BAD_FORM)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.is_file:
            self.to_write.append(data[start:end])
            return
        self.text_bytes += end - start
        if self.text_bytes > FIELDS_MAX:
            raise AudioRefused(N_("The text fields are too long."))
        self.text += data[start:end]

    def part_end(self) -> None:
        if not self.is_file:
            self.fields[self.name] = self.text.decode("utf-8", "replace")


async def receive(
    content_type: str, content_length: str | None, chunks: AsyncIterator[bytes], media_dir: Path
) -> Received:
    """The form's text fields and its one file (a Pending in ``media_dir/tmp``, or None).

    TooLarge (413) as soon as the file passes storage.MAX_BYTES or the body BODY_MAX, a declared
    Content-Length over the limit before a byte is read; AudioRefused for a malformed body. On
    any failure the partial file is removed.
    """
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise AudioRefused(BAD_FORM)
    if (whole(content_length) or 0) > BODY_MAX:
        raise TooLarge(N_("The file is larger than 20 MB."))
    state = _State()
    parser = MultipartParser(options[b"boundary"], state.callbacks())
    incoming: storage.Incoming | None = None
    read = 0
    try:
        async for chunk in chunks:
            read += len(chunk)
            if read > BODY_MAX:
                raise TooLarge(N_("The file is larger than 20 MB."))
            parser.write(chunk)
            if state.to_write:
                if incoming is None:
                    incoming = await to_thread.run_sync(storage.Incoming, media_dir)
                data, state.to_write = b"".join(state.to_write), []
                await to_thread.run_sync(incoming.write, data)
        parser.finalize()
        if incoming is None and state.filename:
            raise AudioRefused(N_("The file is empty."))
        pending = await to_thread.run_sync(incoming.finish) if incoming is not None else None
    except BaseException as exc:
        # Synchronous on purpose: closing and unlinking take microseconds, and an await here
        # could itself be cancelled, leaving the partial file behind.
        if incoming is not None:
            incoming.discard()
        if isinstance(exc, MultipartParseError):
            raise AudioRefused(BAD_FORM) from exc
        raise
    return Received(state.fields, pending, state.filename or "")
