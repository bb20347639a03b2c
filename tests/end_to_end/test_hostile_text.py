"""Text from the spec reaches generated code as data, never as code."""

from __future__ import annotations

import ast
import inspect
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from conftest import ROOT, cli, run_pytest

# Each of these would break out of a string, a docstring, a comment or a template if pasted raw.
NASTY = [
    'say """hi""" and \'bye\'',
    "back\\slash\\",
    "line one\nline two\r\nthree",
    "{{ 7 * 7 }} {% if true %}x{% endif %} {# c #}",
    "nul\0byte and bell\a",
    "rtl \u202egnp.exe and zero\u200bwidth",
    'ends with a quote"',
    "__import__('os').system('touch PWNED')",
    "ünïcødé ☃ 日本",
]
# The same as data (enum values, defaults, scenario values): without NUL, which a spec may not
# hold in data (PostgreSQL's text columns refuse it; tests/spec/invalid/e408_nul_in_text_values.yaml).
# Descriptions and error messages keep it.
DATA = [text.replace("\0", "") for text in NASTY]


def _yaml(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


SPEC = f"""
eventforge: 1
domain: {_yaml(NASTY[0] + " domain")}
package: hostile
description: {_yaml(NASTY[3] + NASTY[2])}
types:
  Mood:
    description: {_yaml(NASTY[1])}
    enum: [{", ".join(_yaml(t) for t in DATA)}]
aggregates:
  Diary:
    description: {_yaml(NASTY[6])}
    state:
      note: {{type: str, default: {_yaml(NASTY[7])}}}
      mood: {{type: Mood, default: {_yaml(DATA[4])}}}
    errors:
      Refused: {_yaml(NASTY[0] + NASTY[2] + NASTY[4] + NASTY[5])}
    events:
      EntryWritten:
        description: {_yaml(NASTY[0])}
        fields: {{note: str, mood: Mood}}
    commands:
      WriteEntry:
        creates: true
        description: {_yaml(NASTY[3])}
        fields:
          note: {{type: str, default: {_yaml(NASTY[5])}}}
          mood: Mood
        rejects:
          - if: {_yaml("command.note == " + repr(NASTY[7]))}
            error: Refused
        emits: [EntryWritten]
    scenarios:
      - name: {_yaml(NASTY[2] + NASTY[0])}
        when: {{WriteEntry: {{note: {_yaml(NASTY[1] + NASTY[8])}, mood: {_yaml(NASTY[3])}}}}}
        then:
          events: [{{EntryWritten: {{note: {_yaml(NASTY[1] + NASTY[8])}, mood: {_yaml(NASTY[3])}}}}}]
          state: {{note: {_yaml(NASTY[1] + NASTY[8])}}}
      - name: {_yaml(NASTY[6])}
        when: {{WriteEntry: {{note: {_yaml(NASTY[7])}, mood: {_yaml(NASTY[8])}}}}}
        then: {{error: Refused}}
"""

PROBE = """
import json, hostile
from hostile.types import Mood
from hostile.diary.errors import Refused
from hostile.diary.write_entry import WriteEntry
from hostile.diary.state import DiaryState
print(json.dumps({
    "values": [m.value for m in Mood],
    "members": [m.name for m in Mood],
    "message": Refused.message,
    "default_note": WriteEntry(mood=Mood(%r)).note,
    "state_note": DiaryState(diary_id=__import__("uuid").uuid4()).note,
    "doc": hostile.__doc__,
}))
"""


def _generate_and_probe(project: Path, spec: str, probe: str) -> Any:
    """Generate `spec` into `project`, then run `probe` (which prints JSON) against the package
    in a fresh interpreter; what it printed."""
    project.mkdir()
    (project / "eventforge.yaml").write_text(spec, encoding="utf-8")
    result = cli("generate", project / "eventforge.yaml")
    assert result.exit_code == 0, result.stderr
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=project / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)


def test_hostile_text_round_trips_as_data(tmp_path: Path) -> None:
    project = tmp_path / "hostile"
    seen = _generate_and_probe(project, SPEC, PROBE % NASTY[0])
    assert seen["values"] == DATA
    assert len(set(seen["members"])) == len(DATA)
    assert all(m.isidentifier() and m.isascii() for m in seen["members"])
    assert seen["message"] == NASTY[0] + NASTY[2] + NASTY[4] + NASTY[5]
    assert seen["default_note"] == NASTY[5]
    assert seen["state_note"] == NASTY[7]
    assert seen["doc"].startswith("{{ 7 * 7 }} {% if true %}")
    tests = run_pytest(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    # 2 scenarios, the round trip and the store replay (more when PostgreSQL is configured)
    assert int(re.search(r"(\d+) passed", tests.stdout).group(1)) >= 4, tests.stdout
    assert not list(tmp_path.rglob("PWNED"))


def test_hostile_spec_file_name_stays_in_its_comment(tmp_path: Path) -> None:
    project = tmp_path / "named"
    project.mkdir()
    source = ROOT / "examples/bank/eventforge.yaml"
    spec = project / "bank\nimport os.yaml"
    spec.write_text(source.read_text(), encoding="utf-8")
    assert cli("generate", spec).exit_code == 0
    header = (project / "src/bank/runtime.py").read_text().splitlines()[:2]
    assert header[0].startswith("# Generated by eventforge from bank import os.yaml")
    assert header[1].startswith("# change the spec")


# Value objects, lists, read models, automations, command and event descriptions, field
# descriptions and scenario names: the same hostile text, everywhere else it can go.
MORE = f"""
eventforge: 1
domain: Hostile More
package: hostile_more
types:
  Label:
    description: {_yaml(NASTY[0] + NASTY[3])}
    fields:
      text: {{type: str, default: {_yaml(DATA[4])}, description: {_yaml(NASTY[5])}}}
      tags: {{type: "list[str]", default: [{", ".join(_yaml(t) for t in DATA)}]}}
aggregates:
  Shelf:
    description: {_yaml(NASTY[2])}
    state:
      label: {{type: Label, description: {_yaml(NASTY[1])}}}
      names: {{type: "list[str]", default: [{_yaml(NASTY[7])}, {_yaml(NASTY[3])}]}}
    errors:
      Full: {_yaml(NASTY[3] + NASTY[1])}
    events:
      ShelfBuilt:
        description: {_yaml(NASTY[0] + NASTY[2] + NASTY[3])}
        fields:
          label: {{type: Label, description: {_yaml(NASTY[2])}}}
      NameAdded:
        description: {_yaml(NASTY[4] + NASTY[5])}
        fields: {{name: str}}
        apply: {{names: "= state.names + [event.name]"}}
    commands:
      BuildShelf:
        creates: true
        description: {_yaml(NASTY[7] + NASTY[6])}
        fields:
          label: {{type: Label, default: {{text: {_yaml(NASTY[6])}, tags: [{_yaml(NASTY[3])}]}}}}
        emits: [ShelfBuilt]
      AddName:
        description: {_yaml(NASTY[0] + NASTY[4])}
        fields: {{name: str}}
        rejects:
          - if: {_yaml("command.name in state.names")}
            error: Full
        emits:
          - NameAdded: {{name: {_yaml("= command.name + " + repr(NASTY[5]))}}}
    scenarios:
      - name: {_yaml(NASTY[3] + " builds")}
        description: {_yaml(NASTY[0] + NASTY[4])}
        when: {{BuildShelf: {{label: {{text: {_yaml(NASTY[8])}, tags: [{_yaml(NASTY[2])}]}}}}}}
        then:
          events: [{{ShelfBuilt: {{label: {{text: {_yaml(NASTY[8])}, tags: [{_yaml(NASTY[2])}]}}}}}}]
          state: {{label: {{text: {_yaml(NASTY[8])}, tags: [{_yaml(NASTY[2])}]}}}}
      - name: {_yaml(NASTY[5] + " adds " + NASTY[1])}
        given: [{{ShelfBuilt: {{label: {{text: {_yaml(NASTY[7])}}}}}}}]
        when: {{AddName: {{name: {_yaml(NASTY[0])}}}}}
        then:
          events: [{{NameAdded: {{name: {_yaml(NASTY[0] + NASTY[5])}}}}}]
          state: {{names: [{_yaml(NASTY[7])}, {_yaml(NASTY[3])}, {_yaml(NASTY[0] + NASTY[5])}]}}
      - name: {_yaml(NASTY[4] + " refuses")}
        given: [{{ShelfBuilt: {{label: {{}}}}}}, {{NameAdded: {{name: {_yaml(NASTY[6])}}}}}]
        when: {{AddName: {{name: {_yaml(NASTY[6])}}}}}
        then: {{error: Full}}
read_models:
  ShelfNames:
    description: {_yaml(NASTY[0] + NASTY[3] + NASTY[5])}
    key: shelf_id
    fields: {{last: {{type: str, description: {_yaml(NASTY[4])}}}}}
    on:
      NameAdded: {{set: {{last: "= event.name"}}}}
    scenarios:
      - name: {_yaml(NASTY[3] + NASTY[2])}
        given: [{{NameAdded: {{shelf_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, name: {_yaml(NASTY[1])}}}}}]
        then: [{{shelf_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, last: {_yaml(NASTY[1])}}}]
automations:
  EchoName:
    description: {_yaml(NASTY[7] + NASTY[3] + NASTY[0])}
    on: NameAdded
    send:
      AddName: {{shelf_id: "= event.shelf_id", name: {_yaml(NASTY[6])}}}
    scenarios:
      - name: {_yaml(NASTY[0] + " echoes")}
        given: [{{NameAdded: {{shelf_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, name: x}}}}]
        then: [{{AddName: {{shelf_id: 5b2f6a52-3c1e-4f1e-9a43-0c1d2e3f4a5b, name: {_yaml(NASTY[6])}}}}}]
"""

MORE_PROBE = """
import json, hostile_more
from hostile_more.types import Label
from hostile_more.shelf.errors import Full
from hostile_more.shelf.events import ShelfBuilt, NameAdded
from hostile_more.shelf.build_shelf import BuildShelf
from hostile_more.shelf.add_name import AddName, decide
from hostile_more.shelf.state import ShelfState
from hostile_more.shelf import add_name, build_shelf
from uuid import uuid4
state = ShelfState(shelf_id=uuid4(), version=1)  # a shelf that exists: AddName needs one
[added] = decide(AddName(shelf_id=state.shelf_id, name="n"), state)
print(json.dumps({
    "label": [Label().text, list(Label().tags)],
    "names": list(state.names),
    "built": [BuildShelf().label.text, list(BuildShelf().label.tags)],
    "added": added.name,
    "message": Full.message,
    "docs": [ShelfBuilt.__doc__, NameAdded.__doc__, build_shelf.__doc__, add_name.__doc__],
}))
"""


def test_hostile_text_in_every_other_place_round_trips_as_data(tmp_path: Path) -> None:
    project = tmp_path / "more"
    seen = _generate_and_probe(project, MORE, MORE_PROBE)
    assert seen["label"] == [DATA[4], DATA]
    assert seen["names"] == [NASTY[7], NASTY[3]]
    assert seen["built"] == [NASTY[6], [NASTY[3]]]
    assert seen["added"] == "n" + NASTY[5]
    assert seen["message"] == NASTY[3] + NASTY[1]
    # Docstrings keep the text, up to layout (ruff indents continuation lines).
    texts = [NASTY[0] + NASTY[2] + NASTY[3], NASTY[4] + NASTY[5], NASTY[7] + NASTY[6]]
    for doc, text in zip(seen["docs"], [*texts, NASTY[0] + NASTY[4]], strict=True):
        assert " ".join(text.split()) in " ".join(doc.split())
    tests = run_pytest(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " failed" not in tests.stdout
    assert not list(tmp_path.rglob("PWNED"))
    # Every generated Python file parses, and spec text never became a statement of its own.
    for path in (project / "src").rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"))
    assert cli("check", project / "eventforge.yaml").exit_code == 0


# -- text built to run code: it must stay data everywhere ----------------------------------------

_JINJA = (
    "cycler.__init__.__globals__.__builtins__.__import__('pathlib').Path({m!r}).write_text('x')"
)
_PYTHON = "__import__('pathlib').Path({m!r}).write_text('x')"

# Each payload tries to leave a comment, a string, a docstring or a template's text, then run
# code that writes its own marker file; `{code}` is that code, `{jinja}` the same as a template
# expression. (label, text)
_ESCAPES = [
    ("newline", "ends the comment\n{code}\n#"),
    ("carriage return", "ends the comment\r{code}\r#"),
    ("crlf", "ends the comment\r\n{code}\r\n#"),
    ("double quote", '" + str({code}) + "'),
    ("single quote", "' + str({code}) + '"),
    ("triple quotes", "\"\"\"'''\n{code}\n'''\"\"\""),
    ("backslash", '\\" + str({code}) + "\\'),
    # NUL itself is refused in data (it stays in the descriptions of the tests above).
    ("control", "ctrl\x01\n{code}\n\x1f#"),
    ("rtl and zero-width", '\u202e\u2066" + str({code}) + "\u2069\u200b\u200d'),
    ("line separator", "ends the comment\u2028{code}\u2028#"),
    ("paragraph separator", "ends the comment\u2029{code}\u2029#"),
    ("next line", "ends the comment\x85{code}\x85#"),
    ("jinja expression", "{{{{ {jinja} }}}}"),
    ("jinja statement", "{{% set _ = {jinja} %}}"),
]


@dataclass(frozen=True)
class Payload:
    label: str
    text: str
    code: str  # what would write the marker: Python source, or a template for the Jinja ones
    marker: Path

    def fire(self) -> None:
        """Run the payload's code part the way an escape would: proves the marker works."""
        if self.label.startswith("jinja"):
            jinja2.Environment().from_string(self.code).render()
        else:
            exec(self.code, {})


def _payloads(markers: Path) -> list[Payload]:
    payloads = []
    for i, (label, shape) in enumerate(_ESCAPES):
        marker = markers / f"marker-{i:02d}"
        python, jinja = _PYTHON.format(m=str(marker)), _JINJA.format(m=str(marker))
        text = shape.format(code=python, jinja=jinja)
        code = text if label.startswith("jinja") else python
        payloads.append(Payload(label, text, code, marker))
    return payloads


def _stream(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _sentinel_spec(texts: list[str]) -> str:
    """Every payload in every description, error message, enum value and default, and in the
    scenario data of an aggregate, a read model and an automation."""
    every = _yaml("".join(texts))
    listed = "[" + ", ".join(_yaml(t) for t in texts) + "]"
    lines = [
        "eventforge: 1",
        "domain: Sentinel Diary",
        "package: sentinel",
        f"description: {every}",
        "types:",
        "  Mood:",
        f"    description: {every}",
        f"    enum: {listed}",
        "  Label:",
        f"    description: {every}",
        "    fields:",
        f"      text: {{type: str, default: {every}, description: {every}}}",
        f'      tags: {{type: "list[str]", default: {listed}, description: {every}}}',
        "aggregates:",
        "  Diary:",
        f"    description: {every}",
        "    state:",
        f"      note: {{type: str, default: {every}, description: {every}}}",
        f"      mood: {{type: Mood, default: {_yaml(texts[-1])}, description: {every}}}",
        f'      notes: {{type: "list[str]", default: {listed}, description: {every}}}',
        f"      label: {{type: Label, default: {{}}, description: {every}}}",
        "    errors:",
        *[f"      Refused{i:02d}: {_yaml(t)}" for i, t in enumerate(texts)],
        "    events:",
        "      EntryWritten:",
        f"        description: {every}",
        f"        fields: {{note: {{type: str, description: {every}}}, mood: Mood}}",
        "      NoteAppended:",
        f"        description: {every}",
        "        fields: {note: str, mood: Mood}",
        "    commands:",
        "      WriteEntry:",
        "        creates: true",
        f"        description: {every}",
        "        fields:",
        f"          note: {{type: str, default: {every}, description: {every}}}",
        f"          mood: {{type: Mood, default: {_yaml(texts[0])}, description: {every}}}",
        "        rejects:",
        *[
            line
            for i in range(len(texts))
            for line in (
                f"          - if: command.note == 'refuse {i}'",
                f"            error: Refused{i:02d}",
            )
        ],
        "        emits: [EntryWritten]",
        "      AppendNote:",
        f"        description: {every}",
        "        fields: {note: str, mood: Mood}",
        "        emits: [NoteAppended]",
        "    scenarios:",
    ]
    for i, text in enumerate(texts):
        value = _yaml(text)
        lines += [
            f"      - name: writes payload {i}",
            f"        description: {value}",
            f"        when: {{WriteEntry: {{note: {value}, mood: {value}}}}}",
            "        then:",
            f"          events: [{{EntryWritten: {{note: {value}, mood: {value}}}}}]",
            f"          state: {{note: {value}, mood: {value}}}",
            f"      - name: refuses with payload {i}",
            f"        description: {value}",
            f"        when: {{WriteEntry: {{note: 'refuse {i}', mood: {value}}}}}",
            f"        then: {{error: Refused{i:02d}}}",
        ]
    given = [
        f"          - EntryWritten: {{diary_id: {_stream(i)}, note: {_yaml(t)}, mood: {_yaml(t)}}}"
        for i, t in enumerate(texts)
    ]
    lines += [
        "read_models:",
        "  DiaryNotes:",
        f"    description: {every}",
        "    key: diary_id",
        f"    fields: {{note: {{type: str, description: {every}}}, mood: Mood}}",
        "    on:",
        '      EntryWritten: {set: {note: "= event.note", mood: "= event.mood"}}',
        '      NoteAppended: {set: {note: "= event.note"}}',
        "    scenarios:",
        "      - name: rows keep every payload",
        f"        description: {every}",
        "        given:",
        *given,
        "        then:",
        *[
            f"          - {{diary_id: {_stream(i)}, note: {_yaml(t)}, mood: {_yaml(t)}}}"
            for i, t in enumerate(texts)
        ],
        "automations:",
        "  EchoEntry:",
        f"    description: {every}",
        "    on: EntryWritten",
        "    send:",
        "      AppendNote:",
        f'        {{diary_id: "= event.diary_id", note: "= event.note", mood: {_yaml(texts[3])}}}',
        "    scenarios:",
        "      - name: echoes every payload",
        f"        description: {every}",
        "        given:",
        *given,
        "        then:",
        *[
            f"          - AppendNote: {{diary_id: {_stream(i)}, note: {_yaml(t)}, "
            f"mood: {_yaml(texts[3])}}}"
            for i, t in enumerate(texts)
        ],
    ]
    return "\n".join(lines) + "\n"


# Imports every module of the package (`__main__` runs the package's CLI: asked for its help),
# then reports the values, messages, defaults and docstrings it finds.
SENTINEL_PROBE = """
import contextlib, importlib, importlib.util, inspect, io, json, pkgutil, sys
from uuid import uuid4
import sentinel
modules = {"sentinel": sentinel}
for info in pkgutil.walk_packages(sentinel.__path__, "sentinel."):
    if info.name.endswith(".__main__"):
        sys.argv = ["sentinel", "--help"]
        found = importlib.util.find_spec(info.name)
        modules[info.name] = module = importlib.util.module_from_spec(found)
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                found.loader.exec_module(module)
            except SystemExit as exit:
                assert exit.code == 0, exit.code
    else:
        modules[info.name] = importlib.import_module(info.name)
docs = {}
for name, module in modules.items():
    docs[name] = module.__doc__
    for attr, value in vars(module).items():
        if inspect.isclass(value) and value.__module__ == name:
            docs[f"{name}.{attr}"] = value.__doc__
from sentinel.types import Label, Mood
from sentinel.diary import errors
from sentinel.diary.state import DiaryState
from sentinel.diary.write_entry import WriteEntry
state = DiaryState(diary_id=uuid4())
print(json.dumps({
    "modules": sorted(modules),
    "values": [m.value for m in Mood],
    "members": {m.name: m.value for m in Mood},
    "messages": [getattr(errors, f"Refused{i:02d}").message for i in range(len(Mood))],
    "label": [Label().text, list(Label().tags)],
    "state": [state.note, state.mood.value, list(state.notes), state.label.text],
    "command": [WriteEntry().note, WriteEntry().mood.value],
    "docs": docs,
}))
"""


def _keywords(source: str, members: dict[str, str]) -> dict[str, list[str]]:
    """The `note=` and `mood=` values of a generated test file, in source order."""
    found: dict[str, list[tuple[int, int, str]]] = {"note": [], "mood": []}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in found:
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text = value.value
            else:
                assert isinstance(value, ast.Attribute), ast.dump(value)
                assert ast.unparse(value.value) == "Mood", ast.dump(value)
                text = members[value.attr]
            found[node.arg].append((value.lineno, value.col_offset, text))
    return {arg: [text for _, _, text in sorted(values)] for arg, values in found.items()}


def _test_docs(source: str) -> list[str]:
    return [
        inspect.cleandoc(ast.get_docstring(node, clean=False) or "")
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]


def test_text_that_would_run_code_stays_data_everywhere(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    payloads = _payloads(markers)
    assert len(payloads) == 14 and len({p.marker for p in payloads}) == 14
    # The control: run each payload's code as an escape would; its marker appears.
    for payload in payloads:
        assert not payload.marker.exists()
        payload.fire()
        assert payload.marker.read_text() == "x", payload.label
        payload.marker.unlink()
    texts = [p.text for p in payloads]
    every = "".join(texts)
    project = tmp_path / "sentinel"
    spec = project / "eventforge.yaml"
    seen = _generate_and_probe(project, _sentinel_spec(texts), SENTINEL_PROBE)
    package = project / "src"
    assert seen["modules"] == sorted(
        ".".join(p.relative_to(package).with_suffix("").parts).removesuffix(".__init__")
        for p in package.rglob("*.py")
    )
    assert seen["values"] == texts
    assert seen["messages"] == texts
    assert seen["label"] == [every, texts]
    assert seen["state"] == [every, texts[-1], texts, every]
    assert seen["command"] == [every, texts[0]]
    docs = {name: inspect.cleandoc(doc or "") for name, doc in seen["docs"].items()}
    described = {
        "sentinel": every,
        "sentinel.application.SentinelApplication": every,
        "sentinel.types.Mood": every,
        "sentinel.types.Label": every,
        "sentinel.diary": every,
        "sentinel.diary.events.EntryWritten": every,
        "sentinel.diary.events.NoteAppended": every,
        "sentinel.diary.write_entry": "WriteEntry: " + every,
        "sentinel.diary.append_note": "AppendNote: " + every,
        "sentinel.read_models.diary_notes": "DiaryNotes: " + every,
        "sentinel.read_models.diary_notes.DiaryNotesRow": every,
        "sentinel.automations.echo_entry": "EchoEntry: " + every,
    }
    assert {name: docs[name] for name in described} == described
    project_table = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert project_table["project"]["description"] == every

    # The generated tests hold the spec's data as string literals (enum values by member).
    members = seen["members"]
    aggregate = (project / "tests/diary/test_write_entry.py").read_text(encoding="utf-8")
    assert _keywords(aggregate, members) == {
        "note": [v for i, t in enumerate(texts) for v in (t, t, t, f"refuse {i}")],
        "mood": [t for t in texts for _ in range(4)],
    }
    docstrings = _test_docs(aggregate)
    assert len(docstrings) == 2 * len(texts)
    for doc, text in zip(docstrings, [t for t in texts for _ in range(2)], strict=True):
        assert doc in (text, text + "."), (doc, text)
    read_model = (project / "tests/read_models/test_diary_notes.py").read_text(encoding="utf-8")
    assert _keywords(read_model, members) == {"note": texts * 2, "mood": texts * 2}
    assert _test_docs(read_model) == [every]
    automation = (project / "tests/automations/test_echo_entry.py").read_text(encoding="utf-8")
    assert _keywords(automation, members) == {
        "note": texts * 2,
        "mood": texts + [texts[3]] * len(texts),
    }
    assert _test_docs(automation) == [every]

    tests = run_pytest(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    passed = re.search(r"(\d+) passed", tests.stdout)
    assert passed and int(passed.group(1)) >= 2 * len(texts) + 2, tests.stdout
    assert cli("check", spec).exit_code == 0
    assert list(markers.iterdir()) == []
    assert not list(tmp_path.rglob("marker-*"))
