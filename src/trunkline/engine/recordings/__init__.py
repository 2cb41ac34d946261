"""Recording files: rendered from their rows on first request and kept on disk (``files``)."""
