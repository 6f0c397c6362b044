"""Which library reads a photo's metadata: Pillow, pyexiv2 or python-exiv2 (`exiv2`), on the same files.

Usage: python bench/metadata.py [--repeat 200] [--fuzz 3000]
Writes three files carrying full metadata (a 12 MP JPEG with EXIF, XMP and IPTC written by pyexiv2 itself; a
PNG and a HEIC with EXIF and XMP), then for each reader: the time to read everything per file, and which of the
fields Shoebox needs it found. Also a JPEG whose camera model is Latin-1 (not UTF-8). `--fuzz N` reads N damaged
copies (random bytes changed in the metadata, or the file cut short) with each library in a child process and
counts the processes that crashed. Needs pyexiv2 (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import random
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, IptcImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import exiv2  # noqa: E402
import pyexiv2  # noqa: E402

from shoebox.media import formats  # noqa: E402, F401  (registers the HEIF opener)
from shoebox.media.metadata import read_file_tags  # noqa: E402

EXIF = {"Exif.Image.Make": "NIKON CORPORATION", "Exif.Image.Model": "NIKON D850",
        "Exif.Image.DateTime": "2021:06:01 10:00:00", "Exif.Image.Orientation": "1",
        "Exif.Photo.DateTimeOriginal": "2021:05:30 14:22:01", "Exif.Photo.DateTimeDigitized": "2021:05:30 14:22:01",
        "Exif.Photo.OffsetTimeOriginal": "+02:00", "Exif.Photo.LensModel": "24-70mm f/2.8",
        "Exif.Photo.ExposureTime": "1/250", "Exif.Photo.FNumber": "28/10", "Exif.Photo.ISOSpeedRatings": "200",
        "Exif.Photo.FocalLength": "50/1", "Exif.GPSInfo.GPSLatitudeRef": "N",
        "Exif.GPSInfo.GPSLatitude": "48/1 51/1 2964/100", "Exif.GPSInfo.GPSLongitudeRef": "E",
        "Exif.GPSInfo.GPSLongitude": "2/1 17/1 4032/100", "Exif.GPSInfo.GPSAltitudeRef": "0",
        "Exif.GPSInfo.GPSAltitude": "35/1"}
XMP = {"Xmp.exif.DateTimeOriginal": "2021-05-30T14:22:01+02:00", "Xmp.xmp.CreateDate": "2021-05-30T14:22:01+02:00",
       "Xmp.photoshop.DateCreated": "2021-05-30T14:22:01+02:00", "Xmp.photoshop.City": "Paris",
       "Xmp.dc.creator": ["Ann"]}
IPTC = {"Iptc.Application2.DateCreated": "2021-05-30", "Iptc.Application2.TimeCreated": "14:22:01+02:00",
        "Iptc.Application2.Keywords": ["city", "river"], "Iptc.Application2.City": "Paris"}
#: What Shoebox needs, as (label, exiv2 key): each reader is asked for these.
NEEDED = [("EXIF DateTimeOriginal", "Exif.Photo.DateTimeOriginal"), ("EXIF Make", "Exif.Image.Make"),
          ("EXIF Model", "Exif.Image.Model"), ("EXIF GPS", "Exif.GPSInfo.GPSLatitude"),
          ("XMP exif:DateTimeOriginal", "Xmp.exif.DateTimeOriginal"), ("XMP xmp:CreateDate", "Xmp.xmp.CreateDate"),
          ("XMP photoshop:DateCreated", "Xmp.photoshop.DateCreated"),
          ("IPTC DateCreated", "Iptc.Application2.DateCreated"), ("IPTC TimeCreated", "Iptc.Application2.TimeCreated")]
_PILLOW_KEYS = {"Exif.Photo.DateTimeOriginal": ("exif", ExifTags.IFD.Exif, 0x9003), "Exif.Image.Make": ("exif", 0, 271),
                "Exif.Image.Model": ("exif", 0, 272), "Exif.GPSInfo.GPSLatitude": ("exif", ExifTags.IFD.GPSInfo, 2),
                "Xmp.exif.DateTimeOriginal": ("xmp", "DateTimeOriginal"), "Xmp.xmp.CreateDate": ("xmp", "CreateDate"),
                "Xmp.photoshop.DateCreated": ("xmp", "DateCreated"),
                "Iptc.Application2.DateCreated": ("iptc", (2, 55)), "Iptc.Application2.TimeCreated": ("iptc", (2, 60))}


def make_files(folder: Path, width: int = 4000) -> list[Path]:
    """A JPEG of `width` x 3/4 `width` with EXIF, XMP and IPTC, and a PNG and a HEIC of 3/10 that with EXIF and
    XMP, written by pyexiv2."""
    folder.mkdir(parents=True, exist_ok=True)
    y, x = np.mgrid[0:width * 3 // 4, 0:width]
    pixels = np.stack([(x // 16) % 256, (y // 12) % 256, ((x + y) // 20) % 256], -1).astype(np.uint8)
    pixels += np.random.default_rng(1).integers(0, 24, pixels.shape, dtype=np.uint8)  # grain: a camera-like size
    picture = Image.fromarray(pixels)
    jpeg, png, heic = folder / "camera.jpg", folder / "edited.png", folder / "phone.heic"
    picture.save(jpeg, quality=90)
    with pyexiv2.Image(str(jpeg)) as image:
        image.modify_exif(EXIF), image.modify_xmp(XMP), image.modify_iptc(IPTC)
    small = picture.resize((max(8, width * 3 // 10), max(6, width * 9 // 40)))
    small.save(png)
    with pyexiv2.Image(str(png)) as image:
        image.modify_exif(EXIF), image.modify_xmp(XMP)
    with Image.open(jpeg) as source:
        small.save(heic, exif=source.getexif().tobytes(), xmp=source.info["xmp"], quality=80)
    return [jpeg, png, heic]


def latin1_jpeg(folder: Path) -> Path:
    """A JPEG whose camera model holds the Latin-1 byte é (old cameras and scanners write such bytes)."""
    tiff = b"II*\x00\x08\x00\x00\x00\x01\x00" + struct.pack("<HHII", 272, 2, 13, 26) + b"\x00\x00\x00\x00"
    tiff += b"Digilux Caf\xe9\x00"
    segment = b"Exif\x00\x00" + tiff
    path = folder / "latin1.jpg"
    Image.new("RGB", (64, 48), (90, 90, 90)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[:2] + b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment + data[2:])
    return path


# -- the readers: each returns {exiv2 key: text} for the NEEDED keys it found ------------------------------------
def pillow_fields(image: Image.Image) -> dict[str, str]:
    """Each block read on its own, so a damaged one costs only its own fields."""
    blocks = {"exif": _quietly(image.getexif, Image.Exif()), "xmp": _quietly(lambda: image.getxmp().get(
        "xmpmeta", {}).get("RDF", {}).get("Description", {}), {}),
              "iptc": _quietly(lambda: IptcImagePlugin.getiptcinfo(image) or {}, {}) if image.format == "JPEG" else {}}
    found = {}
    for key, (block, *where) in _PILLOW_KEYS.items():
        if block == "exif":
            value = _quietly(lambda where=where: (blocks["exif"].get_ifd(where[0]) if where[0] else blocks["exif"])
                             .get(where[1]))
        else:
            value = blocks[block].get(where[0]) if isinstance(blocks[block], dict) else None
        if value is not None:
            found[key] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return found


def _quietly(read, default=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return read()
        except Exception:
            return default


def pillow_open_and_read(path: Path) -> dict[str, str]:
    with Image.open(path) as image:
        return pillow_fields(image)


def pyexiv2_read(path: Path) -> dict[str, str]:
    with pyexiv2.Image(str(path)) as image:
        found = {**image.read_exif(), **image.read_xmp(), **image.read_iptc()}
    return {key: str(found[key]) for _, key in NEEDED if key in found}


def exiv2_read(path: Path) -> dict[str, str]:
    image = exiv2.ImageFactory.open(str(path))
    image.readMetadata()
    found = {datum.key(): datum.toString() for data in (image.exifData(), image.xmpData(), image.iptcData())
             for datum in data}
    return {key: found[key] for _, key in NEEDED if key in found}


def shoebox_read(path: Path) -> dict[str, str]:
    found = read_file_tags(path)
    return {key: found[key].text for _, key in NEEDED if key in found}


READERS = {"Pillow (open + read)": pillow_open_and_read, "pyexiv2 2.16.0": pyexiv2_read,
           "python-exiv2 0.19.2, every datum": exiv2_read, "Shoebox (python-exiv2, its keys)": shoebox_read}


def time_reader(read, path: Path, repeat: int, rounds: int = 5) -> float:
    """The best of `rounds` rounds (others' work on a shared machine only ever adds time)."""
    read(path)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat // rounds):
            read(path)
        best = min(best, (time.perf_counter() - start) / (repeat // rounds) * 1000)
    return best


def time_pillow_on_open_image(path: Path, repeat: int, rounds: int = 5) -> float:
    """Pillow where the image is already open for its thumbnails: only the metadata reading counts."""
    best = float("inf")
    for _ in range(rounds):
        total = 0.0
        for _ in range(repeat // rounds):
            with Image.open(path) as image:
                start = time.perf_counter()
                pillow_fields(image)
                total += time.perf_counter() - start
        best = min(best, total / (repeat // rounds) * 1000)
    return best


def report_speed_and_fields(files: list[Path], repeat: int) -> None:
    print(f"| reader | {' | '.join(p.name for p in files)} |\n|---|" + "---|" * len(files))
    print(f"| Pillow, image already open (ms) | "
          f"{' | '.join(f'{time_pillow_on_open_image(p, repeat):.2f}' for p in files)} |")
    for name, read in READERS.items():
        print(f"| {name} (ms) | {' | '.join(f'{time_reader(read, p, repeat):.2f}' for p in files)} |")
    print("\nFields found (of " + ", ".join(label for label, _ in NEEDED) + "):")
    for name, read in READERS.items():
        counts = []
        for path in files:
            try:
                counts.append(f"{path.name} {len(read(path))}")
            except Exception as exc:  # a reader that fails on a file says so
                counts.append(f"{path.name} failed ({type(exc).__name__})")
        print(f"  {name}: {', '.join(counts)}")


def report_latin1(path: Path) -> None:
    print("\nCamera model written in Latin-1 (b'Digilux Caf\\xe9'):")
    for name, read in READERS.items():
        try:
            print(f"  {name}: {read(path).get('Exif.Image.Model')!r}")
        except Exception as exc:
            print(f"  {name}: failed, the whole EXIF block is lost ({type(exc).__name__}: {exc})")


_CHILD = """
import sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import exiv2, pyexiv2
from bench.metadata import READERS
pyexiv2.set_log_level(4)
exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)
read = READERS[{name!r}]
paths = open(sys.argv[1]).read().split()
for path in paths[int(sys.argv[2]):]:
    try:
        dated = "Exif.Photo.DateTimeOriginal" in read(path)
    except Exception:
        dated = False
    print(int(dated), flush=True)
"""


def report_robustness(count: int, folder: Path) -> None:
    """Damaged copies of small files with the same metadata, read by each library in a child process: crashes
    counted."""
    rng = random.Random(7)
    small = make_files(folder / "small", width=64)
    damaged = []
    for i in range(count):
        data = bytearray(small[i % len(small)].read_bytes())
        if rng.random() < 0.8:
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(min(len(data), 70_000))] = rng.randrange(256)
        else:
            data = data[:rng.randrange(min(len(data), 70_000))]
        path = folder / f"damaged-{i}{small[i % len(small)].suffix}"
        path.write_bytes(bytes(data))
        damaged.append(str(path))
    listing = folder / "damaged.txt"
    listing.write_text("\n".join(damaged))
    root = str(Path(__file__).resolve().parent.parent)
    print(f"\nDamaged copies ({count}) read in a child process: crashes (the process died), and copies whose "
          f"DateTimeOriginal was still read")
    for name in READERS:
        crashes, done, dated = 0, 0, 0
        while done < count:
            child = subprocess.run([sys.executable, "-c", _CHILD.format(root=root, name=name), str(listing),
                                    str(done)], capture_output=True, text=True)
            answers = [line for line in child.stdout.split() if line in ("0", "1")]
            done, dated = done + len(answers), dated + sum(map(int, answers))
            if child.returncode != 0:
                crashes, done = crashes + 1, done + 1
        print(f"  {name}: {crashes} crashes, date read from {dated}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--fuzz", type=int, default=0)
    args = parser.parse_args()
    pyexiv2.set_log_level(4)
    exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_files(folder)
        report_speed_and_fields(files, args.repeat)
        report_latin1(latin1_jpeg(folder))
        if args.fuzz:
            report_robustness(args.fuzz, folder)


if __name__ == "__main__":
    main()
