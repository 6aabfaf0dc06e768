"""Documents as text for people and tools: CoNLL columns and a self-contained HTML page.

JSON and JSONL come from :meth:`Document.to_dict`; the keys are the same in
every format. The HTML page needs no network (inline CSS, no scripts): an
analyst opens it in a browser and sees the four labels, the relation links
and a table of officials.
"""

from __future__ import annotations

import html
from typing import Sequence

from .document import Document, Relation
from .normalization import normalize
from .segmentation import sentences

_COLOURS = {"PER": "#ffd6a5", "ROLE": "#caffbf", "ORG": "#a0c4ff", "LOC": "#ffc6ff"}
_FORMER = "سابق"
"""What the HTML tables write in their «پیشین» column for a former office (``"former": true``)."""


def _relation_text(document: Document, relation: Relation) -> str:
    """``person | role | institution`` (``-`` for none), ``| former`` after a former office."""
    where = "-" if relation.institution is None else document.entities[relation.institution].text
    return (f"{document.entities[relation.person].text} | {document.entities[relation.role].text} | {where}"
            + (" | former" if relation.former else ""))


def to_conll(document: Document) -> str:
    """One ``word<TAB>BIO-tag`` line per word of the original text, a blank line between sentences; first a
    ``# relation = person | role | institution`` comment per relation (``| former`` for a former office)."""
    lines = [f"# relation = {_relation_text(document, r)}" for r in document.relations]
    entities = list(document.entities)
    for sentence in sentences(normalize(document.text)):
        for token in sentence.tokens:
            word = document.text[token.start:token.end]
            owner = next((e for e in entities if e.start <= token.start < e.end), None)
            tag = "O" if owner is None else ("B-" if owner.start == token.start else "I-") + owner.label
            lines.append(f"{word}\t{tag}")
        lines.append("")
    return "\n".join(lines) + ("\n" if lines else "")


def to_text(document: Document) -> str:
    """A summary for a terminal: officials with their positions, then every entity by label."""
    lines = [f"== {document.id or 'document'} =="]
    for official in document.officials:
        for position in official.positions:
            former = " (former)" if position.former else ""
            lines.append(f"{official.name} — {position.role} — {position.institution or '?'}{former}")
    if not document.officials:
        lines.append("(no officials found)")
    for label in ("PER", "ROLE", "ORG", "LOC"):
        names = list(dict.fromkeys(e.text for e in document.entities if e.label == label))
        lines.append(f"{label}: {'، '.join(names) if names else '-'}")
    return "\n".join(lines) + "\n"


def _highlighted(document: Document, index_offset: int) -> str:
    parts, cursor = [], 0
    linked = {r.person for r in document.relations} | {r.role for r in document.relations}
    for k, entity in enumerate(document.entities):
        parts.append(html.escape(document.text[cursor:entity.start]))
        title = f"{entity.label} #{k} ({entity.score:.2f})"
        link = " linked" if k in linked else ""
        parts.append(f'<mark class="{entity.label}{link}" id="e{index_offset + k}" title="{html.escape(title)}">'
                     f"{html.escape(entity.text)}<sub>{entity.label}</sub></mark>")
        cursor = entity.end
    parts.append(html.escape(document.text[cursor:]))
    return "".join(parts).replace("\n", "<br>\n")


def _relations_table(document: Document, index_offset: int) -> str:
    def link(k: int | None) -> str:
        if k is None:
            return "—"
        return f'<a href="#e{index_offset + k}">{html.escape(document.entities[k].text)}</a>'

    rows = [f"<tr><td>{link(r.person)}</td><td>{link(r.role)}</td><td>{link(r.institution)}</td>"
            f"<td>{_FORMER if r.former else ''}</td><td>{r.score:.2f}</td></tr>" for r in document.relations]
    return ("<table><tr><th>شخص</th><th>سمت</th><th>نهاد</th><th>پیشین</th><th>اطمینان</th></tr>" + "".join(rows)
            + "</table>"
            if rows else "<p>رابطه‌ای یافت نشد.</p>")


def _officials_table(document: Document) -> str:
    rows = []
    for official in document.officials:
        for position in official.positions:
            rows.append(f"<tr><td>{html.escape(official.name)}</td><td>{html.escape(position.role)}</td>"
                        f"<td>{html.escape(position.institution or '—')}</td>"
                        f"<td>{_FORMER if position.former else ''}</td></tr>")
    return ("<table><tr><th>مقام</th><th>سمت</th><th>نهاد</th><th>پیشین</th></tr>" + "".join(rows) + "</table>"
            if rows else "<p>مقامی یافت نشد.</p>")


def to_html(documents: Sequence[Document], title: str = "persnews", before: str = "") -> str:
    """A self-contained page: each document highlighted, its relations, and its officials.

    ``before`` is trusted HTML put above the documents (``persnews serve`` puts its input form there).
    """
    style = "".join(f"mark.{label}{{background:{colour}}}" for label, colour in _COLOURS.items())
    legend = " ".join(f'<mark class="{label}">{label}</mark>' for label in _COLOURS)
    sections, offset = [], 0
    for n, document in enumerate(documents, 1):
        name = html.escape(document.id or f"document {n}")
        sections.append(f"<section><h2>{name}</h2><p class=text>{_highlighted(document, offset)}</p>"
                        f"<h3>روابط</h3>{_relations_table(document, offset)}<h3>مقامات</h3>{_officials_table(document)}"
                        "</section>")
        offset += len(document.entities)
    return ("<!DOCTYPE html><html lang=fa dir=rtl><head><meta charset=utf-8>"
            f"<title>{html.escape(title)}</title><style>body{{font-family:Vazirmatn,Tahoma,sans-serif;"
            "max-width:60em;margin:auto;line-height:2}mark{padding:0 .2em;border-radius:.3em}"
            "mark.linked{outline:2px solid #555}mark sub{font-size:.6em;color:#333}"
            "table{border-collapse:collapse}td,th{border:1px solid #aaa;padding:.2em .6em}"
            f"{style}</style></head><body><h1>{html.escape(title)}</h1>{before}<p>{legend}</p>"
            + "".join(sections) + "</body></html>\n")
