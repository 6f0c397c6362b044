"""Fuzzing the upload and search endpoints with hypothesis: whatever comes in, the answer is never a 500."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_image, make_jpeg

pytestmark = pytest.mark.slow  # hundreds of generated requests

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_VALID = [make_jpeg(size=(64, 48)), make_image("PNG", size=(40, 30)), make_image("GIF", size=(20, 20))]


@st.composite
def file_bytes(draw) -> bytes:
    """Random bytes, or a real image cut short, padded or with bytes flipped."""
    base = draw(st.sampled_from(_VALID))
    kind = draw(st.sampled_from(["random", "truncated", "flipped", "padded", "header"]))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "truncated":
        return base[:draw(st.integers(0, len(base)))]
    if kind == "padded":
        return base + draw(st.binary(max_size=512))
    if kind == "header":
        return base[:16] + draw(st.binary(max_size=256))
    data = bytearray(base)
    for position in draw(st.lists(st.integers(0, len(data) - 1), max_size=20)):
        data[position] ^= 0xFF
    return bytes(data)


@FUZZ
@given(files=st.lists(st.tuples(st.text(max_size=80), file_bytes()), min_size=0, max_size=3))
def test_uploads_never_fail_with_a_500(alice, files):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    reply = alice.post("/api/photos", data=data, content_type="multipart/form-data")
    assert reply.status_code < 500, reply.json
    assert reply.is_json


_PARAMS = st.sampled_from(["q", "from", "to", "tag", "camera", "format", "sort", "cursor", "limit"])
_VALUES = st.one_of(st.text(max_size=40), st.sampled_from(["2024-01-01", "relevance", "date", "0", "-1", "201",
                                                           "jpeg", "MjAyNHwx", "\x00", "a" * 500]))


@FUZZ
@given(params=st.dictionaries(_PARAMS, _VALUES, max_size=6))
def test_searches_never_fail_with_a_500(alice, params):
    reply = alice.get("/api/search", query_string=params)
    assert reply.status_code < 500, reply.json
    assert reply.is_json
