import json

import pytest

from persnews.data.annotation_tools import LABEL_STUDIO_CONFIG, export_labelstudio, import_doccano, \
    import_labelstudio, parse_labelstudio, triples_from_links, write_labelstudio
from persnews.document import Document, Official, Position
from persnews.errors import DataFormatError

TEXT = "🎉 مریم احمدی، سخنگوی شورا و رئیس کمیسیون فرهنگی شورای شهر گفت"


def region(key, start, end, label, text=None):
    value = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"id": key, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def link(a, b):
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": []}


def spans(doc):
    return [(e.label, e.text) for e in doc.entities]


def labelstudio_task(result, **extra):
    return {"id": 7, "data": {"text": TEXT}, "annotations": [{"id": 1, "result": result, "was_cancelled": False,
                                                              "updated_at": "2024-01-02T00:00:00Z"}], **extra}


def test_label_studio_spans_and_links_become_triples(tmp_path):
    # offsets after the emoji are UTF-16 units (one more than code points); one span has an extra space
    per = TEXT.index("مریم")
    result = [region("p", per + 1, per + 11, "PER", "مریم احمدی"),
              region("r1", TEXT.index("سخنگوی"), TEXT.index("سخنگوی") + 7, "ROLE", "سخنگوی "),
              region("o1", TEXT.index("شورا "), TEXT.index("شورا ") + 4, "ORG", "شورا"),
              region("r2", TEXT.index("رئیس"), TEXT.index("رئیس") + 19, "ROLE", "رئیس کمیسیون فرهنگی"),
              region("x", 3, 8, "LOC", "تهران"),
              region("o2", TEXT.index("شورای"), TEXT.index("شورای") + 9, "ORG", "شورای شهر"),
              region("d", TEXT.index("گفت"), TEXT.index("گفت") + 3, "VERB", "گفت"),
              link("p", "r1"), link("o1", "r1"), link("r2", "p"), link("r2", "o2"), link("o1", "o2"),
              {"id": "c", "type": "choices", "value": {"choices": ["ok"]}}]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([labelstudio_task(result)], ensure_ascii=False), encoding="utf-8")
    imported = import_labelstudio(path)
    (doc,) = imported.documents
    assert doc.id == "labelstudio/7"
    assert spans(doc) == [("PER", "مریم احمدی"), ("ROLE", "سخنگوی"), ("ORG", "شورا"),
                          ("ROLE", "رئیس کمیسیون فرهنگی"), ("ORG", "شورای شهر")]
    assert [(r.person, r.role, r.institution) for r in doc.relations] == [(0, 1, 2), (0, 3, 4)]
    skipped = "\n".join(imported.skipped)
    assert "span 'x': offsets 3:8 do not match the surface 'تهران'" in skipped
    assert "label 'VERB'" in skipped and "ORG–ORG" in skipped and "'c' of type 'choices'" in skipped


def test_latest_annotation_wins_and_cancelled_or_empty_tasks_are_reported():
    old = {"result": [region("a", 2, 12, "PER")], "updated_at": "2024-01-01", "was_cancelled": False}
    new = {"result": [region("a", 2, 6, "PER")], "updated_at": "2024-03-01", "was_cancelled": False}
    cancelled = {"result": [], "updated_at": "2024-05-01", "was_cancelled": True}
    result = parse_labelstudio([
        {"id": 1, "data": {"text": TEXT}, "annotations": [old, new, cancelled]},
        {"id": 2, "data": {"text": TEXT}, "annotations": [cancelled]},
        {"id": 3, "data": {"body": TEXT}}], "x.json")
    assert [spans(d) for d in result.documents] == [[("PER", "مریم")]]
    assert result.skipped == ("x.json: task 2: no annotation that was not cancelled, skipped",
                              "x.json: task 3: no data.text, skipped")
    with pytest.raises(DataFormatError):
        parse_labelstudio({"tasks": []})


def test_overlapping_spans_and_dangling_links_are_skipped_with_reasons():
    result = parse_labelstudio([labelstudio_task([
        region("a", 2, 12, "PER"), region("b", 7, 12, "ROLE"), region("c", 2, 12, "PER"), link("b", "a"),
        link("a", "zzz")])], "x.json")
    (doc,) = result.documents
    assert spans(doc) == [("PER", "مریم احمدی")] and doc.relations == ()
    assert [s.split(": ", 2)[2] for s in result.skipped] == [
        "span 'b' ROLE at 7:12 overlaps PER at 2:12",
        "link 'b' → 'a' points at a span that was skipped or does not exist",
        "link 'a' → 'zzz' points at a span that was skipped or does not exist"]


def test_doccano_both_export_shapes(tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": 3, "text": "علی رضایی شهردار شد", "label": [[0, 9, "PER"], [10, 16, "ROLE"], [17, 19, "X"]]},
        {"id": 4, "text": "علی رضایی شهردار کرمان شد",
         "entities": [{"id": 11, "label": "PER", "start_offset": 0, "end_offset": 9},
                      {"id": 12, "label": "ROLE", "start_offset": 10, "end_offset": 16},
                      {"id": 13, "label": "LOC", "start_offset": 17, "end_offset": 22}],
         "relations": [{"id": 1, "from_id": 11, "to_id": 12, "type": "holds"},
                       {"id": 2, "from_id": 12, "to_id": 13, "type": "at"}]},
        {"text": 5}]), encoding="utf-8")
    result = import_doccano(path)
    assert [d.id for d in result.documents] == ["doccano/3", "doccano/4"]
    assert spans(result.documents[0]) == [("PER", "علی رضایی"), ("ROLE", "شهردار")]
    assert [(r.person, r.role, r.institution) for r in result.documents[1].relations] == [(0, 1, 2)]
    assert [s.split(": ")[0] for s in result.skipped] == [f"{path}:1", f"{path}:3"]


def test_round_trip_import_export_import_is_identity(tmp_path, make_doc):
    doc = make_doc("doc-17", "مریم احمدی، سخنگوی شورا و رئیس کمیسیون فرهنگی و حسین نوری، استاد دانشگاه گفتند",
                   [("مریم احمدی", "PER"), ("سخنگوی", "ROLE"), ("شورا", "ORG"), ("رئیس کمیسیون فرهنگی", "ROLE"),
                    ("حسین نوری", "PER"), ("استاد دانشگاه", "ROLE")], [(0, 1, 2), (0, 3, None), (4, 5, None)])
    doc = Document(doc.text, doc.entities, doc.relations, (Official("مریم احمدی", (Position("سخنگوی", "شورا", (0,)),)),),
                   doc.id)
    first = tmp_path / "tasks.json"
    assert write_labelstudio(first, [doc]) == 1
    imported = import_labelstudio(first)
    assert imported.documents == (doc,) and imported.skipped == ()
    write_labelstudio(tmp_path / "again.json", imported.documents)
    assert import_labelstudio(tmp_path / "again.json").documents == imported.documents
    assert all(f'value="{label}"' in LABEL_STUDIO_CONFIG for label in ("PER", "ROLE", "ORG", "LOC"))


def test_export_refuses_triples_links_cannot_carry(make_doc):
    # one ROLE mention at an institution for one person and at none for another
    doc = make_doc("d", "علی و رضا، مدیران شهرداری", [("علی", "PER"), ("رضا", "PER"), ("مدیران", "ROLE"),
                                                       ("شهرداری", "ORG")], [(0, 2, 3), (1, 2, None)])
    with pytest.raises(DataFormatError, match="cannot be exported"):
        export_labelstudio([doc])
    relations, problems = triples_from_links(["ROLE", "ORG"], [(0, 1, "at")])
    assert relations == [] and "no person" in problems[0]


def test_a_held_link_is_a_former_office_both_ways(tmp_path, make_doc):
    doc = make_doc("d", "علی رضایی، شهردار سابق تهران و رئیس شورا گفت",
                   [("علی رضایی", "PER"), ("شهردار", "ROLE"), ("تهران", "LOC"), ("رئیس", "ROLE"), ("شورا", "ORG")],
                   [(0, 1, 2, True), (0, 3, 4)])
    assert [r.former for r in doc.relations] == [True, False]
    tasks = export_labelstudio([doc])
    names = sorted(tuple(item["labels"]) for item in tasks[0]["annotations"][0]["result"] if item["type"] == "relation")
    assert names == [("at",), ("at",), ("held",), ("holds",)] and 'value="held"' in LABEL_STUDIO_CONFIG
    assert parse_labelstudio(tasks).documents == (doc,)
    relations, _ = triples_from_links(["PER", "ROLE"], [(1, 0, "held")])
    assert relations[0].former and not triples_from_links(["PER", "ROLE"], [(0, 1, "")])[0][0].former


def test_docstring_examples(doctests):
    from persnews.data import annotation_tools

    assert doctests(annotation_tools) > 0
