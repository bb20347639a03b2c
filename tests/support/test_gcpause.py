"""generator/support/gcpause.py: the collector is paused during a run and left as it was found."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from conftest import EXAMPLES

from generator.build.pipeline import produce
from generator.support import gcpause


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    gcpause.long_lived()
    gc.unfreeze()
    gc.enable()


def test_a_run_pauses_the_collector_and_a_long_lived_process_collects_after() -> None:
    seen: list[bool] = []
    with gcpause.paused_gc():
        seen.append(gc.isenabled())
        with gcpause.paused_gc():  # nested
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
    assert seen == [False, False, False]
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    produce(EXAMPLES / "bank" / "eventforge.yaml")
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_a_one_command_process_freezes_instead_of_walking() -> None:
    gcpause.one_command()
    frozen = gc.get_freeze_count()
    produce(EXAMPLES / "bank" / "eventforge.yaml")
    assert gc.isenabled() and gc.get_freeze_count() > frozen


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    with gcpause.paused_gc():
        pass
    assert not gc.isenabled()


def test_a_long_lived_process_frees_the_cycles_a_run_made() -> None:
    """The collection after a run looks at the youngest generation only (cheap in a big
    process), which still holds everything the run made, so its cycles are freed."""

    class Node:
        def __init__(self) -> None:
            self.me = self

    freed: list[bool] = []
    with gcpause.paused_gc():
        node = Node()
        weakref.finalize(node, freed.append, True)
        del node
    assert freed == [True]
