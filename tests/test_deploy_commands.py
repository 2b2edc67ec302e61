"""``shiplint init`` and ``shiplint docs``: what they write, and everything they leave alone."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

from shiplint.cli import main
from tests.conftest import CORPUS, run_audit, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TODAY = dt.date(2026, 11, 21)
WF = ".github/workflows/release.yml"
TOKEN_WF = """
    on: {push: {tags: ["v*"]}}
    jobs:
      pypi:
        runs-on: ubuntu-latest
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
            with:
              password: ${{ secrets.PYPI_API_TOKEN }}
"""
TRUSTED_WF = """
    on: {release: {types: [published]}}
    jobs:
      publish:
        runs-on: ubuntu-latest
        environment: {name: pypi, url: "https://pypi.org/p/demo"}
        permissions: {id-token: write}
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
"""
NIGHTLY_WF = """
    on: {schedule: [{cron: "0 3 * * *"}]}
    jobs:
      nightly:
        runs-on: ubuntu-latest
        steps:
          - uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4
            with:
              artifacts_path: dist
              anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
"""
# odd but valid formatting that must survive byte for byte
PYPROJECT = (
    "# top comment\r\n"
    "[project]\r\n"
    'name   =   "demo"   # spaced\r\n'
    "version = '1.0'\r\n"
    "\r\n"
    "[tool.shiplint]\r\n"
    'ignore = ["use-trusted-publishing"]\r\n'
    "\r\n"
    "[tool.other]\r\n"
    "x = [1,2,\r\n"
    "  3]"  # no final newline
)


def _rules(root: Path) -> list[str]:
    return [f.rule for f in run_audit(root, today=TODAY).findings if f.rule.startswith("SL8")]


def test_init_appends_skeletons_and_keeps_every_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, ".github/workflows/nightly.yml": NIGHTLY_WF})
    (tmp_path / "pyproject.toml").write_bytes(PYPROJECT.encode())
    assert main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "added 2 deploy records to pyproject.toml: scientific-python-nightly-wheels, pypi" in out
    new = (tmp_path / "pyproject.toml").read_bytes()
    assert new.startswith(PYPROJECT.encode())
    added = new[len(PYPROJECT) :].decode()
    assert "\n" not in added.replace("\r\n", "")  # the file's CRLF line endings are kept
    data = tomllib.loads(new.decode())
    assert data["tool"]["other"] == {"x": [1, 2, 3]}
    deploy = data["tool"]["shiplint"]["deploy"]
    assert deploy["pypi"]["secret"] == "PYPI_API_TOKEN"
    assert deploy["pypi"]["auth"] == "token"
    nightly = deploy["scientific-python-nightly-wheels"]
    assert nightly["channel"] == "scientific-python-nightly-wheels"
    assert nightly["secret"] == "ANACONDA_ORG_UPLOAD_TOKEN"
    assert nightly["account"].startswith("TODO")
    # idempotent: the second run changes nothing
    assert main(["init", str(tmp_path)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert (tmp_path / "pyproject.toml").read_bytes() == new
    # the placeholders keep the check failing; no upload is undocumented any more
    rules = _rules(tmp_path)
    assert "SL801" not in rules
    assert set(rules) == {"SL802"}


def test_init_trusted_publishing_records_workflow_and_environment(tmp_path: Path) -> None:
    write_tree(tmp_path, {WF: TRUSTED_WF, "pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert data["tool"]["shiplint"]["deploy"]["pypi"] == {
        "index": "pypi",
        "auth": "trusted-publishing",
        "workflow": "release.yml",
        "environment": "pypi",
        "maintainers": ["TODO: two or more people who can regenerate the credential"],
    }
    assert _rules(tmp_path) == ["SL802"]


def test_init_records_the_uploads_of_catalogued_publishers(tmp_path: Path) -> None:
    """A reusable workflow that uploads to PyPI and Anaconda.org, and a maturin-action
    upload by trusted publishing: each gets its record, like a shell upload."""
    wf = """
        on:
          push:
            tags: ["v*"]
        jobs:
          build:
            uses: OpenAstronomy/github-actions-workflows/.github/workflows/publish.yml@v3
            with:
              upload_to_anaconda: true
              anaconda_user: astropy
            secrets:
              pypi_token: ${{ secrets.PYPI_API_TOKEN }}
              anaconda_token: ${{ secrets.ANACONDA_TOKEN }}
          wheels:
            runs-on: ubuntu-latest
            environment: pypi
            permissions:
              id-token: write
            steps:
              - uses: PyO3/maturin-action@v1
                with:
                  command: upload
                  args: dist/*
    """
    write_tree(tmp_path, {WF: wf, "pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    records = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]
    deploy = records["deploy"]
    assert {name: (r["index"], r["auth"]) for name, r in deploy.items()} == {
        "pypi-token": ("pypi", "token"),
        "astropy": ("anaconda", "token"),
        "pypi": ("pypi", "trusted-publishing"),
    }
    assert deploy["pypi-token"]["secret"] == "PYPI_API_TOKEN"
    assert deploy["astropy"]["secret"] == "ANACONDA_TOKEN"
    assert (deploy["pypi"]["workflow"], deploy["pypi"]["environment"]) == ("release.yml", "pypi")
    assert "SL801" not in _rules(tmp_path)


def test_init_without_pyproject_writes_shiplint_toml(tmp_path: Path) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF})
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "shiplint.toml").read_text()
    assert text.startswith("[deploy.pypi]\n")
    assert tomllib.loads(text)["deploy"]["pypi"]["secret"] == "PYPI_API_TOKEN"


def test_init_appends_to_an_existing_shiplint_toml(tmp_path: Path) -> None:
    config = 'fail-on = "error"\n\n[deploy.testpypi]\nindex = "testpypi"\nauth = "token"\n'
    write_tree(tmp_path, {WF: TOKEN_WF, "shiplint.toml": config, "pyproject.toml": "[project]\n"})
    assert main(["init", str(tmp_path)]) == 0
    text = (tmp_path / "shiplint.toml").read_text()
    assert text.startswith(config)
    assert "[deploy.pypi]" in text[len(config) :]


def test_init_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": '[project]\nname = "demo"\n'})
    before = (tmp_path / "pyproject.toml").read_bytes()
    assert main(["init", "--dry-run", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n")
    assert '+secret = "PYPI_API_TOKEN"\n' in out
    assert (tmp_path / "pyproject.toml").read_bytes() == before


def test_init_refuses_a_broken_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": "[project\nname = 1\n"})
    before = (tmp_path / "pyproject.toml").read_bytes()
    assert main(["init", str(tmp_path)]) == 2
    assert "pyproject.toml is not valid TOML" in capsys.readouterr().err
    assert (tmp_path / "pyproject.toml").read_bytes() == before


def test_init_never_rewrites_an_inline_deploy_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = '[tool.shiplint]\ndeploy = {testpypi = {index = "testpypi", auth = "token"}}\n'
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": pyproject})
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "`tool.shiplint.deploy` is an inline table (line 2) in pyproject.toml" in err
    # the advice is an entry for the inline table, not a `[...]` header next to it
    (entry,) = [line.strip() for line in err.splitlines() if line.startswith("    pypi = {")]
    assert "[tool.shiplint.deploy.pypi]" not in err
    assert (tmp_path / "pyproject.toml").read_text() == pyproject
    # following it gives valid TOML with both records
    fixed = pyproject.replace("}}\n", "}, " + entry + "}\n")
    deploy = tomllib.loads(fixed)["tool"]["shiplint"]["deploy"]
    assert deploy["pypi"]["secret"] == "PYPI_API_TOKEN"
    assert set(deploy) == {"testpypi", "pypi"}


def test_init_and_docs_need_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "missing")]) == 2
    assert main(["docs", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


# --- docs ---------------------------------------------------------------------------------------

RECORD = """
    [project]
    name = "demo"

    [tool.shiplint.deploy.pypi]
    index = "pypi"
    auth = "token"
    secret = "PYPI_API_TOKEN"
    account = "alice"
    email-verified = 2026-10-01
    maintainers = ["alice", "bob"]
"""


def test_docs_creates_the_file_and_check_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    assert main(["docs", str(tmp_path)]) == 0
    text = (tmp_path / "RELEASING.md").read_text()
    assert text.startswith("# Releasing\n\n## Deploy accounts\n\n<!-- shiplint-deploy: start")
    assert "| Secret | `PYPI_API_TOKEN` |" in text
    assert "| Account | alice |" in text
    assert "| Email verified | 2026-10-01 |" in text
    assert "| Maintainers | alice, bob |" in text
    assert _rules(tmp_path) == []
    assert main(["docs", "--check", str(tmp_path)]) == 0
    capsys.readouterr()


def test_docs_rewrites_only_the_section_and_check_reports_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    head = "# Releasing demo\r\n\r\nTag, then wait for CI.\r\n\r\n"
    tail = "\r\n## After the release\r\n\r\nAnnounce it.\r\n"
    stale = (
        "<!-- shiplint-deploy: start (generated by `shiplint docs` from the deploy record) -->\r\n"
        "### pypi\r\n| Account | someone-who-left |\r\n"
        "<!-- shiplint-deploy: end -->"
    )
    (tmp_path / "RELEASING.md").write_bytes((head + stale + tail).encode())
    # check reports the stale section at its start marker, with a fix
    findings = [f for f in run_audit(tmp_path, today=TODAY).findings if f.rule == "SL817"]
    assert [(f.path, f.line, f.column) for f in findings] == [("RELEASING.md", 5, 1)]
    assert findings[0].fix is not None
    assert main(["docs", "--check", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["docs", str(tmp_path)]) == 0
    new = (tmp_path / "RELEASING.md").read_bytes().decode()
    assert new.startswith(head + stale.split("\r\n")[0] + "\r\n")
    assert new.endswith("<!-- shiplint-deploy: end -->" + tail)
    assert "someone-who-left" not in new
    assert "| Account | alice |\r\n" in new
    assert _rules(tmp_path) == []
    # the fix check offered is the same text `docs` wrote
    edit = findings[0].fix.edits[0]
    fixed = (
        (head + stale + tail)[: edit.start] + edit.replacement + (head + stale + tail)[edit.end :]
    )
    assert fixed.replace("\r\n", "\n") == new.replace("\r\n", "\n")


def test_docs_appends_a_section_to_a_file_without_markers(tmp_path: Path) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "release.md").write_text("# How we release\n")
    (tmp_path / "pyproject.toml").write_text(
        (tmp_path / "pyproject.toml").read_text()
        + '\n[tool.shiplint]\nrelease-docs = "docs/release.md"\n'
    )
    assert main(["docs", str(tmp_path)]) == 0
    text = (tmp_path / "docs" / "release.md").read_text()
    assert text.startswith("# How we release\n\n## Deploy accounts\n\n<!-- shiplint-deploy: start")
    assert not (tmp_path / "RELEASING.md").exists()
    assert _rules(tmp_path) == []


def test_docs_refuses_broken_markers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    text = "# Releasing\n\n<!-- shiplint-deploy: start -->\nold\n"
    (tmp_path / "RELEASING.md").write_text(text)
    assert main(["docs", str(tmp_path)]) == 2
    assert "markers are broken" in capsys.readouterr().err
    assert (tmp_path / "RELEASING.md").read_text() == text
    found = run_audit(tmp_path, today=TODAY).findings
    assert [(f.rule, f.path, f.line) for f in found if f.rule.startswith("SL8")] == [
        ("SL817", "RELEASING.md", 3)
    ]


# --- fixes from the audit ---------------------------------------------------------------------

CALLER = """
    on: {release: {types: [published]}}
    jobs:
      publish:
        uses: ./.github/workflows/publish.yml
        permissions: {id-token: write}
"""
REUSABLE = """
    on: {workflow_call: {}}
    jobs:
      upload:
        runs-on: ubuntu-latest
        environment: pypi
        permissions: {id-token: write}
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
"""


def test_init_names_the_reusable_publishing_workflow(tmp_path: Path) -> None:
    """PyPI looks the trusted publisher up by the file in the OIDC token's
    `job_workflow_ref`: for a job of a reusable workflow, that workflow, not its caller
    (astral-sh/ruff: publish-pypi.yml, called with `uses: $/...` by release.yml)."""
    caller = CALLER.replace("./.github/workflows/publish.yml", "$/.github/workflows/publish.yml")
    manual = CALLER.replace("{release: {types: [published]}}", "{workflow_dispatch: {}}")
    write_tree(
        tmp_path,
        {
            WF: caller,
            ".github/workflows/manual.yml": manual,
            ".github/workflows/publish.yml": REUSABLE,
            "pyproject.toml": '[project]\nname = "demo"\n',
        },
    )
    assert main(["init", str(tmp_path)]) == 0
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    record = data["tool"]["shiplint"]["deploy"]["pypi"]
    assert (record["workflow"], record["environment"]) == ("publish.yml", "pypi")
    assert record["notes"] == (
        "publish.yml is a reusable workflow: PyPI matches the file that contains the "
        "publishing job (the `job_workflow_ref` of its OIDC token), so the trusted publisher "
        "names publish.yml, not the workflow that calls it. PyPI does not officially support "
        "trusted publishing from reusable workflows (pypa/gh-action-pypi-publish#166)."
    )
    assert _rules(tmp_path) == ["SL802"]


def test_init_with_several_publishing_workflows_picks_the_release_one_and_notes_the_others(
    tmp_path: Path,
) -> None:
    """Trusted uploads in a `release` workflow and a manual one, to the same environment:
    the `release` one is written; every file that publishes must be a registered
    publisher."""
    manual = TRUSTED_WF.replace("{release: {types: [published]}}", "{workflow_dispatch: {}}")
    write_tree(
        tmp_path,
        {
            ".github/workflows/manual.yml": manual,
            WF: TRUSTED_WF,
            "pyproject.toml": '[project]\nname = "demo"\n',
        },
    )
    assert main(["init", str(tmp_path)]) == 0
    data = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    record = data["tool"]["shiplint"]["deploy"]["pypi"]
    assert record["workflow"] == "release.yml"
    assert record["notes"] == (
        "release.yml chosen for `workflow` (it runs on `release`); manual.yml also runs the "
        "upload. PyPI checks the workflow file that contains the publishing job, so each of "
        "them must be registered as a trusted publisher of the project on PyPI: release.yml, "
        "manual.yml."
    )
    assert _rules(tmp_path) == ["SL802"]


def test_init_documents_a_second_channel_uploaded_with_the_same_secret(tmp_path: Path) -> None:
    staging = NIGHTLY_WF + (
        "          - uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "            with:\n"
        "              artifacts_path: dist\n"
        "              anaconda_nightly_upload_organization: demo-staging\n"
        "              anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    write_tree(tmp_path, {WF: staging, "pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    deploy = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]["deploy"]
    assert sorted(deploy) == ["demo-staging", "scientific-python-nightly-wheels"]
    assert deploy["demo-staging"]["channel"] == "demo-staging"
    assert set(_rules(tmp_path)) == {"SL802"}


def test_init_a_token_and_a_trusted_upload_to_pypi_get_a_record_each(tmp_path: Path) -> None:
    """pypa/twine: trusted publishing in release.yml, a token in the tox release env."""
    write_tree(
        tmp_path,
        {
            WF: TRUSTED_WF,
            ".github/workflows/legacy.yml": TOKEN_WF,
            "pyproject.toml": '[project]\nname = "demo"\n',
        },
    )
    assert main(["init", str(tmp_path)]) == 0
    deploy = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]["deploy"]
    assert (deploy["pypi"]["auth"], deploy["pypi-token"]["auth"]) == ("trusted-publishing", "token")
    assert deploy["pypi-token"]["secret"] == "PYPI_API_TOKEN"
    assert set(_rules(tmp_path)) == {"SL802"}


def test_init_two_secrets_for_one_channel_get_a_record_each(tmp_path: Path) -> None:
    """Wheel builders upload with one anaconda.org token, the release workflow with another
    (numba/llvmlite): each token has its own owner and expiry, so each gets a record, and
    the records agree with the uploads (one record with the first secret made SL809 report
    every upload of the second)."""
    builder = """
        on: {workflow_dispatch: {}}
        jobs:
          wheel:
            runs-on: ubuntu-latest
            steps:
              - name: upload
                env:
                  ANACONDA_API_TOKEN: ${{ secrets.CHANNEL_WHEEL_UPLOAD }}
                run: anaconda -t "$ANACONDA_API_TOKEN" upload --force -u demo -l dev dist/*.whl
    """
    release = builder.replace("CHANNEL_WHEEL_UPLOAD", "ORG_RELEASE_UPLOAD").replace(
        "-l dev dist/*.whl", "-l main dist/*.conda"
    )
    write_tree(
        tmp_path,
        {
            ".github/workflows/wheels.yml": builder,
            WF: release,
            "pyproject.toml": '[project]\nname = "demo"\n',
        },
    )
    assert main(["init", str(tmp_path)]) == 0
    deploy = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]["deploy"]
    assert {name: (r["channel"], r["secret"]) for name, r in deploy.items()} == {
        "demo-org-release-upload": ("demo", "ORG_RELEASE_UPLOAD"),
        "demo-channel-wheel-upload": ("demo", "CHANNEL_WHEEL_UPLOAD"),
    }
    assert set(_rules(tmp_path)) == {"SL802"}
    # a record written by hand for one of the secrets still reports the other as drift
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
                [project]
                name = "demo"

                [tool.shiplint.deploy.demo]
                index = "anaconda"
                channel = "demo"
                group = "demo-uploaders"
                auth = "token"
                secret = "ORG_RELEASE_UPLOAD"
                account = "alice"
                token-expires = 2027-05-01
                maintainers = ["alice", "bob"]
            """
        },
    )
    findings = [f for f in run_audit(tmp_path, today=TODAY).findings if f.rule.startswith("SL8")]
    # the secret, and the flag that passes it on
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("SL809", ".github/workflows/wheels.yml", 8),
        ("SL809", ".github/workflows/wheels.yml", 9),
    ]


def test_init_two_environments_of_one_trusted_publisher_get_a_record_each(
    tmp_path: Path,
) -> None:
    """Two publishing jobs bound to different GitHub environments are two trusted publishers
    on PyPI; one record with the first job's environment made SL812 report the other."""
    wf = """
        on: {release: {types: [published]}}
        jobs:
          pypi:
            runs-on: ubuntu-latest
            environment: pypi
            permissions: {id-token: write}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
          lts:
            runs-on: ubuntu-latest
            environment: {name: pypi-lts, url: "https://pypi.org/p/demo"}
            permissions: {id-token: write}
            steps:
              - uses: pypa/gh-action-pypi-publish@release/v1
    """
    write_tree(tmp_path, {WF: wf, "pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    deploy = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]["deploy"]
    assert {name: (r["workflow"], r["environment"]) for name, r in deploy.items()} == {
        "pypi-pypi": ("release.yml", "pypi"),
        "pypi-pypi-lts": ("release.yml", "pypi-lts"),
    }
    assert set(_rules(tmp_path)) == {"SL802"}


def test_init_skeleton_for_a_makefile_target_a_workflow_runs(tmp_path: Path) -> None:
    wf = """
        on: {push: {tags: ["v*"]}}
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: make release
                env:
                  TWINE_PASSWORD: ${{ secrets.MAKE_TOKEN }}
    """
    write_tree(
        tmp_path,
        {WF: wf, "Makefile": "release:\n\ttwine upload dist/*\n", "pyproject.toml": "[project]\n"},
    )
    assert main(["init", str(tmp_path)]) == 0
    deploy = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"]["deploy"]
    assert deploy["pypi"]["secret"] == "MAKE_TOKEN"


def test_init_private_index_asks_for_the_account_only(tmp_path: Path) -> None:
    wf = TOKEN_WF.replace(
        "password:", "repository-url: https://pkgs.example.com/upload/\n              password:"
    )
    write_tree(tmp_path, {WF: wf, "pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    (record,) = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["shiplint"][
        "deploy"
    ].values()
    assert record["index"] == "https://pkgs.example.com/upload"
    assert "email-verified" not in record
    findings = [f for f in run_audit(tmp_path, today=TODAY).findings if f.rule.startswith("SL8")]
    assert sorted(f.message for f in findings) == [
        "`account` in deploy record `pkgs-example-com` is still a placeholder",
        "`maintainers` in deploy record `pkgs-example-com` is still a placeholder",
    ]


def test_init_without_uploads_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "demo"\n'})
    assert main(["init", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "shiplint init: nothing to do: no uploads found\n"
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    assert main(["init", str(tmp_path)]) == 0
    assert capsys.readouterr().out == (
        "shiplint init: nothing to do: every upload has a deploy record\n"
    )


def test_docs_refuses_records_that_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    assert main(["docs", str(tmp_path)]) == 0
    docs = (tmp_path / "RELEASING.md").read_bytes()
    broken = (tmp_path / "pyproject.toml").read_text() + "[broken\n"
    (tmp_path / "pyproject.toml").write_text(broken)
    capsys.readouterr()
    assert main(["docs", str(tmp_path)]) == 2
    assert "pyproject.toml is not valid TOML, so the deploy records cannot be read" in (
        capsys.readouterr().err
    )
    assert main(["check", "--fix", "--today", "2026-11-21", str(tmp_path)]) == 1
    capsys.readouterr()
    assert (tmp_path / "RELEASING.md").read_bytes() == docs
    assert "| Account | alice |" in docs.decode()


def test_docs_never_copies_a_token_written_as_the_secret(tmp_path: Path) -> None:
    token = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMAACKlsz"
    record = RECORD.replace('"PYPI_API_TOKEN"', f'"{token}"') + f'    notes = "was {token}"\n'
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": record})
    assert main(["docs", str(tmp_path)]) == 0
    text = (tmp_path / "RELEASING.md").read_text()
    assert token not in text
    assert "| Secret | ******** (not a secret name) |" in text
    assert "| Notes | was pypi-******** |" in text


def test_docs_shows_the_default_project(tmp_path: Path) -> None:
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD})
    assert main(["docs", str(tmp_path)]) == 0
    assert "| Index | `pypi` |\n| Project | demo |\n| Auth | token |" in (
        (tmp_path / "RELEASING.md").read_text()
    )


def test_docs_creates_the_configured_folder(tmp_path: Path) -> None:
    config = '\n    [tool.shiplint]\n    release-docs = "docs/release/RELEASING.md"\n'
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD + config})
    assert main(["docs", str(tmp_path)]) == 0
    assert "| Account | alice |" in (tmp_path / "docs/release/RELEASING.md").read_text()
    assert _rules(tmp_path) == []


def test_docs_folder_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = '\n    [tool.shiplint]\n    release-docs = "docs/RELEASING.md"\n'
    write_tree(tmp_path, {WF: TOKEN_WF, "pyproject.toml": RECORD + config, "docs": "a file\n"})
    assert main(["docs", str(tmp_path)]) == 2
    assert "cannot create docs/RELEASING.md: docs is not a directory" in capsys.readouterr().err


# --- the corpus: init then check on every real repository --------------------------------------

REAL = CORPUS / "real-repos"


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/corpus is not available")
def test_init_on_every_real_repo_only_adds_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repos = sorted(p for p in REAL.iterdir() if p.is_dir())
    assert len(repos) >= 50
    with_uploads = 0
    for repo in repos:
        root = tmp_path / repo.name
        shutil.copytree(repo, root, symlinks=True)
        target = "pyproject.toml" if (root / "pyproject.toml").is_file() else "shiplint.toml"
        if (root / "shiplint.toml").is_file():
            target = "shiplint.toml"
        path = root / target
        before = path.read_bytes() if path.exists() else b""
        assert main(["init", str(root)]) == 0, repo.name
        after = path.read_bytes() if path.exists() else b""
        assert after.startswith(before), repo.name
        if after != before:
            with_uploads += 1
            tomllib.loads(after.decode("utf-8-sig"))
        # idempotent
        assert main(["init", str(root)]) == 0, repo.name
        assert (path.read_bytes() if path.exists() else b"") == after, repo.name
        findings = run_audit(root, today=TODAY).findings
        assert "SL005" not in {f.rule for f in findings}, repo.name
        # every upload now has a record, and the records init wrote agree with the
        # workflows: only the placeholders (SL802) are left to fill in
        deploy = {(f.rule, f.path, f.line) for f in findings if f.rule.startswith("SL8")}
        assert {rule for rule, _, _ in deploy} <= {"SL802"}, (repo.name, sorted(deploy))
        assert main(["docs", str(root)]) == 0, repo.name
        assert not [f for f in run_audit(root, today=TODAY).findings if f.rule == "SL817"]
    capsys.readouterr()
    assert with_uploads >= 40


# --- the key catalogue is documented from one place --------------------------------------------


def test_readme_and_explain_document_every_record_key(capsys: pytest.CaptureFixture[str]) -> None:
    from shiplint.deploy.schema import KEYS, keys_markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert keys_markdown() in readme, "README key table is stale: copy keys_markdown() into it"
    assert main(["explain", "malformed-deploy-record"]) == 0
    out = capsys.readouterr().out
    for key in KEYS:
        assert f"| `{key.name}` |" in out


def test_check_preview_of_a_skeleton_is_what_init_writes(tmp_path: Path) -> None:
    """``check`` shows the table without importing tomlkit; ``init`` writes it with tomlkit."""
    from shiplint.deploy.skeleton import preview, render_one, skeletons
    from shiplint.engine import open_project

    write_tree(
        tmp_path,
        {
            WF: TOKEN_WF,
            ".github/workflows/nightly.yml": NIGHTLY_WF,
            "ci/up.sh": "twine upload -r 'my repo' d\n",
        },
    )
    items = skeletons(open_project(str(tmp_path)))
    assert len(items) == 3
    for prefix in (("tool", "shiplint", "deploy"), ("deploy",)):
        for item in items:
            item.name = item.name + ' "quoted"'  # a name that needs quoting
            assert preview(item, prefix) == render_one(item, prefix)
