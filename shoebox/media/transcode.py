"""A web-playable copy of a clip browsers cannot play (HEVC, MPEG-4 Part 2, a 3GP or AVI container): H.264 (libx264)
and AAC in an MP4 whose index comes first ("faststart"), so playback starts before the whole file has come.

PyAV's wheels bundle libx264 and FFmpeg's AAC encoder, so no ffmpeg binary is needed. The clip keeps its size (up
to MAX_SIDE on its longest side), frame timing and display rotation."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av

from shoebox.media.errors import DamagedFile
from shoebox.media.video import DEMUXERS, sniff

#: Longest side of a rendition: a 4K phone clip becomes 1080p (the size browsers play smoothly everywhere).
MAX_SIDE = 1920
#: libx264's quality (lower is better; 23 is its default) and speed (veryfast: about 3x faster than medium for
#: files some 10% larger).
CRF = "23"
PRESET = "veryfast"
_TIME_BASE = Fraction(1, 90000)
#: Progress is reported at most this often, in seconds of the clip.
PROGRESS_EVERY = 0.5
_MUXER_OPTIONS = {"mp4": {"movflags": "+faststart"}}


def transcode(source: Path, target: Path, progress: Callable[[float], None] = lambda done: None) -> None:
    """Write the H.264/AAC MP4 of the clip at `source` to `target`, calling `progress(0..1)` as it goes; raises
    DamagedFile where the clip cannot be decoded."""
    name = sniff(source)
    try:
        with av.open(str(source), format=DEMUXERS.get(name or "", None)) as clip, \
                av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            _copy(clip, out, progress)
    except (av.error.FFmpegError, EOFError, ValueError, IndexError) as exc:
        raise DamagedFile(f"the video cannot be converted ({' '.join(str(exc).split())[:200]})") from exc


def _copy(clip, out, progress: Callable[[float], None]) -> None:
    video_in = clip.streams.video[0]
    video_in.thread_type = "AUTO"
    audio_in = clip.streams.audio[0] if clip.streams.audio else None
    duration = clip.duration / av.time_base if clip.duration else None
    video = _video_stream(out, video_in)
    audio = out.add_stream("aac", rate=48000) if audio_in is not None else None
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000) if audio is not None else None
    rotation, last_pts, reported = None, -1, 0.0
    for packet in clip.demux(*filter(None, (video_in, audio_in))):
        for frame in packet.decode():
            if packet.stream is video_in:
                if rotation is None:
                    rotation = int(frame.rotation or 0)
                    if rotation:
                        video.set_display_rotation(rotation)
                last_pts = _encode_video(out, video, frame, last_pts)
                if duration and frame.time is not None and frame.time - reported >= PROGRESS_EVERY:
                    reported = frame.time
                    progress(min(1.0, frame.time / duration))
            else:
                for sound in resampler.resample(frame):
                    sound.pts = None
                    out.mux(audio.encode(sound))
    out.mux(video.encode())
    if audio is not None:
        out.mux(audio.encode())
    progress(1.0)


def _video_stream(out, source):
    width, height = source.codec_context.width, source.codec_context.height
    scale = min(1.0, MAX_SIDE / max(width, height))
    stream = out.add_stream("libx264", rate=source.average_rate or source.guessed_rate or 30)
    stream.width, stream.height = _even(width * scale), _even(height * scale)
    stream.pix_fmt = "yuv420p"
    stream.codec_context.time_base = _TIME_BASE
    stream.options = {"crf": CRF, "preset": PRESET}
    return stream


def _encode_video(out, stream, frame, last_pts: int) -> int:
    """Encode one frame at its own time (variable frame rates stay in step with the sound); a frame whose time
    does not move forward (a damaged timestamp) is dropped."""
    pts = round(frame.time / _TIME_BASE) if frame.time is not None else last_pts + 1
    if pts <= last_pts:
        return last_pts
    picture = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
    picture.pts, picture.time_base = pts, _TIME_BASE
    out.mux(stream.encode(picture))
    return pts


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def without_metadata(source: Path, target: Path) -> None:
    """Copy the clip at `source` to `target` stream for stream (no re-encoding: as fast as the disk), without the
    container's and streams' tags: its place (ISO 6709), camera and dates stay home when it is shared. The display
    rotation is kept."""
    name = sniff(source) or "MP4"
    muxer = "webm" if name == "WEBM" else "mp4"
    try:
        with av.open(str(source), format=DEMUXERS.get(name)) as clip, \
                av.open(str(target), "w", format=muxer, options=_MUXER_OPTIONS.get(muxer, {})) as out:
            _copy_packets(clip, out)
    except (av.error.FFmpegError, EOFError, ValueError, IndexError) as exc:
        raise DamagedFile(f"the video cannot be copied ({' '.join(str(exc).split())[:200]})") from exc


def _copy_packets(clip, out) -> None:
    streams = [*clip.streams.video[:1], *clip.streams.audio[:1]]
    copies = {}
    for stream in streams:
        copy = out.add_stream_from_template(stream)
        copy.metadata.clear()
        copies[stream.index] = copy
    for packet in clip.demux(*streams):
        if packet.dts is None:
            continue
        packet.stream = copies[packet.stream.index]
        out.mux(packet)
    out.metadata.clear()
