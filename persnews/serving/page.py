"""The page at ``GET /``: a form to paste an article, and its result drawn by :func:`persnews.render.to_html`.

Plain HTML: no scripts, no network; the form posts back to ``/`` and the server
answers with the page again, now with the article highlighted, its relations
and its officials table.
"""

from __future__ import annotations

import html
from typing import Sequence

from ..document import Document
from ..render import to_html

_PLACEHOLDER = "متن خبر را اینجا بچسبانید و «استخراج» را بزنید."


def page(text: str = "", documents: Sequence[Document] = (), message: str = "") -> str:
    """The whole page: the form (refilled with ``text``), an error ``message`` if any, then the documents."""
    form = ('<form method=post action="/" accept-charset=utf-8>'
            f'<textarea name=text id=text rows=10 dir=rtl style="width:100%;font:inherit" '
            f'placeholder="{_PLACEHOLDER}">{html.escape(text)}</textarea>'
            '<p><button type=submit id=submit>استخراج</button> '
            '<a href="/docs">API</a></p></form>')
    if message:
        form += f'<p id=error role=alert style="color:#a00">{html.escape(message)}</p>'
    return to_html(documents, title="persnews", before=form)
