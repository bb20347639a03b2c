"""The wheel carries its templates, schema and example specs: build, install, generate, test."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

from conftest import ROOT


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH: the wheel's venv must import its own copy, not the checkout a worktree
    # run points PYTHONPATH at.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )


def test_wheel_installs_and_generates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT],
        tmp_path,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [wheel] = dist.glob("eventforge-*.whl")
    # A fresh environment that still sees this interpreter's packages for dependencies (no network
    # needed); the wheel is installed into the venv itself, ahead of anything else.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    installed = _run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel], tmp_path
    )
    assert installed.returncode == 0, installed.stderr
    where = _run([python, "-c", "import generator, sys; print(generator.__file__)"], tmp_path)
    assert str(env_dir) in where.stdout, where.stdout + where.stderr
    eventforge = env_dir / "bin" / "eventforge"
    assert _run([eventforge, "init", "demo", "--example", "bank"], tmp_path).returncode == 0
    generated = _run([eventforge, "generate", "demo/eventforge.yaml"], tmp_path)
    assert generated.returncode == 0, generated.stderr
    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path / "demo")
    assert tests.returncode == 0, tests.stdout + tests.stderr
    # The spec language reference ships too: `prompt` and the MCP server serve it.
    prompt = _run([eventforge, "prompt", "a bakery"], tmp_path)
    assert prompt.returncode == 0 and "## Filling event fields" in prompt.stdout, prompt.stderr
