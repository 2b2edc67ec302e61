"""SL308, SL309: GitLab CI id tokens twine/uv cannot use for trusted publishing."""

from __future__ import annotations

from tests.conftest import AuditFn, hit
from tests.test_model_gitlab_ci import GL, GOOD, FindingsFn, body

RENAMED = GOOD.replace("PYPI_ID_TOKEN:", "PYPI_TOKEN:")


def test_token_under_another_name(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({GL: RENAMED}, select=["SL3"]) == [hit("SL308", GL, RENAMED, "PYPI_TOKEN:")]
    (finding,) = audit_findings({GL: RENAMED}, select=["SL308"])
    assert "`PYPI_TOKEN`" in finding.message and "`PYPI_ID_TOKEN`" in finding.message
    assert "Rename `PYPI_TOKEN` to `PYPI_ID_TOKEN`" in finding.help
    # a project CI/CD variable the file does not show could still give the upload a token
    assert finding.severity.value == "warning" and "CI/CD variable" in finding.help


DEFAULT_RENAMED = body(
    """
    default:
      id_tokens:
        GITLAB_OIDC_TOKEN:
          aud: pypi

    .publish:
      image: python:3.12
      script:
        - pip install twine
        - python -m twine upload --verbose dist/*

    release:
      extends: .publish
      rules:
        - if: $CI_COMMIT_TAG
"""
)


def test_token_from_default_and_template_job(audit: AuditFn) -> None:
    assert audit({GL: DEFAULT_RENAMED}, select=["SL3"]) == [
        hit("SL308", GL, DEFAULT_RENAMED, "GITLAB_OIDC_TOKEN:")
    ]


TESTPYPI_WITH_PYPI_TOKEN = body(
    """
    publish-test:
      stage: deploy
      id_tokens:
        PYPI_ID_TOKEN:
          aud: pypi
      script:
        - pip install uv
        - uv build
        - uv publish --publish-url https://test.pypi.org/legacy/
"""
)


def test_testpypi_upload_with_only_a_pypi_token(audit: AuditFn, audit_findings: FindingsFn) -> None:
    text = TESTPYPI_WITH_PYPI_TOKEN
    assert audit({GL: text}, select=["SL3"]) == [hit("SL308", GL, text, "PYPI_ID_TOKEN:")]
    (finding,) = audit_findings({GL: text}, select=["SL308"])
    assert "`TESTPYPI_ID_TOKEN`" in finding.message
    assert "Add `TESTPYPI_ID_TOKEN:` with `aud: testpypi`" in finding.help


def test_wrong_name_not_reported_when_certainty_is_missing(audit: AuditFn) -> None:
    # a token given in the file: the id token is not used
    with_password = RENAMED.replace(
        "    - twine upload dist/*", "    - TWINE_PASSWORD=$PYPI_API_TOKEN twine upload dist/*"
    )
    assert with_password != RENAMED
    assert audit({GL: with_password}, select=["SL3"]) == []
    # the script exchanges the token itself
    manual = RENAMED.replace(
        "    - twine upload dist/*",
        '    - export TWINE_PASSWORD=$(python mint.py "$PYPI_TOKEN")\n    - twine upload dist/*',
    )
    assert manual != RENAMED
    assert audit({GL: manual}, select=["SL3"]) == []
    passed_on = RENAMED.replace(
        "    - twine upload dist/*", '    - ./publish.sh "${PYPI_TOKEN}"\n    - twine upload dist/*'
    )
    assert passed_on != RENAMED
    assert audit({GL: passed_on}, select=["SL3"]) == []
    # no id token at all: a project CI/CD variable (TWINE_PASSWORD) may hold the token,
    # which only the information SL312 mentions
    no_token = GOOD.replace("  id_tokens:\n    PYPI_ID_TOKEN:\n      aud: pypi\n", "")
    assert "id_tokens" not in no_token
    assert [h[0] for h in audit({GL: no_token}, select=["SL3"])] == ["SL312"]
    # another index: not PyPI's audience
    private = RENAMED.replace(
        "twine upload dist/*",
        "twine upload --repository-url "
        "https://gitlab.example.com/api/v4/projects/1/packages/pypi dist/*",
    )
    assert private != RENAMED
    assert audit({GL: private}, select=["SL3"]) == []
    # uv told not to use trusted publishing
    never = TESTPYPI_WITH_PYPI_TOKEN.replace(
        "uv publish ", "uv publish --trusted-publishing never "
    )
    assert never != TESTPYPI_WITH_PYPI_TOKEN
    assert audit({GL: never}, select=["SL3"]) == []
    # a GitHub workflow is not GitLab
    assert audit({".github/workflows/release.yml": "on: push\n"}, select=["SL308"]) == []


AUD_URL = GOOD.replace("aud: pypi", "aud: https://pypi.org")


def test_audience_pypi_rejects(audit: AuditFn, audit_findings: FindingsFn) -> None:
    assert audit({GL: AUD_URL}, select=["SL3"]) == [hit("SL309", GL, AUD_URL, "https://pypi.org")]
    (finding,) = audit_findings({GL: AUD_URL}, select=["SL309"])
    assert "`aud: https://pypi.org`" in finding.message
    assert "Set `aud: pypi`" in finding.help


AUD_LIST = GOOD.replace("aud: pypi", "aud: [pypi, sigstore]")


def test_several_audiences(audit: AuditFn) -> None:
    assert audit({GL: AUD_LIST}, select=["SL3"]) == [hit("SL309", GL, AUD_LIST, "[pypi")]


def test_audience_not_reported(audit: AuditFn) -> None:
    # the right audience, written as a one-item list
    assert audit({GL: GOOD.replace("aud: pypi", "aud: [pypi]")}, select=["SL3"]) == []
    # a variable GitLab expands
    assert audit({GL: GOOD.replace("aud: pypi", "aud: $PYPI_AUD")}, select=["SL3"]) == []
    # a token given in the file wins over the id token
    with_token = AUD_URL.replace(
        "  script:\n    - python -m pip install -U twine",
        "  variables:\n    TWINE_PASSWORD: $PYPI_API_TOKEN\n  script:\n"
        "    - python -m pip install -U twine",
    )
    assert "TWINE_PASSWORD" in with_token
    assert audit({GL: with_token}, select=["SL3"]) == []
    # TestPyPI with its own token and audience
    test = TESTPYPI_WITH_PYPI_TOKEN.replace(
        "PYPI_ID_TOKEN:\n      aud: pypi", "TESTPYPI_ID_TOKEN:\n      aud: testpypi"
    )
    assert "TESTPYPI_ID_TOKEN" in test
    assert audit({GL: test}, select=["SL3"]) == []
