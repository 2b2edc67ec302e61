"""Task runners beyond make/tox/nox: pixi tasks run by `pixi run NAME`, and tox envs whose
command takes the step's positional arguments (`{posargs}`): the upload gets the calling
step's job, environment and triggers, and the rules read it."""

from __future__ import annotations

from pathlib import Path

from shiplint.discover import classify
from shiplint.model import ReleaseModel, Upload
from tests.conftest import AuditFn, hit, pos_of
from tests.test_model import model_of

WF = ".github/workflows/release.yml"

PIXI_WF = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - run: RUN
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""

PIXI_TOML = """
    [workspace]
    name = "demo"
    channels = ["conda-forge"]
    platforms = ["linux-64", "win-64"]

    [tasks]
    build = "python -m build"
    release = { cmd = "twine upload dist/*", depends-on = ["build"], env = { TWINE_USERNAME = "__token__" } }
    test-upload = { cmd = ["twine", "upload", "-r", "testpypi", "dist/*"] }

    [feature.deploy.tasks]
    deploy = { depends-on = [{ task = "release" }] }
    publish = "flit publish"

    [environments]
    deploy = ["deploy"]
"""


def _uploads(model: ReleaseModel) -> list[tuple[str, str, str | None, list[str | None]]]:
    return sorted(
        (
            u.tool,
            u.context.label,
            u.job.id if u.job else None,
            [c.secret for c in u.token_credentials],
        )
        for u in model.uploads
    )


def _pixi(tmp_path: Path, run: str, manifest: str = PIXI_TOML) -> ReleaseModel:
    wf = PIXI_WF.replace("RUN", run)
    return model_of(tmp_path, {WF: wf, "pixi.toml": manifest})


def test_pixi_toml_is_discovered() -> None:
    assert classify("pixi.toml") == "pixi-toml"
    assert classify("sub/pixi.toml") is None


def test_pixi_task_run_by_a_step_gets_its_job_env_and_place(tmp_path: Path) -> None:
    model = _pixi(tmp_path, "pixi run release")
    # the task the step runs, with the step's token and the task's own env
    assert _uploads(model) == [
        ("flit", "publish", None, []),
        ("twine", "release", "publish", ["PYPI_TOKEN"]),
        ("twine", "test-upload", None, []),
    ]
    release = next(u for u in model.uploads if u.job is not None)
    assert release.source.rel == "pixi.toml"
    assert release.loc.pos == pos_of(PIXI_TOML, "twine upload dist/*")
    assert release.step is not None and release.step.index == 0
    assert [(c.name, c.username) for c in release.credentials] == [
        ("TWINE_USERNAME", True),
        ("TWINE_PASSWORD", False),
    ]
    (cred,) = release.token_credentials
    assert cred.loc.source.rel == WF
    # the task it depends on runs in the same job
    build = [c for c in model.commands if c.context.origin == "pixi" and c.context.job]
    assert sorted(c.context.label for c in build) == ["build", "release"]


def test_pixi_command_line_spellings(tmp_path: Path) -> None:
    for n, (run, linked) in enumerate(
        [
            ("pixi r release", ["release"]),
            ("pixi run --frozen -e default release", ["release"]),
            ("pixi run --environment=deploy deploy", ["release"]),
            # an alias of the deploy feature, found without -e
            ("pixi run deploy", ["release"]),
            ("pixi run --manifest-path pixi.toml test-upload", ["test-upload"]),
            ("pixi run -e deploy publish", ["publish"]),
            # the default environment lacks the deploy feature
            ("pixi run -e default publish", []),
            ("pixi run --skip-deps deploy", []),
            ("pixi run --dry-run release", []),
            ("pixi run -x release", []),
            ("pixi run -m sub/pixi.toml release", []),
            ("pixi run $TASK", []),
            ("pixi install && pixi list release", []),
        ]
    ):
        model = _pixi(tmp_path / str(n), run)
        got = sorted(u.context.label for u in model.uploads if u.job is not None)
        assert got == linked, run


def test_pixi_task_words_after_the_name_are_appended(tmp_path: Path) -> None:
    manifest = PIXI_TOML.replace('publish = "flit publish"', 'publish = "twine"')
    model = _pixi(tmp_path, "pixi run -e deploy publish upload dist/*", manifest)
    (upload,) = [u for u in model.uploads if u.job is not None]
    assert (upload.tool, upload.context.label) == ("twine", "publish")
    # without a caller the task is `twine` alone: no upload (the tasks no step runs keep
    # their own context)
    unlinked = sorted(u.context.label for u in model.uploads if u.job is None)
    assert unlinked == ["release", "test-upload"]


def test_pixi_run_of_a_program_still_links_its_task_runner(tmp_path: Path) -> None:
    tox = """
        [testenv:release]
        passenv = TWINE_*
        commands = twine upload dist/*
    """
    wf = PIXI_WF.replace("RUN", "pixi run -e deploy tox -e release")
    model = model_of(tmp_path, {WF: wf, "pixi.toml": PIXI_TOML, "tox.ini": tox})
    (upload,) = [u for u in model.uploads if u.source.rel == "tox.ini"]
    assert upload.job is not None and [c.secret for c in upload.token_credentials] == ["PYPI_TOKEN"]


def test_pyproject_tool_pixi_tasks(tmp_path: Path) -> None:
    pyproject = """
        [project]
        name = "demo"

        [tool.pixi.workspace]
        channels = ["conda-forge"]
        platforms = ["linux-64"]

        [tool.pixi.tasks]
        upload = { cmd = "twine upload dist/*", depends_on = "build" }
        build = "python -m build"

        [tool.pixi.feature.docs.target.linux-64.tasks]
        docs-upload = "anaconda upload docs.tar.gz"
    """
    wf = PIXI_WF.replace("RUN", "pixi run upload")
    model = model_of(tmp_path, {WF: wf, "pyproject.toml": pyproject})
    assert _uploads(model) == [
        ("anaconda", "docs-upload", None, []),
        ("twine", "upload", "publish", ["PYPI_TOKEN"]),
    ]
    # a pixi.toml beside it is the manifest pixi reads
    model = model_of(tmp_path, {WF: wf, "pixi.toml": PIXI_TOML})
    assert [u.job for u in model.uploads if u.source.rel == "pyproject.toml"] == [None, None]


def test_pixi_manifest_without_a_workspace_is_not_linked(tmp_path: Path) -> None:
    manifest = PIXI_TOML.replace("[workspace]", "[package]")
    model = _pixi(tmp_path, "pixi run release", manifest)
    assert all(u.job is None for u in model.uploads)


# --- tox {posargs} ------------------------------------------------------------------------------

TOX_WF = """
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - run: RUN
            env:
              TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
"""

TOX_INI = """
    [testenv:release]
    passenv = TWINE_*
    commands =
        python -m twine {posargs:check dist/*}
"""


def _tox(tmp_path: Path, run: str, files: dict[str, str]) -> list[Upload]:
    model = model_of(tmp_path, {WF: TOX_WF.replace("RUN", run), **files})
    return model.uploads


def test_tox_posargs_from_the_step_make_the_upload(tmp_path: Path) -> None:
    (upload,) = _tox(tmp_path, "tox -e release -- upload dist/*", {"tox.ini": TOX_INI})
    assert (upload.tool, upload.context.origin, upload.context.label) == ("twine", "tox", "release")
    assert upload.job is not None and upload.job.id == "publish"
    assert [c.secret for c in upload.token_credentials] == ["PYPI_TOKEN"]
    assert upload.loc.source.rel == "tox.ini"
    assert upload.loc.pos == pos_of(TOX_INI, "twine")


def test_tox_posargs_default_runs_without_arguments(tmp_path: Path) -> None:
    # no step passes arguments: `twine check dist/*`; `--` alone: `twine` (no default)
    for n, run in enumerate(["tox -e release", "tox -e release --", "tox -e lint -- upload"]):
        assert _tox(tmp_path / str(n), run, {"tox.ini": TOX_INI}) == [], run


def test_tox_posargs_forms(tmp_path: Path) -> None:
    ini = """
        [testenv:release]
        passenv = TWINE_*
        commands = twine [] --skip-existing
    """
    toml = """
        [env.release]
        pass_env = ["TWINE_PASSWORD"]
        commands = [
            ["twine", { replace = "posargs", default = ["check", "dist/*"], extend = true }],
            { replace = "posargs", default = ["twine", "check", "dist/*"] },
        ]
    """
    (upload,) = _tox(tmp_path / "ini", "tox -e release -- upload dist/*", {"tox.ini": ini})
    assert upload.job is not None
    uploads = _tox(tmp_path / "toml", "tox -e release -- upload dist/*", {"tox.toml": toml})
    # the first command: `twine upload dist/*`; the second: `upload dist/*` (no program)
    assert [(u.tool, u.job is not None) for u in uploads] == [("twine", True)]
    assert _tox(tmp_path / "default", "tox -e release", {"tox.toml": toml}) == []


# --- rules reading them --------------------------------------------------------------------------


def test_deploy_record_rule_reads_a_pixi_task_upload(audit: AuditFn) -> None:
    wf = PIXI_WF.replace("RUN", "pixi run release")
    found = audit({WF: wf, "pixi.toml": PIXI_TOML}, select=["SL801"])
    # the task the step runs, with its token; the tasks no step runs, like a Makefile
    # target nothing runs, with credentials from the environment
    assert found == [
        hit("SL801", "pixi.toml", PIXI_TOML, "twine upload dist/*"),
        hit("SL801", "pixi.toml", PIXI_TOML, '"twine", "upload"'),
        hit("SL801", "pixi.toml", PIXI_TOML, "flit publish"),
    ]


def test_fork_pull_request_rule_reads_pixi_and_tox_posargs_uploads(audit: AuditFn) -> None:
    wf = """
        on: [push, pull_request]
        jobs:
          publish:
            runs-on: ubuntu-latest
            steps:
              - run: pixi run release && tox -e release -- upload dist/*
                env:
                  TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}
    """
    files = {WF: wf, "pixi.toml": PIXI_TOML, "tox.ini": TOX_INI}
    assert audit(files, select=["SL406"]) == [
        hit("SL406", "pixi.toml", PIXI_TOML, "twine upload dist/*"),
        hit("SL406", "tox.ini", TOX_INI, "twine"),
    ]
