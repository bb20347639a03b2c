"""Broken and hostile input: nothing crashes, every problem is located, nothing is written, and no
write ever leaves the output directory (through `..`, absolute names or symbolic links).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import cli, copy_example, tree
from test_validation import CASES, TEXT_LINE, expected

from generator.load import MAX_BYTES

# -- every corpus file, through generate and check -----------------------------------------------


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_generate_on_a_corpus_file_writes_nothing(case: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    spec = project / "eventforge.yaml"
    shutil.copy(case, spec)
    out = tmp_path / "out"
    out.mkdir()
    for args in (("generate", spec, "--out", out), ("generate", spec), ("check", spec)):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        located = [TEXT_LINE.match(line) for line in result.stderr.splitlines()]
        assert located and all(located), result.stderr
        reported = sorted(
            (m["code"], int(m["line"]), int(m["column"]))
            for m in located
            if m is not None and m["level"] == "error"
        )
        assert reported == expected(case)
    as_json = cli("generate", spec, "--format", "json")
    assert as_json.exit_code == 1
    document = json.loads(as_json.stdout)
    assert document["ok"] is False and document["errors"]
    assert all(e["line"] >= 1 and e["column"] >= 1 for e in document["errors"])
    assert _files(out) == set()
    assert _files(project) == {"eventforge.yaml"}


# -- inputs made here rather than committed ------------------------------------------------------


def _spec_bytes(name: str) -> bytes:
    """Bytes of a spec that the loader must refuse, by name."""
    valid = b"eventforge: 1\ndomain: Shop\naggregates:\n  Order: {}\n"
    if name == "fifty_megabytes":
        line = b"# " + b"x" * 1021 + b"\n"
        return valid + line * (50 * 1024)
    if name == "not_utf8":
        return valid.replace(b"Shop", b"Sh\xf6p")
    if name == "utf16":
        return valid.decode().encode("utf-16")
    if name == "empty":
        return b""
    if name == "only_whitespace":
        return b"\n   \n\t\n"
    if name == "nul_bytes":
        return valid + b"\0\0\0"
    if name == "a_list":
        return b"- eventforge: 1\n- domain: Shop\n"
    if name == "a_scalar":
        return b"eventforge\n"
    if name == "billion_laughs_inline":
        lines = [b'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]".encode() for i in range(1, 10)]
        return b"\n".join(lines) + b"\n"
    raise AssertionError(name)


REFUSED = {
    "fifty_megabytes": ("E107", 1, 1),
    "not_utf8": ("E101", 2, 11),
    "utf16": ("E101", 1, 1),
    "empty": ("E105", 1, 1),
    "only_whitespace": ("E102", 3, 1),
    "nul_bytes": ("E102", 5, 1),
    "a_list": ("E105", 1, 1),
    "a_scalar": ("E105", 1, 1),
    "billion_laughs_inline": ("E104", 5, 5),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_bytes_are_located_and_write_nothing(name: str, tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.write_bytes(_spec_bytes(name))
    if name == "fifty_megabytes":
        assert spec.stat().st_size >= 50 * 1024 * 1024 > MAX_BYTES
    out = tmp_path / "out"
    for command in ("validate", "generate", "check"):
        args = [command, spec] if command == "validate" else [command, spec, "--out", out]
        result = cli(*args, "--format", "json")
        assert result.exit_code == 1, (command, result.stdout)
        document = json.loads(result.stdout)
        errors = document if isinstance(document, list) else document["errors"]
        assert [(e["code"], e["line"], e["column"]) for e in errors] == [REFUSED[name]]
        text = cli(*args)
        assert text.exit_code == 1
        assert "Traceback" not in text.stderr
        assert text.stderr.startswith(f"{spec}:{REFUSED[name][1]}:{REFUSED[name][2]}: error[")
    assert not out.exists()
    assert _files(tmp_path) == {"eventforge.yaml"}


def test_a_spec_that_is_a_directory_is_an_io_error(tmp_path: Path) -> None:
    spec = tmp_path / "eventforge.yaml"
    spec.mkdir()
    for command in ("validate", "generate", "check"):
        result = cli(command, spec)
        assert result.exit_code == 2, command
        assert "error[E100]" in result.stderr and "Traceback" not in result.stderr
    assert _files(tmp_path) == {"eventforge.yaml"}


# -- symbolic links in and around the output tree ------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A bank spec in tmp_path/project, not generated yet; tmp_path/outside is a bystander."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "precious.txt").write_text("keep me\n")
    return copy_example("bank", tmp_path / "project").parent


def _refused(spec: Path, outside: Path, *extra: str) -> None:
    before = tree(outside)
    result = cli("generate", spec, *extra)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "outside the output directory" in result.stderr
    assert tree(outside) == before
    as_json = cli("generate", spec, *extra, "--format", "json")
    assert as_json.exit_code == 2
    assert [e["code"] for e in json.loads(as_json.stdout)["errors"]] == ["E701"]
    check = cli("check", spec, *extra)
    assert check.exit_code == 2
    assert tree(outside) == before


def test_a_symlinked_file_that_points_outside_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "src/bank/account").mkdir(parents=True)
    (project / "src/bank/account/state.py").symlink_to(outside / "precious.txt")
    _refused(project / "eventforge.yaml", outside)
    assert (outside / "precious.txt").read_text() == "keep me\n"
    assert not (project / "src/bank/runtime.py").exists(), "refused before the first write"


def test_a_dangling_symlink_that_points_outside_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "README.md").symlink_to(outside / "not-yet.md")
    _refused(project / "eventforge.yaml", outside)
    assert not (outside / "not-yet.md").exists()


def test_a_symlinked_manifest_folder_that_points_outside_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    (project / ".eventforge").symlink_to(outside, target_is_directory=True)
    _refused(project / "eventforge.yaml", outside)
    assert not (outside / "manifest.json").exists()
    assert not (project / "src").exists(), "refused before the first write"
    assert not (project / "eventforge.lock").exists()


def test_a_manifest_that_names_paths_outside_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    manifest = project / ".eventforge/manifest.json"
    data = json.loads(manifest.read_text())
    data["files"]["../outside/precious.txt"] = {"owner": "generated", "sha256": "0" * 64}
    manifest.write_text(json.dumps(data))
    _refused(project / "eventforge.yaml", outside)
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_a_symlink_chain_inside_the_tree_that_leads_outside_is_refused(project: Path) -> None:
    outside = project.parent / "outside"
    (project / "hop").symlink_to(project / "hop2", target_is_directory=True)
    (project / "hop2").symlink_to(Path("..") / "outside", target_is_directory=True)
    (project / "src").symlink_to(project / "hop", target_is_directory=True)
    _refused(project / "eventforge.yaml", outside)


def test_out_through_a_symlink_chain_writes_only_where_it_leads(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "spec")
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link2").symlink_to(real, target_is_directory=True)
    (tmp_path / "link1").symlink_to(tmp_path / "link2", target_is_directory=True)
    result = cli("generate", spec, "--out", tmp_path / "link1")
    assert result.exit_code == 0, result.stderr
    assert (real / "src/bank/application.py").is_file()
    assert (real / ".eventforge/manifest.json").is_file()
    assert (tmp_path / "link1").is_symlink() and (tmp_path / "link2").is_symlink()
    assert _files(tmp_path / "spec") == {"eventforge.yaml", "eventforge.lock"}
    assert cli("check", spec, "--out", tmp_path / "link1").exit_code == 0
    assert cli("check", spec, "--out", real).exit_code == 0


def test_a_symlink_that_stays_inside_the_tree_is_followed(project: Path) -> None:
    (project / "tests").mkdir()
    (project / "tests-real").mkdir()
    os.rmdir(project / "tests")
    (project / "tests").symlink_to(project / "tests-real", target_is_directory=True)
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    assert (project / "tests-real/test_store.py").is_file()
    assert cli("check", project / "eventforge.yaml").exit_code == 0
