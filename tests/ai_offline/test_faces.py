"""Faces on real photos through the real dlib models."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageOps

from shoebox.ai import clustering
from shoebox.ai.faces import crop

# The astronaut's face in astronaut.png (512 x 512), read off the picture: roughly x 175-265, y 75-170.
FACE_AREA = (175, 75, 265, 170)


def _near(box, expected, tolerance):
    return all(abs(a - b) <= tolerance for a, b in zip(box, expected, strict=True))


def test_the_astronauts_face_is_found_with_a_descriptor(astronaut_face):
    assert _near(astronaut_face.box, FACE_AREA, tolerance=12)
    assert astronaut_face.descriptor.shape == (128,)
    assert astronaut_face.descriptor.dtype == np.float32
    assert np.isfinite(astronaut_face.descriptor).all()
    assert astronaut_face.score > 0.5


def test_boxes_are_in_the_coordinates_of_the_image_given(face_analyzer, photo):
    big = photo("astronaut.png").resize((2048, 2048), Image.Resampling.BICUBIC)  # detected at 800 px inside
    (face,) = face_analyzer.faces(big)
    assert _near(face.box, [4 * v for v in FACE_AREA], tolerance=48)


def test_the_same_face_scaled_and_mirrored_joins_the_same_person(face_analyzer, photo, other_face, astronaut_face):
    people = {1: astronaut_face.descriptor, 2: face_analyzer.faces(other_face(1))[0].descriptor}
    astronaut = photo("astronaut.png")
    smaller = astronaut.resize((300, 300), Image.Resampling.LANCZOS)
    mirrored = ImageOps.mirror(astronaut)
    for variant in (smaller, mirrored):
        (face,) = face_analyzer.faces(variant)
        assert clustering.distance(face.descriptor, astronaut_face.descriptor) < 0.3
        assert clustering.assign(face.descriptor, people) == 1
    (mirrored_face,) = face_analyzer.faces(mirrored)
    assert _near(mirrored_face.box, (512 - FACE_AREA[2], FACE_AREA[1], 512 - FACE_AREA[0], FACE_AREA[3]), 12)


@pytest.mark.parametrize("index", [1, 2, 3])
def test_a_different_person_does_not_join_the_astronaut(face_analyzer, other_face, astronaut_face, index):
    faces = face_analyzer.faces(other_face(index))
    assert len(faces) == 1
    assert clustering.distance(faces[0].descriptor, astronaut_face.descriptor) > 0.6
    assert clustering.assign(faces[0].descriptor, {1: astronaut_face.descriptor}) is None


def test_recluster_puts_the_astronauts_faces_together_and_apart_from_others(face_analyzer, photo, other_face,
                                                                           astronaut_face):
    astronaut = photo("astronaut.png")
    variants = [astronaut_face, face_analyzer.faces(ImageOps.mirror(astronaut))[0],
                face_analyzer.faces(astronaut.resize((350, 350)))[0]]
    others = [face_analyzer.faces(other_face(i))[0] for i in (1, 2, 3)]
    labels = clustering.recluster(np.stack([f.descriptor for f in variants + others]))
    assert labels[0] == labels[1] == labels[2]
    assert labels[0] not in labels[3:]


@pytest.mark.parametrize("name", ["coffee.png", "rocket.jpg", "chelsea.png"])
def test_photos_without_faces_give_an_empty_list(face_analyzer, photo, name):
    assert face_analyzer.faces(photo(name)) == []


@pytest.mark.parametrize("mode", ["L", "RGBA", "P"])
def test_greyscale_rgba_and_palette_images_are_understood(face_analyzer, photo, mode):
    (face,) = face_analyzer.faces(photo("astronaut.png").convert(mode))
    assert _near(face.box, FACE_AREA, tolerance=12)


def test_a_blank_or_tiny_image_has_no_faces(face_analyzer):
    assert face_analyzer.faces(Image.new("RGB", (640, 480), "white")) == []
    assert face_analyzer.faces(Image.new("RGB", (1, 1))) == []


def test_crop_is_a_square_thumbnail_with_margin_around_the_face(photo, astronaut_face):
    thumbnail = crop(photo("astronaut.png"), astronaut_face.box)
    assert thumbnail.size == (160, 160)
    assert thumbnail.mode == "RGB"
    # The face fills the middle: skin tones there, not the dark suit or the grey backdrop.
    red, green, blue = thumbnail.getpixel((80, 90))
    assert red > blue


def test_crop_near_the_edge_stays_inside_the_picture():
    image = Image.new("L", (100, 60), 200)
    thumbnail = crop(image, (0, 0, 40, 40), size=64)
    assert thumbnail.size == (64, 64)
    assert thumbnail.getextrema() == ((200, 200), (200, 200), (200, 200))  # no black padding


def test_threads_sharing_one_analyzer_get_the_same_answer(face_analyzer, photo, astronaut_face):
    astronaut = photo("astronaut.png")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: face_analyzer.faces(astronaut), range(3)))
    for faces in results:
        assert [f.box for f in faces] == [astronaut_face.box]
        np.testing.assert_allclose(faces[0].descriptor, astronaut_face.descriptor, atol=1e-5)
