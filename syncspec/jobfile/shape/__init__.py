"""The job's shape: pydantic models, structure checks, the editor schema and its descriptions."""
