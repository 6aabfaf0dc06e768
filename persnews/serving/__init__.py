"""``persnews serve``: the extractor over HTTP, with a web page (install ``persnews[serve]``).

>>> from persnews.serving import create_app      # doctest: +SKIP
>>> app = create_app(persnews.load())             # doctest: +SKIP
"""

from .app import MAX_CHARS, create_app, serve
from .batcher import MicroBatcher

__all__ = ["create_app", "serve", "MicroBatcher", "MAX_CHARS"]
