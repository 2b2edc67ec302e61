"""GitLab CI pipelines across files: `include:` of local files (jobs and `extends:` templates
in included files), includes shiplint cannot read, scripts and tasks a job runs, pdm and
maturin uploads with an id token (SL308, SL311), and what `map` shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import AuditFn, hit, write_tree
from tests.test_model import model_of
from tests.test_model_gitlab_ci import GL, FindingsFn, body

TOP = body(
    """
    stages: [build, deploy]

    include:
      - local: /ci/gitlab/release.yml

    build-sdist:
      stage: build
      script:
        - python -m build
      artifacts:
        paths: [dist/]
    """
)
RELEASE = body(
    """
    upload-pypi:
      stage: deploy
      id_tokens:
        PYPI_ID_TOKEN:
          aud: pypi
      rules:
        - if: $CI_COMMIT_TAG
      script:
        - python -m pip install -U twine
        - python -m twine upload dist/*
    """
)
INCLUDED = "ci/gitlab/release.yml"


def test_job_of_an_included_file_publishes_by_trusted_publishing(tmp_path: Path) -> None:
    (upload,) = model_of(tmp_path, {GL: TOP, INCLUDED: RELEASE}).uploads
    job = upload.gitlab_job
    assert job is not None and job.name == "upload-pypi"
    assert job.source.rel == INCLUDED and job.publisher == GL
    assert upload.oidc
    (cred,) = upload.credentials
    assert (cred.via, cred.name, cred.loc.source.rel, cred.loc.pos.line) == (
        "oidc",
        "PYPI_ID_TOKEN",
        INCLUDED,
        4,
    )


def test_an_included_file_outside_the_walked_folders_is_read(tmp_path: Path) -> None:
    top = TOP.replace("/ci/gitlab/release.yml", ".gitlab/ci/release.yml")
    (upload,) = model_of(tmp_path, {GL: top, ".gitlab/ci/release.yml": RELEASE}).uploads
    assert upload.gitlab_job is not None and upload.gitlab_job.name == "upload-pypi"
    assert upload.oidc


@pytest.mark.parametrize(
    "include",
    [
        "include: ci/gitlab/release.yml",
        "include: '/ci/gitlab/release.yml'",
        "include:\n  local: ci/gitlab/release.yml",
        "include:\n  - 'ci/gitlab/*.yml'",
        "include:\n  - local: ci/**.yml",
    ],
)
def test_include_spellings(tmp_path: Path, include: str) -> None:
    top = TOP.replace("include:\n  - local: /ci/gitlab/release.yml", include)
    (upload,) = model_of(tmp_path, {GL: top, INCLUDED: RELEASE}).uploads
    assert upload.gitlab_job is not None and upload.oidc


def test_wildcard_with_a_folder_matches_only_sub_folders(tmp_path: Path) -> None:
    # GitLab: `ci/**/*.yml` is every .yml in the sub-folders of ci/, not in ci/ itself
    top = TOP.replace("local: /ci/gitlab/release.yml", "local: 'ci/**/*.yml'")
    model = model_of(tmp_path, {GL: top, "ci/release.yml": RELEASE})
    (upload,) = model.uploads
    assert upload.gitlab_job is None


def test_nested_include_and_extends_across_files(tmp_path: Path) -> None:
    templates = body(
        """
        .pypi-publish:
          image: python:3.12
          id_tokens:
            PYPI_ID_TOKEN:
              aud: pypi
          script:
            - pip install twine
            - twine upload dist/*
        """
    )
    release = body(
        """
        include: ci/gitlab/templates.yml

        release:
          stage: deploy
          extends: .pypi-publish
        """
    )
    files = {GL: TOP, INCLUDED: release, "ci/gitlab/templates.yml": templates}
    (upload,) = model_of(tmp_path, files).uploads
    job = upload.gitlab_job
    assert job is not None and job.name == "release" and job.source.rel == INCLUDED
    assert upload.oidc and upload.credentials[0].loc.source.rel == "ci/gitlab/templates.yml"
    assert job.pipeline.unseen == []


@pytest.mark.parametrize(
    "run", ["bash ci/upload.sh", "./ci/upload.sh", "sh $CI_PROJECT_DIR/ci/upload.sh"]
)
def test_a_job_running_a_script_owns_its_upload(tmp_path: Path, run: str) -> None:
    release = RELEASE.replace(
        "    - python -m pip install -U twine\n    - python -m twine upload dist/*\n",
        f"    - {run}\n",
    )
    script = "#!/bin/bash\nset -euo pipefail\npython -m pip install twine\ntwine upload dist/*\n"
    model = model_of(tmp_path, {GL: TOP, INCLUDED: release, "ci/upload.sh": script})
    (upload,) = model.uploads
    assert upload.source.rel == "ci/upload.sh" and upload.loc.pos.line == 4
    assert upload.gitlab_job is not None and upload.gitlab_job.name == "upload-pypi"
    assert upload.oidc


def test_a_job_running_a_make_target_owns_its_upload(tmp_path: Path) -> None:
    top = body(
        """
        publish:
          id_tokens:
            PYPI_ID_TOKEN:
              aud: pypi
          script:
            - make release
        """
    )
    makefile = "release:\n\tpython -m build\n\ttwine upload dist/*\n"
    (upload,) = model_of(tmp_path, {GL: top, "Makefile": makefile}).uploads
    assert upload.source.rel == "Makefile"
    assert upload.gitlab_job is not None and upload.gitlab_job.name == "publish"
    assert upload.oidc


def test_two_jobs_running_one_script_get_a_copy_each(tmp_path: Path) -> None:
    top = body(
        """
        test-pypi:
          id_tokens:
            TESTPYPI_ID_TOKEN:
              aud: testpypi
          variables:
            TWINE_REPOSITORY_URL: https://test.pypi.org/legacy/
          script:
            - ./ci/upload.sh

        pypi:
          id_tokens:
            PYPI_ID_TOKEN:
              aud: pypi
          script:
            - ./ci/upload.sh
        """
    )
    script = "#!/bin/sh\ntwine upload dist/*\n"
    uploads = model_of(tmp_path, {GL: top, "ci/upload.sh": script}).uploads
    assert sorted(u.gitlab_job.name for u in uploads if u.gitlab_job is not None) == [
        "pypi",
        "test-pypi",
    ]


UNSEEN = body(
    """
    include:
      - project: my-group/ci-templates
        ref: main
        file: /python/publish.yml
      - local: ci/gitlab/release.yml
    """
)


def test_includes_shiplint_cannot_read_are_listed(tmp_path: Path) -> None:
    (upload,) = model_of(tmp_path, {GL: UNSEEN, INCLUDED: RELEASE}).uploads
    job = upload.gitlab_job
    assert job is not None
    ((src, node),) = job.pipeline.unseen
    assert src.rel == GL and src.pos(node.start).line == 2
    assert not job.may_inherit_unseen  # the job extends nothing


def test_map_shows_the_included_job_and_the_publisher_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shiplint.cli import main

    write_tree(tmp_path, {GL: UNSEEN, INCLUDED: RELEASE})
    main(["map", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"{INCLUDED}:10:17" in out  # `twine upload` of `python -m twine upload`
    assert f"job: upload-pypi (GitLab CI, {INCLUDED}, included by {GL})" in out
    assert "auth: trusted publishing (OIDC)" in out
    assert f"trusted publisher on PyPI: pipeline file {GL}" in out
    assert f"pipeline includes files shiplint cannot read: {GL}:2" in out
    main(["map", "--format", "json", str(tmp_path)])
    (upload,) = json.loads(capsys.readouterr().out)["roots"][0]["uploads"]
    assert upload["gitlab_job"]["defined_in"] == INCLUDED
    assert upload["gitlab_job"]["trusted_publisher_file"] == GL


# -- SL308 across files and with unreadable includes

RENAMED = RELEASE.replace("PYPI_ID_TOKEN:", "PYPI_OIDC:")


def test_sl308_on_the_token_in_the_included_file(audit: AuditFn) -> None:
    assert audit({GL: TOP, INCLUDED: RENAMED}, select=["SL3"]) == [
        hit("SL308", INCLUDED, RENAMED, "PYPI_OIDC:")
    ]


TESTPYPI_ONLY = body(
    """
    upload:
      extends: .from-the-templates-project
      id_tokens:
        TESTPYPI_ID_TOKEN:
          aud: testpypi
      script:
        - twine upload dist/*
    """
)


def test_sl308_does_not_claim_a_missing_token_an_unread_template_may_declare(
    audit: AuditFn,
) -> None:
    files = {GL: UNSEEN, INCLUDED: TESTPYPI_ONLY}
    assert audit(files, select=["SL3"]) == []
    # with every include readable, the template is missing and so is the token
    readable = {GL: TOP, INCLUDED: TESTPYPI_ONLY}
    assert audit(readable, select=["SL3"]) == [
        hit("SL308", INCLUDED, TESTPYPI_ONLY, "TESTPYPI_ID_TOKEN:")
    ]


# -- pdm (GitLab id token since 2.24) and maturin (GitHub Actions only)

PDM = body(
    """
    publish:
      image: python:3.12
      id_tokens:
        PYPI_ID_TOKEN:
          aud: pypi
      script:
        - pip install pdm
        - pdm publish
    """
)


def test_pdm_uses_the_gitlab_id_token(tmp_path: Path, audit: AuditFn) -> None:
    (upload,) = model_of(tmp_path, {GL: PDM}).uploads
    assert upload.tool == "pdm" and upload.oidc
    assert audit({GL: PDM}, select=["SL3"]) == []
    renamed = PDM.replace("PYPI_ID_TOKEN", "PDM_TOKEN")
    assert audit({GL: renamed}, select=["SL3"]) == [hit("SL308", GL, renamed, "PDM_TOKEN:")]


def test_pdm_without_an_id_token_is_not_trusted_publishing(tmp_path: Path) -> None:
    text = PDM.replace("  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n", "")
    (upload,) = model_of(tmp_path, {GL: text}).uploads
    assert upload.gitlab_job is not None and not upload.oidc and upload.credentials == []


MATURIN = body(
    """
    release-wheels:
      stage: deploy
      image: ghcr.io/pyo3/maturin:latest
      id_tokens:
        PYPI_ID_TOKEN:
          aud: pypi
      script:
        - maturin build --release --out dist
        - maturin upload --skip-existing dist/*
    """
)


def test_sl310_maturin_cannot_use_the_gitlab_id_token(
    audit: AuditFn, audit_findings: FindingsFn
) -> None:
    assert audit({GL: MATURIN}, select=["SL3"]) == [hit("SL311", GL, MATURIN, "maturin upload")]
    (finding,) = audit_findings({GL: MATURIN}, select=["SL311"])
    assert finding.severity.value == "error"
    assert "`PYPI_ID_TOKEN`" in finding.message and "GitHub Actions" in finding.message
    assert "Credentials not found and non-interactive mode is enabled" in finding.help


def test_sl310_in_a_script_the_included_job_runs(audit: AuditFn) -> None:
    release = MATURIN.replace(
        "    - maturin upload --skip-existing dist/*\n", "    - bash ci/publish.sh\n"
    )
    script = "#!/bin/bash\nset -e\nmaturin upload dist/*\n"
    files = {GL: TOP, INCLUDED: release, "ci/publish.sh": script}
    assert audit(files, select=["SL311"]) == [
        hit("SL311", "ci/publish.sh", script, "maturin upload")
    ]


@pytest.mark.parametrize(
    "change",
    [
        # no id token: the token is a CI/CD variable shiplint cannot see, as usual
        ("  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n", ""),
        # a maturin token named in the pipeline
        ("  script:\n", "  variables:\n    MATURIN_PYPI_TOKEN: $PYPI_API_TOKEN\n  script:\n"),
        ("maturin upload --skip-existing", "maturin upload -u __token__ -p $PYPI_TOKEN"),
        # an id token for another service
        ("aud: pypi", "aud: sigstore"),
    ],
)
def test_sl310_not_reported(audit: AuditFn, change: tuple[str, str]) -> None:
    text = MATURIN.replace(*change)
    assert text != MATURIN
    assert audit({GL: text}, select=["SL311"]) == []


def test_sl310_twine_after_maturin_build_is_fine(audit: AuditFn) -> None:
    text = MATURIN.replace("maturin upload --skip-existing", "twine upload --skip-existing")
    assert audit({GL: text}, select=["SL3"]) == []


# --- SL312: neither a token nor an id token in the files ---------------------------------------

NO_CREDENTIAL = body(
    """
    publish:
      stage: deploy
      rules:
        - if: $CI_COMMIT_TAG
      script:
        - python -m pip install twine
        - twine upload dist/*
    """
)


def test_gitlab_upload_with_no_credential_in_its_files(audit: AuditFn) -> None:
    assert audit({GL: NO_CREDENTIAL}, select=["SL3"]) == [
        hit("SL312", GL, NO_CREDENTIAL, "twine upload")
    ]


@pytest.mark.parametrize(
    "extra",
    [
        # a token from a CI/CD variable the file names
        "  variables:\n    TWINE_USERNAME: __token__\n    TWINE_PASSWORD: $PYPI_TOKEN\n",
        # trusted publishing
        "  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n",
    ],
)
def test_gitlab_upload_with_a_credential_is_not_reported(audit: AuditFn, extra: str) -> None:
    text = NO_CREDENTIAL.replace("  stage: deploy\n", "  stage: deploy\n" + extra)
    assert audit({GL: text}, select=["SL312"]) == []
