"""Issue 15, item 1: whatever a decoder raises for one file becomes that file's 4xx entry in the batch's errors;
the files after it are still read and stored (upload, import, thumbnail repair, analysis)."""

from __future__ import annotations

import contextlib
import random
import zlib
from pathlib import Path

import pillow_heif  # noqa: F401  (lets the samples be written as HEIF)
import pytest
from PIL import features

from shoebox.media.errors import MediaError
from shoebox.media.files import inspect
from tests.conftest import make_image, make_jpeg
from tests.media.format_samples import make_dng, make_jxl
from tests.media.samples import (
    DECODER_ERRORS,
    dds_with_unknown_pixel_format,
    encoded,
    gradient,
    hostile_file,
    register_hostile_plugin,
)

#: (status, code) of the batch's entry for a decoder that raises this while reading the pixels.
AT_LOAD = {"NotImplementedError": (415, "unsupported_type"), "MemoryError": (413, "image_too_large"),
           "DecompressionBombError": (413, "image_too_large")}
#: While opening, Pillow takes these as "not my format" and asks the next plug-in.
AT_OPEN = {**AT_LOAD, **{name: (415, "not_an_image") for name in ("SyntaxError", "IndexError", "EOFError",
                                                                  "struct.error")}}
CORRUPT = (400, "corrupt_image")


@pytest.fixture
def hostile_plugin():
    unregister = register_hostile_plugin()
    yield
    unregister()


def _good(i: int) -> bytes:
    return make_jpeg(color=(i * 50 % 256, 90, 20))


def _assert_batch_went_on(reply, bad: str, expected: tuple[int, str]) -> None:
    assert reply.status_code == 201, reply.json
    assert [p["filename"] for p in reply.json["photos"]] == ["first.jpg", "third.jpg"]
    (error,) = reply.json["errors"]
    assert (error["filename"], error["error"]["code"]) == (bad, expected[1])
    assert bad in error["error"]["message"]


def test_a_dds_pillow_cannot_open_is_refused_and_the_rest_of_the_batch_is_stored(alice):
    reply = alice.upload(("first.jpg", _good(1)), ("texture.dds", dds_with_unknown_pixel_format()),
                         ("third.jpg", _good(2)))
    _assert_batch_went_on(reply, "texture.dds", (415, "unsupported_type"))
    assert "not supported" in reply.json["errors"][0]["error"]["message"]


def test_a_batch_of_only_such_a_dds_answers_415_not_500(alice):
    reply = alice.upload(("texture.dds", dds_with_unknown_pixel_format()))
    assert reply.status_code == 415 and reply.json["errors"][0]["error"]["code"] == "unsupported_type"


@pytest.mark.parametrize("error", DECODER_ERRORS)
def test_any_exception_of_a_decoder_reading_the_pixels_fails_that_file_alone(alice, hostile_plugin, error):
    reply = alice.upload(("first.jpg", _good(1)), ("odd.png", hostile_file("load", error)), ("third.jpg", _good(2)))
    _assert_batch_went_on(reply, "odd.png", AT_LOAD.get(error, CORRUPT))


@pytest.mark.parametrize("error", DECODER_ERRORS)
def test_any_exception_of_a_plugin_opening_the_file_fails_that_file_alone(alice, hostile_plugin, error):
    reply = alice.upload(("first.jpg", _good(1)), ("odd.png", hostile_file("open", error)), ("third.jpg", _good(2)))
    _assert_batch_went_on(reply, "odd.png", AT_OPEN.get(error, CORRUPT))


@pytest.mark.parametrize("error", ["NotImplementedError", "MemoryError", "RuntimeError"])
def test_a_lone_file_a_decoder_fails_on_answers_its_4xx(alice, hostile_plugin, error):
    reply = alice.upload(("odd.png", hostile_file("load", error)))
    assert reply.status_code == AT_LOAD.get(error, CORRUPT)[0]


def _samples() -> dict[str, bytes]:
    picture = gradient()
    samples = {
        "JPEG": encoded(picture, "JPEG"), "progressive JPEG": encoded(picture, "JPEG", progressive=True),
        "PNG": encoded(picture, "PNG"), "interlaced PNG": encoded(picture.convert("P"), "PNG", interlace=1),
        "WEBP": encoded(picture, "WEBP"), "lossless WEBP": encoded(picture, "WEBP", lossless=True),
        "GIF": encoded(picture, "GIF"), "TIFF": encoded(picture, "TIFF"),
        "LZW TIFF": encoded(picture, "TIFF", compression="tiff_lzw"),
        "JPEG TIFF": encoded(picture, "TIFF", compression="jpeg"), "BMP": encoded(picture, "BMP"),
        "HEIF": encoded(picture, "HEIF"),
    }
    if features.check("avif"):
        samples["AVIF"] = encoded(picture, "AVIF")
    samples["JXL"] = make_jxl((160, 120))
    samples["DNG"] = make_dng((160, 120))
    return samples


SAMPLES = _samples()


def _mutations(data: bytes, seed: int, count: int) -> list[bytes]:
    """`count` damaged copies: cut short, header bytes garbled, bytes anywhere garbled, a run zeroed."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        damaged = bytearray(data)
        how = i % 4
        if how == 0:
            damaged = damaged[:rng.randrange(1, len(damaged))]
        elif how in (1, 2):
            reach = min(len(damaged), 300) if how == 1 else len(damaged)
            for _ in range(rng.randint(1, 12)):
                damaged[rng.randrange(reach)] = rng.randrange(256)
        else:
            start = rng.randrange(len(damaged))
            damaged[start:start + 64] = bytes(len(damaged[start:start + 64]))
        out.append(bytes(damaged))
    return out


@pytest.mark.parametrize("name", SAMPLES)
def test_truncated_and_garbled_files_of_every_format_are_taken_or_refused_never_crash(tmp_path: Path, name):
    path = tmp_path / "damaged"
    for damaged in _mutations(SAMPLES[name], seed=zlib.crc32(name.encode()), count=48):
        path.write_bytes(damaged)
        with contextlib.suppress(MediaError):  # refused with a reason: what any damaged file may get
            inspect(path, 10_000_000)


def test_a_batch_mixing_damaged_files_of_every_format_stores_every_good_one_and_names_the_rest(alice):
    damaged = [(f"cut {name}.bin", data[:len(data) // 3]) for name, data in SAMPLES.items()]
    damaged += [(f"garbled {name}.bin", data[:16] + bytes(48) + data[64:]) for name, data in SAMPLES.items()]
    good = [(f"good{i}.jpg", _good(i)) for i in range(3)]
    batch = [good[0], *damaged[:len(damaged) // 2], good[1], *damaged[len(damaged) // 2:], good[2]]
    reply = alice.upload(*batch)
    assert reply.status_code == 201
    stored = [p["filename"] for p in reply.json["photos"]]
    assert [name for name in stored if name.startswith("good")] == ["good0.jpg", "good1.jpg", "good2.jpg"]
    refused = [e["filename"] for e in reply.json["errors"]]
    assert sorted(stored + refused) == sorted(name for name, _ in batch)  # every file answered for
    assert {f"cut {name}.bin" for name in SAMPLES} <= set(refused)
    for error in reply.json["errors"]:
        assert error["error"]["code"] in ("corrupt_image", "not_an_image", "unsupported_type", "image_too_large")
        assert error["filename"] in error["error"]["message"]


def test_import_reports_each_file_a_decoder_fails_on_and_imports_the_rest(app, alice, hostile_plugin, tmp_path):
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(_good(1))
    (folder / "b.png").write_bytes(make_image("PNG", color=(1, 200, 3)))
    (folder / "mislabelled.jpg").write_bytes(dds_with_unknown_pixel_format())
    for error in ("NotImplementedError", "MemoryError", "ZeroDivisionError", "PluginError"):
        (folder / f"odd-{error}.png").write_bytes(hostile_file("load", error))
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(folder), "--user", alice.email])
    assert result.exit_code == 0, result.output
    assert "Imported 2, duplicates 0, failed 5" in result.output
    assert "mislabelled.jpg" in result.output and "odd-PluginError.png" in result.output


def _replace_original(app, alice, photo_id: int, content: bytes) -> None:
    sha256 = alice.get(f"/api/photos/{photo_id}").json["sha256"]
    root = Path(app.config["SETTINGS"].DATA_DIR)
    next(root.glob(f"originals/*/*/{sha256}")).write_bytes(content)
    for thumbnail in root.glob(f"thumbs/**/{sha256}*"):
        thumbnail.unlink()


def test_a_thumbnail_that_cannot_be_rendered_again_answers_4xx_and_others_still_render(app, alice, hostile_plugin):
    bad, good = alice.upload_one("bad.jpg", _good(1)), alice.upload_one("good.jpg", _good(2))
    _replace_original(app, alice, bad["id"], hostile_file("load", "ZeroDivisionError"))
    _replace_original(app, alice, good["id"], _good(2))
    reply = alice.get(f"/api/photos/{bad['id']}/thumbnail?size=small")
    assert reply.status_code == 400 and reply.json["error"]["code"] == "corrupt_image"
    assert alice.get(f"/api/photos/{good['id']}/thumbnail?size=small").status_code == 200


def test_check_repair_renders_every_thumbnail_it_can_and_reports_the_original_it_cannot(app, alice):
    bad, good = alice.upload_one("bad.jpg", _good(1)), alice.upload_one("good.jpg", _good(2))
    _replace_original(app, alice, bad["id"], dds_with_unknown_pixel_format())
    _replace_original(app, alice, good["id"], _good(2))
    result = app.test_cli_runner().invoke(args=["shoebox", "check", "--repair"])
    assert "Traceback" not in result.output and "2 bad thumbnail" in result.output
    assert "now 1 bad thumbnail" in result.output
    assert alice.get(f"/api/photos/{good['id']}/thumbnail?size=small").status_code == 200


def test_analysis_of_a_stored_photo_a_decoder_fails_on_fails_that_photo_alone(app, alice, hostile_plugin):
    bad, good = alice.upload_one("bad.jpg", _good(1)), alice.upload_one("good.jpg", _good(2))
    _replace_original(app, alice, bad["id"], hostile_file("load", "MemoryError"))
    app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "all"])
    failed = alice.get(f"/api/photos/{bad['id']}").json
    assert failed["status"] == "failed" and "more memory" in failed["status_reason"]
    assert alice.get(f"/api/photos/{good['id']}").json["status"] != "failed"
