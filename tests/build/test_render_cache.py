"""The render cache (render.json, generator/build/cache.py): reused only when its key matches,
ignored when broken or foreign, never read by `check`, and reused for what did not change."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import cli, copy_example, read_cache, write_cache, write_stubs

from generator.build import cache as cache_step
from generator.build.cache import CACHE_FILE, RENDER_FILE


def _generated(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and ".eventforge" not in p.parts
    }


def _edit(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("A customer's current account.", "An account."), encoding="utf-8")


def _tamper(project: Path, *, tool: str | None = None) -> str:
    """The Account aggregate's state.py made to render as `TAMPERED = True` as far as the caches
    can tell: the render cache gives that text's hash, and the format cache its formatted text
    (kept in the cache, as for a user file). Returns the path."""
    tampered = "TAMPERED = True\n"
    digest = hashlib.sha256(tampered.encode("utf-8")).hexdigest()
    data = read_cache(project, RENDER_FILE)
    path = next(p for p in data["files"] if p.endswith("/account/state.py"))
    data["files"][path][1] = digest
    if tool is not None:
        data["tool"] = tool
    write_cache(project, RENDER_FILE, data)
    formats = read_cache(project, CACHE_FILE)
    formats["files"][path] = [digest, digest, tampered]
    write_cache(project, CACHE_FILE, formats)
    return path


def test_only_the_changed_aggregates_files_are_rendered_again(tmp_path: Path, monkeypatch) -> None:
    spec = copy_example("orders", tmp_path / "p")
    assert cli("generate", spec).exit_code == 0
    rendered: list[str] = []
    remember = cache_step.RenderCache.remember

    def spy(self: cache_step.RenderCache, path: str, key: str, text: str) -> None:
        rendered.append(path)
        remember(self, path, key, text)

    monkeypatch.setattr(cache_step.RenderCache, "remember", spy)
    text = spec.read_text(encoding="utf-8")
    old = "The parcels that carry one order to its customer."
    spec.write_text(text.replace(old, "The parcels of one order."), "utf-8")
    assert cli("generate", spec).exit_code == 0
    # The Shipment aggregate's files; the Order and Product aggregates' are reused.
    assert rendered and all("/shipment/" in path for path in rendered), rendered


def test_a_broken_cache_means_rendering_everything(tmp_path: Path) -> None:
    spec = copy_example("bank", tmp_path / "p")
    assert cli("generate", spec).exit_code == 0
    write_cache(tmp_path / "p", RENDER_FILE, b"{not json")  # signed, so that parsing is what fails
    _edit(spec)
    assert cli("generate", spec).exit_code == 0
    clean = copy_example("bank", tmp_path / "clean")
    _edit(clean)
    assert cli("generate", clean).exit_code == 0
    assert _generated(tmp_path / "p") == _generated(tmp_path / "clean")


def test_a_foreign_cache_is_ignored(tmp_path: Path) -> None:
    """A cache from another eventforge (another `tool`) is not read, even where its keys match."""
    project = tmp_path / "p"
    spec = copy_example("bank", project)
    assert cli("generate", spec).exit_code == 0
    path = _tamper(project, tool="another eventforge")
    (project / path).unlink()  # so that generate must produce it
    (project / ".eventforge" / "cache" / "generate.json").unlink()
    assert cli("generate", spec).exit_code == 0
    assert "TAMPERED" not in (project / path).read_text(encoding="utf-8")


def test_check_never_reads_the_render_cache(tmp_path: Path) -> None:
    project = tmp_path / "p"
    spec = copy_example("bank", project)
    assert cli("generate", spec).exit_code == 0
    write_stubs(project)
    assert cli("generate", spec).exit_code == 0
    _tamper(project)
    (project / ".eventforge" / "cache" / "generate.json").unlink()  # else nothing would render
    assert cli("check", spec).exit_code == 0


def test_compiled_templates_are_kept_per_user_and_a_broken_one_is_compiled_again(
    tmp_path: Path, monkeypatch
) -> None:
    from generator.build.slices import bytecode_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    spec = copy_example("bank", tmp_path / "p")
    assert cli("generate", spec).exit_code == 0
    compiled = sorted((tmp_path / "xdg" / "eventforge").rglob("*.cache"))
    assert compiled, "no compiled template was kept"
    for path in compiled:  # cut short: right magic header, then garbage
        path.write_bytes(path.read_bytes()[:20] + b"\x00garbage")
    (tmp_path / "p" / ".eventforge" / "cache" / "generate.json").unlink()
    (tmp_path / "p" / ".eventforge" / "cache" / "render.json").unlink()
    assert cli("generate", spec).exit_code == 0
    write_stubs(tmp_path / "p")
    assert cli("check", spec).exit_code == 0
    monkeypatch.setenv("EVENTFORGE_NO_TEMPLATE_CACHE", "1")
    assert bytecode_cache("x" * 64) is None


def test_the_tampering_is_what_a_cache_that_is_read_would_write(tmp_path: Path) -> None:
    """The tests above are not vacuous: with the render cache's own tool, the tampered text is
    what generate writes (a forged cache may fool generate; never check)."""
    project = tmp_path / "p"
    spec = copy_example("bank", project)
    assert cli("generate", spec).exit_code == 0
    path = _tamper(project)
    (project / path).unlink()
    (project / ".eventforge" / "cache" / "generate.json").unlink()
    assert cli("generate", spec).exit_code == 0
    assert (project / path).read_text(encoding="utf-8") == "TAMPERED = True\n"
    assert cli("check", spec).exit_code == 1


def test_a_file_whose_formatted_text_is_known_is_not_rendered(tmp_path: Path, monkeypatch) -> None:
    """render.json holds hashes: a file it knows is rendered only when the format cache does not
    know its formatted text."""
    from generator.build import render as render_step

    spec = copy_example("orders", tmp_path / "p")
    assert cli("generate", spec).exit_code == 0
    rendered: list[str] = []
    real = render_step._renderers

    def spying(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        render, key_of = real(*args, **kwargs)  # type: ignore[arg-type]

        def spy(planned):  # type: ignore[no-untyped-def]
            rendered.append(planned.path)
            return render(planned)

        return spy, key_of

    monkeypatch.setattr(render_step, "_renderers", spying)
    text = spec.read_text(encoding="utf-8")
    old = "The parcels that carry one order to its customer."
    spec.write_text(text.replace(old, "The parcels of one order."), "utf-8")
    assert cli("generate", spec).exit_code == 0
    assert rendered and not any("/order/" in path for path in rendered), rendered
    formats = read_cache(tmp_path / "p", CACHE_FILE)
    write_cache(tmp_path / "p", CACHE_FILE, {**formats, "files": {}})
    rendered.clear()
    spec.write_text(text, "utf-8")  # the format cache no longer knows: render to format
    assert cli("generate", spec).exit_code == 0
    assert any("/order/" in path for path in rendered), rendered
