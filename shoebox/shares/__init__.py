"""Share links: an album or chosen photos shown to people with no account (docs/sharing.md)."""
