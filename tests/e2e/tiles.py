"""A map tile server on loopback for the browser tests: any /{z}/{x}/{y}.png is a generated PNG (a pale square with
a grid line at its edges), so maps run offline through MAP_TILE_URL and a test can see which tiles were asked for."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw


def tile_png() -> bytes:
    tile = Image.new("RGB", (256, 256), (226, 236, 222))
    draw = ImageDraw.Draw(tile)
    draw.line([(0, 0), (255, 0)], fill=(190, 204, 188))
    draw.line([(0, 0), (0, 255)], fill=(190, 204, 188))
    buffer = io.BytesIO()
    tile.save(buffer, "PNG")
    return buffer.getvalue()


class TileServer:
    """Where it listens (`url`: a MAP_TILE_URL template) and the paths it was asked for."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"
        self.requests: list[str] = []


@contextmanager
def serving_tiles() -> Iterator[TileServer]:
    png = tile_png()
    server_holder: list[TileServer] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            server_holder[0].requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_holder.append(TileServer(httpd.server_address[1]))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_holder[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


_shared: list = []  # the context manager (kept, or collecting it would stop the server) and its server


def shared_tile_url() -> str:
    """MAP_TILE_URL of one tile server for this test process, started on first use: every live server of the
    browser tests gets its tiles from loopback, so no page ever reaches for the network."""
    if not _shared:
        context = serving_tiles()
        _shared.extend([context, context.__enter__()])  # lives as long as the process (a daemon thread)
    return _shared[1].url
