"""A read model's table, column by column, on SQLite and PostgreSQL: every field type keeps its
value and type, a composite key is the primary key, `index` fields get an index, delete_where
deletes by SQL, and get/find/rows find what fold() computes. The read model is written by hand
here (the spec cannot say all of it yet), against a generated package's runtime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from conftest import cli, write_spec

SPEC = """
eventforge: 1
domain: Typed
package: typed
aggregates:
  Account:
    id: account_id
    state:
      owner: str
    events:
      AccountOpened:
        fields: {owner: str}
      MoneyDeposited:
        fields: {amount: decimal}
    commands:
      OpenAccount:
        creates: true
        fields: {owner: str}
        emits: [AccountOpened]
"""

SCRIPT = """
import dataclasses, enum, json, sys
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from typed.account.events import AccountOpened, MoneyDeposited
from typed.application import TypedApplication
from typed.projections import ReadModel, catch_up, find, get, rebuild, rows
from typed.runtime import encode
from typed.tables import quote, store_of, table_name
from typed.testing import store_given


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Money:
    amount: Decimal
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Row:
    owner: str
    account_id: UUID
    count: int = 0
    flag: bool = False
    ratio: float = 0.0
    total: Decimal = Decimal("0")
    day: date = date(2024, 2, 29)
    at: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    wait: timedelta = timedelta(0)
    colour: Colour = Colour.RED
    tags: tuple[str, ...] = ()
    amounts: Mapping[str, Decimal] = dataclasses.field(default_factory=dict)
    money: Money | None = None
    maybe: Decimal | None = None
    from_: str = ""


OWNERS = {}


def key_of(event):
    if isinstance(event, AccountOpened):
        OWNERS[event.account_id] = event.owner
    return (OWNERS[event.account_id], event.account_id)


def update(row, event):
    if isinstance(event, AccountOpened):
        return Row(owner=event.owner, account_id=event.account_id)
    n = row.count + 1
    return dataclasses.replace(
        row, count=n, flag=n % 2 == 1, ratio=n / 4, total=row.total + event.amount,
        day=row.day + timedelta(days=n), at=row.at + timedelta(hours=n, microseconds=7),
        wait=row.wait + timedelta(minutes=90, microseconds=5), colour=Colour.BLUE,
        tags=(*row.tags, f"t{n}"), amounts={**row.amounts, f"a\\"{n}": event.amount},
        money=Money(amount=event.amount, note="n\\u00e9"), maybe=event.amount if n % 2 else None,
        from_=f"\\"; DROP TABLE x; --{n}",
    )


def delete_where(event):
    if isinstance(event, MoneyDeposited) and event.amount == Decimal("13"):
        return {"account_id": event.account_id}
    return None


view = ReadModel(
    name="Odd \\"Name\\" Everything", row_type=Row, handles=(AccountOpened, MoneyDeposited),
    key=("owner", "account_id"), index=("total", "from_"), key_of=key_of, update=update,
    delete_where=delete_where,
)

app = TypedApplication()
a, b, c = uuid4(), uuid4(), uuid4()
events = [
    AccountOpened(account_id=a, owner="Ada"), AccountOpened(account_id=b, owner="Ada"),
    AccountOpened(account_id=c, owner="Bob"),
    MoneyDeposited(account_id=a, amount=Decimal("2.50")), MoneyDeposited(account_id=b, amount=Decimal("1.10")),
    MoneyDeposited(account_id=a, amount=Decimal("0.000000000000000000001")),
    MoneyDeposited(account_id=c, amount=Decimal("7")), MoneyDeposited(account_id=c, amount=Decimal("13")),
]
store_given(app, events)
assert catch_up(app, view, batch=3) == len(events)
OWNERS.clear()
expected = sorted(view.fold(events), key=lambda r: (r.owner, str(r.account_id)))
stored = rows(app, view)
assert stored == expected, (stored, expected)
assert [encode(r) for r in stored] == [encode(r) for r in expected]
assert [type(getattr(stored[0], f.name)) for f in dataclasses.fields(Row)] == [
    type(getattr(expected[0], f.name)) for f in dataclasses.fields(Row)]
assert get(app, view, ("Ada", a)) == next(r for r in expected if r.account_id == a)
assert get(app, view, ("Bob", c)) is None  # deleted by delete_where
assert find(app, view, owner="Ada") == expected
assert find(app, view, total=Decimal("1.1")) == [expected[[r.account_id for r in expected].index(b)]]
assert find(app, view, total=Decimal("2.5")) == []  # 2.500...001: exact, not a float
assert find(app, view, flag=True, colour=Colour.BLUE) == [r for r in expected if r.flag]
assert find(app, view, maybe=None) == []  # SQL: NULL equals nothing
try:
    find(app, view, nope=1)
except ValueError as error:
    assert "has no field 'nope'" in str(error)
else:
    raise AssertionError("an unknown field was accepted")
assert rebuild(app, view) == len(events)
assert rows(app, view) == expected
assert rows(TypedApplication(), view) == expected

store = store_of(app)
name = table_name(view.name)
with store.reading() as cursor:
    if store.postgres:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (store.schema, name))
        columns = [(r["column_name"], r["data_type"]) for r in cursor.fetchall()]
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                       (store.schema, name))
        indexes = sorted(r["indexdef"].split(" USING ")[1] for r in cursor.fetchall())
    else:
        cursor.execute(f"PRAGMA table_info({quote(name)})")
        found = cursor.fetchall()
        columns = [(r[1], r[2]) for r in found]
        keys = [r[1] for r in sorted(found, key=lambda r: r[5]) if r[5]]
        cursor.execute(f"PRAGMA index_list({quote(name)})")
        indexes = sorted(r[1] for r in cursor.fetchall())
print(json.dumps({"table": name, "columns": columns, "indexes": indexes}))
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typed")
    result = cli("generate", write_spec(root, SPEC))
    assert result.exit_code == 0, result.stderr
    return root


def _env(database: str, tmp_path: Path) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGRES_", "PERSISTENCE_", "SQLITE_"))
    }
    if database == "sqlite":
        return {
            **base,
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "t.sqlite"),
        }
    if not os.environ.get("POSTGRES_HOST"):
        pytest.skip('no PostgreSQL: run `eval "$(.ci/postgres)"` first')
    import psycopg

    postgres = {k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")}
    schema = f"typed_{uuid4().hex[:10]}"
    with psycopg.connect(
        host=postgres["POSTGRES_HOST"],
        port=postgres.get("POSTGRES_PORT", "5432"),
        user=postgres.get("POSTGRES_USER", "postgres"),
        password=postgres.get("POSTGRES_PASSWORD", ""),
        dbname=postgres.get("POSTGRES_DBNAME", "postgres"),
        autocommit=True,
    ) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return {
        **base,
        **postgres,
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_SCHEMA": schema,
    }


COLUMNS = [
    "owner",
    "account_id",
    "count",
    "flag",
    "ratio",
    "total",
    "day",
    "at",
    "wait",
    "colour",
    "tags",
    "amounts",
    "money",
    "maybe",
    "from",
]
SQLITE_TYPES = [
    "TEXT",
    "TEXT",
    "INTEGER",
    "INTEGER",
    "REAL",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
    "TEXT",
]
POSTGRES_TYPES = [
    "text",
    "uuid",
    "bigint",
    "boolean",
    "double precision",
    "numeric",
    "date",
    "timestamp with time zone",
    "interval",
    "text",
    "jsonb",
    "jsonb",
    "jsonb",
    "numeric",
    "text",
]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_read_model_table_keeps_every_type_and_finds_by_sql(
    project: Path, database: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=project / "src",
        env=_env(database, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["table"] == 'rm_odd "name" everything'
    assert [c for c, _ in found["columns"]] == COLUMNS
    types = POSTGRES_TYPES if database == "postgres" else SQLITE_TYPES
    assert [t for _, t in found["columns"]] == types
    if database == "postgres":
        assert found["indexes"] == [
            'btree ("from")',
            "btree (owner, account_id)",
            "btree (total)",
        ]
    else:
        assert found["indexes"] == [
            'rm_odd "name" everything_ix0',
            'rm_odd "name" everything_ix1',
            'sqlite_autoindex_rm_odd "name" everything_1',
        ]
