"""Free user text to safe full-text queries: SQLite FTS5 MATCH expressions and PostgreSQL tsquery text.

Every term is emitted as a double-quoted FTS5 string, so FTS syntax in the input (`"`, `*`, `(`, `:`,
`-`, `^`, `NEAR`, `AND`, column names) is only ever text. A "quoted phrase" in the input stays a phrase;
the last bare word becomes a prefix (`"sun"*`) so results appear while typing.

Terms are ANDed by default (`match(text, "AND")`): every word narrows, which is what people expect of a search
box and keeps bm25's ranking meaningful. Callers fall back to "OR" when AND finds nothing, so a
query with one word absent from the library still finds the photos that have the others; the vector
side of hybrid search covers the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 1000
MAX_TERMS = 64
#: A keyword search ranks (bm25 on SQLite, ts_rank on PostgreSQL) the newest this many matches in its scope and
#: lists any older ones after them, newest first: both rank every match they are given, and a word most photos
#: carry matches most of a big library (300,000 photos: 0.2 s to rank them all on SQLite), while the ranking of a
#: word that common says little (its weight is near 0).
RANK_WINDOW = 10_000
#: A word more photos than this carry is checked, in date order, photo by photo while the timeline is walked; a
#: rarer one's photos are read by id and sorted (bench/README.md, keyword search at 300k, on either backend).
FEW_MATCHES = 5_000

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|([^\s"]+)')
# Control characters (NUL ends an FTS5 string early: "unterminated string") and lone surrogates
# (not encodable as UTF-8) are never searchable text.
_UNSEARCHABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_TS_WORD = re.compile(r"[^\W_]+")  # letters and digits: the only characters tsquery text carries


@dataclass(frozen=True)
class Term:
    """One search term: a word or a phrase, optionally a prefix."""

    text: str
    phrase: bool = False
    prefix: bool = False


def _has_word(text: str) -> bool:
    """True when text holds a letter or digit (a term without one would be an empty FTS phrase)."""
    return any(ch.isalnum() for ch in text)


def parse_terms(text: str | None) -> list[Term]:
    """Split user text into words and "quoted phrases" (capped); a last bare word being typed is a prefix."""
    text = _UNSEARCHABLE.sub(" ", (text or "")[:MAX_CHARS])
    if text.count('"') % 2:  # an unmatched quote is dropped, not treated as a phrase to the end
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
    terms = []
    for match in _PHRASE_OR_WORD.finditer(text):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None and _has_word(phrase):
            terms.append(Term(" ".join(phrase.split()), phrase=True))
        elif word is not None and _has_word(word):
            terms.append(Term(word))
    terms = terms[:MAX_TERMS]
    if terms and not terms[-1].phrase and not text[-1:].isspace():  # a trailing space ends the word
        terms[-1] = Term(terms[-1].text, prefix=True)
    return terms


def _fts_term(term: Term) -> str:
    """A term as an FTS5 string: double quotes doubled inside, `*` after it for a prefix."""
    quoted = '"' + term.text.replace('"', '""') + '"'
    return quoted + "*" if term.prefix else quoted


def match(text: str | None, operator: str) -> str | None:
    """FTS5 expression of the terms of `text` joined by `operator` ("AND" or "OR"), or None when there are none."""
    terms = parse_terms(text)
    if not terms:
        return None
    return f" {operator} ".join(_fts_term(term) for term in terms)


#: The shortest term looked for inside longer runs of OCR text (words OCR glued together, "basedsegmentation"):
#: a shorter one is mostly a piece of another word ("art" in "parts", "mine" in "determine"), which is junk.
GLUED_MIN_CHARS = 5


def glued_terms(text: str | None) -> list[Term]:
    """The terms long enough to be looked for inside glued OCR runs."""
    return [term for term in parse_terms(text) if len(term.text) >= GLUED_MIN_CHARS]


def match_substrings(text: str | None, operator: str = "AND") -> str | None:
    """FTS5 expression for a trigram index: each term of `GLUED_MIN_CHARS`+ characters as a substring, or None
    when none is long enough."""
    terms = glued_terms(text)
    if not terms:
        return None
    return f" {operator} ".join('"' + term.text.replace('"', '""') + '"' for term in terms)


def _ts_term(term: Term) -> str | None:
    """A term as tsquery text: words of a phrase joined by <->, `:*` for a prefix."""
    words = _TS_WORD.findall(term.text)
    if not words:
        return None
    body = " <-> ".join(words)
    if term.prefix:
        body += ":*"
    return f"({body})" if len(words) > 1 else body


def tsquery(text: str | None, operator: str) -> str | None:
    """Text for PostgreSQL `to_tsquery(config, ...)` requiring every term ("AND") or any ("OR"), or None for an
    empty query."""
    parts = [part for part in map(_ts_term, parse_terms(text)) if part]
    return f" {'&' if operator == 'AND' else '|'} ".join(parts) if parts else None
