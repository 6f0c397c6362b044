"""Request bodies: every route but an upload refuses a big body with 413 before reading it."""

from __future__ import annotations

import io
import json
import os

from PIL import Image

from tests.conftest import PASSWORD

MB = 1 << 20


class CountingStream(io.BytesIO):
    """A request body that counts the bytes the app reads from it."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self.bytes_read += count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.bytes_read += len(data)
        return data


def json_of_size(size: int) -> bytes:
    return json.dumps({"email": "a" * size + "@example.com", "password": PASSWORD}).encode()


def post_stream(client, url: str, stream: CountingStream, chunked: bool = False):
    """POST the stream as the body: with its Content-Length, or chunked (no length, the server ends the body)."""
    environ = {"wsgi.input": stream, "CONTENT_TYPE": "application/json"}
    if chunked:
        environ.update({"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"})
    else:
        environ["CONTENT_LENGTH"] = str(len(stream.getvalue()))
    return client.post(url, environ_overrides=environ)


def test_a_megabyte_of_json_to_login_is_refused_without_reading_it(client):
    stream = CountingStream(json_of_size(MB))
    reply = post_stream(client, "/api/auth/login", stream)
    assert reply.status_code == 413 and reply.json["error"]["code"] == "payload_too_large"
    assert stream.bytes_read == 0


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(client):
    stream = CountingStream(json_of_size(8 * MB))
    reply = post_stream(client, "/api/auth/register", stream, chunked=True)
    assert reply.status_code == 413 and reply.json["error"]["code"] == "payload_too_large"
    assert stream.bytes_read <= 128 * 1024


def test_a_megabyte_of_json_to_a_signed_in_route_is_refused(alice):
    photo = alice.upload_one()
    reply = alice.patch(f"/api/photos/{photo['id']}", json={"note": "x" * MB})
    assert reply.status_code == 413 and reply.json["error"]["code"] == "payload_too_large"


def test_the_largest_valid_photo_edit_is_accepted_even_fully_escaped(alice):
    photo = alice.upload_one()
    emoji = "\U0001f600" * 10_000  # ten thousand characters, each 12 bytes as \\ud83d\\ude00
    body = json.dumps({"caption": emoji, "note": emoji, "tags": [f"{i:02d}" + "t" * 62 for i in range(100)]})
    reply = alice.patch(f"/api/photos/{photo['id']}", data=body, content_type="application/json")
    assert len(body) > 200 * 1024 and reply.status_code == 200, reply.json
    assert reply.json["note"] == emoji


def test_an_upload_of_several_megabytes_still_works(alice):
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert buffer.tell() > 5 * MB
    reply = alice.upload(("noise.png", buffer.getvalue()))
    assert reply.status_code == 201, reply.json
