"""Collection rules for the whole repository (pytest also collects persnews/ for its doctests): modules that need
an extra are skipped where it is not installed."""

import importlib.util

# persnews.serving needs the `serve` extra, persnews.distributed the `ray` extra.
collect_ignore_glob = [] if importlib.util.find_spec("fastapi") else ["persnews/serving/*"]
collect_ignore = [] if importlib.util.find_spec("ray") else ["persnews/distributed.py"]
