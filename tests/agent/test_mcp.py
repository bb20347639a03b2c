"""The MCP server, driven by the official SDK's own client over stdio (`python -m generator mcp`):
its tools and their input schemas, its resources, errors with spec codes, and a whole feature
added through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from conftest import ROOT, cli, copy_example, run_pytest, write_handlers
from feature_flow import (
    HANDLER,
    OPENED,
    SCENARIO_TEST,
    THEN,
    WHEN,
    generated_files_are_untouched,
    write_the_handler,
)
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult, TextResourceContents

TOOLS = {
    "validate", "plan", "generate", "check", "context", "slices", "mutants",
    "add_aggregate", "add_command", "add_event", "add_error", "add_field", "add_scenario",
    "add_read_model", "add_automation", "remove", "remove_field", "remove_scenario", "rename",
    "add_reject", "add_emit", "add_timeline", "add_step",
}  # fmt: skip


def with_server(project: Path, body: Callable[[ClientSession], Awaitable[None]]) -> None:
    """Start `python -m generator mcp` in `project` and run `body` with a connected session."""
    # The whole environment, not the SDK's short default list: the server must import the
    # generator the test imports (PYTHONPATH in a worktree or a CI checkout).
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "generator", "mcp"],
        cwd=str(project),
        env=dict(os.environ),
    )

    async def main() -> None:
        with open(project.parent / "server.log", "w") as log:
            async with (
                stdio_client(params, errlog=log) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                await body(session)

    anyio.run(main)


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    """Call a tool that must succeed; its structured result."""
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, _text(result)
    assert isinstance(result.structured_content, dict)
    return result.structured_content


def _text(result: CallToolResult) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


def test_tools_resources_and_errors(tmp_path: Path) -> None:
    project = copy_example("bank", tmp_path / "bank").parent
    broken = project / "broken.yaml"
    broken.write_text(
        "eventforge: 1\ndomain: X\naggregates:\n  A:\n    commands:\n      Do: {emits: [Nope]}\n"
    )

    async def body(session: ClientSession) -> None:
        tools = (await session.list_tools()).tools
        assert {t.name for t in tools} == TOOLS
        for tool in tools:
            assert tool.description and tool.input_schema["type"] == "object", tool.name
            assert "properties" in tool.input_schema, tool.name
        command = next(t for t in tools if t.name == "add_command").input_schema
        assert set(command["required"]) == {"aggregate", "name", "emits"}
        rename = next(t for t in tools if t.name == "rename").input_schema
        assert "event" in json.dumps(rename["properties"]["kind"])

        resources = {str(r.uri): r for r in (await session.list_resources()).resources}
        reference = await session.read_resource("eventforge://docs/spec-language.md")
        schema = await session.read_resource("eventforge://schema/eventforge.schema.json")
        assert resources["eventforge://docs/spec-language.md"].mime_type == "text/markdown"
        [text] = reference.contents
        assert isinstance(text, TextResourceContents)
        assert text.text == (ROOT / "docs/spec-language.md").read_text(encoding="utf-8")
        [schema_text] = schema.contents
        assert isinstance(schema_text, TextResourceContents)
        assert json.loads(schema_text.text)["title"] == "eventforge domain spec"

        assert (await call(session, "validate"))["ok"] is True
        invalid = await session.call_tool("validate", {"spec": "broken.yaml"})
        assert invalid.is_error
        assert isinstance(invalid.structured_content, dict)
        codes = [e["code"] for e in invalid.structured_content["errors"]]
        assert "E401" in codes and "E401" in _text(invalid)
        [error] = [e for e in invalid.structured_content["errors"] if e["code"] == "E401"]
        assert error["line"] == 6 and error["path"] == "aggregates.A.commands.Do.emits[0]"

        refused = await session.call_tool(
            "add_command", {"aggregate": "Nope", "name": "DoIt", "emits": ["AccountOpened"]}
        )
        assert refused.is_error and "E901" in _text(refused)
        bad_field = await session.call_tool(
            "add_event", {"aggregate": "Account", "name": "X", "fields": ["no type"]}
        )
        assert bad_field.is_error and "E900" in _text(bad_field)
        plan = await call(session, "plan")
        assert plan["dry_run"] is True and not (project / "src").exists()
        context = await call(session, "context", slice="DepositMoney")
        assert "# Slice DepositMoney" in context["markdown"] and context["tokens_estimate"] > 0

    with_server(project, body)


def test_the_mutants_tool_answers_with_the_unpinned_rules(tmp_path: Path) -> None:
    """Surviving mutants are an answer (`ok: false`), not a tool error; each carries its place in
    the spec and the scenario to add."""
    spec = copy_example("bank", tmp_path / "bank")
    project = spec.parent
    text = spec.read_text(encoding="utf-8")
    weak = project / "weak.yaml"
    start = text.index("      - name: a deposit of nothing is refused")
    end = text.index("      - name: the smallest deposit is accepted")
    weak.write_text(text[:start] + text[end:], encoding="utf-8")

    async def body(session: ClientSession) -> None:
        pinned = await call(session, "mutants", slice="DepositMoney")
        assert pinned["ok"] is True and pinned["survived"] == [] and pinned["mutants"] > 5
        result = await session.call_tool("mutants", {"spec": "weak.yaml", "slice": "DepositMoney"})
        assert not result.is_error, _text(result)
        assert isinstance(result.structured_content, dict)
        survived = result.structured_content["survived"]
        assert result.structured_content["ok"] is False and survived
        first = survived[0]
        assert first["path"] == "aggregates.Account.commands.DepositMoney.rejects[1].if"
        assert first["suggestion"].startswith("add a scenario of DepositMoney with amount = 0")
        unknown = await session.call_tool("mutants", {"slice": "Nope"})
        assert unknown.is_error and "E901" in _text(unknown)

    with_server(project, body)


def test_a_feature_added_through_the_mcp_server(tmp_path: Path) -> None:
    project = copy_example("bank", tmp_path / "bank").parent
    assert cli("generate", project / "eventforge.yaml").exit_code == 0
    write_handlers("bank", project)
    outcomes: dict[str, Any] = {}

    async def edit_and_generate(session: ClientSession) -> None:
        await call(
            session, "add_event", aggregate="Account", name="AccountFrozen", fields=["reason:str"]
        )
        await call(
            session, "add_command", aggregate="Account", name="FreezeAccount", custom=True,
            fields=["reason:str"], emits=["AccountFrozen"],
            rejects=[{"if": "state.closed", "error": "AccountIsClosed"}],
        )  # fmt: skip
        await call(
            session, "add_scenario", owner="Account", name="freezing records the reason",
            given=[OPENED], when=WHEN, then=[THEN],
        )  # fmt: skip
        generated = await call(session, "generate")
        outcomes["created"] = {f["path"] for f in generated["files"] if f["verdict"] == "create"}
        slices = (await call(session, "slices"))["slices"]
        outcomes["freeze"] = next(s for s in slices if s["name"] == "FreezeAccount")

    with_server(project, edit_and_generate)
    assert {HANDLER, SCENARIO_TEST} <= outcomes["created"]
    assert outcomes["freeze"]["status"] == "custom handler missing"

    red = run_pytest(project)
    assert red.returncode == 1
    assert "test_freezing_records_the_reason" in red.stdout
    assert f"Write decide() in {HANDLER}" in red.stdout

    write_the_handler(project)
    green = run_pytest(project)
    assert green.returncode == 0, green.stdout + green.stderr

    async def verify(session: ClientSession) -> None:
        outcomes["check"] = await call(session, "check")
        slices = (await call(session, "slices"))["slices"]
        outcomes["status"] = next(s for s in slices if s["name"] == "FreezeAccount")["status"]

    with_server(project, verify)
    assert outcomes["check"]["ok"] is True and outcomes["check"]["differences"] == []
    assert outcomes["status"] == "implemented"
    assert SCENARIO_TEST in generated_files_are_untouched(project)


def test_a_clear_message_without_the_sdk(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['mcp'] = None; from generator.cli.main import main; main(['mcp'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 2
    assert "error[E903]" in result.stderr and "pip install 'eventforge[mcp]'" in result.stderr
    assert result.stdout == ""


def test_rules_and_emitted_events_are_added_through_the_tools(tmp_path: Path) -> None:
    project = copy_example("bank", tmp_path / "bank").parent

    async def body(session: ClientSession) -> None:
        await call(
            session,
            "add_reject",
            command="WithdrawMoney",
            condition="command.amount > 1000",
            error="InsufficientFunds",
        )
        await call(
            session,
            "add_emit",
            command="DepositMoney",
            event={"MoneyDeposited": {"amount": 1}},
            condition="command.amount > 100",
        )

    with_server(project, body)
    text = (project / "eventforge.yaml").read_text(encoding="utf-8")
    assert "          - if: command.amount > 1000\n            error: InsufficientFunds\n" in text
    assert "          - MoneyDeposited: {amount: 1}\n            if: command.amount > 100\n" in text


def test_timelines_are_written_through_the_tools(tmp_path: Path) -> None:
    project = copy_example("bank", tmp_path / "bank").parent
    story = "an account is opened and fed"

    async def body(session: ClientSession) -> None:
        await call(
            session,
            "add_timeline",
            name=story,
            at="2024-05-01T10:00:00Z",
            when={"OpenAccount": {"account_id": "acc-1", "owner": "Ada", "overdraft_limit": 0}},
            then=[{"AccountOpened": {"owner": "Ada"}}],
        )
        await call(
            session,
            "add_step",
            timeline=story,
            when={"DepositMoney": {"account_id": "acc-1", "amount": 5}},
            then_state={"balance": 5, "version": 2},
        )
        await call(
            session,
            "add_scenario",
            owner="Account",
            name="opening at a fixed time",
            at="2024-05-01T10:00:00Z",
            when={"OpenAccount": {"owner": "Ada", "overdraft_limit": 0}},
            then=[{"AccountOpened": {"owner": "Ada"}}],
        )

    with_server(project, body)
    spec = project / "eventforge.yaml"
    text = spec.read_text(encoding="utf-8")
    assert f"\n  - name: {story}\n    steps:\n" in text, text  # after the example's own
    assert '      - at: "2024-05-01T10:00:00Z"\n        when: {OpenAccount:' in text
    assert "      - when: {DepositMoney: {account_id: acc-1, amount: 5}}\n" in text
    assert "        then:\n          state: {balance: 5, version: 2}\n" in text
    assert '        at: "2024-05-01T10:00:00Z"\n' in text
    assert cli("validate", spec).exit_code == 0


def test_read_models_of_several_key_fields_and_custom_ones_through_the_tools(
    tmp_path: Path,
) -> None:
    project = copy_example("cart", tmp_path / "cart").parent

    async def body(session: ClientSession) -> None:
        await call(
            session,
            "add_read_model",
            name="CartLines",
            key="cart_id,sku",
            fields=["quantity:int"],
            index=["sku"],
            on={
                "ItemAdded": {"if": "event.quantity > 0", "set": {"quantity": "= event.quantity"}},
                "CartCheckedOutByCustomer": {"delete_where": {"cart_id": "= event.cart_id"}},
            },
        )
        await call(
            session,
            "add_read_model",
            name="Popularity",
            key="sku",
            fields=["added:int"],
            on=["ItemAdded"],
            custom=True,
        )

    with_server(project, body)
    text = (project / "eventforge.yaml").read_text(encoding="utf-8")
    assert "    key: [cart_id, sku]\n" in text and "    index: [sku]\n" in text
    assert "    handler: custom\n    on: [ItemAdded]\n" in text
