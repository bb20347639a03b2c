"""Catch-up and rebuild fold a batch of events in memory, read the batch's rows in one query and
write them back in bulk: the table must end as the read model's `fold` of every event says, for
any batch size. The events make that hard: one key updated by several events of a batch, a row
deleted and recreated in the same batch, a composite key, a delete_where in the middle of a
batch touching rows held in memory and rows only in the table, events the read model ignores,
and more distinct keys in one batch than SQLite binds parameters in one statement (999). On
SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli, write_spec
from test_read_model_tables import SPEC, _env

SCRIPT = """
import dataclasses, gc, json, random
from decimal import Decimal
from uuid import UUID, uuid4

from typed.account.events import AccountOpened, MoneyDeposited
from typed.application import TypedApplication
from typed.projections import ReadModel, catch_up, rebuild, rows
from datetime import UTC, datetime
from typed.runtime import Recorded, encode


@dataclasses.dataclass(frozen=True, kw_only=True)
class Row:
    group: str
    account_id: UUID
    owner: str = ""
    total: Decimal = Decimal("0")
    count: int = 0


def key_of(event):
    if isinstance(event, MoneyDeposited) and event.amount == Decimal("0.5"):
        return None  # ignored
    return (event.account_id.hex[0], event.account_id)


def update(row, event):
    if isinstance(event, AccountOpened):  # opening again starts the row afresh
        return Row(group=event.account_id.hex[0], account_id=event.account_id, owner=event.owner)
    if event.amount == Decimal("13"):
        return None  # deleted by its key
    row = row if row is not None else Row(group=event.account_id.hex[0], account_id=event.account_id)
    # 1/3 is rounded under the package's arithmetic (100 digits): a context left out shows
    return dataclasses.replace(
        row, total=row.total + event.amount / 3 * 3, count=row.count + 1
    )


def delete_where(event):
    if isinstance(event, MoneyDeposited) and event.amount == Decimal("99"):
        return {"group": event.account_id.hex[0]}  # every row of the account's group
    if isinstance(event, MoneyDeposited) and event.amount == Decimal("77"):
        return {"total": Decimal("3.0")}  # rows whose total equals 3 (by number)
    return None


composite = ReadModel(
    name="Batched", row_type=Row, handles=(AccountOpened, MoneyDeposited),
    key=("group", "account_id"), index=("owner",), key_of=key_of, update=update,
    delete_where=delete_where,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Count:
    account_id: UUID
    deposits: int = 0
    last: Decimal = Decimal("0")


collector = []  # whether the cycle collector ran while a batch was folded


def count(row, event):  # in the order of the log, or the rows come out otherwise
    collector.append(gc.isenabled())
    if isinstance(event, AccountOpened):  # opening again starts the row afresh
        return Count(account_id=event.account_id)
    if event.amount == Decimal("13"):
        return None  # deleted by its key
    row = row if row is not None else Count(account_id=event.account_id)
    return dataclasses.replace(row, deposits=row.deposits + 1, last=event.amount)


# Without delete_where: a batch is folded grouped by key.
single = ReadModel(
    name="Counted", row_type=Count, handles=(AccountOpened, MoneyDeposited),
    key=("account_id",), update=count,
    key_of=lambda e: None if getattr(e, "amount", 0) == Decimal("0.5") else (e.account_id,),
)

rng = random.Random(19)
a, b = UUID(int=0xA << 124 | 1), UUID(int=0xA << 124 | 2)  # one group
ids = [uuid4() for _ in range(1100)]
deposit = lambda i, amount: MoneyDeposited(account_id=i, amount=Decimal(amount))
# The first batch of 7: a and b in one group, several events per key, a deleted and recreated,
# then a group delete in the middle of the next batch, and a recreated row again.
events = [
    AccountOpened(account_id=a, owner="Ada"), deposit(a, "1"), deposit(b, "2"), deposit(a, "13"),
    deposit(a, "2.5"), AccountOpened(account_id=a, owner="Ann"), deposit(a, "0.5"),
    deposit(a, "1"), deposit(b, "99"), deposit(a, "3"), deposit(b, "1"), deposit(a, "77"),
]
events += [AccountOpened(account_id=i, owner=f"o{n % 7}") for n, i in enumerate(ids)]
amounts = ["1", "2", "0.5", "13", "3", "0.25", "99", "77"]
weights = [30, 20, 5, 4, 10, 10, 1, 2]
events += [deposit(rng.choice(ids[:300]), rng.choices(amounts, weights)[0]) for _ in range(600)]
events += [AccountOpened(account_id=i, owner="again") for i in ids[:50]]

def by_key(found):
    return sorted(found, key=lambda r: str(r.account_id))

def same(view, expected, label):
    stored = by_key(rows(app, view))
    assert stored == expected, (label, len(stored), len(expected))
    assert [encode(r) for r in stored] == [encode(r) for r in expected], label

app = TypedApplication()
versions = {}

def store(given):  # as the streams would record them, versions going on from call to call
    recorded = []
    for event in given:
        stream = app.stream_of(event)
        versions[stream] = versions.get(stream, 0) + 1
        recorded.append(Recorded(originator_id=stream, originator_version=versions[stream],
                                 timestamp=datetime.now(tz=UTC), event=event))
    for start in range(0, len(recorded), 500):
        app.save(*recorded[start:start + 500])

half = len(events) // 2
store(events[:half])
for view in (composite, single):
    # catch-up over two parts of the log, then rebuilds with other batch sizes
    assert catch_up(app, view, batch=7) == half
store(events[half:])
for view in (composite, single):
    expected = by_key(view.fold(events))
    assert catch_up(app, view, batch=1000) == len(events) - half
    same(view, expected, "catch-up 7, then 1000")
    for size in (1, 7, 1000, 5000):
        if size == 1 and view is single:
            continue  # the composite model covers batches of one
        assert rebuild(app, view, batch=size) == len(events)
        same(view, expected, f"rebuild {size}")
# The cycle collector is paused while a batch is folded, and as it was after (also when it was
# paused before).
collector.clear()
assert rebuild(app, single, batch=1000) == len(events)
assert collector and not any(collector) and gc.isenabled()
gc.disable()
assert rebuild(app, single, batch=1000) == len(events) and not gc.isenabled()
gc.enable()
found = {r.account_id: r for r in rows(app, composite)}
assert a not in found  # deleted by a delete_where while held in memory
assert sum(r.owner == "again" for r in found.values()) == 50
# One batch updating more stored rows than SQLite binds parameters in one statement (999).
more = [deposit(i, "2") for i in [*ids, a, b]]
store(more)
events += more
for view in (composite, single):
    assert catch_up(app, view, batch=5000) == len(more)
    same(view, by_key(view.fold(events)), "catch-up of 1,102 stored keys")
assert len(rows(app, single)) == 1102
# The read models' decoding (no Recorded, no time) gives the events the full path gives.
stored = app.recorder.select_notifications(start=1, limit=len(events) + 1)
assert len(stored) == len(events)
assert app.mapper.to_events(stored) == [app.mapper.to_domain_event(n).event for n in stored]
for notification in stored:
    event = app.mapper.to_event(notification)
    assert event == app.mapper.to_domain_event(notification).event
    assert encode(event) == encode(app.mapper.to_domain_event(notification).event)
    assert type(event.account_id) is UUID and type(getattr(event, "amount", Decimal(0))) is Decimal
# JSON as the library stores it is read without its whitespace scans; any other as json reads it.
from typed.runtime import _loads
for text in ['{"a": [1, 2.5]}', ' {"a": 1} ', '{"a": 1}\\n', '"x"', '[]']:
    assert _loads(text.encode()) == json.loads(text), text
for text in ['{"a": 1} x', '', '{']:
    try:
        _loads(text.encode())
    except json.JSONDecodeError:
        continue
    raise AssertionError(f"{text!r} read as JSON")
print("ok")
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batched")
    result = cli("generate", write_spec(root, SPEC))
    assert result.exit_code == 0, result.stderr
    return root


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_batches_of_any_size_end_as_the_fold_of_all_events(
    project: Path, database: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=project / "src",
        env=_env(database, tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
