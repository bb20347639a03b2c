"""Broken and hostile input: nothing crashes, every problem is located, nothing is written, and no
write ever leaves the output directory (through `..`, absolute names or symbolic links).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLES, cli, copy_example, tree, write_stubs
from corpus import CASES, TEXT_LINE, expected

from generator.spec.load import MAX_BYTES

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
    checked = tmp_path / "checked"
    checked.mkdir()
    runs = (
        ("generate", spec, "--out", out),
        ("generate", spec),
        ("check", spec),
        ("check", spec, "--out", checked),
    )
    for args in runs:
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
        assert reported == expected(case), args
    for args in (runs[0], runs[3]):
        as_json = cli(*args, "--format", "json")
        assert as_json.exit_code == 1, args
        assert "Traceback" not in as_json.stdout + as_json.stderr
        document = json.loads(as_json.stdout)
        assert document["ok"] is False, args
        reported = sorted(
            (e["code"], e["line"], e["column"]) for e in document["errors"] if e["level"] == "error"
        )
        assert reported == expected(case), args
        assert all(e["file"] == str(spec) for e in document["errors"]), args
    assert _files(out) == set()
    assert _files(checked) == set()
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


UNREADABLE = {
    "missing": "No such file or directory",
    "directory": "Is a directory",
    "unreadable": "Permission denied",
}


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_a_spec_that_cannot_be_read_is_an_io_error(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "eventforge.yaml"
    refused: list[Path] = []
    if kind == "directory":
        spec.mkdir()
    elif kind == "unreadable":
        shutil.copy(EXAMPLES / "bank/eventforge.yaml", spec)
        spec.chmod(0)
        if os.access(spec, os.R_OK):  # root reads a mode-000 file: refuse it the way the OS would
            read_bytes = Path.read_bytes

            def refuse(self: Path) -> bytes:
                if self.resolve() == spec.resolve():
                    refused.append(self)
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
                return read_bytes(self)

            monkeypatch.setattr(Path, "read_bytes", refuse)
    before = _files(tmp_path)
    out = tmp_path / "out"
    runs: list[tuple[str | Path, ...]] = [
        ("validate", spec),
        ("generate", spec),
        ("generate", spec, "--out", out),
        ("check", spec),
        ("check", spec, "--out", out),
    ]
    for args in runs:
        text = cli(*args)
        assert text.exit_code == 2, (args, text.stderr)
        assert "Traceback" not in text.stdout + text.stderr
        assert text.stderr.splitlines() == [
            f"{spec}:1:1: error[E100]: cannot read the spec: {UNREADABLE[kind]} "
            "(hint: check the path; the spec is `eventforge.yaml` in the current directory "
            "by default)"
        ], text.stderr
        as_json = cli(*args, "--format", "json")
        assert as_json.exit_code == 2, args
        assert "Traceback" not in as_json.stdout + as_json.stderr
        document = json.loads(as_json.stdout)
        errors = document if args[0] == "validate" else document["errors"]
        assert args[0] == "validate" or document["ok"] is False
        assert [(e["code"], e["line"], e["column"], e["file"]) for e in errors] == [
            ("E100", 1, 1, str(spec))
        ]
        assert errors[0]["message"] == f"cannot read the spec: {UNREADABLE[kind]}"
    if kind == "unreadable" and os.access(spec, os.R_OK):
        assert refused, "the spec was read: the test proved nothing"
    assert not out.exists()
    assert _files(tmp_path) == before


# -- a domain title that looks like a path ------------------------------------------------------


def _titled(title: str, directory: Path) -> Path:
    """The bank spec with this domain title and no `package:`, so the title names the package."""
    text = (EXAMPLES / "bank/eventforge.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^domain: .*$", f"domain: {json.dumps(title)}", text, count=1, flags=re.M)
    text, removed = re.subn(r"^package: .*\n", "", text, count=1, flags=re.M)
    assert removed == 1
    directory.mkdir(parents=True)
    spec = directory / "eventforge.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


TITLES = {"../../x": "x", "/etc/passwd": "etc_passwd"}


@pytest.mark.parametrize("title", sorted(TITLES))
def test_a_domain_title_that_looks_like_a_path_only_names_the_package(
    title: str, tmp_path: Path
) -> None:
    spec = _titled(title, tmp_path / "a/b/project")
    out = tmp_path / "a/b/out"
    before = _files(tmp_path)
    passwd = Path("/etc/passwd").read_bytes() if Path("/etc/passwd").is_file() else None
    for target, extra in ((spec.parent, ()), (out, ("--out", out))):
        result = cli("generate", spec, *extra)
        assert result.exit_code == 0, result.stderr
        assert [p.name for p in (target / "src").iterdir()] == [TITLES[title]]
        assert (target / "src" / TITLES[title] / "__init__.py").is_file()
        write_stubs(target)
        assert cli("check", spec, *extra).exit_code == 0
    written = _files(tmp_path) - before
    assert written and all(
        name == "a/b/out" or name.startswith(("a/b/project/", "a/b/out/")) for name in written
    )
    assert not [name for name in written if (tmp_path / name).is_symlink()]
    if passwd is not None:
        assert Path("/etc/passwd").read_bytes() == passwd


def test_a_domain_title_with_no_name_in_it_is_refused_where_it_is(tmp_path: Path) -> None:
    spec = _titled("..", tmp_path / "project")
    for command in ("validate", "generate"):
        result = cli(command, spec, "--format", "json")
        assert result.exit_code == 1
        document = json.loads(result.stdout)
        errors = document if command == "validate" else document["errors"]
        assert [(e["code"], e["line"], e["column"]) for e in errors] == [("E300", 3, 9)]
        assert "Traceback" not in result.stdout + result.stderr
    assert _files(tmp_path) == {"project", "project/eventforge.yaml"}


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
    write_stubs(real)
    assert cli("check", spec, "--out", tmp_path / "link1").exit_code == 0
    assert cli("check", spec, "--out", real).exit_code == 0


def test_a_symlink_that_stays_inside_the_tree_is_followed(project: Path) -> None:
    (project / "tests").mkdir()
    (project / "tests-real").mkdir()
    os.rmdir(project / "tests")
    (project / "tests").symlink_to(project / "tests-real", target_is_directory=True)
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    assert (project / "tests-real/test_bad_input.py").is_file()
    write_stubs(project)
    assert cli("check", project / "eventforge.yaml").exit_code == 0
