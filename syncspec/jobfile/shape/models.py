"""The job file as pydantic models: the structure every job file must have.

Two shapes of ``resources`` (truto-api.md): legacy resources for runtime versions 1-3 and V4
typed nodes (a discriminated union on ``type``) for runtime 4. ``default_runtime_version``
chooses; ``syncspec.jobfile.shape.structure`` turns validation errors into SS1xx findings. The JSON
Schema of ``schemas/sync-job.schema.json`` is generated from these models (``job_file_schema``).

Only shapes live here. What the values mean (placeholders, graph, args) is checked by the
semantic rules, which is why ``args_schema``, ``query`` and ``body`` are open mappings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, RootModel

# Strict: YAML already typed every scalar; `label: 2024` or `persist: "yes"` are mistakes.
# Deferred: a single-file validate builds only the model it needs.
_CONFIG = ConfigDict(extra="forbid", strict=True, defer_build=True)

Placeholder = Annotated[str, Field(description="text; may contain {{placeholders}}")]
JSONata = Annotated[str, Field(description="a JSONata expression")]
OpenObject = dict[str, Any]

ARG_PROPERTY_DOC: dict[str, Any] = {
    "type": "object",
    "description": "One argument: a JSON Schema property plus Truto's per-property `required`.",
    "properties": {
        "type": {
            "anyOf": [
                {"enum": ["string", "number", "integer", "boolean", "array", "object", "null"]},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
        "description": {"type": "string"},
        "required": {"type": "boolean"},
        "format": {
            "type": "string",
            "description": "Truto formats: integrated_account_id, webhook_id, datastore_id, "
            "date, updated_at (plus JSON Schema's)",
        },
        "default": {},
        "enum": {"type": "array"},
        "items": {"type": "object"},
        "properties": {"type": "object"},
    },
}


ARGS_SCHEMA_DOC: dict[str, Any] = {
    "description": (
        "Arguments a run accepts. Either JSON-Schema style "
        "({type: object, properties: {NAME: {type, required: true, ...}}}) or a flat map "
        "{NAME: {type, format, required: true, ...}}. `required` is a per-property boolean."
    ),
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "type": {"const": "object"},
                "$ref": {"type": "string"},
                "properties": {
                    "type": "object",
                    "additionalProperties": ARG_PROPERTY_DOC,
                },
                "description": {"type": "string"},
                "required": {"type": ["boolean", "array"]},
                "default": {},
                "additionalProperties": {"type": ["boolean", "object"]},
            },
            "required": ["properties"],
        },
        {"type": "object", "additionalProperties": ARG_PROPERTY_DOC},
        {"type": "null"},
    ],
}


class _Model(BaseModel):
    model_config = _CONFIG


# ---- legacy resources (runtime versions 1-3) -------------------------------------------------


class LegacyResource(_Model):
    """A resource of a legacy (runtime 1-3) job."""

    resource: str = Field(
        description="unified_api/resource (e.g. crm/contacts) or a proxy resource name"
    )
    method: str = Field(description="list, get, create, update, delete, or a custom method")
    id: Placeholder | int | None = None
    query: OpenObject | None = Field(
        None, description="query parameters; values may be placeholders"
    )
    loop_on: str | None = Field(None, description="name of an array argument to repeat over")
    depends_on: str | None = Field(None, description="the `resource` of the parent resource")
    persist: bool | None = Field(None, description="persist proxy resources (unified always are)")


# ---- V4 typed nodes (runtime version 4) ------------------------------------------------------


class _Node(_Model):
    name: str = Field(description="unique name of the node in this job")
    depends_on: str | None = Field(None, description="name of the upstream node")
    run_if: JSONata | None = None
    debug: bool | None = None


class RecurseConfig(_Model):
    query: OpenObject | None = None


class Recurse(_Model):
    if_: JSONata | Placeholder = Field(alias="if")
    config: RecurseConfig | None = None


class RequestNode(_Node):
    type: Literal["request"]
    resource: str
    method: str
    integrated_account_id: Placeholder = Field(description="usually {{args.integrated_account_id}}")
    id: Placeholder | int | None = None
    query: OpenObject | JSONata | None = None
    body: OpenObject | JSONata | None = Field(
        None, description="an object (values are placeholders) or a JSONata string"
    )
    loop_on: str | None = Field(None, description="path to an array in upstream context")
    recurse: Recurse | None = None
    delete_tracking: Literal["hard", "soft"] | None = None
    delete_tracking_query: OpenObject | None = None


class ExpressionConfig(_Model):
    expression: JSONata


class TransformNode(_Node):
    type: Literal["transform"]
    config: ExpressionConfig


class AddContextNode(_Node):
    type: Literal["add_context"]
    config: ExpressionConfig


class SpoolNode(_Node):
    type: Literal["spool"]


class GetStateConfig(_Model):
    key: Placeholder
    default: Any = None


class GetStateNode(_Node):
    type: Literal["get_state"]
    config: GetStateConfig


class UpdateStateConfig(_Model):
    key: Placeholder
    value: Any = None
    value_expression: JSONata | None = None


class UpdateStateNode(_Node):
    type: Literal["update_state"]
    config: UpdateStateConfig


class StateKeyConfig(_Model):
    key: Placeholder


class DeleteStateNode(_Node):
    type: Literal["delete_state"]
    config: StateKeyConfig


class EventConfig(_Model):
    name: Literal["start", "complete", "error"]


class EventNode(_Node):
    type: Literal["event"]
    config: EventConfig


class DestinationConfig(_Model):
    id: Placeholder = Field(description="webhook/datastore id, templated from args")
    config: OpenObject | None = Field(None, description="datastore settings")
    expression: str | None = Field(
        None, description="JSONata that shapes the records before delivery (truto-jsonata docs)"
    )


class DestinationNode(_Node):
    type: Literal["destination"]
    destination_type: Literal["webhook", "datastore", "superquery"]
    config: DestinationConfig
    resources_to_persist: list[str] = Field(min_length=1)
    method: str | None = None
    loop_on: str | None = None


V4Node = Annotated[
    RequestNode
    | TransformNode
    | AddContextNode
    | SpoolNode
    | GetStateNode
    | UpdateStateNode
    | DeleteStateNode
    | EventNode
    | DestinationNode,
    Field(discriminator="type"),
]
# The node types, read off the models themselves (each node's `type` Literal), so the
# pydantic-free copy in structure.py is checked against what these models accept.
NODE_TYPES: tuple[str, ...] = tuple(
    str(get_args(node.model_fields["type"].annotation)[0]) for node in get_args(get_args(V4Node)[0])
)


# ---- schedules: cron triggers as code (syncspec's own key, never sent as the job body) ---------


class AccountSelector(_Model):
    """Which integrated accounts of the job's integration a schedule covers (default: every
    active one)."""

    tenants: list[str] | None = Field(
        None, description="globs on the account's tenant_id, e.g. acme-*"
    )
    sandbox: bool | None = Field(
        None, description="true: only sandbox accounts; false: no sandbox accounts"
    )
    ids: list[str] | None = Field(
        None, description="explicit integrated account ids (usually through !var)"
    )


class Schedule(_Model):
    """One schedule policy: a cron trigger per (job, matching integrated account)."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="unique within the job; part of each trigger's identity",
    )
    cron: str = Field(
        description="5 fields, UTC (minute hour day-of-month month day-of-week); "
        "H = a value derived from (label, account id), to spread load"
    )
    accounts: AccountSelector | None = None
    args: OpenObject | None = Field(
        None,
        description="run args; integrated_account_id is filled per account when args_schema "
        "declares it",
    )
    error_handling: Literal["fail_fast", "ignore", "batch"] | None = None
    super_query: Literal["apac", "wnam"] | None = None
    events_to_send: list[str] | None = None
    webhook_id: str | None = Field(None, description="never together with daemon_group_key")
    daemon_group_key: str | None = Field(None, description="never together with webhook_id")


# ---- the job file ----------------------------------------------------------------------------


class _Job(_Model):
    label: str = Field(min_length=1, description="identity of the job: unique across jobs/")
    id: str | None = Field(None, description="pin to one live job id (escape hatch)")
    renamed_from: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None, description="earlier labels of this job (syncspec's own key: never sent)"
    )
    integration_name: str | None = Field(None, description='e.g. "zendesk"; "" for multi')
    args_schema: OpenObject | None = Field(None, json_schema_extra=ARGS_SCHEMA_DOC)
    args_validation: JSONata | None = Field(
        None, description="JSONata over {args}: null to proceed, {message} to abort"
    )
    mutex_key: Placeholder | None = None
    state_key: Placeholder | None = None
    schedules: list[Schedule] | None = Field(
        None,
        description="syncspec's own key: cron triggers per integrated account (absent: the "
        "job's triggers are not managed; [] deletes the ones syncspec made)",
    )


class LegacyJob(_Job):
    """A job in the legacy shape (runtime versions 1-3)."""

    default_runtime_version: Literal[1, 2, 3] | None = None
    resources: list[LegacyResource] = Field(default_factory=list)


class V4Job(_Job):
    """A job of V4 typed nodes (runtime version 4)."""

    default_runtime_version: Literal[4] | None = None
    resources: list[V4Node] = Field(default_factory=list)


class JobFile(RootModel[LegacyJob | V4Job]):
    """A syncspec job file (one Truto sync job)."""

    model_config = ConfigDict(defer_build=True)


def job_file_schema() -> dict[str, Any]:
    """The JSON Schema of a job file (what ``syncspec schema`` writes)."""
    schema = JobFile.model_json_schema()
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "syncspec job file",
        "description": "One Truto sync job. Generated by `syncspec schema`; do not edit.",
        **schema,
    }


# ---- the pre-built validator -----------------------------------------------------------------
# `validate` of one file (pre-commit) must start fast, and creating these ~30 pydantic classes
# costs more than importing pydantic itself. So the models' validation schemas are exported as
# plain-data pydantic-core schemas (models become typed dicts: only errors are wanted), committed
# as job_core_schema.json, and run by pydantic_core alone (``syncspec.jobfile.shape.corevalidate``).
# tests/unit/test_models.py fails when the committed file is stale.

_SCHEMA_KEYS = ("schema", "items_schema", "keys_schema", "values_schema")


def _ref(ref: str) -> str:
    return ref.rsplit(":", 1)[0]  # "syncspec.jobfile.shape.models.LegacyJob:9382..." (an address)


def _plain(node: dict[str, Any]) -> dict[str, Any]:
    kind = node["type"]
    if kind == "model":
        config = node.get("config", {})
        fields: dict[str, Any] = {}
        for name, field in node["schema"]["fields"].items():
            schema, required = field["schema"], True
            if schema["type"] == "default":
                schema, required = schema["schema"], False
            plain = {"type": "typed-dict-field", "schema": _plain(schema), "required": required}
            if "validation_alias" in field:
                plain["validation_alias"] = field["validation_alias"]
            fields[name] = plain
        out: dict[str, Any] = {
            "type": "typed-dict",
            "fields": fields,
            "extra_behavior": config.get("extra_fields_behavior", "ignore"),
            "config": {
                "strict": bool(config.get("strict", False)),
                "extra_fields_behavior": config.get("extra_fields_behavior", "ignore"),
            },
        }
        if "ref" in node:
            out["ref"] = _ref(node["ref"])
        return out
    out = {}
    for key, value in node.items():
        if key in ("metadata", "serialization", "cls", "default_factory"):
            continue
        if key in ("ref", "schema_ref"):
            out[key] = _ref(value)
        elif key in _SCHEMA_KEYS:
            out[key] = _plain(value)
        elif key == "definitions":
            out[key] = [_plain(d) for d in value]
        elif key == "choices" and isinstance(value, dict):
            out[key] = {tag: _plain(choice) for tag, choice in value.items()}
        elif key == "choices":
            out[key] = [_plain(c) for c in value]
        else:
            out[key] = value
    return out


def core_schemas() -> dict[str, Any]:
    """Plain-data pydantic-core schemas of the two job shapes: ``{"legacy": ..., "v4": ...}``."""
    shapes: dict[str, type[_Job]] = {"legacy": LegacyJob, "v4": V4Job}
    out = {}
    for name, model in shapes.items():
        model.model_rebuild()
        out[name] = _plain(dict(model.__pydantic_core_schema__))
    return out
