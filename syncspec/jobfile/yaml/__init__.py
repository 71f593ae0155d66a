"""Reading job files as YAML: the bounded loader, its limits, and positions (``file:line:col``)."""
