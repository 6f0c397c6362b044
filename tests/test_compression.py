"""Pages, styles, scripts and JSON go out compressed to a browser that accepts it; photos never do."""

from __future__ import annotations

import gzip

import brotli
import pytest


@pytest.mark.parametrize("url", ["/login", "/static/css/app.css", "/static/js/app.js", "/api/openapi.json"])
def test_text_answers_are_compressed_with_brotli(client, url):
    plain = client.get(url).get_data()
    with_br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})  # what browsers send
    assert with_br.headers["Content-Encoding"] == "br" and brotli.decompress(with_br.get_data()) == plain
    assert len(with_br.get_data()) < len(plain) and "Accept-Encoding" in with_br.headers["Vary"]


@pytest.mark.parametrize("url", ["/login", "/api/openapi.json"])
def test_pages_and_json_are_gzipped_for_a_client_without_brotli(client, url):
    """(Static files are streamed, and flask-compress streams only zstd, brotli and deflate.)"""
    plain = client.get(url).get_data()
    with_gzip = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert with_gzip.headers["Content-Encoding"] == "gzip" and gzip.decompress(with_gzip.get_data()) == plain


def test_photos_and_thumbnails_go_out_as_they_are(alice):
    photo = alice.upload_one()
    for url in (f"/api/photos/{photo['id']}/original", photo["thumbnail_url"]):
        reply = alice.get(url, headers={"Accept-Encoding": "gzip, br, zstd"})
        assert reply.status_code == 200 and "Content-Encoding" not in reply.headers


def test_an_uncompressed_request_gets_plain_bytes(client):
    assert "Content-Encoding" not in client.get("/login").headers
