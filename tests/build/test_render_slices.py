"""A file of one aggregate or of one read model is rendered from its slice of the spec (slices.py),
and the render cache keys it by that slice: the key is right only if the file reads nothing
outside the slice. So every such file, rendered from the whole spec instead, must give the same
text: for every example, specs with the forms read models take (external events, a hand-written
update), and random valid specs."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import EXAMPLES, ROOT
from hypothesis import HealthCheck, given, settings
from spec_strategies import valid_specs
from spec_strategies.specs import dump

from generator.build import render as render_step
from generator.build import slices
from generator.build.plan import PlannedFile, plan
from generator.build.render import renderer
from generator.build.slices import READ_MODEL_TEMPLATES
from generator.evolution.lock import build_lock
from generator.spec import model as m
from generator.spec.load import load_bytes
from generator.spec.validate import validate_loaded


def _spec(text: str) -> m.Spec:
    spec, diagnostics = validate_loaded(load_bytes(text.encode("utf-8"), "eventforge.yaml"))
    assert spec is not None, [d.as_text() for d in diagnostics]
    return spec


def _sliced(planned: PlannedFile) -> bool:
    return "aggregate" in planned.context or planned.template in READ_MODEL_TEMPLATES


def _texts(spec: m.Spec) -> dict[str, str]:
    lock = build_lock(spec, None)
    render = renderer(spec, lock)
    return {p.path: render(p) for p in plan(spec, lock) if _sliced(p)}


def _same_from_the_whole_spec(spec: m.Spec) -> dict[str, str]:
    sliced = _texts(spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(slices, "aggregate_slice", lambda whole, _: whole)
        patch.setattr(slices, "read_model_slice", lambda whole, _: whole)
        whole = _texts(spec)
    assert sliced.keys() == whole.keys()
    for path in sliced:
        assert sliced[path] == whole[path], path
    return sliced


def _read_model_forms() -> str:
    """The shop of tests/end_to_end/test_read_model_forms.py with its hand-written read model."""
    path = ROOT / "tests/end_to_end/test_read_model_forms.py"
    found = importlib.util.spec_from_file_location("read_model_forms", path)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    text: str = module.DECLARATIVE
    return text.replace("timelines:", module.CUSTOM + "timelines:")


SPECS = {
    **{p.name: p / "eventforge.yaml" for p in sorted(EXAMPLES.iterdir()) if p.is_dir()},
    "processes (external events)": ROOT / "tests/end_to_end/processes/shop.yaml",
}


@pytest.mark.parametrize("name", list(SPECS))
def test_each_sliced_file_of_a_spec_reads_only_its_slice(name: str) -> None:
    texts = _same_from_the_whole_spec(_spec(SPECS[name].read_text(encoding="utf-8")))
    assert any("/read_models/" in path for path in texts), "no read model was compared"


def test_a_hand_written_read_model_s_files_read_only_their_slice() -> None:
    texts = _same_from_the_whole_spec(_spec(_read_model_forms()))
    assert any(path.endswith("read_models/custom/popularity.py") for path in texts)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(built=valid_specs(max_aggregates=3, scenarios="lean"))
def test_each_sliced_file_of_a_random_spec_reads_only_its_slice(built: object) -> None:
    _same_from_the_whole_spec(_spec(dump(built.data)))  # type: ignore[attr-defined]


def test_a_file_reading_outside_its_slice_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above fails for a template that reads what its slice leaves out."""
    spec = _spec((EXAMPLES / "bank" / "eventforge.yaml").read_text(encoding="utf-8"))
    original = render_step._types_import

    def reads_every_aggregate(part: m.Spec) -> str:
        return original(part) + "".join(f"\n# {a.name}" for a in part.aggregates)

    monkeypatch.setattr(render_step, "_types_import", reads_every_aggregate)
    with pytest.raises(AssertionError):
        _same_from_the_whole_spec(spec)
