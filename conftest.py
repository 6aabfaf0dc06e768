"""Doctest collection over ``persnews/``: the Ray module is skipped where the ``ray`` extra is not installed."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("ray") else ["persnews/distributed.py"]
