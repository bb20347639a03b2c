"""A feature added the way an agent would, shared by the CLI and the MCP end-to-end tests.

The feature, on a generated copy of the bank example: an event AccountFrozen, a custom command
FreezeAccount that emits it (guarded by AccountIsClosed), and a scenario written before the code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.build.write import MANIFEST

HANDLER = "src/bank/account/custom/freeze_account.py"
SCENARIO_TEST = "tests/account/test_freeze_account.py"
OPENED = {"AccountOpened": {"owner": "Ada", "overdraft_limit": 0}}
WHEN = {"FreezeAccount": {"reason": "fraud"}}
THEN = {"AccountFrozen": {"reason": "fraud"}}

DECIDE = """\
def decide(command: FreezeAccount, state: AccountState) -> list[AccountFrozen]:
    return [AccountFrozen(account_id=command.account_id, reason=command.reason)]
"""


def write_the_handler(project: Path) -> None:
    """What the agent writes: the function the failing test named, in the user-owned file."""
    path = project / HANDLER
    head = path.read_text(encoding="utf-8").split("def decide(")[0]
    path.write_text(head + DECIDE, encoding="utf-8")


def generated_files_are_untouched(project: Path) -> list[str]:
    """Every file the manifest lists as generated has the hash generate wrote."""
    manifest = json.loads((project / MANIFEST).read_text(encoding="utf-8"))["files"]
    checked = []
    for relative, entry in manifest.items():
        if entry["owner"] != "generated":
            continue
        digest = hashlib.sha256((project / relative).read_bytes()).hexdigest()
        assert digest == entry["sha256"], f"{relative} was edited"
        checked.append(relative)
    assert manifest[HANDLER]["owner"] == "user"
    return checked
