"""The words of the editor schema: a description for every property of a job file.

``syncspec.jobfile.shape.schema`` puts these into the JSON Schema generated from ``models`` (a text
here wins over a model's short ``Field(description=...)``), so hovering a key in an editor
explains it.
Facts come from Truto's API reference and ``truto-api.md``; keep them there first.

Kept out of ``models.py`` so the models stay readable, and out of the validate fast path: only
``syncspec schema`` imports this module (``job_core_schema.json`` carries no descriptions).
"""

from __future__ import annotations

from typing import Final

# One-line summaries of the V4 node types, in models.NODE_TYPES order.
NODE_TYPE_SUMMARIES: Final[dict[str, str]] = {
    "request": "calls an integration's resource and emits its records",
    "transform": "reshapes each batch with a JSONata `config.expression` (null drops the batch)",
    "add_context": "adds the keys of a JSONata object to the context of later nodes",
    "spool": "a barrier: collects every batch from upstream before passing them on",
    "get_state": "reads a run-state entry (`config.key`) as `{{resources.<name>.value}}`",
    "update_state": "writes a run-state entry (`config.key`) from `value` or `value_expression`",
    "delete_state": "deletes a run-state entry (`config.key`); the next run starts from scratch",
    "event": "marks a point in the run's life (`config.name`: start, complete or error)",
    "destination": "delivers the records of the nodes in `resources_to_persist` "
    "to a webhook, datastore or SuperQuery",
}

_PLACEHOLDER_NOTE = " Quote placeholders in YAML: an unquoted `{{ }}` becomes a mapping."

_RUNTIME = (
    "Which Truto runtime runs the job, and so which shape `resources` has: 1-3 = legacy "
    "resources (`resource`, `method`, ...), 4 = V4 typed nodes (`name`, `type`, ...). New jobs "
    "should use 4. Absent: syncspec leaves the live value alone (the server stamps a legacy "
    "default) and expects the legacy shape."
)

# Properties shared by both job shapes (models._Job).
_JOB: Final[dict[str, str]] = {
    "label": (
        "Name of the job, and its identity for syncspec: a file is bound to the live job with "
        "the same label (or its pinned `id`). Must be unique across jobs/ (Truto itself does "
        "not require it)."
    ),
    "id": (
        "Pins this file to one live job by its server id: an escape hatch for labels that "
        "collide live. Ids differ per environment (one token = one environment), so avoid it "
        "otherwise; `syncspec pull` never writes it."
    ),
    "renamed_from": (
        "Earlier labels of this job: syncspec's own key, never sent to Truto and never pulled. "
        "When the file's label is not live and one live job holds a label listed here, the plan "
        "renames that job (a PATCH of the same job: its id, cron triggers and run history stay), "
        "in every environment, with no id. Chains collapse: list every earlier label. Once no "
        "environment holds an old label, its entry may be removed."
    ),
    "integration_name": (
        'The integration the job syncs, e.g. `zendesk` or `salesforce`; `""` for a '
        "multi-integration V4 job."
    ),
    "args_schema": (
        "Arguments a run accepts (checked by `syncspec runs start` before it sends anything). "
        "Either JSON-Schema style (`type: object`, `properties: {NAME: {type, required: true}}`) "
        "or the flat map of the V4 docs (`NAME: {type, format, required: true}`). `required` is "
        "a per-property boolean, not JSON Schema's list."
    ),
    "args_validation": (
        "JSONata expression evaluated against `{args}` before a run starts: return null to "
        'proceed, or `{"message": ...}` to abort the run with that message.'
    ),
    "mutex_key": (
        "Placeholder template, e.g. `{{args.integrated_account_id}}`: runs whose rendered keys "
        "are equal never run at the same time (a run's `force` bypasses it). Set it when the job "
        "runs on a cron trigger." + _PLACEHOLDER_NOTE
    ),
    "schedules": (
        "syncspec's own key (never sent as the job body): the cron triggers that start this "
        "job, one per (schedule, integrated account), reconciled by plan/apply. Absent: the "
        "job's triggers are not managed; `[]`: the triggers syncspec made are deleted."
    ),
    "state_key": (
        "Placeholder template naming the run-state namespace, e.g. "
        "`{{args.integrated_account_id}}`: state nodes read and write their entries under it "
        "(`syncspec run-state --state-key`). Required when the job has state nodes."
        + _PLACEHOLDER_NOTE
    ),
}

# Properties shared by every V4 node (models._Node).
_NODE: Final[dict[str, str]] = {
    "name": (
        "Unique name of the node in this job. Other nodes name it in `depends_on` and "
        "`resources_to_persist`; non-request nodes are read as `{{resources.<name>...}}`."
    ),
    "depends_on": (
        "Name of the one upstream node this node runs after; its output is this node's input. "
        "Destinations need none: `resources_to_persist` routes records to them."
    ),
    "run_if": (
        "JSONata expression: the node runs only when it is truthy, e.g. "
        "`$exists(args.since)` to gate an optional argument."
    ),
    "debug": "Truto's debug switch for this node: more detailed logs of it in the run.",
}

_LEGACY_RESOURCES = (
    "What the job fetches (runtime 1-3): a list of `resource` + `method` calls. A child "
    "`depends_on` a parent and runs once per parent record, read as "
    "`{{resources.<api>.<resource>.<field>}}`. Order is significant."
)
_V4_RESOURCES = (
    "The job's graph of named, typed nodes (runtime 4): `request`, `transform`, `add_context`, "
    "`spool`, `get_state`, `update_state`, `delete_state`, `event`, `destination`. Edges are "
    "`depends_on` and a destination's `resources_to_persist`."
)

_RESOURCE = (
    "The resource to call: `unified_api/resource` (e.g. `crm/contacts`, `ticketing/tickets`) "
    "for Truto's unified APIs, or a bare proxy resource name (e.g. `contacts`)."
)
_METHOD = (
    "The method to call: `list`, `get`, `create`, `update`, `delete`, or an integration's own."
)
_RECORD_ID = (
    "The record id for `get`/`update`/`delete`: static, or a placeholder such as "
    '`"{{args.ticket_id}}"`.'
)

# model (class) name -> property -> description. A model inherits its bases' entries.
PROPERTIES: Final[dict[str, dict[str, str]]] = {
    "_Job": _JOB,
    "LegacyJob": {"default_runtime_version": _RUNTIME, "resources": _LEGACY_RESOURCES},
    "V4Job": {"default_runtime_version": _RUNTIME, "resources": _V4_RESOURCES},
    "LegacyResource": {
        "resource": _RESOURCE,
        "method": _METHOD,
        "id": _RECORD_ID,
        "query": (
            "Query parameters of the call; values may be placeholders, e.g. "
            '`ticket_id: "{{resources.ticketing.tickets.id}}"`. Empty is the same as absent.'
        ),
        "loop_on": (
            "Repeat the call once per item of an array argument: its name, e.g. `user_ids` "
            "(declared with `type: array` in args_schema)."
        ),
        "depends_on": (
            "The `resource` of the parent, e.g. `ticketing/tickets`: this call runs once per "
            "parent record, read as `{{resources.ticketing.tickets.<field>}}`."
        ),
        "persist": (
            "Persist this resource's records. Proxy resources are not persisted by default; "
            "unified ones always are."
        ),
    },
    "_Node": _NODE,
    "RequestNode": {
        "resource": (
            _RESOURCE + " Later nodes read this node's records by that path, "
            "`{{resources.ticketing.tickets.id}}`, whatever the node is named."
        ),
        "method": _METHOD,
        "integrated_account_id": (
            "The connected account to call, almost always `{{args.integrated_account_id}}` "
            "(declare it in args_schema with `format: integrated_account_id`)."
        ),
        "id": _RECORD_ID,
        "query": (
            "Query parameters: a mapping whose values may be placeholders, or a string, which "
            "is a JSONata expression returning the query object."
        ),
        "body": (
            "Request body (create/update): a mapping whose values may be placeholders, or a "
            "string, which is a JSONata expression returning the body."
        ),
        "loop_on": (
            "Repeat the request once per item of an array in the upstream context: a path such "
            "as `resources.ticketing.tickets`."
        ),
        "recurse": (
            "Call the request again for each record while `if` holds (tree-shaped data such as "
            "pages with children), with `config.query` as the next call's query."
        ),
        "delete_tracking": (
            "Track records deleted at the source since the previous run: `hard` or `soft`."
        ),
        "delete_tracking_query": (
            "Query parameters of the listing that delete tracking compares against (values may "
            "be placeholders)."
        ),
    },
    "Recurse": {
        "if": (
            "When to recurse, per record: a placeholder such as "
            '`"{{resources.knowledge-base.page-content.has_children:bool}}"` or a JSONata '
            "expression."
        ),
        "config": "Settings of the recursive call: its `query`.",
    },
    "RecurseConfig": {
        "query": (
            "Query parameters of the recursive call, e.g. "
            '`parent_id: "{{resources.knowledge-base.page-content.id}}"`.'
        ),
    },
    "ExpressionConfig": {
        "expression": (
            "JSONata expression. In a `transform` node its output replaces the batch (null drops "
            "it); in an `add_context` node it returns an object whose keys become top-level for "
            "later nodes (e.g. `{{last_synced_at}}`)."
        ),
    },
    "TransformNode": {"config": "`expression`: the JSONata that reshapes each batch."},
    "AddContextNode": {"config": "`expression`: the JSONata returning the keys to add."},
    "GetStateConfig": {
        "key": "The entry's key (e.g. `last_updated_at`) within the job's `state_key` namespace.",
        "default": (
            "The value while the key has no entry yet, e.g. `1970-01-01T00:00:00Z` for a first "
            "full sync."
        ),
    },
    "GetStateNode": {"config": "The entry to read; its value is `{{resources.<name>.value}}`."},
    "UpdateStateConfig": {
        "key": "The entry's key (e.g. `last_updated_at`) within the job's `state_key` namespace.",
        "value": (
            "The new value: a placeholder such as `{{sync_job_run.started_at}}`. Give this or "
            "`value_expression`."
        ),
        "value_expression": "The new value as a JSONata expression. Give this or `value`.",
    },
    "UpdateStateNode": {
        "config": (
            "The entry to write. Make the node `depends_on` a `complete` event, so the cursor "
            "moves only after a successful run."
        ),
    },
    "StateKeyConfig": {
        "key": "The entry's key (e.g. `last_updated_at`) within the job's `state_key` namespace.",
    },
    "DeleteStateNode": {"config": "The entry to delete (the next run then starts from scratch)."},
    "EventConfig": {
        "name": (
            "`start`, `complete` or `error`: the moment of the run this node stands for; nodes "
            "that depend on it run then (e.g. `update_state` after `complete`)."
        ),
    },
    "EventNode": {"config": "`name`: which run event (start, complete, error)."},
    "DestinationNode": {
        "destination_type": (
            "Where records go: `webhook`, `datastore` (a connected datastore) or `superquery` "
            "(Truto's SuperQuery)."
        ),
        "config": "Where exactly: `id` (templated from args) and, for datastores, `config`.",
        "resources_to_persist": (
            "Names of the nodes whose records this destination receives (at least one). The "
            "destination needs no `depends_on` on them."
        ),
        "method": "Datastore destinations: the write method.",
        "loop_on": "Datastore destinations: a path to an array to write item by item.",
    },
    "Schedule": {
        "name": (
            "Unique within the job; part of each trigger's identity (its `meta` says "
            "`<label>/<name>`). Renaming a schedule replaces its triggers."
        ),
        "cron": (
            "When the triggers fire: 5 fields (minute hour day-of-month month day-of-week), in "
            "UTC; `*`, numbers, `a-b`, `a,b`, `*/n`, JAN-DEC, SUN-SAT. `H` (also `H(a-b)`, `H/n`) "
            "is a value syncspec derives from (label, account id), so thousands of accounts do "
            "not fire in the same minute."
        ),
        "accounts": (
            "Which integrated accounts of `integration_name` get a trigger (default: every "
            "active one): `tenants` globs, `sandbox`, explicit `ids`."
        ),
        "args": (
            "Run arguments of each trigger, checked against `args_schema`; "
            "`integrated_account_id` is filled per account when `args_schema` declares it."
        ),
        "error_handling": "How the triggered runs treat errors: `fail_fast`, `ignore` or `batch`.",
        "super_query": "SuperQuery region of the triggered runs: `apac` or `wnam`.",
        "events_to_send": "Which run events the triggered runs send (names as Truto documents).",
        "webhook_id": (
            "Legacy: the webhook the triggered runs deliver to (not with daemon_group_key)."
        ),
        "daemon_group_key": (
            "Legacy: the daemon group that runs the triggers (not with webhook_id)."
        ),
    },
    "AccountSelector": {
        "tenants": "Globs on the account's `tenant_id`, e.g. `acme-*` (any one may match).",
        "sandbox": "`true`: sandbox accounts only; `false`: no sandbox accounts.",
        "ids": "Explicit integrated account ids (usually per environment, through `!var`).",
    },
    "DestinationConfig": {
        "id": (
            "The webhook or datastore id, templated from args (`{{args.webhook_id}}`) rather "
            "than hard-coded: ids differ per environment."
        ),
        "config": "Datastore settings (what and where to write).",
    },
}

# Descriptions of the models themselves (a model's docstring is used where it has one).
MODELS: Final[dict[str, str]] = {
    "RequestNode": "A `request` node: " + NODE_TYPE_SUMMARIES["request"] + ".",
    "TransformNode": "A `transform` node: " + NODE_TYPE_SUMMARIES["transform"] + ".",
    "AddContextNode": "An `add_context` node: " + NODE_TYPE_SUMMARIES["add_context"] + ".",
    "SpoolNode": "A `spool` node: " + NODE_TYPE_SUMMARIES["spool"] + ".",
    "GetStateNode": "A `get_state` node: " + NODE_TYPE_SUMMARIES["get_state"] + ".",
    "UpdateStateNode": "An `update_state` node: " + NODE_TYPE_SUMMARIES["update_state"] + ".",
    "DeleteStateNode": "A `delete_state` node: " + NODE_TYPE_SUMMARIES["delete_state"] + ".",
    "EventNode": "An `event` node: " + NODE_TYPE_SUMMARIES["event"] + ".",
    "DestinationNode": "A `destination` node: " + NODE_TYPE_SUMMARIES["destination"] + ".",
}


def node_type_description(node_type: str | None) -> str:
    """The description of a node's ``type`` (``None``: of the type key in general)."""
    listing = "; ".join(f"`{t}` {s}" for t, s in NODE_TYPE_SUMMARIES.items())
    head = f"`{node_type}`: {NODE_TYPE_SUMMARIES[node_type]}. " if node_type is not None else ""
    return f"{head}The node type picks the node's other keys. One of: {listing}."


# The keys of one argument in args_schema (models.ARG_PROPERTY_DOC).
ARG_PROPERTY: Final[dict[str, str]] = {
    "type": "JSON Schema type of the argument: string, number, integer, boolean, array, object.",
    "description": "What the argument is for (shown to people starting runs).",
    "required": "`true` when every run must pass the argument (a per-property boolean).",
    "format": (
        "Truto formats: `integrated_account_id`, `webhook_id`, `datastore_id`, `date`, "
        "`updated_at` (JSON Schema's own formats too)."
    ),
    "default": "The value used when a run does not pass the argument.",
    "enum": "The only values the argument may take.",
    "items": "For `type: array`: the schema of each item, e.g. `{type: string}`.",
    "properties": "For `type: object`: the schemas of its keys.",
}

# The top-level keys of a JSON-Schema style args_schema (models.ARGS_SCHEMA_DOC).
ARGS_SCHEMA_KEYS: Final[dict[str, str]] = {
    "type": "Always `object`.",
    "$ref": "A reference to a schema defined elsewhere.",
    "properties": "The arguments: name -> `{type, description, format, required, ...}`.",
    "description": "What the arguments are for.",
    "required": (
        "Truto's per-property `required: true` is the documented form; a JSON Schema list of "
        "names here is accepted with a warning."
    ),
    "default": "Default arguments.",
    "additionalProperties": "Whether runs may pass arguments not listed in `properties`.",
}
