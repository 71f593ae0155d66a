"""``syncspec schedules [LABEL]``: the live cron triggers of the jobs, with account, cron, next
fire and owner (issue 21)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import click

from syncspec.cli import format_option, global_options


@click.command("schedules")
@click.argument("label", required=False)
@format_option("text", "json")
@click.pass_context
def command(ctx: click.Context, label: str | None, output_format: str) -> int:
    """List each live cron trigger with its job, schedule, account, cron, next fire and owner.

    LABEL narrows to one job (globs allowed). Triggers syncspec made carry its marker (owner
    syncspec); the others are foreign, which plan and apply never touch. Read-only.
    """
    import fnmatch

    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.engine.schedules_live import trigger_rows
    from syncspec.errors import SyncspecError

    settings = global_options(ctx).settings()
    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        jobs = client.list_sync_jobs()
        if label is not None:
            jobs = [j for j in jobs if fnmatch.fnmatchcase(str(j.get("label")), label)]
            if not jobs:
                click.echo(f"error: no live job matches {label!r}", err=True)
                return 1
        ids = [str(j.get("id")) for j in jobs]
        triggers = (
            client.list_cron_triggers(sync_job_id=ids[0])
            if len(ids) == 1
            else client.list_cron_triggers()
        )
        try:
            accounts = client.list_integrated_accounts()
        except SyncspecError as exc:
            click.echo(f"warning: accounts not listed ({exc}); tenants are not shown", err=True)
            accounts = []
    rows = trigger_rows(jobs, triggers, accounts, datetime.now(UTC))
    if output_format == "json":
        click.echo(json.dumps({"triggers": [asdict(r) for r in rows]}, indent=2))
        return 0
    from syncspec.render.schedules import listing_text

    click.echo(listing_text(rows), nl=False)
    return 0
