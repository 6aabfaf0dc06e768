import json

import pytest

from persnews.data.cli import main
from persnews.data.release import read_release
from persnews.data.splits import SPLITS


def run(capsys, *argv):
    status = main(["data", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_build_stats_validate_export_import_merge(tmp_path, capsys, authored_file):
    releases = tmp_path / "releases"
    status, out, _ = run(capsys, "build-release", "v1", "--authored", str(authored_file), "--releases-dir", str(releases))
    assert status == 0 and out.splitlines()[0].split()[:2] == ["split", "documents"]
    status, out, _ = run(capsys, "stats", str(releases / "v1"))
    assert status == 0 and out.splitlines()[4].split()[:2] == ["total", "20"]
    assert run(capsys, "validate", str(releases / "v1"))[:2] == (0, "")

    tasks = tmp_path / "tasks.json"
    assert run(capsys, "export-labelstudio", str(releases / "v1"), "-o", str(tasks))[0] == 0
    assert len(json.loads(tasks.read_text(encoding="utf-8"))) == 20
    back = tmp_path / "back.jsonl"
    status, _, err = run(capsys, "import", "labelstudio", str(tasks), "-o", str(back))
    assert status == 0 and "wrote 20 documents" in err
    assert run(capsys, "validate", str(back))[0] == 0
    status, _, _ = run(capsys, "build-release", "corrected", "--authored", "--documents", str(back),
                       "--releases-dir", str(releases))
    assert status == 0 and read_release(releases / "corrected").train == read_release(releases / "v1").train

    status, _, _ = run(capsys, "build-release", "v2", "--authored", str(authored_file), "--releases-dir",
                       str(releases), "--test", "0.3")
    status, out, err = run(capsys, "merge", str(releases / "v1"), str(releases / "v2"), "-o", str(releases / "m"))
    assert status == 0 and "wrote" in out and "dropped" in err
    merged = read_release(releases / "m")
    assert sum(len(merged.split(s)) for s in SPLITS) == 20


def test_validate_reports_every_problem_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "ab", "entities": [{"start": 0, "end": 5, "label": "X"}]}\n{oops\n',
                    encoding="utf-8")
    status, out, err = run(capsys, "validate", str(path))
    assert status == 1 and len(out.splitlines()) == 3 and "3 problem(s)" in err
    assert all(line.startswith(f"{path}:") for line in out.splitlines())


def test_import_corpus_prints_its_skip_report(tmp_path, capsys, fake_corpora):
    out_file = tmp_path / "nsurl.jsonl"
    status, _, err = run(capsys, "import", "nsurl", str(fake_corpora / "nsurl2019"), "-o", str(out_file))
    assert status == 0 and "corrupt tag 'OB-ORG'" in err and "wrote 2 documents" in err
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 2


def test_errors_are_printed_not_raised(tmp_path, capsys):
    status, _, err = run(capsys, "stats", str(tmp_path))
    assert status == 1 and err.startswith("error:") and "manifest.json: missing" in err
    with pytest.raises(SystemExit):
        main(["data", "build-release", "x", "--test", "1.5"])
