"""``syncspec test``: node-level unit tests of sync jobs, offline.

``casefile`` loads the cases, ``nodes`` says what a node produces, ``resolve`` resolves
placeholders as Truto does, ``expressions`` runs JSONata (jsonata-python) with Truto's extension
functions (``extensions``, ``luxon``), ``runner`` runs and compares. Rendering is in
``syncspec.render.node_tests``. None of this is imported by ``syncspec validate``.
"""
