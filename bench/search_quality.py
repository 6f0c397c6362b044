"""Search quality on real photos: recall@5, MRR, precision@5 and empty answers to negative queries, through HTTP.

Usage: python bench/search_quality.py [--queries bench/search_quality.json] [--sweep] [--verbose] [--without ...]
The photos are real ones shipped inside installed packages (scikit-image's skimage/data, scikit-learn's sample
images, matplotlib's sample data); the queries and what each should find are ours, in search_quality.json.
Each photo is uploaded under a camera-like name (IMG_0001.png: the file name gives nothing away), analysed with
the configured offline models (EfficientNet-Lite0 tags, MiniLM text embedding, faces, text, places), and every
query runs through /api/search.

Measures, over the positive queries (something relevant exists): recall@5 (share of the relevant photos among
the first five; a query with more than five relevant photos needs five), MRR (1 / rank of the first relevant
photo) and precision@5 (share of relevant photos among the first five shown, over the queries that showed any).
Over the negative queries (nothing relevant exists): the share answered with nothing.
`--sweep` also replays every query's keyword and meaning hits through the cutoff for a grid of floors and
margins: the measurements the cutoff was calibrated on. `--without` switches parts of issue 16 off, to measure
what each brings: `conse` (the classifier's labels in the text embedding), `face-tags`, `text-tags` (the words
faces and OCR add), `cutoff` (the calibrated floor and margin: back to fusion's 0.3 / 0.2).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import ExifTags, Image  # noqa: E402

from shoebox import create_app  # noqa: E402
from shoebox.ai.registry import clear_cache  # noqa: E402

QUERIES = Path(__file__).with_name("search_quality.json")
K = 5


@dataclass
class QuerySet:
    photos: dict[str, Path]
    positive: dict[str, list[str]]
    negative: list[str]
    gps: dict[str, tuple[float, float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> QuerySet:
        raw = json.loads(path.read_text(encoding="utf-8"))
        photos = {name: package_file(package, inside) for name, (package, inside) in raw["photos"].items()}
        return cls(photos, raw["positive"], raw["negative"], {k: tuple(v) for k, v in raw.get("gps", {}).items()},
                   raw.get("names", {}))


def package_file(package: str, inside: str) -> Path:
    """A file shipped inside an installed package (found without importing it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {package} is not installed (pip install -r requirements-dev.txt)")
    return Path(list(spec.submodule_search_locations)[0]) / inside


def build(data: str, queries: QuerySet):
    clear_cache()
    app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                      "CAPTION_MODEL": "none"}, env_file=None)
    client = app.test_client()
    token = client.post("/api/auth/register", json={"email": "q@example.com", "password": "quality bench 1"}
                        ).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for number, (name, path) in enumerate(queries.photos.items()):  # a camera-like name: it gives nothing away
        upload = (io.BytesIO(with_gps(path, queries.gps.get(name))), f"IMG_{number:04d}{path.suffix}")
        reply = client.post("/api/photos", data={"files": [upload]}, headers=headers)
        assert reply.status_code == 201, reply.json
        name_people(client, headers, reply.json["photos"][0]["id"], queries.names.get(name))
    return app, client, headers


def with_gps(path: Path, where: tuple[float, float] | None) -> bytes:
    """The photo's bytes, with GPS EXIF added where it was "taken"."""
    data = path.read_bytes()
    if where is None:
        return data
    image, exif = Image.open(io.BytesIO(data)), Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    for (ref, key), value, sign in zip(((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude),
                                        (ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude)),
                                       where, ("NS", "EW"), strict=True):
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


@dataclass
class Scores:
    recall: float
    mrr: float
    precision: float
    answered: int
    negatives_empty: float
    negative_results: float
    positives: int
    negatives: int

    def line(self) -> str:
        return (f"recall@5 {self.recall:.2f}, MRR {self.mrr:.2f}, precision@5 {self.precision:.2f} "
                f"({self.answered}/{self.positives} positive queries answered); negative queries empty "
                f"{self.negatives_empty:.0%} ({self.negative_results:.1f} results on average)")


def score(answers: dict[str, list[str]], queries: QuerySet) -> Scores:
    """The measures over one set of answers (query -> photo names, best first)."""
    recall = mrr = precision = 0.0
    answered = 0
    for query, relevant in queries.positive.items():
        top = answers[query][:K]
        hits = [name in relevant for name in top]
        recall += sum(hits) / min(len(relevant), K)
        mrr += next((1 / rank for rank, name in enumerate(answers[query], 1) if name in relevant), 0.0)
        if top:
            answered += 1
            precision += sum(hits) / len(top)
    empty = sum(not answers[query] for query in queries.negative)
    results = sum(len(answers[query]) for query in queries.negative)
    n, m = len(queries.positive), len(queries.negative)
    return Scores(recall / n, mrr / n, precision / max(answered, 1), answered, empty / m, results / m, n, m)


def ask(client, headers, text: str, names: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """The photos (by original name) a search answers, best first, and why each matched."""
    reply = client.get("/api/search", query_string={"q": text, "limit": 100}, headers=headers)
    assert reply.status_code == 200, reply.json
    items = reply.json["items"]
    return [names[item["filename"]] for item in items], [item["matched"] for item in items]


def evaluate(client, headers, queries: QuerySet) -> tuple[Scores, list[str]]:
    names = {f"IMG_{n:04d}{path.suffix}": name for n, (name, path) in enumerate(queries.photos.items())}
    answers, lines = {}, []
    for query in [*queries.positive, *queries.negative]:
        found, why = ask(client, headers, query, names)
        answers[query] = found
        relevant = queries.positive.get(query, [])
        shown = ", ".join(f"{'*' if name in relevant else ''}{name}({'+'.join(w)})" for name, w in
                          zip(found[:K], why[:K], strict=True))
        lines.append(f"  {'+' if query in queries.positive else '-'} {query!r:42} {len(found):>2}: {shown or '-'}")
    return score(answers, queries), lines


def sweep(app, queries: QuerySet) -> list[str]:
    """Replay each query's keyword and meaning hits through the cutoff for a grid of floors and margins."""
    from shoebox.scope import Scope
    from shoebox.search import fusion
    from shoebox.search.filters import Filters

    searcher, database = app.extensions["searcher"], app.extensions["db"]
    raw = {}
    with database.transaction() as session:
        scope = Scope.of_user(1)
        names = {photo.id: photo for photo in session.scalars(scope.photos())}
        ordinal = {pid: list(queries.photos)[int(photo.filename[4:8])] for pid, photo in names.items()}
        candidates = scope.narrow(*Filters().conditions(scope))
        for query in [*queries.positive, *queries.negative]:
            keyword_ids = searcher._keywords(session, query, candidates, 10_000).ids
            vector_hits, _cutoff = searcher._meaning(session, candidates, query)
            raw[query] = (keyword_ids, vector_hits)
    lines = ["floor margin | recall@5  MRR  precision@5 answered | negatives empty"]
    for floor in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55):
        for margin in (0.05, 0.1, 0.15, 0.2, 1.0):
            answers = {q: [ordinal[h.photo_id] for h in fusion.fuse(k, v, floor=floor, margin=margin)]
                       for q, (k, v) in raw.items()}
            s = score(answers, queries)
            lines.append(f"{floor:5.2f} {margin:6.2f} | {s.recall:8.2f} {s.mrr:5.2f} {s.precision:12.2f} "
                         f"{s.answered:8d} | {s.negatives_empty:6.0%}")
    return lines


ABLATIONS = ("conse", "face-tags", "text-tags", "cutoff")


def switch_off(parts: list[str]) -> None:
    """Switch parts of the search off in this process (before the app is built), to measure what each brings."""
    from shoebox.jobs import analysis
    from shoebox.jobs import parts as pipeline
    from shoebox.search import service

    if "conse" in parts:
        words = lambda photo: pipeline.Words(pipeline.searchable_text(photo), [])  # noqa: E731
        pipeline.photo_words = analysis.photo_words = words
    if "face-tags" in parts:
        pipeline.face_tags = lambda count: []
    if "text-tags" in parts:
        pipeline.text_tags = lambda text: []
    if "cutoff" in parts:
        service.CUTOFFS = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--sweep", action="store_true", help="also replay the hits through a grid of cutoffs")
    parser.add_argument("--verbose", action="store_true", help="print every query's first five answers")
    parser.add_argument("--without", nargs="*", choices=ABLATIONS, default=[], help="switch these parts off")
    args = parser.parse_args()
    switch_off(args.without)
    queries = QuerySet.load(args.queries)
    with tempfile.TemporaryDirectory() as data:
        app, client, headers = build(data, queries)
        scores, lines = evaluate(client, headers, queries)
        table = sweep(app, queries) if args.sweep else []
        app.extensions["db"].dispose()
    if args.verbose:
        print("\n".join(lines))
    print("\n".join(table))
    print(f"{scores.positives} positive and {scores.negatives} negative queries over {len(queries.photos)} photos: "
          f"{scores.line()}")


if __name__ == "__main__":
    main()
