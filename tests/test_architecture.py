"""Every read of photos for a viewer starts from the visibility scope (shoebox/scope.py), so trash, share links
and albums are one condition there instead of an edit in every query; and views run no queries at all.

The sources are parsed with `ast`; a query on Photo is: `select(Photo...)` (any column of Photo, too),
`.join(Photo...)` / `.outerjoin` / `.select_from` / `.query(Photo...)`, `<session>.get(Photo, ...)`, a condition
on `Photo.user_id`, or SQL text reading the `photos` table.

Packages depend one way: the import-linter contracts in pyproject.toml (drawn in docs/architecture.md) put every
module in a layer, and a module imports only from the layers below it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "shoebox"
SCOPE_MODULE = "shoebox/scope.py"

#: The places that may query Photo without a scope: none of them reads photos for a viewer. "*" is the whole
#: module, "<module>" its top level.
ALLOWED = {
    ("shoebox/library/ingest.py", "Ingesting._find"):
        "ingest's duplicate check: the owner's bytes are stored once, whatever the photo's visibility",
    ("shoebox/library/ingest.py", "Ingesting.known_hashes"):
        "the same duplicate check, in bulk, for `flask shoebox import`",
    ("shoebox/library/service.py", "Library.reread_metadata"):
        "`flask shoebox reread-metadata`: reads every original of an install (or a user) again; no viewer",
    ("shoebox/cli.py", "reread_metadata"): "`flask shoebox reread-metadata`: every photo of an install (or a user)",
    ("shoebox/jobs/analysis.py", "*"):
        "the analysis worker: loads the photos its job names and finds lost jobs; no viewer",
    ("shoebox/library/renditions.py", "make_rendition"): "the rendition worker: the clip its job names; no viewer",
    ("shoebox/jobs/claims.py", "dead_claims"): "workers find the photos of a dead worker's claims; no viewer",
    ("shoebox/maintenance.py", "*"): "`flask shoebox check`: compares every row with the files on disk",
    ("shoebox/backup.py", "*"): "`flask shoebox backup`: copies every row",
    ("shoebox/migrate.py", "*"): "`flask shoebox migrate-data`: copies every row to another database",
    ("shoebox/library/trash.py", "expired"):
        "the worker's purge: photos of every owner trashed TRASH_DAYS ago, each then deleted through its owner's scope",
    ("shoebox/search/keyword.py", "<module>"): "the FTS5 index's re-index SQL, run on flush for changed rows",
    ("shoebox/search/postgres.py", "<module>"): "the tsvector index's re-index SQL, run on flush for changed rows",
    ("shoebox/search/postgres.py", "rebuild"): "refills the search indexes from every row after a bulk copy",
    ("shoebox/search/postgres.py", "TsvectorIndex.substring_search"):
        "keyword-index internals: narrow the candidates the scope chose to those whose OCR text matches",
    ("shoebox/search/postgres.py", "TsvectorIndex.matched_fields"):
        "keyword-index internals: label the fields that matched, for ids the scope already chose",
    ("shoebox/search/postgres.py", "TsvectorIndex.holders"):
        "keyword-index internals: which of the ids the scope already chose hold the words",
}

_JOINS = {"join", "outerjoin", "select_from", "query"}
_SQL_ON_PHOTOS = re.compile(r"\b(from|join)\s+photos\b", re.IGNORECASE)


def _is_photo(node: ast.AST) -> bool:
    """`Photo` or `models.Photo`."""
    return (isinstance(node, ast.Name) and node.id == "Photo") or (
        isinstance(node, ast.Attribute) and node.attr == "Photo")


def _on_photo(node: ast.AST) -> bool:
    """`Photo`, or a column of it (`Photo.id`, `models.Photo.user_id`)."""
    return _is_photo(node) or (isinstance(node, ast.Attribute) and _is_photo(node.value))


def _photo_query(node: ast.AST) -> str | None:
    """What makes `node` a query on Photo, or None."""
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        args = node.args
        if name == "select" and any(_on_photo(arg) for arg in args):
            return "select(Photo...)"
        if name in _JOINS and args and _on_photo(args[0]):
            return f".{name}(Photo...)"
        if name == "get" and isinstance(node.func, ast.Attribute) and args and _is_photo(args[0]):
            return "session.get(Photo, ...)"
    if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "user_id" and _is_photo(side.value)
            for side in (node.left, *node.comparators)):
        return "Photo.user_id == ..."
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_ON_PHOTOS.search(node.value):
        return "SQL on photos"
    return None


class _Finder(ast.NodeVisitor):
    """Queries on Photo with the qualified name of the function or class they sit in."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int, str]] = []
        self._names: list[str] = []

    def _scoped(self, node: ast.AST) -> None:
        self._names.append(node.name)
        self.generic_visit(node)
        self._names.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def generic_visit(self, node: ast.AST) -> None:
        what = _photo_query(node)
        if what is not None:
            self.found.append((".".join(self._names) or "<module>", node.lineno, what))
        super().generic_visit(node)


def photo_queries(source: str) -> list[tuple[str, int, str]]:
    """(qualified name, line, kind) of every query on Photo in a module's source."""
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


def _allowed(module: str, qualname: str) -> tuple[str, str] | None:
    """The allow-list entry covering this place: the module, the function or a class it sits in."""
    parts = qualname.split(".")
    for key in [(module, "*"), *((module, ".".join(parts[:n])) for n in range(len(parts), 0, -1))]:
        if key in ALLOWED:
            return key
    return None


def _all_queries() -> list[tuple[str, str, int, str]]:
    return [(path.relative_to(ROOT).as_posix(), qualname, line, what)
            for path in sorted(PACKAGE.rglob("*.py"))
            for qualname, line, what in photo_queries(path.read_text())]


def test_photo_queries_are_built_only_by_the_scope():
    outside = [f"{module}:{line} {qualname}: {what}" for module, qualname, line, what in _all_queries()
               if module != SCOPE_MODULE and _allowed(module, qualname) is None]
    assert not outside, ("photo reads must start from shoebox.scope.Scope (scope.photos(), scope.photo_ids(), "
                         "...), or be allowed in tests/test_architecture.py with a reason:\n" + "\n".join(outside))


def test_every_allowed_place_still_queries_photos():
    used = {_allowed(module, qualname) for module, qualname, _line, _what in _all_queries()}
    assert set(ALLOWED) <= used, f"no longer needed, take them off the list: {sorted(set(ALLOWED) - used)}"


def _sql_in_view(tree: ast.Module) -> list[str]:
    """What in a module of routes touches SQL: importing SQLAlchemy, or running a statement on a session."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlalchemy" for a in node.names):
            found.append(f"{node.lineno}: import sqlalchemy")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) in _STATEMENTS:
            found.append(f"{node.lineno}: .{node.func.attr}(...)")
    return found


_STATEMENTS = {"execute", "scalar", "scalars", "query"}


def test_views_run_no_queries():
    views = {path.relative_to(ROOT).as_posix(): ast.parse(path.read_text()) for path in sorted(PACKAGE.rglob("*.py"))
             if "Blueprint(" in path.read_text()}
    assert "shoebox/search/api.py" in views and "shoebox/jobs/views.py" in views
    offending = [f"{module}:{line}" for module, tree in views.items() for line in _sql_in_view(tree)]
    assert not offending, "views call services; services run the queries:\n" + "\n".join(offending)


def test_the_check_sees_each_kind_of_photo_query():
    source = '''
def listing(session, user_id):
    return session.scalars(select(Photo).where(Photo.user_id == user_id))

class Views:
    def one(self, session, photo_id):
        return session.get(Photo, photo_id)

    def tags(self, session):
        return session.execute(select(PhotoTag.name).join(Photo, Photo.id == PhotoTag.photo_id))

RAW = "SELECT id FROM photos WHERE user_id = :user"
'''
    assert [(name, what) for name, _line, what in photo_queries(source)] == [
        ("listing", "select(Photo...)"), ("listing", "Photo.user_id == ..."), ("Views.one", "session.get(Photo, ...)"),
        ("Views.tags", ".join(Photo...)"), ("<module>", "SQL on photos"),
    ]


LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
#: Packages left out of the layers, as their children sit in several (the "request-glue" contract keeps the
#: lower layers off `shoebox.auth` and `shoebox.jobs`); the others are empty namespaces or the app factory.
UNLAYERED = {
    "shoebox": "create_app(): assembles everything, so it imports from every layer",
    "shoebox.auth": "the sign-in decorators, for blueprints; its views and service sit in their own layers",
    "shoebox.jobs": "the Huey queue, for entry points; its views, status, analysis and parts sit in their own layers",
    "shoebox.library": "an empty package", "shoebox.people": "an empty package", "shoebox.search": "an empty package",
    "shoebox.places": "an empty package", "shoebox.albums": "an empty package", "shoebox.shares": "a docstring",
    "shoebox.memories": "an empty package",
}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def _layer_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c["layers"] for c in config["contracts"] if c["type"] == "layers")
    return [name.strip() for layer in layers for name in re.split(r"[|:]", layer)]


def test_imports_go_one_way_down_the_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_every_module_sits_in_a_layer():
    listed = _layer_modules()
    modules = {".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for path in PACKAGE.rglob("*.py")}
    unplaced = sorted(m for m in modules - set(UNLAYERED)
                      if not any(m == name or m.startswith(name + ".") for name in listed))
    assert not unplaced, f"add these to a layer in pyproject.toml [tool.importlinter]: {unplaced}"


def test_the_contract_refuses_an_import_up_the_layers(tmp_path):
    shutil.copytree(PACKAGE, tmp_path / "shoebox", ignore=shutil.ignore_patterns("static", "templates", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    service = tmp_path / "shoebox" / "library" / "service.py"
    service.write_text(service.read_text() + "\nfrom shoebox.serializers import photo_json  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "shoebox.library.service is not allowed to import shoebox.serializers" in result.stdout
