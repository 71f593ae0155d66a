"""The lint rule families (legacy, V4, placeholders, args_schema, JSONata, project), registered."""
