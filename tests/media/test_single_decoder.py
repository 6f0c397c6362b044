"""Only shoebox/media/ opens image files, and it depends on nothing else in Shoebox: one place where a format,
a size limit or colour management is added, and every caller (uploads, imports, repairs, models, face crops)
gets it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SHOEBOX = Path(__file__).resolve().parents[2] / "shoebox"
MEDIA = SHOEBOX / "media"


def _pil_names(tree: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """Names bound to the PIL package, to the PIL.Image module and to PIL.Image.open, however imported."""
    package, module, function = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "PIL":
            module |= {alias.asname or alias.name for alias in node.names if alias.name == "Image"}
        elif isinstance(node, ast.ImportFrom) and node.module == "PIL.Image":
            function |= {alias.asname or alias.name for alias in node.names if alias.name == "open"}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "PIL.Image" and alias.asname:
                    module.add(alias.asname)
                elif alias.name in ("PIL", "PIL.Image"):  # `import PIL.Image` binds PIL
                    package.add(alias.asname or "PIL")
    return package, module, function


def image_opens(source: str) -> list[int]:
    """The lines of `source` that call PIL's Image.open."""
    tree = ast.parse(source)
    package, module, function = _pil_names(tree)

    def opens(call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in function
        if not (isinstance(func, ast.Attribute) and func.attr == "open"):
            return False
        owner = func.value
        if isinstance(owner, ast.Name):
            return owner.id in module
        return (isinstance(owner, ast.Attribute) and owner.attr == "Image"
                and isinstance(owner.value, ast.Name) and owner.value.id in package)

    return sorted(node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call) and opens(node))


def python_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_no_module_outside_media_opens_an_image_file():
    offenders = [f"{path.relative_to(SHOEBOX.parent)}:{line}" for path in python_files(SHOEBOX)
                 if MEDIA not in path.parents for line in image_opens(path.read_text())]
    assert offenders == [], "open images through shoebox.media (formats.open_file, files.open_small/inspect)"


@pytest.mark.parametrize("source", [
    "from PIL import Image\nImage.open(p)",
    "from PIL import Image as PILImage\nPILImage.open(p)",
    "import PIL.Image\nPIL.Image.open(p)",
    "import PIL\nPIL.Image.open(p)",
    "import PIL.Image as PI\nPI.open(p)",
    "from PIL.Image import open as load\nload(p)",
])
def test_the_check_sees_every_way_of_calling_image_open(source):
    assert image_opens(source) == [2]


def test_the_check_leaves_other_opens_alone():
    assert image_opens("from PIL import Image\nImage.new('RGB', (1, 1))\npath.open('rb')\nopen(p)") == []


def test_media_depends_on_nothing_else_in_shoebox():
    imported = set()
    for path in python_files(MEDIA):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    outside = {name for name in imported if name.split(".")[0] in ("shoebox", "flask", "sqlalchemy")
               and not name.startswith("shoebox.media")}
    assert outside == set()
