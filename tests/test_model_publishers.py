"""Uploads of the catalogued publishers (``[publishers.*]`` of the facts): each action or
reusable workflow that uploads becomes an upload of the model, with its tool, target,
credential and release."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.engine import open_project
from shiplint.findings import Severity
from shiplint.gha import refs as gha_refs
from shiplint.model import Upload
from shiplint.model.inventory import inventory
from shiplint.model.publishers import publisher_label
from shiplint.pkg.upload_commands import index_of_url
from tests.conftest import AuditFn, hit, pos_of, run_audit, write_tree


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("https://upload.pypi.org/legacy/", "pypi"),
        ("https://test.pypi.org/legacy/", "testpypi"),
        ("https://pypi.org/simple", "pypi"),
        ("HTTPS://Test.PyPI.org/legacy/", "testpypi"),
        ("https://pypi.python.org/pypi", "pypi"),
        ("https://testpypi.python.org/pypi", "testpypi"),
        ("https://user@upload.pypi.org:443/legacy/", "pypi"),
        ("test.pypi.org/legacy/", "testpypi"),
        ("'https://upload.pypi.org/legacy/'", "pypi"),
        ("https://pypi.anaconda.org/scientific-python-nightly-wheels/simple", "anaconda"),
        ("https://api.anaconda.org", "anaconda"),
        ("testpypi", "testpypi"),
        ("pypi", "pypi"),
        # a host that merely contains a known one is another index
        ("https://mypypi.org/legacy/", None),
        ("https://pypi.org.example.com/legacy/", None),
        ("https://testpypi.example.com/", None),
        ("https://notanaconda.org/x", None),
        ("https://pypi.example.com/simple", None),
        ("${{ secrets.TESTPYPI_URL }}", None),
        ("https://gitlab.com/api/v4/projects/1/packages/pypi", None),
    ],
)
def test_index_of_url_by_host(url: str, index: str | None) -> None:
    assert index_of_url(url) == index


# --- each catalogued publisher becomes an upload ----------------------------------------------

WF = ".github/workflows/release.yml"


def uploads_of(tmp_path: Path, text: str, extra: dict[str, str] | None = None) -> list[Upload]:
    write_tree(tmp_path, {WF: text, **(extra or {})})
    return open_project(str(tmp_path)).model.uploads


def creds(upload: Upload) -> list[tuple[str, str | None, str | None]]:
    return [(c.via, c.name, c.secret) for c in upload.credentials]


MATURIN = """
    on:
      push:
        tags: ["v*"]
    jobs:
      release:
        runs-on: ubuntu-latest
        environment: pypi
        steps:
          - uses: actions/download-artifact@v4
          - uses: PyO3/maturin-action@e83996d129638aa358a18fbd1dfb82f0b0fb5d3b # v1.51.0
            env:
              MATURIN_PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}
            with:
              command: upload
              args: --non-interactive --skip-existing wheels-*/*
          - uses: messense/maturin-action@v1
            with:
              command: build
              args: --release
"""


def test_maturin_action_upload_with_token_from_env(tmp_path: Path) -> None:
    (upload,) = uploads_of(tmp_path, MATURIN)
    assert upload.tool == "maturin-action"
    assert (upload.index, upload.oidc) == ("pypi", False)
    assert creds(upload) == [("env", "MATURIN_PYPI_TOKEN", "PYPI_API_TOKEN")]
    assert upload.version == Version("1.51.0")
    assert upload.loc.pos.line == pos_of(MATURIN, "PyO3/maturin-action")[0]
    assert publisher_label(upload) == "PyO3/maturin-action"


def test_maturin_action_without_token_publishes_by_trusted_publishing(
    tmp_path: Path, audit: AuditFn
) -> None:
    text = """
        on:
          release:
            types: [published]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: messense/maturin-action@v1
                with:
                  command: ${{ matrix.command }}
    """
    (upload,) = uploads_of(tmp_path, text)
    assert upload.oidc and creds(upload) == [("oidc", "id-token", None)]
    assert upload.condition == "(matrix.command) == 'upload' || (matrix.command) == 'publish'"
    # without `id-token: write` the job cannot mint a token: SL301 at the job
    assert audit({WF: text}, select=["SL301", "SL401"]) == [hit("SL301", WF, text, "release:", 2)]


def test_maturin_action_build_is_not_an_upload(tmp_path: Path) -> None:
    text = MATURIN.replace("command: upload", "command: build")
    assert uploads_of(tmp_path, text) == []


OA_CALL = """
    on:
      pull_request:
      push:
        tags: ["v*"]
      release:
        types: [released]
    jobs:
      build:
        uses: OpenAstronomy/github-actions-workflows/.github/workflows/publish_pure_python.yml@afacbe8ebafa67b369e1f605b4f6989284ba2e87 # v2.6.5
        with:
          upload_to_pypi: ${{ (github.event_name == 'release') && (github.event.action == 'released') }}
          test_extras: test
        secrets:
          pypi_token: ${{ secrets.PYPI_PASSWORD_MAINTAINER }}
"""


def test_openastronomy_token_upload_with_its_condition(tmp_path: Path, audit: AuditFn) -> None:
    (upload,) = uploads_of(tmp_path, OA_CALL)
    assert upload.tool == "openastronomy-publish"
    assert upload.context.step is None and upload.job is not None
    assert creds(upload) == [("input", "pypi_token", "PYPI_PASSWORD_MAINTAINER")]
    assert upload.version == Version("2.6.5")
    assert upload.condition is not None and "github.event_name == 'release'" in upload.condition
    # the upload's own condition keeps it off pull requests: no fork-PR warning
    assert audit({WF: OA_CALL}, select=["SL406", "SL401"]) == []


def test_openastronomy_default_uploads_on_v_tags_and_needs_a_token(
    tmp_path: Path, audit: AuditFn
) -> None:
    text = OA_CALL.replace(
        "          upload_to_pypi: ${{ (github.event_name == 'release') && "
        "(github.event.action == 'released') }}\n",
        "",
    ).replace(
        "        secrets:\n          pypi_token: ${{ secrets.PYPI_PASSWORD_MAINTAINER }}\n", ""
    )
    (upload,) = uploads_of(tmp_path, text)
    assert upload.condition is not None
    assert upload.condition.startswith("startsWith(github.ref, 'refs/tags/v')")
    assert creds(upload) == []
    # no pypi_token: the inner pypa/gh-action-pypi-publish falls back to trusted publishing,
    # which PyPI refuses for another repository's reusable workflow
    assert audit({WF: text}, select=["SL401"]) == [
        hit("SL401", WF, text, "OpenAstronomy/github-actions-workflows")
    ]


def test_openastronomy_false_is_no_upload_and_inherit_passes_the_secret(tmp_path: Path) -> None:
    off = OA_CALL.replace(
        "${{ (github.event_name == 'release') && (github.event.action == 'released') }}", "false"
    )
    assert uploads_of(tmp_path, off) == []
    inherit = OA_CALL.replace(
        "        secrets:\n          pypi_token: ${{ secrets.PYPI_PASSWORD_MAINTAINER }}\n",
        "        secrets: inherit\n",
    )
    (upload,) = uploads_of(tmp_path, inherit)
    assert creds(upload) == [("input", "pypi_token", "PYPI_TOKEN")]


def test_openastronomy_anaconda_upload(tmp_path: Path) -> None:
    text = """
        on:
          schedule:
            - cron: "0 4 * * 1"
          workflow_dispatch:
        jobs:
          build:
            uses: OpenAstronomy/github-actions-workflows/.github/workflows/publish.yml@v3
            with:
              upload_to_pypi: false
              upload_to_anaconda: ${{ github.event_name == 'schedule' }}
              anaconda_user: astropy
              anaconda_package: mypkg
            secrets:
              anaconda_token: ${{ secrets.ANACONDA_TOKEN }}
    """
    (upload,) = uploads_of(tmp_path, text)
    assert (upload.tool, upload.family, upload.index) == (
        "openastronomy-publish-anaconda",
        "anaconda",
        "anaconda",
    )
    assert upload.target is not None and upload.target.text == "astropy"
    assert upload.condition == "github.event_name == 'schedule'"
    assert creds(upload) == [("input", "anaconda_token", "ANACONDA_TOKEN")]


def test_publish_wheels_anaconda(tmp_path: Path) -> None:
    text = """
        on: {schedule: [{cron: "0 4 * * *"}]}
        jobs:
          upload:
            runs-on: ubuntu-latest
            steps:
              - uses: OpenAstronomy/publish-wheels-anaconda@eae4911a6c5b4a9b4ff2e6c5d9d05d1c4f1ce2c6
                with:
                  anaconda_user: scientific-python-nightly-wheels
                  anaconda_package: mypkg
                  anaconda_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}
    """
    (upload,) = uploads_of(tmp_path, text)
    assert upload.family == "anaconda"
    assert upload.target is not None
    assert upload.target.text == "scientific-python-nightly-wheels"
    assert creds(upload) == [("input", "anaconda_token", "ANACONDA_ORG_UPLOAD_TOKEN")]


JUPYTER = """
    on:
      workflow_dispatch:
    jobs:
      publish_release:
        runs-on: ubuntu-latest
        environment: release
        permissions:
          id-token: write
        steps:
          - uses: jupyter-server/jupyter_releaser/.github/actions/populate-release@v2
            with:
              token: ${{ secrets.GITHUB_TOKEN }}
          - uses: jupyter-server/jupyter_releaser/.github/actions/finalize-release@v2
            with:
              token: ${{ secrets.GITHUB_TOKEN }}
"""


def test_jupyter_releaser_trusted_publishing_wins_over_a_token(tmp_path: Path) -> None:
    text = JUPYTER.replace(
        "          - uses: jupyter-server/jupyter_releaser/.github/actions/finalize-release@v2\n",
        "          - uses: jupyter-server/jupyter_releaser/.github/actions/finalize-release@v2\n"
        "            env:\n              PYPI_TOKEN: ${{ secrets.PYPI_TOKEN }}\n",
    )
    (upload,) = uploads_of(tmp_path, text)  # populate-release uploads nothing
    assert upload.tool == "jupyter-releaser-finalize"
    assert upload.oidc
    assert ("oidc", "id-token", None) in creds(upload)


def test_jupyter_releaser_to_testpypi_by_trusted_publishing_fails(
    tmp_path: Path, audit: AuditFn
) -> None:
    text = JUPYTER.replace(
        "    jobs:\n",
        "    env:\n      TWINE_REPOSITORY_URL: https://test.pypi.org/legacy/\n    jobs:\n",
    )
    assert audit({WF: text}, select=["SL310"]) == [
        hit("SL310", WF, text, "https://test.pypi.org/legacy/")
    ]
    # PyPI itself is fine
    assert audit({WF: JUPYTER}, select=["SL310"]) == []


def test_jupyter_releaser_without_id_token_or_token(audit: AuditFn) -> None:
    text = JUPYTER.replace("        permissions:\n          id-token: write\n", "")
    assert audit({WF: text}, select=["SL401", "SL301"]) == [
        hit("SL401", WF, text, "jupyter-server/jupyter_releaser/.github/actions/finalize")
    ]


def test_jupyter_releaser_python_packages_are_not_the_root(audit: AuditFn) -> None:
    pyproject = """
        [project]
        name = "mono-workspace"
        version = "0"
        classifiers = ["Private :: Do Not Upload"]

        [tool.jupyter-releaser.options]
        python-packages = ["packages/core", "packages/ext:myext"]
    """
    assert audit({WF: JUPYTER, "pyproject.toml": pyproject}, select=["SL738"]) == []
    root = pyproject.replace('"packages/core", "packages/ext:myext"', '"."')
    assert audit({WF: JUPYTER, "pyproject.toml": root}, select=["SL738"]) == [
        hit("SL738", "pyproject.toml", root, "Private :: Do Not Upload")
    ]


DEPLOY_PYPI = """
    on:
      push:
        tags: ["v*"]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: testpypi
        permissions:
          id-token: write
        steps:
          - uses: casperdcl/deploy-pypi@v2.4.1
            with:
              url: https://test.pypi.org/legacy/
              build: true
"""


def test_deploy_pypi_trusted_publishing_is_pypi_only(tmp_path: Path, audit: AuditFn) -> None:
    (upload,) = uploads_of(tmp_path, DEPLOY_PYPI)
    assert (upload.tool, upload.index, upload.oidc) == ("deploy-pypi", "testpypi", True)
    assert audit({WF: DEPLOY_PYPI}, select=["SL310", "SL301"]) == [
        hit("SL310", WF, DEPLOY_PYPI, "https://test.pypi.org/legacy/")
    ]
    with_token = DEPLOY_PYPI.replace(
        "              build: true\n",
        "              build: true\n              password: ${{ secrets.TEST_PYPI_TOKEN }}\n",
    )
    assert audit({WF: with_token}, select=["SL310"]) == []
    off = DEPLOY_PYPI.replace("              build: true\n", "              upload: false\n")
    assert uploads_of(tmp_path, off) == []


def test_poetry_publish_needs_a_token(tmp_path: Path, audit: AuditFn) -> None:
    text = """
        on:
          release:
            types: [published]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - uses: JRubics/poetry-publish@v2.1
                with:
                  python_version: "3.12"
    """
    (upload,) = uploads_of(tmp_path, text)
    assert upload.tool == "poetry-publish" and not upload.oidc
    assert audit({WF: text}, select=["SL401"]) == [hit("SL401", WF, text, "JRubics/poetry-publish")]
    good = text.replace(
        '                  python_version: "3.12"\n',
        '                  python_version: "3.12"\n'
        "                  pypi_token: ${{ secrets.PYPI_TOKEN }}\n",
    )
    assert audit({WF: good}, select=["SL401"]) == []
    (upload,) = uploads_of(tmp_path, good)
    assert creds(upload) == [("input", "pypi_token", "PYPI_TOKEN")]


PSR = """
    on:
      push:
        branches: [main]
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - uses: python-semantic-release/python-semantic-release@v7.34.6
            with:
              github_token: ${{ secrets.GITHUB_TOKEN }}
              pypi_token: ${{ secrets.PYPI_TOKEN }}
"""


def test_python_semantic_release_v7_uploads(tmp_path: Path, audit: AuditFn) -> None:
    (upload,) = uploads_of(tmp_path, PSR)
    assert upload.tool == "python-semantic-release"
    assert creds(upload) == [("input", "pypi_token", "PYPI_TOKEN")]
    assert audit({WF: PSR}, select=["SL211"]) == []
    without = PSR.replace("              pypi_token: ${{ secrets.PYPI_TOKEN }}\n", "")
    assert uploads_of(tmp_path, without) == []


def test_python_semantic_release_v8_and_later_no_longer_upload(
    tmp_path: Path, audit: AuditFn
) -> None:
    for ref in ("v9.21.0", "master", "39dd2052f2ce8282a5d932c31d58a2ca06d2550e"):
        text = PSR.replace("@v7.34.6", f"@{ref}")
        assert uploads_of(tmp_path, text) == [], ref
        assert audit({WF: text}, select=["SL211"]) == [hit("SL211", WF, text, "pypi_token")], ref
    # another step uploads: the input is only stale (information)
    stale = PSR.replace("@v7.34.6", "@v9.21.0") + (
        "          - uses: pypa/gh-action-pypi-publish@release/v1\n"
    )
    found = run_audit(write_tree(tmp_path, {WF: stale}), select=["SL211"]).findings
    assert [(f.rule, f.severity) for f in found] == [("SL211", Severity.INFO)]


def test_skip_token_publishers(tmp_path: Path) -> None:
    aio = """
        on: {push: {tags: ["v*"]}}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: aio-libs/create-release@v1.6.6
                with:
                  changes_file: CHANGES.rst
                  name: aiosignal
                  github_token: ${{ secrets.GITHUB_TOKEN }}
                  pypi_token: ${{ secrets.PYPI_API_TOKEN }}
              - uses: etils-actions/pypi-auto-publish@v1
                with:
                  gh-token: ${{ secrets.GITHUB_TOKEN }}
    """
    (upload,) = uploads_of(tmp_path, aio)  # etils without `pypi-token` skips its upload
    assert upload.tool == "aio-libs-create-release"
    assert creds(upload) == [("input", "pypi_token", "PYPI_API_TOKEN")]
    etils = aio.replace(
        "                  gh-token: ${{ secrets.GITHUB_TOKEN }}\n",
        "                  gh-token: ${{ secrets.GITHUB_TOKEN }}\n"
        "                  pypi-token: ${{ secrets.PYPI_API_TOKEN }}\n",
    ).replace("                  pypi_token: ${{ secrets.PYPI_API_TOKEN }}\n", "")
    (upload,) = uploads_of(tmp_path, etils)
    assert upload.tool == "etils-auto-publish" and not upload.oidc


def test_unknown_ref_of_a_catalogued_publisher(audit: AuditFn) -> None:
    text = MATURIN.replace("messense/maturin-action@v1", "messense/maturin-action@v1.99.0")
    assert audit({WF: text}, select=["SL209"]) == []  # newer than the facts know: accepted
    text = MATURIN.replace("messense/maturin-action@v1", "messense/maturin-action@latest")
    assert audit({WF: text}, select=["SL209"]) == [hit("SL209", WF, text, "latest", 2)]
    call = OA_CALL.replace("afacbe8ebafa67b369e1f605b4f6989284ba2e87", "v2.6")
    assert audit({WF: call}, select=["SL209"]) == [hit("SL209", WF, call, "v2.6 ")]
    typo = MATURIN.replace("PyO3/maturin-action@", "PyO3/maturin-actions@")
    assert audit({WF: typo}, select=["SL210"]) == [hit("SL210", WF, typo, "PyO3/maturin-actions")]


def test_maturin_upload_deprecated(audit: AuditFn) -> None:
    assert audit({WF: MATURIN}, select=["SL212"]) == [hit("SL212", WF, MATURIN, "PyO3/maturin")]


def test_map_shows_publisher_uploads(tmp_path: Path) -> None:
    write_tree(tmp_path, {WF: OA_CALL})
    (up,) = inventory(open_project(str(tmp_path)))["uploads"]
    assert (up["tool"], up["version"], up["index"], up["job"]) == (
        "openastronomy-publish",
        "2.6.5",
        "pypi",
        "build",
    )
    assert up["credentials"] == ["token from secret PYPI_PASSWORD_MAINTAINER via input pypi_token"]


def test_every_catalogue_entry_is_well_formed() -> None:
    """Adding a publisher is a data change: every entry names what the model reads."""
    seen: set[str] = set()
    for pubs in facts_mod.publishers().values():
        for pub in pubs:
            if pub.name in seen:
                continue
            seen.add(pub.name)
            assert pub.kind in ("step", "workflow"), pub.name
            assert pub.family in ("pypi", "anaconda"), pub.name
            assert pub.trusted_publishing in ("automatic", "when-permitted", "always", "never")
            assert pub.token_inputs or pub.token_secrets or pub.token_env, pub.name
            if pub.upload_input is not None:
                assert pub.upload_values, pub.name
            assert gha_refs.publisher(pub.name) is not None, pub.name
    assert len(seen) >= 13


def test_one_use_two_uploads_each_with_its_own_place_and_record(audit: AuditFn) -> None:
    text = """
        on:
          push:
            tags: ["v*"]
          schedule:
            - cron: "0 4 * * 1"
        jobs:
          build:
            uses: OpenAstronomy/github-actions-workflows/.github/workflows/publish.yml@v3
            with:
              upload_to_anaconda: ${{ github.event_name == 'schedule' }}
              anaconda_user: astropy
            secrets:
              pypi_token: ${{ secrets.PYPI_API_TOKEN }}
              anaconda_token: ${{ secrets.ANACONDA_TOKEN }}
    """
    assert audit({WF: text}, select=["SL801"]) == [
        hit("SL801", WF, text, "OpenAstronomy/github-actions-workflows"),
        hit("SL801", WF, text, "upload_to_anaconda"),
    ]


def test_refs_read_on_first_use_hold_only_ref_facts() -> None:
    """The part of facts.toml parsed only when a ref is resolved holds ref lists alone: a
    publisher fact placed there would be missing from every audit that never reads it."""
    ref_keys = {
        "repo",
        "tag-prefix",
        "major-tags",
        "tags",
        "tags-complete-until",
        "latest",
        "branches",
        "other-branches",
        "shas",
        "tag-objects",
        "line-branches",
        "sunset",
    }
    lazy = facts_mod._lazy_refs()
    assert lazy, "the refs part of facts.toml is empty or unreadable"
    assert {name: set(table) - ref_keys for name, table in lazy.items()} == {
        name: set() for name in lazy
    }
    assert "refs" not in facts_mod.toml_data()


def test_maturin_action_args_are_read_as_the_command_line(tmp_path: Path, audit: AuditFn) -> None:
    text = MATURIN.replace(
        "args: --non-interactive --skip-existing wheels-*/*",
        "args: --skip-existing -r testpypi wheels-*/*",
    )
    (upload,) = uploads_of(tmp_path, text)
    assert upload.index == "testpypi"
    assert "--skip-existing" in upload.options
    assert creds(upload) == [("env", "MATURIN_PYPI_TOKEN", "PYPI_API_TOKEN")]
    flag = MATURIN.replace(
        "args: --non-interactive --skip-existing wheels-*/*",
        "args: >-\n                --repository-url https://test.pypi.org/legacy/\n"
        "                -p ${{ secrets.TEST_PYPI_TOKEN }} wheels-*/*",
    ).replace(
        "            env:\n              MATURIN_PYPI_TOKEN: ${{ secrets.PYPI_API_TOKEN }}\n", ""
    )
    (upload,) = uploads_of(tmp_path, flag)
    assert (upload.index, upload.oidc) == ("testpypi", False)
    assert creds(upload) == [("flag", "-p", "TEST_PYPI_TOKEN")]
    assert upload.target is not None and upload.target.loc is not None
    assert upload.target.loc.text == "https://test.pypi.org/legacy/"


def test_a_pypirc_written_in_the_job_is_a_credential_for_maturin(audit: AuditFn) -> None:
    text = """
        on:
          release:
            types: [published]
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - run: printf '[pypi]\\nusername = __token__\\npassword = %s\\n' "$T" > ~/.pypirc
                env:
                  T: ${{ secrets.PYPI_API_TOKEN }}
              - uses: PyO3/maturin-action@v1
                with:
                  command: upload
                  args: dist/*
    """
    assert audit({WF: text}, select=["SL301"]) == []
    without = text.replace("> ~/.pypirc", "> /dev/null")
    assert audit({WF: without}, select=["SL301"]) == [hit("SL301", WF, without, "release:", 2)]
