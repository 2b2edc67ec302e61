"""Credential variables of the upload tools, and whether a tox env's pass_env/set_env let
them through (shared by the tox plugin and usable by a static rule)."""

from __future__ import annotations

import pytest

from shiplint.pkg.tool_credentials import (
    TRUSTED_PUBLISHING,
    PassedEnv,
    missing_credentials,
    pass_env_snippet,
    tool_auth,
)


def gap(
    tool: str,
    pass_env: list[str],
    *,
    options: dict[str, str] | None = None,
    index: str | None = None,
    set_env: list[str] | None = None,
    disallow: list[str] | None = None,
    pypirc: bool = False,
) -> list[tuple[str, ...]] | None:
    """The names of each scheme when nothing gets through, else None."""
    passed = PassedEnv(pass_env, set_env or [], disallow or [])
    auth = missing_credentials(tool, options or {}, index, passed, pypirc)
    return None if auth is None else [s.names for s in auth.schemes]


@pytest.mark.parametrize(
    ("tool", "pass_env"),
    [
        ("twine", ["TWINE_PASSWORD"]),  # PyPI: the user name defaults to __token__
        ("twine", ["TWINE_*"]),
        ("twine", ["twine_*"]),  # tox matches pass_env case-insensitively
        ("twine", ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_*"]),
        ("uv", ["UV_PUBLISH_TOKEN"]),
        ("uv", ["UV_PUBLISH_USERNAME", "UV_PUBLISH_PASSWORD"]),
        (
            "uv",
            ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
        ),
        ("flit", ["FLIT_*"]),
        ("poetry", ["POETRY_PYPI_TOKEN_*"]),
        ("poetry", ["POETRY_HTTP_BASIC_PYPI_USERNAME", "POETRY_HTTP_BASIC_PYPI_PASSWORD"]),
        ("hatch", ["HATCH_INDEX_USER", "HATCH_INDEX_AUTH"]),
        ("pdm", ["PDM_PUBLISH_PASSWORD"]),
        ("pdm", ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_*"]),
        ("twine", ["*"]),
    ],
)
def test_passed_credentials_are_enough(tool: str, pass_env: list[str]) -> None:
    assert gap(tool, pass_env) is None


def test_twine_without_credentials_lists_token_and_trusted_publishing() -> None:
    assert gap("twine", ["CI", "HOME"]) == [("TWINE_PASSWORD",), TRUSTED_PUBLISHING.names]


def test_twine_to_another_index_needs_a_user_name_and_no_oidc() -> None:
    url = "https://nexus.example.com/repository/pypi/"
    assert gap("twine", ["TWINE_PASSWORD"], index=url) == [("TWINE_USERNAME", "TWINE_PASSWORD")]
    assert gap("twine", ["TWINE_USERNAME", "TWINE_PASSWORD"], index=url) is None
    assert gap("twine", ["TWINE_PASSWORD"], index="testpypi") is None


def test_trusted_publishing_needs_all_three_variables() -> None:
    # id and uv only try OIDC when GITHUB_ACTIONS is set
    assert gap("uv", ["ACTIONS_ID_TOKEN_REQUEST_*"]) is not None
    assert gap("twine", ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL"]) is not None


def test_uv_trusted_publishing_never_drops_the_oidc_scheme() -> None:
    never = {"--trusted-publishing": "never"}
    oidc = ["GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_*"]
    assert gap("uv", oidc, options=never) == [
        ("UV_PUBLISH_TOKEN",),
        ("UV_PUBLISH_USERNAME", "UV_PUBLISH_PASSWORD"),
    ]
    assert gap("uv", oidc, options={"--trusted-publishing": "always"}) is None


def test_a_half_pair_is_not_enough() -> None:
    assert gap("flit", ["FLIT_USERNAME"]) == [("FLIT_USERNAME", "FLIT_PASSWORD")]
    assert gap("hatch", ["HATCH_INDEX_AUTH"]) == [("HATCH_INDEX_USER", "HATCH_INDEX_AUTH")]


def test_poetry_variables_follow_the_repository_name() -> None:
    options = {"-r": "test-pypi"}
    assert gap("poetry", ["POETRY_PYPI_TOKEN_PYPI"], options=options) == [
        ("POETRY_PYPI_TOKEN_TEST_PYPI",),
        ("POETRY_HTTP_BASIC_TEST_PYPI_USERNAME", "POETRY_HTTP_BASIC_TEST_PYPI_PASSWORD"),
    ]
    assert gap("poetry", ["POETRY_PYPI_TOKEN_TEST_PYPI"], options=options) is None


def test_set_env_counts_as_passed() -> None:
    assert gap("twine", [], set_env=["TWINE_PASSWORD"]) is None
    assert gap("uv", [], set_env=["uv_publish_token"]) is None


def test_disallow_pass_env_removes_a_glob_match() -> None:
    assert gap("uv", ["UV_*"], disallow=["UV_PUBLISH_*"]) is not None
    assert gap("uv", ["UV_*"], disallow=["UV_CACHE_DIR"]) is None


@pytest.mark.parametrize(
    ("tool", "options"),
    [
        ("twine", {"-p": "{env:PYPI_TOKEN}"}),
        ("uv", {"--token": "x"}),
        ("uv", {"--keyring-provider": "subprocess"}),
        ("hatch", {"--auth": "x"}),
        ("poetry", {"--password": "x"}),
        ("pdm", {"-P": "x"}),
        ("twine", {"--config-file": ".pypirc"}),
        ("flit", {"--pypirc": ".pypirc"}),
    ],
)
def test_credentials_on_the_command_line_need_no_variable(
    tool: str, options: dict[str, str]
) -> None:
    assert gap(tool, [], options=options) is None


def test_a_pypirc_serves_twine_and_flit_only() -> None:
    assert gap("twine", [], pypirc=True) is None
    assert gap("flit", [], pypirc=True) is None
    assert gap("uv", [], pypirc=True) is not None


def test_tools_without_a_credential_model_are_not_judged() -> None:
    assert tool_auth("setup.py", {}) is None
    assert tool_auth("anaconda", {}) is None
    assert gap("setup.py", []) is None


def test_pass_env_snippets() -> None:
    entries = ["TWINE_USERNAME", "TWINE_PASSWORD"]
    assert pass_env_snippet(entries, "release", "ini") == (
        "[testenv:release]\npass_env =\n    TWINE_USERNAME\n    TWINE_PASSWORD"
    )
    assert pass_env_snippet(entries, "release", "toml") == (
        '[env.release]\npass_env = ["TWINE_USERNAME", "TWINE_PASSWORD"]'
    )
    assert pass_env_snippet(["UV_PUBLISH_TOKEN"], "pub", "toml", prefix="tool.tox.") == (
        '[tool.tox.env.pub]\npass_env = ["UV_PUBLISH_TOKEN"]'
    )
