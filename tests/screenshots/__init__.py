"""Scripts that retake the README's and the docs' screenshots (``make screenshots``); not collected by pytest."""
