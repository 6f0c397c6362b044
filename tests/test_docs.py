"""The install commands the docs give work: every `pip install` in README.md and docs/*.md resolves.

Each command is taken from the code blocks and `inline code` of the docs and resolved by pip with `--dry-run`
(nothing is installed). Index options (`--extra-index-url` ...) are left out: which index serves a package is
this machine's pip configuration; what is checked is that the requirements agree with each other.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^ *(```|~~~)[^\n]*\n(.*?)^ *\1", re.S | re.M)
INLINE = re.compile(r"(`+)([^`].*?)\1", re.S)
#: pip options that take a value and only choose where packages come from.
INDEX_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host"}
#: Options that name requirement files; their value is kept.
FILE_OPTIONS = {"-r", "--requirement", "-c", "--constraint"}


def code_snippets(text: str) -> list[tuple[int, str]]:
    """(line number, code) for each fenced block and each inline code span of a Markdown text."""
    snippets = [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in FENCE.finditer(text)]
    prose = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)  # keeps the line numbers
    snippets += [(prose.count("\n", 0, m.start(2)) + 1, m.group(2).replace("\n", " ")) for m in INLINE.finditer(prose)]
    return snippets


def logical_lines(code: str) -> list[tuple[int, str]]:
    """(line offset, line) for each line of a snippet, a line ending in a backslash joined to the next."""
    lines, pending, start = [], "", 0
    for offset, line in enumerate(code.split("\n")):
        start = offset if not pending else start
        if line.endswith("\\"):
            pending += line[:-1] + " "
        else:
            lines.append((start, pending + line))
            pending = ""
    return lines


def pip_arguments(code: str) -> list[tuple[int, list[str]]]:
    """(line offset, what follows `pip install`) for each such command of a snippet (split at &&, || and ;)."""
    found = []
    for offset, line in logical_lines(code):
        for command in re.split(r"&&|\|\||;", line):
            words = shlex.split(command, comments=True)
            found += [(offset, words[n + 2:]) for n, word in enumerate(words[:-1])
                      if Path(word).name in ("pip", "pip3") and words[n + 1] == "install"]
    return found


def resolvable(arguments: list[str]) -> list[str]:
    """The arguments without index choices and without flags that change nothing about what gets resolved."""
    kept, words = [], iter(arguments)
    for word in words:
        option = word.split("=", 1)[0]
        if option in INDEX_OPTIONS:
            if "=" not in word:
                next(words, None)
        elif option in FILE_OPTIONS:
            kept += [word] if "=" in word else [word, next(words, "")]
        elif not word.startswith("-"):
            kept.append(word)
    return kept


def documented_installs() -> dict[tuple[str, ...], list[str]]:
    """Each distinct documented `pip install` (as resolved) -> where the docs give it (file:line)."""
    installs: dict[tuple[str, ...], list[str]] = {}
    for doc in DOCS:
        for line, code in code_snippets(doc.read_text(encoding="utf-8")):
            for offset, arguments in pip_arguments(code):
                where = f"{doc.relative_to(REPO)}:{line + offset}"
                installs.setdefault(tuple(resolvable(arguments)), []).append(where)
    return installs


def package(spec: str) -> str:
    """The normalised package name of a requirement, e.g. "Flask==3.1.3" -> "flask"."""
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[;@ ]", spec.strip(), maxsplit=1)[0]).lower()


def pinned(requirements: Path) -> set[str]:
    """The packages a requirements file lists."""
    lines = (line.split("#", 1)[0].strip() for line in requirements.read_text(encoding="utf-8").splitlines())
    return {package(line) for line in lines if line and not line.startswith("-")}


INSTALLS = documented_installs()


def test_the_docs_give_the_install_commands_this_test_checks() -> None:
    places = {where.split(":")[0] for wheres in INSTALLS.values() for where in wheres}

    assert {"README.md", "docs/deploy.md"} <= places


def test_no_documented_install_pins_again_what_its_requirements_file_pins() -> None:
    for arguments, wheres in INSTALLS.items():
        files = {arguments[n + 1] for n, word in enumerate(arguments[:-1]) if word in FILE_OPTIONS}
        listed = set().union(*(pinned(REPO / file) for file in files if file.endswith("requirements.txt")))
        named = {package(word) for word in arguments if not word.startswith("-") and word not in files}
        assert not named & listed, f"{', '.join(wheres)} installs {sorted(named & listed)} beside requirements.txt"


@pytest.mark.slow
@pytest.mark.parametrize("arguments", list(INSTALLS), ids=lambda arguments: " ".join(arguments))
def test_every_documented_pip_install_resolves(arguments: tuple[str, ...]) -> None:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", *arguments]

    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)

    errors = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("WARNING"))
    assert done.returncode == 0, f"{', '.join(INSTALLS[arguments])}: {errors[-2000:]}"
