"""`flask shoebox import DIR --user EMAIL`."""

from __future__ import annotations

from tests.conftest import make_image, make_jpeg


def test_import_walks_a_folder_skipping_non_images_and_duplicates(app, alice, tmp_path):
    folder = tmp_path / "photos"
    (folder / "2023" / "summer").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(make_jpeg(color=(10, 0, 0)))
    (folder / "2023" / "b.PNG").write_bytes(make_image("PNG", color=(0, 10, 0)))
    (folder / "2023" / "summer" / "copy-of-a.jpg").write_bytes(make_jpeg(color=(10, 0, 0)))
    (folder / "2023" / "summer" / "broken.jpg").write_bytes(b"not really")
    (folder / "readme.txt").write_text("hello")
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(folder), "--user", "ALICE@example.com"])
    assert result.exit_code == 0, result.output
    assert "Imported 2, duplicates 1, failed 1, skipped (not photos or videos) 1." in result.output
    assert "broken.jpg" in result.output
    items = alice.get("/api/photos").json["items"]
    names = sorted(p["filename"] for p in items)
    assert len(names) == 2 and "b.PNG" in names and set(names) - {"b.PNG"} <= {"a.jpg", "copy-of-a.jpg"}
    assert {alice.get(f"/api/photos/{p['id']}").json["taken_at_source"] for p in items} == {"file"}


def test_import_for_an_unknown_user_fails_clearly(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["shoebox", "import", str(tmp_path), "--user", "nobody@example.com"])
    assert result.exit_code != 0 and "no account for nobody@example.com" in result.output
