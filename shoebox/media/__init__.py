"""Photo files: which formats Shoebox takes (formats), probing, opening and decoding them small (files,
decoding), their colours (colour), metadata and thumbnails. The only package that opens an image file; it
knows nothing of Flask, the database or the rest of Shoebox."""
