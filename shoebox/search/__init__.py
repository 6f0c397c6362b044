"""Search: query parsing, vector index, rank fusion and relevance cutoff (pure parts; no Flask, no SQL)."""

from shoebox.search.fusion import KEYWORD, MEANING, Hit, apply_cutoff, fuse, rrf
from shoebox.search.query import Term, match_all, match_any, parse_terms, tsquery_all, tsquery_any
from shoebox.search.vector import IndexRegistry, InMemoryVectorIndex, VectorIndex

__all__ = [
    "KEYWORD",
    "MEANING",
    "Hit",
    "IndexRegistry",
    "InMemoryVectorIndex",
    "Term",
    "VectorIndex",
    "apply_cutoff",
    "fuse",
    "match_all",
    "match_any",
    "parse_terms",
    "rrf",
    "tsquery_all",
    "tsquery_any",
]
