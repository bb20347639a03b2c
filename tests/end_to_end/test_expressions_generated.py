"""The expressions of issue 13 end to end: a cart (an item removed from a list, quantities per
product in a map, the total of the lines with sum, value objects built by keyword, the first
coupon wins) and hotel bookings (late check-out asked 24 hours before, with hours(24)), from
tests/end_to_end/expressions/shop.yaml, generate a package that passes ruff, mypy --strict and
its own scenarios, which exercise each form."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import assert_clean_and_strictly_typed, cli, run_pytest

SPEC = Path(__file__).parent / "expressions" / "shop.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("shopstay")
    shutil.copy(SPEC, project / "eventforge.yaml")
    validated = cli("validate", project / "eventforge.yaml")
    assert validated.exit_code == 0 and "warning" not in validated.stdout, validated.stdout
    result = cli("generate", project / "eventforge.yaml")
    assert result.exit_code == 0, result.stdout + result.stderr
    return project


def test_the_package_passes_its_own_scenarios(project: Path) -> None:
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and " failed" not in result.stdout
    for scenario in ("removed_from_the_list", "first_coupon_wins", "too_late", "totals_the_lines"):
        assert scenario in (result.stdout + _tests(project)), scenario


def _tests(project: Path) -> str:
    return "".join(p.read_text() for p in (project / "tests").rglob("test_*.py"))


def test_the_package_is_ruff_clean_and_strictly_typed(project: Path) -> None:
    assert_clean_and_strictly_typed(project)


def test_the_generated_code_reads_like_the_spec(project: Path) -> None:
    evolve = (project / "src/shopstay/cart/evolve.py").read_text()
    assert "items=tuple(i for i in state.items if i.product_id != event.product_id)," in evolve
    assert "quantities={k: v for k, v in state.quantities.items() if k != event.product_id}," in (
        evolve
    )
    assert "sizes={**state.sizes, event.size: state.sizes.get(event.size, 0) + 1}," in evolve
    assert "total=sum((i.price * i.quantity for i in state.items), Decimal(0))" in evolve
    assert "coupon=event.code if state.coupon is None else state.coupon," in evolve
    assert "CartItem(\n" in evolve or "CartItem(product_id=event.product_id" in evolve
    check_out = (project / "src/shopstay/cart/check_out.py").read_text()
    assert 'state.total * (Decimal("0.9") if state.coupon is not None else Decimal("1")), 2' in (
        check_out
    )
    assert "large=state.sizes.get(Size.LARGE, 0) > 0 and all(" in check_out
    late = (project / "src/shopstay/booking/ask_late_check_out.py").read_text()
    assert "if state.starts_at - clock.now() < timedelta(hours=24):" in late
