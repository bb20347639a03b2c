"""The lock file guards stored events: every breaking change it knows (E800-E806) fails `check` and
`generate` on a spec edited after a first generate, a refused generate writes nothing, and
`--allow-breaking` demotes them to warnings and moves the baseline; an unreadable lock (E807) is
refused even then, since overwriting it would forget what is stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import cli, tree, write_spec

# A spec of its own, so that edits to the examples cannot change what these tests edit. Counted is
# at version 2 already, so that E801 has a version to go down from.
PROBE = """\
eventforge: 1
domain: Lock Probe
package: lock_probe
aggregates:
  Tally:
    id: tally_id
    state:
      total: {type: int, default: 0}
    events:
      TallyStarted:
        fields: {label: str}
      Counted:
        version: 2
        fields: {amount: int}
        upcast: {1: {rename: {}}}
      Closed:
        fields: {}
    commands:
      StartTally:
        creates: true
        fields: {label: str}
        emits: [TallyStarted]
      Count:
        fields: {amount: int}
        emits: [Counted]
      Close:
        emits: [Closed]
read_models:
  Totals:
    key: tally_id
    fields: {total: int}
    on:
      TallyStarted: {set: {total: 0}}
      Counted: {set: {total: "= row.total + event.amount"}}
"""

STARTED = "      TallyStarted:\n        fields: {label: str}"
START = "      StartTally:\n        creates: true\n        fields: {label: str}"
COUNTED_V2 = "        version: 2\n        fields: {amount: int}\n        upcast: {1: {rename: {}}}"
EVENTS = "aggregates.Tally.events"

# Each breaking edit, the one code it must raise, and the spec path that code points at.
BREAKING: dict[str, tuple[list[tuple[str, str]], str, str]] = {
    "E800-event-renamed": ([("Closed", "Shut")], "E800", EVENTS),
    "E801-version-down": (
        [(COUNTED_V2, "        fields: {amount: int}")],
        "E801",
        f"{EVENTS}.Counted.version",
    ),
    "E802-field-removed": (
        [
            (COUNTED_V2, COUNTED_V2.replace("{amount: int}", "{}")),
            ("= row.total + event.amount", "= row.total + 1"),
        ],
        "E802",
        f"{EVENTS}.Counted.fields",
    ),
    "E803-type-changed": (
        [(STARTED, STARTED.replace("str", "int")), (START, START.replace("str", "int"))],
        "E803",
        f"{EVENTS}.TallyStarted.fields.label",
    ),
    "E804-required-field-added": (
        [
            (STARTED, STARTED.replace("}", ", owner: str}")),
            (START, START.replace("}", ", owner: str}")),
        ],
        "E804",
        f"{EVENTS}.TallyStarted.fields.owner",
    ),
    "E806-package-renamed": (
        [("package: lock_probe", "package: lock_probe_two")],
        "E806",
        f"{EVENTS}.TallyStarted",
    ),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The probe generated once; each test works on its own copy."""
    spec = write_spec(tmp_path_factory.mktemp("lock") / "probe", PROBE)
    result = cli("generate", spec)
    assert result.exit_code == 0, result.stderr
    return spec.parent


@pytest.fixture
def probe(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "probe")
    return tmp_path / "probe" / "eventforge.yaml"


def _apply(spec: Path, edits: list[tuple[str, str]]) -> None:
    text = spec.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    spec.write_text(text)


def _codes(result_stdout: str) -> list[tuple[str, str, str]]:
    report = json.loads(result_stdout)
    return sorted({(e["code"], e["level"], e["path"]) for e in report.get("errors", [])})


@pytest.mark.parametrize("case", list(BREAKING), ids=list(BREAKING))
def test_a_breaking_change_fails_check_and_generate_until_allowed(probe: Path, case: str) -> None:
    edits, code, path = BREAKING[case]
    _apply(probe, edits)
    project = probe.parent
    lock = (project / "eventforge.lock").read_text()

    checked = cli("check", probe, "--format", "json")
    assert checked.exit_code == 1
    found = _codes(checked.stdout)
    assert {c for c, level, _ in found if level == "error"} == {code}, found
    assert (code, "error", path) in found, found

    before = tree(project)
    refused = cli("generate", probe)
    assert refused.exit_code == 1
    assert f"error[{code}]" in refused.stderr
    assert tree(project) == before, "a refused generate wrote files"

    allowed = cli("generate", probe, "--allow-breaking")
    assert allowed.exit_code == 0, allowed.stderr
    assert f"warning[{code}]" in allowed.stderr
    assert f"error[{code}]" not in allowed.stderr
    # The breaking change is now the baseline: the lock moved, and check finds nothing breaking
    # (after a package rename, user files under the old package stay, reported as orphans).
    assert (project / "eventforge.lock").read_text() != lock
    again = cli("check", probe, "--format", "json")
    report = json.loads(again.stdout)
    assert not report.get("errors"), report
    assert {(d["owner"], d["verdict"]) for d in report["differences"]} <= {("user", "orphan")}


def test_an_unchanged_spec_breaks_nothing(probe: Path) -> None:
    assert cli("check", probe).exit_code == 0


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"eventforge_lock": 2, "events": {}}', "[]", '{"eventforge_lock": 1}'],
    ids=["not-json", "other-format", "not-an-object", "no-events"],
)
def test_an_unreadable_lock_is_refused_even_when_breaking_is_allowed(
    probe: Path, text: str
) -> None:
    project = probe.parent
    (project / "eventforge.lock").write_text(text)
    checked = cli("check", probe, "--format", "json")
    assert checked.exit_code == 1
    assert [c for c, level, _ in _codes(checked.stdout) if level == "error"] == ["E807"]
    before = tree(project)
    for args in ([], ["--allow-breaking"]):
        refused = cli("generate", probe, *args)
        assert refused.exit_code == 1
        assert "eventforge.lock:1:1: error[E807]" in refused.stderr
        assert tree(project) == before, "the lock was overwritten"


def test_a_version_bump_without_its_upcast_step_is_an_error_breaking_or_not(probe: Path) -> None:
    # E805 comes from validation, not from the lock: --allow-breaking does not lift it.
    _apply(
        probe,
        [
            (
                "      Closed:\n        fields: {}",
                "      Closed:\n        version: 2\n        fields: {}",
            )
        ],
    )
    checked = cli("check", probe, "--format", "json")
    assert {c for c, level, _ in _codes(checked.stdout) if level == "error"} == {"E805"}
    before = tree(probe.parent)
    assert cli("generate", probe, "--allow-breaking").exit_code == 1
    assert tree(probe.parent) == before


def test_a_deleted_lock_starts_a_new_baseline(probe: Path) -> None:
    # Without a lock there is nothing to compare with: the renamed event is accepted and locked.
    (probe.parent / "eventforge.lock").unlink()
    _apply(probe, BREAKING["E800-event-renamed"][0])
    assert cli("generate", probe).exit_code == 0
    locked = json.loads((probe.parent / "eventforge.lock").read_text())
    assert "Shut" in locked["events"] and "Closed" not in locked["events"]


# -- validate reports what generate would -------------------------------------------------------


def _reported(stdout: str) -> set[tuple[str, str, str, int, int, str]]:
    document = json.loads(stdout)
    entries = document if isinstance(document, list) else document.get("errors", [])
    return {
        (e["code"], e["level"], e["path"], e["line"], e["column"], e["message"]) for e in entries
    }


@pytest.mark.parametrize("case", list(BREAKING), ids=list(BREAKING))
def test_validate_reports_the_breaking_changes_generate_refuses(probe: Path, case: str) -> None:
    edits, code, path = BREAKING[case]
    _apply(probe, edits)
    refused = cli("generate", probe, "--format", "json")
    assert refused.exit_code == 1
    validated = cli("validate", probe, "--format", "json")
    assert validated.exit_code == 1
    found = _reported(validated.stdout)
    assert found == _reported(refused.stdout), "validate and generate differ"
    assert (code, "error", path) in {f[:3] for f in found}, found

    allowed = cli("validate", probe, "--allow-breaking", "--format", "json")
    assert allowed.exit_code == 0, allowed.stdout
    demoted = {f[:3] for f in _reported(allowed.stdout) if f[0] == code}
    assert (code, "warning", path) in demoted
    assert {level for _, level, _ in demoted} == {"warning"}


def test_validate_refuses_an_unreadable_lock_even_when_breaking_is_allowed(probe: Path) -> None:
    (probe.parent / "eventforge.lock").write_text("{not json")
    for args in ([], ["--allow-breaking"]):
        validated = cli("validate", probe, *args)
        assert validated.exit_code == 1
        assert "eventforge.lock:1:1: error[E807]" in validated.stderr


def test_validate_without_a_lock_or_against_an_unchanged_one_is_clean(probe: Path) -> None:
    assert cli("validate", probe).exit_code == 0
    (probe.parent / "eventforge.lock").unlink()
    _apply(probe, BREAKING["E800-event-renamed"][0])
    assert cli("validate", probe).exit_code == 0
