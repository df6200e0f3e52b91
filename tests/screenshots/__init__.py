"""Scripts that retake the README screenshots (``make screenshots``); not collected by pytest."""
