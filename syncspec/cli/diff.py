"""``syncspec diff --profile A --profile B``: how two environments differ, live."""

from __future__ import annotations

import click

from syncspec.cli import format_option, global_options


@click.command("diff")
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    required=True,
    metavar="PROFILE",
    help="A profile of syncspec.toml; give exactly two (left, then right).",
)
@format_option("text", "json", "markdown")
@click.pass_context
def command(ctx: click.Context, profiles: tuple[str, ...], output_format: str) -> int:
    """Compare the live jobs of two environments, job by job after normalization.

    Jobs are paired by label. A difference is explained when the job file has a `!var` there
    and each environment holds its own profile's value; a job in one environment only is
    explained when the other profile does not select its label. Exit 0 when every difference
    is explained, 2 when any is not (like plan --detailed-exitcode), 1 on errors. Read only.
    """
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.engine.envdiff import Side, compare_environments
    from syncspec.engine.project import var_paths
    from syncspec.errors import ConfigError

    if len(profiles) != 2 or profiles[0] == profiles[1]:
        raise ConfigError("diff takes two different profiles: --profile A --profile B")
    options = global_options(ctx)
    sides = []
    lives = []
    for name in profiles:
        settings = options.settings(profile=name)
        # each with its own token and allowed hosts
        with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
            lives.append(client.list_sync_jobs())
        profile = settings.profile
        sides.append(Side(name, profile.api_url, profile.vars, profile.selection.selects))
    diff = compare_environments(sides[0], lives[0], sides[1], lives[1], var_paths(settings))
    if output_format == "json":
        from syncspec.render.env_diff import render_env_diff_json as render
    elif output_format == "markdown":
        from syncspec.render.env_diff import render_env_diff_markdown as render
    else:
        from syncspec.render.env_diff import render_env_diff_text as render
    click.echo(render(diff), nl=False)
    return 0 if diff.same else 2
