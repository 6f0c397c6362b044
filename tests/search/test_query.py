"""User text to FTS5 / tsquery: hostile input never breaks the query; prefixes and phrases find the rows."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shoebox.search.query import MAX_TERMS, Term, match, parse_terms, tsquery

CAPTIONS = {
    1: "a dog playing in the snow",
    2: "sunset over the water",
    3: "the water is calm at sunset",
    4: "e-mail screenshot with a cat",
    5: "Crème brûlée on a café table",
}


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute("CREATE VIRTUAL TABLE photo_fts USING fts5(caption, tags, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO photo_fts(rowid, caption, tags) VALUES (?, ?, '')", CAPTIONS.items())
    return db


def found(db: sqlite3.Connection, expression: str | None) -> set[int]:
    """Rowids matching an expression (none for a None expression)."""
    if expression is None:
        return set()
    return {row[0] for row in db.execute("SELECT rowid FROM photo_fts WHERE photo_fts MATCH ?", (expression,))}


@pytest.mark.parametrize("text", ["", "   ", None, "\n\t", '"', '""', "***", "(((", "- : ^"])
def test_empty_or_syntax_only_queries_give_none(text):
    assert match(text, "AND") is None
    assert match(text, "OR") is None
    assert tsquery(text, "AND") is None


def test_words_are_quoted_anded_and_the_last_is_a_prefix():
    assert match("dog snow", "AND") == '"dog" AND "snow"*'
    assert match("dog snow", "OR") == '"dog" OR "snow"*'


def test_a_trailing_space_means_the_last_word_is_complete():
    assert match("dog snow ", "AND") == '"dog" AND "snow"'


def test_a_quoted_phrase_stays_a_phrase():
    assert parse_terms('"sunset over" water') == [Term("sunset over", phrase=True), Term("water", prefix=True)]


def test_an_unmatched_quote_is_ignored():
    assert parse_terms('dog "snow') == [Term("dog"), Term("snow", prefix=True)]


def test_embedded_quotes_cannot_escape_the_string():
    assert match('a"b', "AND") == '"a" AND "b"*'
    assert parse_terms('x""y') == [Term("x"), Term("y", prefix=True)]


def test_long_queries_are_capped():
    terms = parse_terms("word " * 500)
    assert len(terms) == MAX_TERMS
    assert len(parse_terms("x" * 5000)[0].text) == 1000


def test_prefix_query_finds_words_being_typed(fts):
    assert found(fts, match("sun", "AND")) == {2, 3}
    assert found(fts, match("dog sno", "AND")) == {1}


def test_phrase_query_finds_the_phrase_only(fts):
    assert found(fts, match('"sunset over"', "AND")) == {2}
    assert found(fts, match("sunset water ", "AND")) == {2, 3}


def test_and_narrows_and_or_is_the_fallback(fts):
    assert found(fts, match("dog water ", "AND")) == set()
    assert found(fts, match("dog water ", "OR")) == {1, 2, 3}


def test_fts_operators_in_the_text_are_plain_words(fts):
    for text in ["dog AND", "NEAR(dog snow)", "caption:dog", "-dog", "dog OR cat", "dog*", "^dog", "dog NOT snow"]:
        found(fts, match(text, "AND"))  # must not raise
    assert found(fts, match("caption:dog", "AND")) == set()  # a phrase "caption dog", not a column filter
    assert found(fts, match("dog*", "AND")) == {1}


def test_punctuated_words_match_as_phrases(fts):
    assert found(fts, match("e-mail", "AND")) == {4}
    assert found(fts, match("creme brulee ", "AND")) == {5}


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises_in_fts5(fts, text):
    for expression in (match(text, "AND"), match(text, "OR")):
        found(fts, expression)


_HOSTILE = st.lists(st.sampled_from(['"', "*", "(", ")", ":", "-", "^", "+", "NEAR", "AND", "OR", "NOT", " ",
                                     "dog", "_", "\u0301", "{", "}", "'", "\\", "\x00", "é"]), max_size=30)


@settings(max_examples=400, deadline=None)
@given(_HOSTILE)
def test_fts_syntax_soup_never_raises(fts, pieces):
    text = "".join(pieces)
    for expression in (match(text, "AND"), match(text, "OR")):
        found(fts, expression)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_tsquery_text_holds_only_words_and_operators(text):
    for expression in (tsquery(text, "AND"), tsquery(text, "OR")):
        if expression is not None:
            stripped = expression
            for token in ("<->", ":*", "&", "|", "(", ")", " "):
                stripped = stripped.replace(token, "")
            assert all(ch.isalnum() for ch in stripped)


def test_tsquery_builds_phrases_and_prefixes():
    assert tsquery('"sunset over" wat', "AND") == "(sunset <-> over) & wat:*"
    assert tsquery("dog cat ", "OR") == "dog | cat"
    assert tsquery("e-mail", "AND") == "(e <-> mail:*)"


def test_control_characters_and_lone_surrogates_are_dropped(fts):
    assert match("dog\x00snow\ud800", "AND") == '"dog" AND "snow"'  # a dropped char ends the word
    assert found(fts, match("NEAR\x00", "AND")) == set()
