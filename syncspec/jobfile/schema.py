"""The JSON Schema of job files, as committed in ``schemas/sync-job.schema.json``."""

from __future__ import annotations

import json


def schema_text() -> str:
    """The schema as deterministic text: sorted keys, 2-space indent, newline-terminated."""
    from syncspec.jobfile.models import job_file_schema

    return json.dumps(job_file_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
