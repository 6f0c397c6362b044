"""The saved HNSW index (SQLite installs): searches through it answer as brute force does, for every viewer and
filter; it is owner-only, follows photos embedded or deleted by other processes, and a missing or broken file is
rebuilt while searches keep answering.

Two apps share one data directory, as two gunicorn workers do: `brute` never builds the index
(VECTOR_INDEX_MIN_PHOTOS=0), `indexed` builds it from the first search on (=1, jobs run at once)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import delete, event, insert, select

from shoebox.ai.registry import clear_cache
from shoebox.models import VISUAL, Embedding, Photo, PhotoTag
from shoebox.search import embedded, exact
from shoebox.search.ann import GRAPH, VECTORS, AnnFiles, latest
from shoebox.search.service import Searcher
from tests.backends import make_app
from tests.conftest import Account
from tests.search.test_deleted_photos import DOGS, picture

pytestmark = pytest.mark.embedded_only(reason="the saved HNSW index serves SQLite installs; PostgreSQL has pgvector")

SETTINGS = {"WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True, "CAPTION_MODEL": "none", "TAG_MODEL": "none",
            "EMBED_MODEL": "sentence-transformers/all-MiniLM-L6-v2"}
BIKES = ["a red bicycle leaning on a wall", "a child riding a bicycle", "a mountain bike on a trail"]
#: Carol's photos (inserted as rows): more than the graph is asked for, all nearer "a bicycle" than bob's bicycles,
#: so the graph's candidates for it are all hers and bob's results must come from the exact fallback.
CAROL_PHOTOS = 1500
QUERIES = ["q=dog", "q=a dog in the snow", "q=a bicycle", "q=a dog in the snow&tag=dog", "q=dog&sort=date"]


def _app(data_dir, min_photos: int):
    return make_app({"DATA_DIR": str(data_dir), **SETTINGS, "VECTOR_INDEX_MIN_PHOTOS": min_photos})


def _captioned(account: Account, captions: list[str], tag: str, seed: int) -> list[int]:
    ids = []
    for n, caption in enumerate(captions):
        photo = account.upload_one(f"{tag}{n}.jpg", picture(seed + n))
        assert account.patch(f"/api/photos/{photo['id']}", json={"caption": caption, "tags": [tag]}).status_code == 200
        ids.append(photo["id"])
    return ids


def _crowd(app, owner_id: int, near: str) -> None:
    """Photo and embedding rows for `owner_id`, each the embedding of `near` slightly moved."""
    embedder = app.extensions["queue"].analyzer.models().embedder
    target = np.asarray(embedder.embed_texts([near])[0], dtype=np.float32)
    vectors = target + np.random.default_rng(7).normal(0, 0.01, (CAROL_PHOTOS, len(target)))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    when = datetime(2020, 1, 1)
    photos = [dict(user_id=owner_id, sha256=f"{n:064x}", filename=f"c{n}.jpg", format="JPEG", mime_type="image/jpeg",
                   file_size=1, width=1, height=1, taken_at=when + timedelta(hours=n), taken_at_source="exif",
                   status="done") for n in range(CAROL_PHOTOS)]
    with app.extensions["db"].transaction() as session:
        ids = list(session.scalars(insert(Photo).returning(Photo.id), photos))
        session.execute(insert(Embedding), [dict(photo_id=photo_id, kind="text", model=embedder.version,
                                                 dim=len(target), vector=vector.astype("<f2").tobytes())
                                            for photo_id, vector in zip(ids, vectors, strict=True)])


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """alice (twelve dogs), bob (three bicycles) and carol (1500 rows near alice's dogs) in one data directory,
    served by a brute-force app and an indexed one."""
    clear_cache()
    data_dir = tmp_path_factory.mktemp("saved-index")
    brute = _app(data_dir, 0)
    alice, bob, carol = (Account(brute, f"{name}@example.com") for name in ("alice", "bob", "carol"))
    dogs = _captioned(alice, DOGS, "dog", 0)
    bikes = _captioned(bob, BIKES, "bike", 100)
    _crowd(brute, carol.tokens["user"]["id"], "a bicycle")
    indexed = _app(data_dir, 1)
    yield brute, indexed, alice, bob, dogs, bikes
    for app in (brute, indexed):
        app.extensions["db"].dispose()


def search(app, account: Account, query: str) -> list[tuple[int, float]]:
    reply = app.test_client().get(f"/api/search?{query}&limit=100", headers=account.headers)
    assert reply.status_code == 200, reply.json
    return [(item["id"], item["score"]) for item in reply.json["items"]]


def _folders(app) -> list:
    root = app.config["SETTINGS"].data_path / "vectors"
    return sorted(path for path in root.iterdir() if path.is_dir()) if root.is_dir() else []


def _saved(app):
    """The newest generation of the (one) saved index."""
    folders = _folders(app)
    assert len(folders) == 1, folders
    return latest(folders[0])


@pytest.mark.parametrize("exact_rows", [embedded.EXACT_LIBRARY_ROWS, 0], ids=["scored whole", "through the graph"])
@pytest.mark.parametrize("query", QUERIES)
def test_searches_through_the_saved_index_answer_as_brute_force_does(shared, query, exact_rows, monkeypatch):
    brute, indexed, alice, bob, dogs, bikes = shared
    monkeypatch.setattr(embedded, "EXACT_LIBRARY_ROWS", exact_rows)
    search(indexed, alice, query)  # builds the index if it is not there yet
    assert _saved(indexed) is not None
    for account, own in ((alice, dogs), (bob, bikes)):
        expected = search(brute, account, query)
        found = search(indexed, account, query)
        assert found == expected
        assert {photo_id for photo_id, _ in found} <= set(own)  # never another user's photo


def test_a_user_with_few_photos_in_a_big_instance_gets_them_all(shared):
    brute, indexed, _alice, bob, _dogs, bikes = shared
    found = search(indexed, bob, "q=a bicycle")  # carol's photos fill the graph's candidates
    assert len(found) >= 2 and {photo_id for photo_id, _ in found} <= set(bikes)
    assert found == search(brute, bob, "q=a bicycle")


def test_a_small_library_is_scored_exactly_without_the_graph(shared, monkeypatch):
    """A library of at most EXACT_LIBRARY_ROWS photos is scored whole from the file's vectors: exact, and cheaper
    than the shared graph's candidates checked against it. Made to propose nothing, the graph changes nothing for
    bob; counted as a big library, bob then finds nothing (the graph was asked)."""
    brute, indexed, _alice, bob, _dogs, _bikes = shared
    expected = search(brute, bob, "q=a bicycle")
    search(indexed, bob, "q=a bicycle")  # builds the index if it is not there yet
    monkeypatch.setattr(embedded.AnnFile, "search", lambda self, query, count: (np.empty(0, np.int64),
                                                                                 np.empty(0, np.float32)))
    assert search(indexed, bob, "q=a bicycle") == expected
    monkeypatch.setattr(embedded, "EXACT_LIBRARY_ROWS", 0)
    assert _meaning_hits(indexed, bob, "q=a bicycle") == [] != _meaning_hits(brute, bob, "q=a bicycle")


def _meaning_hits(app, account: Account, query: str) -> list[int]:
    reply = app.test_client().get(f"/api/search?{query}&limit=100", headers=account.headers)
    return [item["id"] for item in reply.json["items"] if "meaning" in item["matched"]]


def test_the_saved_index_is_owner_only(shared):
    _brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")
    generation = _saved(indexed)
    for folder in (generation.path.parent.parent, generation.path.parent, generation.path):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for path in generation.path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_photo_embedded_by_another_process_is_found_at_once(shared):
    brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")  # the index is mapped and this process has looked for newer rows
    photo = alice.upload_one("cake.jpg", picture(500))  # through the other app: another process
    assert alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a birthday cake with candles"}
                       ).status_code == 200
    found = search(indexed, alice, "q=birthday cake")
    assert found[0][0] == photo["id"]
    assert found == search(brute, alice, "q=birthday cake")


def test_a_tagged_photo_embedded_by_another_process_is_found_by_the_tag_filter_at_once(shared):
    """The tag filter's photos newer than the file are scored from this process's delta, as the file's are."""
    brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog&tag=dog")  # the index is mapped and this process has looked for newer rows
    photo = alice.upload_one("puppy.jpg", picture(600))  # through the other app: another process
    assert alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a puppy asleep in a basket",
                                                           "tags": ["dog"]}).status_code == 200
    found = search(indexed, alice, "q=a puppy asleep in a basket&tag=dog")
    assert found[0][0] == photo["id"]
    assert found == search(brute, alice, "q=a puppy asleep in a basket&tag=dog")


def test_a_photo_trashed_by_another_process_never_appears_until_restored(shared):
    _brute, indexed, alice, _bob, dogs, _bikes = shared
    before = [photo_id for photo_id, _ in search(indexed, alice, "q=dog")]
    gone = before[1]
    assert alice.delete(f"/api/photos/{gone}").status_code == 204  # deleted through the other app
    after = [photo_id for photo_id, _ in search(indexed, alice, "q=dog")]
    assert gone not in after and len(after) == len(before) - 1
    similar = indexed.test_client().get(f"/api/photos/{before[0]}/similar?limit=50", headers=alice.headers)
    assert gone not in [item["id"] for item in similar.json["items"]]
    assert alice.post("/api/trash/restore", json={"ids": [gone]}).json == {"restored": 1}
    assert gone in [photo_id for photo_id, _ in search(indexed, alice, "q=dog")]


def test_an_update_folds_new_photos_in_and_drops_deleted_ones(shared):
    brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")
    before = _saved(indexed)
    photo = alice.upload_one("boat.jpg", picture(600))
    alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a sailing boat at sea"})
    gone = search(indexed, alice, "q=dog")[0][0]
    assert alice.delete(f"/api/photos/{gone}").status_code == 204  # to Trash: still stored, still in the file
    assert alice.post("/api/trash/delete", json={"ids": [gone]}).status_code == 200  # deleted for good
    kind, model = "text", indexed.extensions["queue"].analyzer.models().embedder.version
    generation = indexed.extensions["queue"].update_vectors(kind, model)
    assert generation.number == before.number + 1
    held = set(np.load(generation.path / "ids.npy").tolist())
    assert photo["id"] in held and gone not in held
    assert search(indexed, alice, "q=sailing boat") == search(brute, alice, "q=sailing boat")


@pytest.mark.parametrize("damage", ["missing", "overwritten", "cut short"])
def test_a_missing_or_broken_index_is_rebuilt_while_searches_answer(shared, damage):
    brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")
    generation = _saved(indexed)
    graph = generation.path / GRAPH
    if damage == "missing":
        for path in generation.path.iterdir():
            path.unlink()
        generation.path.rmdir()
    else:  # a new file in its place, as a restore from a bad backup would leave (never the mapped one changed)
        data = b"not an index" * 100 if damage == "overwritten" else graph.read_bytes()[: graph.stat().st_size // 2]
        graph.unlink()
        graph.write_bytes(data)
    restarted = _app(indexed.config["SETTINGS"].data_path, 1)  # a worker starting on the damaged directory
    try:
        assert search(restarted, alice, "q=dog") == search(brute, alice, "q=dog")
        rebuilt = _saved(restarted)
        assert rebuilt is not None and rebuilt.path != generation.path
        assert search(restarted, alice, "q=a dog in the snow") == search(brute, alice, "q=a dog in the snow")
    finally:
        restarted.extensions["db"].dispose()


def test_a_small_library_is_searched_in_memory_without_a_file(tmp_path):
    clear_cache()
    app = _app(tmp_path / "data", 20_000)
    try:
        alice = Account(app, "alice@example.com")
        dogs = _captioned(alice, DOGS[:3], "dog", 0)
        assert {photo_id for photo_id, _ in search(app, alice, "q=dog")} == set(dogs)
        assert _folders(app) == []
    finally:
        app.extensions["db"].dispose()


def test_reindex_vectors_builds_the_saved_index(tmp_path):
    clear_cache()
    app = _app(tmp_path / "data", 0)
    try:
        alice = Account(app, "alice@example.com")
        _captioned(alice, DOGS[:3], "dog", 0)
        result = app.test_cli_runner().invoke(args=["shoebox", "reindex", "--only", "vectors"])
        assert result.exit_code == 0, result.output
        assert "Built 1 vector index" in result.output
        assert len(np.load(_saved(app).path / "ids.npy")) == 3
    finally:
        app.extensions["db"].dispose()


def test_the_analysis_worker_folds_new_photos_into_the_file(shared, monkeypatch):
    _brute, indexed, alice, _bob, _dogs, _bikes = shared
    monkeypatch.setattr(embedded, "DELTA_MAX", 1)  # fold after every photo instead of every 10,000
    search(indexed, alice, "q=dog")
    before = _saved(indexed)
    photo = alice.upload_one("kite.jpg", picture(700))
    alice.patch(f"/api/photos/{photo['id']}", json={"caption": "a kite over the dunes"})
    indexed.extensions["queue"].analyze([photo["id"]])  # the worker's task, as after an upload
    after = _saved(indexed)
    assert after.number > before.number
    assert photo["id"] in np.load(after.path / "ids.npy").tolist()


def test_more_like_this_by_look_goes_through_its_own_saved_index(tmp_path):
    """Looks ("visual" embeddings, what "more like this" compares) get a saved index of their own, which answers as
    brute force does, never with a photo in Trash or another user's."""
    clear_cache()
    brute, indexed = _app(tmp_path / "data", 0), _app(tmp_path / "data", 1)
    try:
        dave, erin = Account(brute, "dave@example.com"), Account(brute, "erin@example.com")
        mine = _looks(brute, dave.tokens["user"]["id"], seed=1)
        theirs = _looks(brute, erin.tokens["user"]["id"], seed=1)  # the same looks, another user's
        similar = lambda app, photo_id: [(item["id"], item["similarity"]) for item in app.test_client().get(  # noqa: E731
            f"/api/photos/{photo_id}/similar?limit=20", headers=dave.headers).json["items"]]
        found = similar(indexed, mine[0])  # asks for the index (built at once: JOBS_IMMEDIATE)
        assert found == similar(brute, mine[0]) and len(found) == 20
        assert [path.name.split("-")[0] for path in _folders(indexed)] == ["visual"]
        assert similar(indexed, mine[0]) == found  # now through the saved index
        assert not {photo_id for photo_id, _ in found} & set(theirs)
        binned = found[0][0]
        assert dave.delete(f"/api/photos/{binned}").status_code == 204
        assert binned not in [photo_id for photo_id, _ in similar(indexed, mine[0])]
    finally:
        for app in (brute, indexed):
            app.extensions["db"].dispose()


def _looks(app, owner_id: int, seed: int, count: int = 60) -> list[int]:
    """Photo rows with a look each (a "visual" embedding of a made-up model), drawn around a few centres."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(4, 64))[rng.integers(0, 4, count)] + rng.normal(0, 0.3, (count, 64))
    when = datetime(2021, 1, 1)
    photos = [dict(user_id=owner_id, sha256=f"{owner_id:08x}{n:056x}", filename=f"l{n}.jpg", format="JPEG",
                   mime_type="image/jpeg", file_size=1, width=1, height=1, taken_at=when + timedelta(hours=n),
                   taken_at_source="exif", status="done") for n in range(count)]
    with app.extensions["db"].transaction() as session:
        ids = list(session.scalars(insert(Photo).returning(Photo.id), photos))
        session.execute(insert(Embedding), [dict(photo_id=photo_id, kind=VISUAL, model="look-test:1", dim=64,
                                                 vector=vector.astype("<f2").tobytes())
                                            for photo_id, vector in zip(ids, vectors, strict=True)])
    return ids


def test_index_candidates_are_looked_up_by_primary_key(shared, monkeypatch):
    """The scope check of the graph's candidates reads each candidate by id, never the owner's whole index (a
    query plan, not a timing: at a million photos the other plan took 0.7 s a search). alice's twelve photos count
    as a big library here (a small one is scored whole, without the graph)."""
    _brute, indexed, alice, _bob, _dogs, _bikes = shared
    monkeypatch.setattr(embedded, "EXACT_LIBRARY_ROWS", 0)
    search(indexed, alice, "q=dog")  # builds the index if it is not there yet
    statements = []
    engine = indexed.extensions["db"].engine
    record = lambda _conn, _cursor, sql, params, _context, _many: statements.append((sql, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        search(indexed, alice, "q=a dog in the snow")  # the whole library: the graph's candidates are checked
    finally:
        event.remove(engine, "before_cursor_execute", record)
    checks = [(sql, params) for sql, params in statements if "json_each" in sql]
    assert checks
    with engine.connect() as conn:
        for sql, params in checks:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert any("photos USING INTEGER PRIMARY KEY" in step for step in plan), plan
            assert not any(step.startswith(("SCAN photos", "SEARCH photos USING COVERING INDEX")) for step in plan)


def test_a_failing_warm_up_never_stops_a_worker_from_starting(shared):
    """gunicorn's post_worker_init warms the searcher before the worker takes requests: an embedder that cannot
    load is logged there, and the worker starts (its searches then answer by keywords, as before)."""
    _brute, indexed, alice, _bob, _dogs, _bikes = shared

    def broken():
        raise OSError("model files unreadable")

    Searcher(broken, "sqlite", files=AnnFiles(indexed.config["SETTINGS"].data_path / "vectors"),
             min_photos=1).warm_up()  # no exception
    assert search(indexed, alice, "q=dog")


def test_a_filtered_search_scores_every_photo_of_the_filter(shared, monkeypatch):
    """Filtered searches stay exact: even when the graph would propose none of the filter's photos, each is scored
    (here the graph is made to propose nothing at all)."""
    brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")  # builds the index if it is not there yet
    monkeypatch.setattr(embedded.AnnFile, "search", lambda self, query, count: (np.empty(0, np.int64),
                                                                                 np.empty(0, np.float32)))
    query = "q=a dog in the snow&tag=dog"
    assert search(indexed, alice, query) == search(brute, alice, query)


@pytest.fixture
def bikes_everywhere(shared):
    """carol's 1500 photos (nearer "a bicycle" than any of bob's) tagged "bike" too, as bob's are; untagged after."""
    brute, _indexed, _alice, bob, _dogs, _bikes = shared
    with brute.extensions["db"].transaction() as session:
        theirs = list(session.scalars(select(Photo.id).where(Photo.user_id != bob.tokens["user"]["id"],
                                                             Photo.filename.like("c%.jpg"))))
        session.execute(insert(PhotoTag), [dict(photo_id=photo_id, name="bike", source="user", hidden=False)
                                           for photo_id in theirs])
    yield
    with brute.extensions["db"].transaction() as session:
        session.execute(delete(PhotoTag).where(PhotoTag.photo_id.in_(theirs)))


@pytest.mark.parametrize("check_max", [exact.AMONG_CHECK_MAX, 100])
def test_a_tag_shared_with_other_users_still_finds_all_of_the_viewers_photos(shared, bikes_everywhere,
                                                                            monkeypatch, check_max):
    """A tag filter scores every photo with the tag (any owner's) and keeps the best to the viewer's: carol's 1500
    come first and are passed over, slice after slice (or, past the slices, by listing bob's own)."""
    brute, indexed, _alice, bob, _dogs, bikes = shared
    search(indexed, bob, "q=dog")  # builds the index if it is not there yet
    monkeypatch.setattr(exact, "AMONG_CHECK_MAX", check_max)
    found = search(indexed, bob, "q=a bicycle&tag=bike")
    assert len(found) >= 2 and {photo_id for photo_id, _ in found} <= set(bikes)
    assert found == search(brute, bob, "q=a bicycle&tag=bike")


def test_a_tag_filtered_meaning_search_never_walks_the_owners_photos(shared, monkeypatch):
    """A tag filter's meaning search reads the tag's photos from the tag's own index and checks the best by primary
    key: none of its statements walks the owner's photos (a query plan, not a timing: listing the filter's photos
    through the owner's timeline took 0.3 s at a million photos)."""
    _brute, indexed, alice, _bob, _dogs, _bikes = shared
    search(indexed, alice, "q=dog")  # builds the index if it is not there yet
    steps = vector_store_plan(monkeypatch, indexed, alice, "q=a dog in the snow&tag=dog")
    assert any("photo_tags USING COVERING INDEX ix_photo_tags_name" in step for step in steps), steps
    walks = [step for step in steps if step.startswith(("SCAN photos", "SEARCH photos"))
             and "INTEGER PRIMARY KEY" not in step]
    assert not walks, steps


def vector_store_plan(monkeypatch, app, account: Account, query: str) -> list[str]:
    """The query plan steps (EXPLAIN QUERY PLAN) of every SELECT the vector store ran for this search, which must
    find something."""
    statements, inside = [], []
    original = embedded.MemoryVectorStore.search

    def watched(self, *args, **kwargs):
        inside.append(True)
        try:
            return original(self, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(embedded.MemoryVectorStore, "search", watched)
    engine = app.extensions["db"].engine
    record = lambda _conn, _cursor, sql, params, _context, _many: inside and statements.append((sql, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert search(app, account, query)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        return [row[-1] for sql, params in statements if sql.lstrip().upper().startswith("SELECT")
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]


def _resident_bytes(path) -> int:
    """How much of the file the page cache holds (util-linux's fincore)."""
    reply = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
                           capture_output=True, text=True, check=True)
    return int(reply.stdout.split()[0])


def test_a_starting_worker_reads_the_saved_index_into_memory(shared, tmp_path):
    """Pages on disk made each search wait on reads (a restart, a backup since): a worker opening the index has
    the kernel read it all in, in the background, so its first searches find it in memory."""
    _brute, indexed, alice, _bob, _dogs, _bikes = shared
    assert search(indexed, alice, "q=dog")
    saved = _saved(indexed).path  # copied: this process maps the original, and mapped pages stay in memory
    copy = shutil.copytree(saved.parent, tmp_path / "vectors" / saved.parent.name)
    parts = [copy / saved.name / name for name in (GRAPH, VECTORS)]
    os.sync()
    for part in parts:  # pushed out of the page cache, as memory pressure would
        fd = os.open(part, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    if any(_resident_bytes(part) > part.stat().st_size // 2 for part in parts):
        pytest.skip("this file system keeps the files in memory whatever is asked")
    worker = AnnFiles(tmp_path / "vectors")
    assert worker.open_all() == 1
    [(_kind, _model, opened)] = worker.saved()
    opened.prefetching.join(timeout=30)
    for part in parts:
        assert _resident_bytes(part) >= part.stat().st_size - 4096, part
