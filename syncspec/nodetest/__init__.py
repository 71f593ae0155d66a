"""``syncspec test``: node-level unit tests of sync jobs, offline.

``casefile`` loads the cases, ``nodes`` says what a node produces, ``placeholders`` resolves
placeholders as Truto does (a port of replace-placeholders), ``expressions`` runs JSONata
(jsonata-python) with Truto's extension functions (``truto_functions``), ``runner`` runs and
compares. ``js/`` holds the JavaScript-semantics ports: JS values (``values``) and Dates
(``dates``), Luxon DateTimes (``luxon``, ``luxon_parse``) and the lodash wrappers (``lodash``).
Rendering is in ``syncspec.render.node_tests``. ``syncspec validate`` imports none of it.
"""

# The @truto/truto-jsonata release whose behaviour the ports reproduce: the oracle suite
# (tests/oracle, pinned by its package-lock.json) checks them against exactly this version.
TRUTO_JSONATA_VERSION = "3.0.6"
