"""`eventforge mcp`: a Model Context Protocol server over stdio (the official `mcp` SDK).

Every tool is the matching command line with `--format json`, run in this process (mcp_tools.py):
a tool returns exactly the JSON document the command prints (documented in the README), so agents
and scripts share one contract. A command that fails (spec errors, usage errors, a refused
generate) comes back as a tool error (`isError: true`) whose structured content carries `errors`,
each with its spec error code, message, path, line and column. The spec language reference and
the JSON Schema are resources.

Relative paths are resolved against the server's working directory (the project's root).
"""

from __future__ import annotations

import click
from mcp.server.mcpserver import MCPServer

from generator import __version__
from generator.agent.mcp_stories import STORY_TOOLS
from generator.agent.mcp_tools import TOOLS, bind
from generator.support.gcpause import long_lived
from generator.support.resources import schema_path, spec_reference_path

INSTRUCTIONS = """\
eventforge turns eventforge.yaml (the domain spec) into a tested, event-sourced Python package.
The loop: change the spec with the add_*, rename and remove tools (validated before anything is
written), call generate, write the hand-written decide() that `slices` and `context` name (files
under custom/ folders are the user's; every other generated file must never be edited), run the
package's tests (python -m pytest), then call check. Add a scenario before the code: its generated
test fails until the slice works. Read the resource eventforge://docs/spec-language.md for the
spec language."""

SPEC_REFERENCE_URI = "eventforge://docs/spec-language.md"
SCHEMA_URI = "eventforge://schema/eventforge.schema.json"


def build_server(command_line: click.Group) -> MCPServer:
    """The server, its tools running `command_line` (the `eventforge` group)."""
    bind(command_line)
    server = MCPServer(name="eventforge", instructions=INSTRUCTIONS, version=__version__)
    for tool in (*TOOLS, *STORY_TOOLS):
        server.add_tool(tool)
    _resources(server)
    return server


def _resources(server: MCPServer) -> None:
    @server.resource(SPEC_REFERENCE_URI, name="spec-language", mime_type="text/markdown")
    def spec_language() -> str:
        """The eventforge spec language reference (format version 1)."""
        return spec_reference_path().read_text(encoding="utf-8")

    @server.resource(SCHEMA_URI, name="schema", mime_type="application/schema+json")
    def schema() -> str:
        """The JSON Schema of eventforge.yaml."""
        return schema_path().read_text(encoding="utf-8")


def serve(command_line: click.Group) -> None:
    long_lived()  # many commands in this process: collect after each (see gcpause.py)
    build_server(command_line).run("stdio")


__all__ = ["build_server", "serve"]
