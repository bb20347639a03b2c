"""The generated packages on a real PostgreSQL server.

`.ci/run` starts one and sets POSTGRES_HOST and friends; in CI (CI=true) these tests must run.
Locally without a server they skip, saying how to run them.
"""

from __future__ import annotations

import os
import re

import pytest
from conftest import EXAMPLES, ROOT, run_pytest

HOW = (
    'no PostgreSQL: run `eval "$(.ci/postgres)"` (starts a throwaway server on 127.0.0.1 and '
    "prints the POSTGRES_* variables), then run the tests again"
)


@pytest.fixture(scope="module")
def postgres() -> None:
    if not os.environ.get("POSTGRES_HOST"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but POSTGRES_HOST is not set: .ci/run must start PostgreSQL")
        pytest.skip(HOW)


@pytest.mark.parametrize(
    "example", ["bank", "orders", "library", "cart", "shopvertical", "emmett_cart"]
)
def test_example_passes_its_store_tests_on_postgres(postgres: None, example: str) -> None:
    result = run_pytest(EXAMPLES / example, "tests", "-k", "postgres", "-rs", postgres=True)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 3, result.stdout
    assert "skipped" not in result.stdout, result.stdout


def test_start_script_is_executable() -> None:
    script = ROOT / ".ci" / "postgres"
    assert os.access(script, os.X_OK)
