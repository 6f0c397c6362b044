"""Search quality on real photos: recall@5 and MRR for natural-language queries, through the real pipeline.

Usage: python bench/search_quality.py
The photos are the real ones shipped inside the scikit-image package (skimage/data); the labels
(which photo each query should find) are ours. Each photo is uploaded and analysed with the configured
offline models (packaged EfficientNet-Lite0 tags, MiniLM text embedding; faces, text and places when
those parts are on), then every query runs through /api/search.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import skimage  # noqa: E402
from PIL import ExifTags, Image  # noqa: E402

from shoebox import create_app  # noqa: E402
from shoebox.ai.registry import clear_cache  # noqa: E402

DATA = Path(skimage.__file__).parent / "data"
PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "horse.png",
          "page.png", "text.png", "hubble_deep_field.jpg", "retina.jpg", "coins.png", "camera.png", "brick.png",
          "grass.png", "moon.png", "clock_motion.png"]
#: query -> the photo(s) a person would expect first
QUERIES = {
    "a cat": ["chelsea.png"],
    "kitten lying down": ["chelsea.png"],
    "cup of coffee": ["coffee.png"],
    "espresso on a saucer": ["coffee.png"],
    "rocket launch": ["rocket.jpg"],
    "space shuttle": ["rocket.jpg"],
    "motorbike": ["motorcycle_left.png"],
    "red motorcycle parked": ["motorcycle_left.png"],
    "horse": ["horse.png"],
    "old coins": ["coins.png"],
    "money": ["coins.png"],
    "galaxies in deep space": ["hubble_deep_field.jpg"],
    "a brick wall": ["brick.png"],
    "lawn of green grass": ["grass.png"],
    "the moon": ["moon.png"],
    "a clock": ["clock_motion.png"],
    "photographer with a camera on a tripod": ["camera.png"],
    "woman astronaut in a space suit": ["astronaut.png"],
    "a page of printed text": ["page.png"],
    "eye fundus retina scan": ["retina.jpg"],
    # words printed in the photo (read by OCR)
    "segmentation": ["page.png"],
    "histogram": ["page.png"],
    # places (GPS written into the photo below, resolved offline)
    "paris": ["coffee.png"],
    "photos from japan": ["rocket.jpg"],
    # people (the face found in the astronaut photo, named as a user would on the People page)
    "eileen collins": ["astronaut.png"],
}
#: Where some photos were "taken": (latitude, longitude) written into their EXIF before upload.
GPS = {"coffee.png": (48.8566, 2.3522), "rocket.jpg": (30.3753, 130.9573)}  # Paris; Tanegashima, Japan
NAMES = {"astronaut.png": "Eileen Collins"}


def build(data: str):
    clear_cache()
    app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                      "CAPTION_MODEL": "none"}, env_file=None)
    client = app.test_client()
    token = client.post("/api/auth/register", json={"email": "q@example.com", "password": "quality bench 1"}
                        ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for number, name in enumerate(PHOTOS):  # a camera-like name, so the file name gives nothing away
        upload = (io.BytesIO(with_gps(name)), f"IMG_{number:04d}{Path(name).suffix}")
        reply = client.post("/api/photos", data={"files": [upload]}, headers=headers)
        assert reply.status_code == 201, reply.json
        name_people(client, headers, reply.json["photos"][0]["id"], NAMES.get(name))
    return client, headers


def with_gps(name: str) -> bytes:
    """The photo's bytes, with GPS EXIF added where GPS says where it was taken."""
    data = (DATA / name).read_bytes()
    if name not in GPS:
        return data
    image, exif = Image.open(io.BytesIO(data)), Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for (ref, key), value, sign in zip(((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude),
                                        (ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude)),
                                       GPS[name], ("NS", "EW"), strict=True):
        gps[ref] = sign[value < 0]
        gps[key] = (float(int(abs(value))), float(int(abs(value) * 60 % 60)), round(abs(value) * 3600 % 60, 2))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def name_people(client, headers, photo_id: int, name: str | None) -> None:
    """Give the people found in this photo a name, as a user does on the People page."""
    if not name:
        return
    for face in client.get(f"/api/photos/{photo_id}", headers=headers).json.get("faces", []):
        if face["person_id"]:
            client.patch(f"/api/people/{face['person_id']}", json={"name": name}, headers=headers)


def original_name(upload_name: str) -> str:
    return PHOTOS[int(upload_name[4:8])]


def evaluate(client, headers) -> tuple[float, float, list[str]]:
    hits5, reciprocal, lines = 0, 0.0, []
    for query, expected in QUERIES.items():
        found = [original_name(item["filename"]) for item in client.get("/api/search", query_string={"q": query},
                                                          headers=headers).json["items"]]
        rank = next((n for n, name in enumerate(found, 1) if name in expected), None)
        hits5 += bool(rank and rank <= 5)
        reciprocal += 1 / rank if rank else 0.0
        lines.append(f"  {query!r:45} rank {rank or '-':>2}  top: {', '.join(found[:3]) or '(nothing)'}")
    return hits5 / len(QUERIES), reciprocal / len(QUERIES), lines


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        client, headers = build(data)
        recall, mrr, lines = evaluate(client, headers)
    print("\n".join(lines))
    print(f"{len(QUERIES)} queries over {len(PHOTOS)} photos: recall@5 {recall:.2f}, MRR {mrr:.2f}")


if __name__ == "__main__":
    main()
