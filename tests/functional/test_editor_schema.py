"""The editor schema, checked by the real yaml-language-server over LSP (issue 14).

An editor sees ``schemas/sync-job.schema.json`` through yaml-language-server, which has its own
reading of JSON Schema (it ignores ``discriminator``, merges ``anyOf`` alternatives on hover).
So the schema is tested where it is used: the server (npm, pinned in ``tests/lsp/package.json``;
``.ci/run`` installs it with ``npm ci --prefix tests/lsp``) runs as a subprocess and this test
speaks LSP to it over stdio. Every wait is bounded; nothing sleeps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncspec.jobfile.shape.models import NODE_TYPES
from tests.functional.lsp_client import LspClient

ROOT = Path(__file__).resolve().parents[2]
LSP_DIR = ROOT / "tests" / "lsp"
SERVER = LSP_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
SCHEMA = ROOT / "schemas" / "sync-job.schema.json"
MODELINE = f"# yaml-language-server: $schema={SCHEMA.as_uri()}\n"
TIMEOUT = 30.0  # seconds for one answer; a loaded machine answers in well under one

# what `syncspec init` writes for VS Code (.vscode/settings.json): `!var NAME` is a known tag
INIT_SETTINGS = json.loads(
    (ROOT / "syncspec" / "templates" / "init" / "vscode-settings.json").read_text(encoding="utf-8")
)
VALID_FILES = sorted((ROOT / "jobs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "examples" / "valid").glob("*.yaml")
)


def _server_argv() -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the yaml-language-server check needs Node.js")
    if not SERVER.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("yaml-language-server is not installed and npm is missing")
        # the pinned version, from the committed lock file (what .ci/run does first)
        subprocess.run(
            [npm, "ci", "--prefix", str(LSP_DIR), "--no-audit", "--no-fund"],
            check=True,
            timeout=300,
            capture_output=True,
        )
    return [node, str(SERVER), "--stdio"]


@pytest.fixture(scope="module")
def lsp() -> Iterator[LspClient]:
    client = LspClient(_server_argv(), cwd=ROOT)
    try:
        client.request(
            "initialize",
            {
                "processId": None,
                "rootUri": ROOT.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown"]},
                        "completion": {"completionItem": {"snippetSupport": True}},
                    }
                },
            },
            timeout=TIMEOUT,
        )
        client.notify("initialized", {})
        # no schema store: the test must never reach the network
        settings = {"validate": True, "hover": True, "completion": True}
        settings["schemaStore"] = {"enable": False}  # type: ignore[assignment]
        settings["customTags"] = INIT_SETTINGS["yaml.customTags"]
        client.settings = {"yaml": settings}  # the server pulls them (workspace/configuration)
        client.notify("workspace/didChangeConfiguration", {"settings": {"yaml": settings}})
        client.wait_for_configuration_pull(TIMEOUT)
        yield client
    finally:
        client.close()


def _open(lsp: LspClient, path: Path, text: str) -> str:
    uri = path.as_uri()
    lsp.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
    )
    return uri


def _with_schema(text: str) -> str:
    """The text, with a modeline pointing at the schema unless it has one."""
    return text if text.startswith("# yaml-language-server: $schema=") else MODELINE + text


def test_valid_files_have_no_diagnostics(lsp: LspClient) -> None:
    assert len(VALID_FILES) >= 10
    uris = {
        path: _open(lsp, path, _with_schema(path.read_text(encoding="utf-8")))
        for path in VALID_FILES
    }
    found = {path.name: lsp.diagnostics(uri, TIMEOUT) for path, uri in uris.items()}
    assert found == {path.name: [] for path in VALID_FILES}


def test_a_node_type_typo_lists_all_nine_types(lsp: LspClient) -> None:
    text = MODELINE + (
        "label: typo\n"
        "default_runtime_version: 4\n"
        "resources:\n"
        "  - name: tickets\n"
        "    type: requst\n"
        "    resource: ticketing/tickets\n"
        "    method: list\n"
        '    integrated_account_id: "{{args.integrated_account_id}}"\n'
    )
    uri = _open(lsp, ROOT / "typo-in-node-type.yaml", text)
    diagnostics = lsp.diagnostics(uri, TIMEOUT)
    listing = ", ".join(f'"{t}"' for t in NODE_TYPES)
    on_type = [d["message"] for d in diagnostics if d["range"]["start"]["line"] == 5]
    assert f"Value is not accepted. Valid values: {listing}." in on_type
    assert len(NODE_TYPES) == 9


def test_hover_shows_the_description(lsp: LspClient) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    path = ROOT / "jobs" / "salesforce-accounts-incremental.yaml"
    text = path.read_text(encoding="utf-8")
    uri = _open(lsp, ROOT / "hover-check.yaml", text.replace("../schemas/", "schemas/", 1))
    lines = text.split("\n")
    cases = {
        "default_runtime_version:": defs["V4Job"]["properties"]["default_runtime_version"],
        "state_key:": defs["V4Job"]["properties"]["state_key"],
        "    resources_to_persist:": defs["DestinationNode"]["properties"]["resources_to_persist"],
    }
    for prefix, prop in cases.items():
        line = next(i for i, text in enumerate(lines) if text.startswith(prefix))
        column = len(prefix) - len(prefix.lstrip()) + 1
        hover = lsp.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": column}},
            timeout=TIMEOUT,
        )
        shown = hover["contents"]["value"].replace("\\", "")  # markdown escapes
        assert prop["description"].split(": ")[0] in shown, prefix
        assert prop["description"][-40:] in shown, prefix


def test_completion_offers_the_job_skeletons(lsp: LspClient) -> None:
    uri = _open(lsp, ROOT / "new-job.yaml", MODELINE)
    result = lsp.request(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}},
        timeout=TIMEOUT,
    )
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    assert {"V4 job (runtime 4)", "legacy job (runtime 2)"} <= labels


def test_completion_in_resources_offers_a_snippet_per_node_type(lsp: LspClient) -> None:
    text = MODELINE + "label: x\ndefault_runtime_version: 4\nresources:\n  - \n"
    uri = _open(lsp, ROOT / "new-node.yaml", text)
    result = lsp.request(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 4}},
        timeout=TIMEOUT,
    )
    items = result["items"] if isinstance(result, dict) else result
    labels = {item["label"] for item in items}
    assert {f"{node_type} node" for node_type in NODE_TYPES} <= labels


def test_a_var_tag_is_known_with_the_settings_init_writes(lsp: LspClient) -> None:
    assert INIT_SETTINGS == {"yaml.customTags": ["!var scalar"]}
    text = MODELINE + (
        "label: tagged\n"
        "default_runtime_version: 4\n"
        "resources:\n"
        "  - name: tickets\n"
        "    type: request\n"
        "    resource: ticketing/tickets\n"
        "    method: list\n"
        "    integrated_account_id: !var account_id\n"
        "  - name: send\n"
        "    type: destination\n"
        "    depends_on: tickets\n"
        "    destination_type: webhook\n"
        "    config: {id: !var webhook_id}\n"
        "    resources_to_persist: [tickets]\n"
    )
    uri = _open(lsp, ROOT / "tagged.yaml", text)
    assert lsp.diagnostics(uri, TIMEOUT) == []
    # a typo of the tag is still reported by the server
    typo = _open(lsp, ROOT / "tag-typo.yaml", text.replace("!var webhook_id", "!vars webhook_id"))
    messages = [d["message"] for d in lsp.diagnostics(typo, TIMEOUT)]
    assert any("!vars" in m for m in messages), messages
