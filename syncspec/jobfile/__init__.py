"""The local side: job files found (``discovery``), read (``yaml/``), shaped (``shape/``), linted
(``rules/``) and validated together (``validate``); ``jobs`` is what the engine receives."""
