"""A local Truto Admin API (``syncspec emulator``): starlette over SQLite, with fault injection.

Entry points live in ``syncspec.emulator.server``: ``EmulatorConfig``, ``start_emulator`` and the
``RunningEmulator`` / ``EmulatorControl`` it returns. This package never imports click.
"""
