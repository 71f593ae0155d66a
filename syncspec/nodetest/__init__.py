"""``syncspec test``: node-level unit tests of sync jobs, offline.

``casefile`` loads the cases, ``nodes`` says what a node produces, ``resolve`` resolves
placeholders as Truto does (with ``jsvalue``'s JavaScript conversions), ``expressions`` runs JSONata
(jsonata-python) with Truto's extension functions (``extensions``, ``lodash``; Luxon DateTimes in
``luxon`` and ``luxon_parse``; the run's JavaScript Dates in ``jsdate``), ``runner`` runs and
compares. Rendering is in ``syncspec.render.node_tests``. ``syncspec validate`` imports none of it.
"""
