"""The JSON Schema of job files, as committed in ``schemas/sync-job.schema.json``.

The models give the structure (``models.job_file_schema``); this module makes it an editor
schema: a description on every property (``descriptions``), a plain ``enum`` of the node types
beside the discriminated union (yaml-language-server ignores ``discriminator``, so a typo in a
node ``type`` would otherwise list only the types of the closest-matching nodes), completion
snippets for a new job and for each node type, and an ``$id``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from syncspec.jobfile.shape.descriptions import (
    ARG_PROPERTY,
    ARGS_SCHEMA_KEYS,
    MODELS,
    NODE_TYPE_SUMMARIES,
    node_type_description,
)

# models (pydantic) load only when the editor schema is generated or checked, never on the
# validate path (bench/BENCHMARKS.md, "Imports").

# A URN: a stable name that no tool will try to download (refs inside are all "#/$defs/...").
SCHEMA_ID = "urn:truto-syncspec:schema:sync-job"

# Completion snippets (yaml-language-server `defaultSnippets`; ${n:...} are tab stops).
JOB_SNIPPETS: list[dict[str, Any]] = [
    {
        "label": "V4 job (runtime 4)",
        "description": "A job of typed nodes: request -> destination, args for the account",
        "body": {
            "label": "${1:new-job}",
            "integration_name": "${2:zendesk}",
            "default_runtime_version": 4,
            "args_schema": {
                "integrated_account_id": {
                    "type": "string",
                    "format": "integrated_account_id",
                    "required": True,
                },
                "webhook_id": {"type": "string", "format": "webhook_id", "required": True},
            },
            "resources": [
                {
                    "name": "${3:tickets}",
                    "type": "request",
                    "resource": "${4:ticketing/tickets}",
                    "method": "list",
                    "integrated_account_id": "{{args.integrated_account_id}}",
                },
                {
                    "name": "deliver",
                    "type": "destination",
                    "destination_type": "webhook",
                    "config": {"id": "{{args.webhook_id}}"},
                    "resources_to_persist": ["${3:tickets}"],
                },
            ],
        },
    },
    {
        "label": "legacy job (runtime 2)",
        "description": "A job of legacy resources: resource + method calls",
        "body": {
            "label": "${1:new-job}",
            "integration_name": "${2:zendesk}",
            "default_runtime_version": 2,
            "resources": [{"resource": "${3:ticketing/tickets}", "method": "list"}],
        },
    },
]

_NODE_BODIES: dict[str, dict[str, Any]] = {
    "request": {
        "resource": "${2:ticketing/tickets}",
        "method": "${3:list}",
        "integrated_account_id": "{{args.integrated_account_id}}",
    },
    "transform": {"config": {"expression": "${2:$}"}},
    "add_context": {"config": {"expression": '${2:{ "key": value }}'}},
    "spool": {},
    "get_state": {"config": {"key": "${2:last_updated_at}", "default": "${3:}"}},
    "update_state": {
        "depends_on": "${2:done}",
        "config": {"key": "${3:last_updated_at}", "value": "{{sync_job_run.started_at}}"},
    },
    "delete_state": {"config": {"key": "${2:last_updated_at}"}},
    "event": {"config": {"name": "${2|start,complete,error|}"}},
    "destination": {
        "destination_type": "${2|webhook,datastore,superquery|}",
        "config": {"id": "{{args.webhook_id}}"},
        "resources_to_persist": ["${3}"],
    },
}


def _node_snippets() -> list[dict[str, Any]]:

    return [
        {
            "label": f"{node_type} node",
            "description": summary,
            "body": {"name": "${1:" + node_type.replace("_", "-") + "}", "type": node_type}
            | _NODE_BODIES[node_type],
        }
        for node_type, summary in NODE_TYPE_SUMMARIES.items()
    ]


def _model_descriptions(model_name: str) -> dict[str, str]:
    """The property descriptions of a model, its bases' first."""
    from syncspec.jobfile.shape import descriptions, models

    merged: dict[str, str] = {}
    for cls in reversed(getattr(models, model_name).__mro__):
        merged |= descriptions.PROPERTIES.get(cls.__name__, {})
    return merged


def _describe_args_schema(prop: dict[str, Any]) -> None:

    json_schema_style, flat_map, _null = prop["anyOf"]
    top = json_schema_style["properties"]
    for key, text in ARGS_SCHEMA_KEYS.items():
        top[key]["description"] = text
    for argument in (top["properties"]["additionalProperties"], flat_map["additionalProperties"]):
        for key, text in ARG_PROPERTY.items():
            argument["properties"][key]["description"] = text


def editor_schema() -> dict[str, Any]:
    """The job-file JSON Schema with descriptions, the node-type enum, snippets and ``$id``."""
    from syncspec.jobfile.shape.models import NODE_TYPES, job_file_schema

    # a copy: pydantic may share json_schema_extra dicts with the models module
    schema = copy.deepcopy(job_file_schema())
    for name, definition in schema["$defs"].items():
        if name in MODELS:
            definition["description"] = MODELS[name]
        texts = _model_descriptions(name)
        for prop_name, prop in definition.get("properties", {}).items():
            if prop_name == "type" and "const" in prop:
                prop["description"] = node_type_description(prop["const"])
            elif prop_name in texts:
                prop["description"] = texts[prop_name]
            # A nullable field is `anyOf: [X, null]`, and editors show the description of the
            # alternative that matched before the field's own: drop the generic ones of the
            # Placeholder/JSONata types ("a JSONata expression") so the field's text shows.
            for alternative in prop.get("anyOf", []):
                if "description" in prop and "properties" not in alternative:
                    alternative.pop("description", None)
            if prop_name == "args_schema":
                _describe_args_schema(prop)
    nodes = schema["$defs"]["V4Job"]["properties"]["resources"]["items"]
    nodes["type"] = "object"
    nodes["required"] = ["name", "type"]
    nodes["properties"] = {
        "type": {"enum": list(NODE_TYPES), "description": node_type_description(None)}
    }
    nodes["defaultSnippets"] = _node_snippets()
    schema["defaultSnippets"] = JOB_SNIPPETS
    return {"$id": SCHEMA_ID, "$comment": VAR_TAG_COMMENT, **schema}


# Issue 20: the schema describes the resolved job; the tag itself is for the editor to accept.
VAR_TAG_COMMENT = (
    "A value that differs per environment may be written `!var NAME` (a YAML tag, never text "
    "substitution): syncspec replaces it with NAME's value in the active profile "
    "([profiles.PROFILE.vars] in syncspec.toml, or vars/PROFILE.toml) before checking the job "
    "against this schema. Editors using yaml-language-server need the tag declared: "
    '"yaml.customTags": ["!var scalar"] (`syncspec init` writes it to .vscode/settings.json).'
)


def schema_text() -> str:
    """The schema as deterministic text: sorted keys, 2-space indent, newline-terminated."""
    return json.dumps(editor_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
