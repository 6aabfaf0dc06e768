"""Collection rules for the whole repository (pytest also collects persnews/ for its doctests)."""

import importlib.util

# persnews.serving needs the `serve` extra; without it, its modules cannot be imported for doctests.
collect_ignore_glob = [] if importlib.util.find_spec("fastapi") else ["persnews/serving/*"]
