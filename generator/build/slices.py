"""What a file of one aggregate, or of one read model, may read, and how the render cache keys it
(see render.py).

Also the compiled-template cache that makes a small generate start fast.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.build.plan import PlannedFile
from generator.build.toolkey import user_cache
from generator.spec import model as m

# The files of one read model rendered from its slice: its module and its hand-written stub. They
# read the read model (which holds, compiled, everything it takes from the events it handles:
# their names, modules and the code of each update), the package and the value types. Its tests
# are not among them: they construct events of any aggregate.
READ_MODEL_TEMPLATES = frozenset({"slice/read_model.py.jinja", "slice/custom_read_model.py.jinja"})


@dataclass(frozen=True)
class Slice:
    """What a file of one aggregate (or of one read model) may read: the spec cut down to that
    aggregate or read model (name, package, description, spec file, value types, and that one
    aggregate or read model; nothing else of the spec) and the shared values made from it.
    Such a file is always rendered from its slice, cached or not, so a template that reads
    more than its slice fails (StrictUndefined) or renders differently, rather than reusing
    output whose inputs changed: the slice's content is exactly the file's key.
    tests/build/test_render_slices.py renders every such file of the examples from the whole
    spec too, and finds the same text."""

    spec: m.Spec
    shared: dict[str, Any]
    digest: str  # a hash of the slice's content (see slice_digest)


class Slices:
    """The slices of one spec, each made once, for the files rendered from one."""

    def __init__(self, spec: m.Spec, shared: Callable[[m.Spec], dict[str, Any]]) -> None:
        self._spec = spec
        self._shared = shared  # the values made from a spec that every template may read
        self._made: dict[tuple[str, str], Slice] = {}

    def of(self, planned: PlannedFile) -> Slice | None:
        """The slice `planned` is rendered from; None for a file that reads the whole spec."""
        aggregate = planned.context.get("aggregate")
        read_model = planned.context.get("read_model")
        if aggregate is not None:
            owner = ("aggregate", aggregate.name)
        elif read_model is not None and planned.template in READ_MODEL_TEMPLATES:
            owner = ("read model", read_model.name)
        else:
            return None
        part = self._made.get(owner)
        if part is None:
            if aggregate is not None:
                cut = aggregate_slice(self._spec, aggregate)
            else:
                assert read_model is not None
                cut = read_model_slice(self._spec, read_model)
            part = self._made[owner] = Slice(cut, self._shared(cut), slice_digest(cut))
        return part


def own_context(planned: PlannedFile) -> list[str]:
    """A sliced file's own context in its render-cache key. The aggregate or read model itself is
    in the slice, so the slice's digest covers it."""
    aggregate = planned.context.get("aggregate")
    return [
        f"{name}={place_in(aggregate, value) if aggregate is not None else repr(value)}"
        for name, value in sorted(planned.context.items())
        if name not in ("aggregate", "read_model")
    ]


def aggregate_slice(spec: m.Spec, aggregate: m.Aggregate) -> m.Spec:
    return dataclasses.replace(
        spec,
        aggregates=(aggregate,),
        read_models=(),
        automations=(),
        timelines=(),
        external_events=(),
        rejected_commands=(),
    )


def read_model_slice(spec: m.Spec, read_model: m.ReadModel) -> m.Spec:
    return dataclasses.replace(
        spec,
        aggregates=(),
        read_models=(read_model,),
        automations=(),
        timelines=(),
        external_events=(),
        rejected_commands=(),
    )


def slice_digest(part: object) -> str:
    """A content hash of frozen model values: their repr spells every field, recursively."""
    return hashlib.sha256(repr(part).encode("utf-8")).hexdigest()


def bytecode_cache(tool: str) -> jinja2.BytecodeCache | None:
    """Compiled templates, kept between generates in the user's cache folder (not the output
    folder: what is loaded from there is run, and an output folder may come from anywhere),
    in a folder of its own per eventforge build (`tool`). Compiling the templates is most of a
    small generate. None (compile them) when there is no usable folder."""
    folder = user_cache(f"templates-{tool[:20]}")
    return _Bytecode(str(folder)) if folder is not None else None


class _Bytecode(jinja2.FileSystemBytecodeCache):
    """A cache entry that cannot be read (cut short, from another build) means compiling."""

    def load_bytecode(self, bucket: Any) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            return


def place_in(aggregate: m.Aggregate, value: object) -> str:
    """A file's own context value in its key: where in the aggregate it is, when it is one of
    the aggregate's commands, events or scenarios (or a tuple of them), whose content the slice
    digest covers already; else its full repr."""
    if isinstance(value, tuple):
        return "(" + ",".join(place_in(aggregate, item) for item in value) + ")"
    for kind, items in (
        ("command", aggregate.commands),
        ("event", aggregate.events),
        ("scenario", aggregate.scenarios),
    ):
        for index, item in enumerate(items):
            if item is value:
                return f"{kind}[{index}]"
    return repr(value)
