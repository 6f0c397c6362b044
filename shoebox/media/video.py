"""Video files through PyAV (FFmpeg, bundled in its wheels): what a clip is, its metadata, and its poster frame.

A clip enters Shoebox as the picture of its poster frame: `open_video` is the videos' opener in media.formats, so
thumbnails, previews, the full-size rendition and the analysis models (tags, faces, OCR, embeddings) read a video
the way they read a photo, and `read_video_metadata` its metadata reader; the analysis also reads a few
later frames (`analysis_frames`). A file is taken for a video by its
signature (an ISO-BMFF `ftyp` of a video brand, a QuickTime atom, an EBML header saying "webm", a RIFF AVI),
then opened by the one FFmpeg demuxer of that family, never probed by all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import av
from PIL import Image, ImageStat, UnidentifiedImageError

from shoebox.media.dates import parse_local
from shoebox.media.errors import DamagedFile, TooManyPixels, UnsupportedFormat
from shoebox.media.metadata import PhotoMetadata

av.logging.set_level(av.logging.ERROR)  # FFmpeg's warnings about odd files go nowhere useful

#: The FFmpeg demuxer that opens each format's files.
DEMUXERS = {"MP4": "mov", "MOV": "mov", "M4V": "mov", "3GP": "mov", "WEBM": "matroska", "AVI": "avi"}
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")
#: ISO-BMFF brands of video files (others, such as heic, avif, crx, are pictures and left to their openers).
_MP4_BRANDS = ("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "mp71", "dash", "msnv",
               "f4v ", "xavc", "mmp4", "kddi")
#: Codecs Chromium, Firefox and Safari all play inside MP4/WebM; anything else gets a rendition (renditions.py).
WEB_VIDEO = frozenset({"h264", "vp8", "vp9", "av1"})
WEB_AUDIO = frozenset({"aac", "mp3", "opus", "vorbis", "flac"})
WEB_CONTAINERS = frozenset({"MP4", "MOV", "M4V", "WEBM"})
#: A poster is looked for here first: a second in, or a tenth of the way into a clip shorter than ten seconds.
POSTER_SECONDS = 1.0
#: Mean brightness (0-255) under which a frame is "black" (a fade-in, a lens cap) and a later one is tried.
DARK = 24
#: At most this many frames are decoded looking for one poster candidate (a damaged index cannot loop long).
MAX_FRAMES = 600
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")


@dataclass
class VideoInfo:
    """What a clip's container and streams say, read when it is opened."""

    format: str
    duration_ms: int | None
    codec: str
    frame_rate: float | None
    audio_codec: str | None
    pixel_format: str | None
    rotation: int
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def web_playable(self) -> bool:
        """Whether browsers play the original as it is (else it needs a rendition)."""
        eight_bit = self.codec != "h264" or self.pixel_format in (None, "yuv420p", "yuvj420p")
        return (self.format in WEB_CONTAINERS and self.codec in WEB_VIDEO and eight_bit
                and (self.audio_codec is None or self.audio_codec in WEB_AUDIO))


def sniff(path: Path) -> str | None:
    """The video format of the file at `path` by its first bytes (MP4, MOV, M4V, 3GP, WEBM, AVI), or None."""
    with open(path, "rb") as file:
        head = file.read(64)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "WEBM" if b"webm" in head else None
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI"
    if head[4:8] == b"ftyp":
        return _brand_format(head)
    return "MOV" if head[4:8] in _QUICKTIME_ATOMS else None


def _brand_format(head: bytes) -> str | None:
    size = int.from_bytes(head[:4], "big")
    brands = [head[i:i + 4].decode("latin-1").lower() for i in range(8, min(size, len(head)), 4) if i != 12]
    major = brands[0] if brands else ""
    if major == "qt  ":
        return "MOV"
    if major.startswith("m4v"):
        return "M4V"
    if major.startswith(("3gp", "3g2", "3ge")):
        return "3GP"
    if major in _MP4_BRANDS or major.startswith("iso") or any(b in ("isom", "mp41", "mp42") for b in brands[1:]):
        return "MP4"
    return None


def open_video(path: Path) -> Image.Image:
    """The clip at `path` as its poster frame, upright, with its VideoInfo in `info["video"]`; raises
    UnidentifiedImageError for a file that is not a video (the next opener is asked)."""
    name = sniff(Path(path))
    if name is None:
        raise UnidentifiedImageError(f"not a video: {path}")
    try:
        with av.open(str(path), format=DEMUXERS[name]) as container:
            info, poster = _read(container, name)
    except (av.error.FFmpegError, EOFError, ValueError, IndexError) as exc:
        raise DamagedFile(f"the video is damaged and cannot be read ({' '.join(str(exc).split())[:200]})") from exc
    poster = _upright(poster, info.rotation)
    poster.format = name
    poster.info["video"] = info
    return poster


def _read(container: av.container.InputContainer, name: str) -> tuple[VideoInfo, Image.Image]:
    if not container.streams.video:
        raise UnsupportedFormat(f"{name} files without a video stream (sound only) are not supported")
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > (Image.MAX_IMAGE_PIXELS or 1 << 31):
        raise TooManyPixels(f"{width}x{height} video frames are more than the limit")
    # No frame threads: a container closed while they hold frames (a poster is found mid-stream) can hang in FFmpeg.
    duration = _duration(container, stream)
    frame, rotation = _poster(container, stream, duration)
    audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
    rate = stream.average_rate or stream.guessed_rate
    tags = {k.lower(): v for k, v in {**stream.metadata, **container.metadata}.items() if isinstance(v, str)}
    info = VideoInfo(name, round(duration * 1000) if duration else None, stream.codec_context.name,
                     round(float(rate), 3) if rate else None, audio, stream.codec_context.pix_fmt, rotation, tags)
    return info, frame


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float | None:
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _poster(container, stream, duration: float | None) -> tuple[Image.Image, int]:
    """The first bright enough frame among a few moments of the clip (the brightest if all are dark), with the
    clip's rotation (counter-clockwise degrees) read from the frame."""
    first = min(POSTER_SECONDS, duration / 10) if duration else 0.0
    moments = [first, first + 1, *((duration * 0.25, duration * 0.5) if duration else ())]
    best: tuple[float, Image.Image, int] | None = None
    for moment in dict.fromkeys(m for m in moments if not duration or m < duration):
        frame = _frame_at(container, stream, moment)
        if frame is None:
            continue
        picture = frame.to_image()
        light = ImageStat.Stat(picture.convert("L").reduce(max(1, min(picture.size) // 64))).mean[0]
        if best is None or light > best[0]:
            best = (light, picture, int(frame.rotation or 0))
        if light >= DARK:
            break
    if best is None:
        raise DamagedFile("no frame of the video can be decoded")
    return best[1], best[2]


def _frame_at(container, stream, seconds: float, steps: int = MAX_FRAMES):
    """The first frame at or after `seconds` (the last one, where the clip ends first, or after `steps` frames
    decoded); None if none decodes."""
    if seconds > 0 and stream.time_base:
        start = stream.start_time or 0
        try:
            container.seek(start + int(seconds / stream.time_base), stream=stream, backward=True)
        except av.error.FFmpegError:
            container.seek(0)
    else:
        container.seek(0)
    last = None
    for count, frame in enumerate(container.decode(stream)):
        last = frame
        if frame.time is None or frame.time >= seconds - 0.02 or count >= steps:
            break
    return last


#: Where in a clip the analysis looks besides the poster (shares of its duration); at most this many more frames.
ANALYSIS_MOMENTS = (0.25, 0.5, 0.75)
#: Frames decoded past the keyframe before a moment at most (about 2 s of a phone's clip): a clip with few
#: keyframes costs little, and its frame is then the nearest one reached.
ANALYSIS_STEPS = 48


def analysis_frames(path: Path, side: int) -> list[Image.Image]:
    """A few frames of the clip at `path` besides its poster (at 25%, 50% and 75% of it), upright RGB, no larger
    than `side`: each found by seeking to the keyframe before its moment, so a long clip costs little. A frame
    that is the same as the one before (a clip with one keyframe) is left out; none where the clip has no
    duration or cannot be read (its poster alone is analysed)."""
    name = sniff(Path(path))
    if name is None:
        return []
    try:
        with av.open(str(path), format=DEMUXERS[name]) as container:
            return _frames(container, side)
    except (av.error.FFmpegError, EOFError, ValueError, IndexError):
        return []


def _frames(container, side: int) -> list[Image.Image]:
    if not container.streams.video:
        return []
    stream = container.streams.video[0]
    duration = _duration(container, stream)
    pictures, seen = [], set()
    for share in ANALYSIS_MOMENTS if duration else ():
        frame = _frame_at(container, stream, duration * share, ANALYSIS_STEPS)
        if frame is None or frame.pts in seen:
            continue
        seen.add(frame.pts)
        picture = frame.to_image()
        picture.thumbnail((side, side), Image.Resampling.BICUBIC)
        pictures.append(_upright(picture, int(frame.rotation or 0)).convert("RGB"))
    return pictures


def _upright(picture: Image.Image, rotation: int) -> Image.Image:
    turn = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    step = turn.get(rotation % 360)
    return picture.transpose(step) if step is not None else picture


def read_video_metadata(image: Image.Image, format_name: str, mime_type: str) -> PhotoMetadata:
    """The metadata of a clip opened by `open_video`: size as shown, duration, codec, frame rate, date, camera
    and place, from the container's tags (QuickTime keys, MP4 user data, Matroska and RIFF tags)."""
    info: VideoInfo = image.info["video"]
    meta = PhotoMetadata(format=format_name, mime_type=mime_type, width=image.width, height=image.height,
                         media_type="video", duration_ms=info.duration_ms, video_codec=info.codec[:16],
                         frame_rate=info.frame_rate, rendition_status=None if info.web_playable else "queued")
    tags = info.tags
    meta.camera_make = _first(tags, "com.apple.quicktime.make", "make", "com.android.manufacturer")
    meta.camera_model = _first(tags, "com.apple.quicktime.model", "model", "com.android.model")
    when = _taken(tags)
    if when:
        meta.taken_at, meta.taken_at_offset, meta.taken_at_source = *when, "qt"
    place = iso6709(_first(tags, "com.apple.quicktime.location.iso6709", "location", "location-eng"))
    if place:
        meta.gps_latitude, meta.gps_longitude, meta.gps_altitude = place
    return meta


def _first(tags: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        value = (tags.get(key) or "").strip("\x00 ")
        if value:
            return value
    return None


def _taken(tags: dict[str, str]) -> tuple | None:
    """The local time with its offset (Apple's creationdate), else the UTC creation time; a zero date (1904 or
    1970, what encoders write for none) is no date."""
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        found = parse_local(tags.get(key) or "")
        if found and found[0].year > 1970:
            return found
    return None


def iso6709(text: str | None) -> tuple[float, float, float | None] | None:
    """(latitude, longitude, altitude) from an ISO 6709 point ("+48.8584+002.2945+035.000/"), in decimal degrees
    or the DDMM(SS) forms; None where it is not one or lies off the globe."""
    match = _ISO6709.match(text or "")
    if not match:
        return None
    lat, lon = _degrees(match.group(1), 2), _degrees(match.group(2), 3)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    altitude = round(float(match.group(3)), 2) if match.group(3) else None
    return round(lat, 7), round(lon, 7), altitude


def _degrees(text: str, width: int) -> float | None:
    """±D.D, ±DDMM.M or ±DDMMSS.S (width: digits of whole degrees, 2 for latitude, 3 for longitude)."""
    sign = -1 if text[0] == "-" else 1
    whole, _, fraction = text[1:].partition(".")
    digits = len(whole) - width
    if digits not in (0, 2, 4):
        return None
    parts = [whole[:width], whole[width:width + 2], whole[width + 2:]][: 1 + digits // 2]
    parts[-1] += f".{fraction}" if fraction else ""
    value = sum(float(part) / 60 ** i for i, part in enumerate(parts))
    return sign * value

