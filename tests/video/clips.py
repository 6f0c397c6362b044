"""Small real clips made with PyAV's bundled encoders inside the tests (no downloads)."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np

#: Each container with a codec pair its family carries: (format name, FFmpeg muxer, video codec, audio codec).
CONTAINERS = {
    "mp4": ("mp4", "libx264", "aac"),
    "mov": ("mov", "libx265", "aac"),  # an iPhone's HEVC MOV
    "m4v": ("ipod", "libx264", "aac"),
    "3gp": ("3gp", "libx264", "aac"),
    "webm": ("webm", "libvpx-vp9", "libopus"),
    "avi": ("avi", "mpeg4", None),
}


def make_clip(kind: str = "mp4", seconds: float = 2.0, size: tuple[int, int] = (320, 240), rate: int = 25,
              tags: dict[str, str] | None = None, rotation: int = 0, dark_seconds: float = 0.0,
              audio: bool = True, noise: bool = False) -> bytes:
    """A clip of `kind` (a key of CONTAINERS): a gradient whose colour changes each frame, black for the first
    `dark_seconds` (random noise with `noise`: a clip that hardly compresses), with `tags` in its container metadata
    (QuickTime keys kept) and a display rotation."""
    muxer, video_codec, audio_codec = CONTAINERS[kind]
    buffer = io.BytesIO()
    options = {"movflags": "use_metadata_tags"} if muxer in ("mp4", "mov", "ipod", "3gp") else {}
    with av.open(buffer, "w", format=muxer, options=options) as out:
        out.metadata.update(tags or {})
        stream = out.add_stream(video_codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        if video_codec == "libx265":
            stream.options = {"x265-params": "log-level=error"}
        if rotation:
            stream.set_display_rotation(rotation)
        sound = out.add_stream(audio_codec, rate=48000) if audio and audio_codec else None
        for index in range(round(seconds * rate)):
            for packet in stream.encode(_frame(index, size, index < dark_seconds * rate, noise)):
                out.mux(packet)
        out.mux(stream.encode())
        if sound is not None:
            _add_sound(out, sound, seconds)
    return buffer.getvalue()


def _frame(index: int, size: tuple[int, int], dark: bool, noise: bool = False) -> av.VideoFrame:
    width, height = size
    if noise:
        pixels = np.random.default_rng(index).integers(0, 256, (height, width, 3), dtype=np.uint8)
    elif dark:
        pixels = np.zeros((height, width, 3), np.uint8)
    else:
        x = np.linspace(0, 255, width, dtype=np.uint8)[None, :, None]
        pixels = np.broadcast_to(x, (height, width, 3)).copy()
        pixels[..., 1] = (index * 7) % 256
        pixels[: height // 2, : width // 2, 2] = 255  # a blue corner: which way is up
    return av.VideoFrame.from_ndarray(pixels, format="rgb24")


def _add_sound(out, stream, seconds: float) -> None:
    rate, samples = 48000, 960
    for start in range(0, int(seconds * rate), samples):
        t = (np.arange(start, start + samples) / rate).astype(np.float32)
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(np.repeat(tone, 2, axis=0), format="fltp", layout="stereo")
        frame.sample_rate, frame.pts = rate, start
        out.mux(stream.encode(frame))
    out.mux(stream.encode())


def write_clip(path: Path, kind: str = "mp4", **options) -> Path:
    path.write_bytes(make_clip(kind, **options))
    return path


def slideshow(pictures: list, seconds: float = 2.0, size: tuple[int, int] = (1024, 512), rate: int = 10) -> bytes:
    """An H.264 MP4 showing each PIL picture (centred on white, scaled to fit) for `seconds`, a keyframe a second
    as phones write them."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt, stream.gop_size = size[0], size[1], "yuv420p", rate
        stream.options = {"crf": "12"}
        for picture in pictures:
            frame = av.VideoFrame.from_image(_framed(picture, size))
            for _ in range(round(seconds * rate)):
                for packet in stream.encode(frame):
                    out.mux(packet)
        out.mux(stream.encode())
    return buffer.getvalue()


def _framed(picture, size: tuple[int, int]):
    from PIL import Image

    canvas = Image.new("RGB", size, "white")
    fitted = picture.convert("RGB")
    fitted.thumbnail(size, Image.Resampling.LANCZOS)
    canvas.paste(fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2))
    return canvas
