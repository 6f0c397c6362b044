"""Search: query parsing, keyword and vector indexes, rank fusion and relevance cutoff, filters, near-duplicates.
Import from the submodules (shoebox.search.fusion, .query, .vector, .service, ...)."""
