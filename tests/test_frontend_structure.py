"""The front end's seams, read from its files: one entry script, API paths in one module, one photo tile."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "shoebox"
JS = ROOT / "static" / "js"
TEMPLATES = ROOT / "templates"
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
EXTENDS = re.compile(r"""{%-?\s*extends\s+["']([^"']+)["']""")
PAGE_BLOCK = re.compile(r"{%-?\s*block page\s*-?%}(.*?){%-?\s*endblock")
IMPORT = re.compile(r'^import {([^}]*)} from "\./([\w-]+\.js)";', re.MULTILINE)


def modules() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(JS.glob("*.js"))}


def pages() -> list[Path]:
    """Every template that is a page: partials and macro files start with an underscore."""
    return [path for path in sorted(TEMPLATES.rglob("*.html")) if not path.name.startswith("_")]


def test_only_endpoints_js_spells_api_paths():
    spelled = sorted(name for name, text in modules().items() if "/api/" in text and name != "endpoints.js")
    assert spelled == [], f"API paths belong in endpoints.js, not in {spelled}"


def test_every_template_loads_only_app_js():
    tags = {path.relative_to(TEMPLATES).as_posix(): SCRIPT_TAG.findall(path.read_text())
            for path in TEMPLATES.rglob("*.html")}
    tags = {name: found for name, found in tags.items() if found}
    assert list(tags) == ["base.html"], f"only base.html may load a script: {tags}"
    [tag] = tags["base.html"]
    assert 'type="module"' in tag and "filename='js/app.js'" in tag, tag


def test_every_page_extends_base_html():
    for page in pages():
        name, seen = page.relative_to(TEMPLATES).as_posix(), []
        while name != "base.html":
            assert name not in seen, f"{page.name} extends in a loop: {seen}"
            seen.append(name)
            found = EXTENDS.search((TEMPLATES / name).read_text())
            assert found, f"{page.relative_to(TEMPLATES)} does not reach base.html (and so app.js): {seen}"
            name = found.group(1)


def page_names(template: Path) -> set[str]:
    """The body[data-page] values a template can give: its `page` block, literal or a choice of strings."""
    found = PAGE_BLOCK.search(template.read_text())
    if not found or not found.group(1).strip():
        return set()
    value = found.group(1).strip()
    return set(re.findall(r'"(\w+)"', value)) if value.startswith("{{") else {value}


def test_every_page_template_is_started_by_app_js():
    started = set(re.findall(r"^  (\w+): init\w+,", modules()["app.js"], re.MULTILINE))
    named = set().union(*(page_names(page) for page in pages()))
    assert {"library", "search", "photo", "person"} <= named, named
    assert named - started == {"upload", "error"}, "pages app.js does not start (upload and error have no module)"


def test_every_named_import_is_exported_by_its_module():
    texts = modules()
    for name, text in texts.items():
        for imported, source in IMPORT.findall(text):
            assert source in texts, f"{name} imports a missing {source}"
            for binding in (part.split(" as ")[0].strip() for part in imported.split(",") if part.strip()):
                exported = rf"export (async )?(function|const|let|class) {re.escape(binding)}(?![\w$])"
                assert re.search(exported, texts[source]), f"{name} imports {binding}, which {source} lacks"


def test_only_tile_js_draws_a_photo_tile():
    drawing = sorted(name for name, text in modules().items() if "thumbnail_url" in text and name != "tile.js")
    assert drawing == [], f"photo tiles come from tile.js, not {drawing}"
