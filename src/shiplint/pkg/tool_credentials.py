"""Which environment variables a publishing tool takes its credentials from, and whether a
tox environment lets them through.

tox hands its commands only the variables named in ``pass_env`` (plus a short default list:
proxies, ``LANG``, ``HOME`` ...) and those set in ``set_env``. An upload env that passes
none of its tool's credential variables runs the tool without a token: it prompts, or fails
with ``403 Invalid or non-existent authentication information`` (catalogue C-1).

The logic takes plain values — the tool, its command-line options, the ``pass_env`` /
``set_env`` names — so that it serves the tox plugin (tox's resolved configuration) as well
as a static rule reading ``tox.ini`` / ``tox.toml``. It imports nothing from tox.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from shiplint.model import Upload


class Scheme(NamedTuple):
    """One way to authenticate: every variable in ``names`` must reach the tool."""

    label: str
    names: tuple[str, ...]
    #: the ``pass_env`` entries that let them through
    pass_env: tuple[str, ...]


class ToolAuth(NamedTuple):
    """How one upload command can get its credentials."""

    tool: str
    schemes: tuple[Scheme, ...]
    #: the upload reads a ``.pypirc`` (``~/.pypirc`` or an explicit one) for its credentials
    reads_pypirc: bool = False


#: GitHub Actions OIDC, read by twine and pdm (through the ``id`` package) and by uv: the
#: tools only try it when ``GITHUB_ACTIONS`` is set, then need both request variables.
TRUSTED_PUBLISHING = Scheme(
    "trusted publishing from GitHub Actions",
    ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_*"),
)

#: command-line options that carry the secret itself (then no variable is needed)
SECRET_OPTIONS: dict[str, tuple[str, ...]] = {
    "twine": ("-p", "--password"),
    "uv": ("-t", "--token", "-p", "--password", "--keyring-provider"),
    "hatch": ("-a", "--auth"),
    "flit": (),
    "poetry": ("-p", "--password"),
    "pdm": ("-P", "--password"),
}

_PYPI_INDEXES = (None, "pypi", "testpypi")


def tool_auth(tool: str, options: Mapping[str, str], index: str | None = None) -> ToolAuth | None:
    """The credential schemes of an upload by ``tool`` (None for tools not covered).

    ``options`` maps the command's options to their values (flags to anything);
    ``index`` is ``pypi``, ``testpypi``, a repository name or an URL (None: the default).
    """
    pypi = index in _PYPI_INDEXES
    if tool == "twine":
        # twine uses the user name __token__ for PyPI and TestPyPI when none is given
        names = ("TWINE_PASSWORD",) if pypi else ("TWINE_USERNAME", "TWINE_PASSWORD")
        token = Scheme("an API token", names, ("TWINE_USERNAME", "TWINE_PASSWORD"))
        schemes = (token, TRUSTED_PUBLISHING) if pypi else (token,)
        return ToolAuth(tool, schemes, reads_pypirc=True)
    if tool == "uv":
        token = Scheme("an API token", ("UV_PUBLISH_TOKEN",), ("UV_PUBLISH_TOKEN",))
        password = Scheme(
            "a user name and password",
            ("UV_PUBLISH_USERNAME", "UV_PUBLISH_PASSWORD"),
            ("UV_PUBLISH_USERNAME", "UV_PUBLISH_PASSWORD"),
        )
        if options.get("--trusted-publishing") == "never":
            return ToolAuth(tool, (token, password))
        return ToolAuth(tool, (token, password, TRUSTED_PUBLISHING))
    if tool == "flit":
        pair = ("FLIT_USERNAME", "FLIT_PASSWORD")
        return ToolAuth(tool, (Scheme("an API token", pair, pair),), reads_pypirc=True)
    if tool == "poetry":
        repo = options.get("-r") or options.get("--repository") or "pypi"
        # poetry's Config.get: upper case, `-` as `_` (poetry 2.5.1)
        key = repo.upper().replace("-", "_")
        token_var = f"POETRY_PYPI_TOKEN_{key}"
        basic = (f"POETRY_HTTP_BASIC_{key}_USERNAME", f"POETRY_HTTP_BASIC_{key}_PASSWORD")
        return ToolAuth(
            tool,
            (
                Scheme("an API token", (token_var,), (token_var,)),
                Scheme("a user name and password", basic, basic),
            ),
        )
    if tool == "hatch":
        pair = ("HATCH_INDEX_USER", "HATCH_INDEX_AUTH")
        return ToolAuth(tool, (Scheme("an API token", pair, pair),))
    if tool == "pdm":
        # pdm's user name defaults to __token__
        token = Scheme(
            "an API token",
            ("PDM_PUBLISH_PASSWORD",),
            ("PDM_PUBLISH_USERNAME", "PDM_PUBLISH_PASSWORD"),
        )
        return ToolAuth(tool, (token, TRUSTED_PUBLISHING) if pypi else (token,))
    return None


class PassedEnv:
    """The variables that reach an environment's commands: ``pass_env`` patterns (globs,
    matched case-insensitively as tox does) not excluded by ``disallow_pass_env``, and the
    names ``set_env`` defines."""

    def __init__(
        self,
        pass_env: Iterable[str],
        set_env: Iterable[str] = (),
        disallow: Iterable[str] = (),
    ) -> None:
        self._allow = [_glob(p) for p in pass_env]
        self._deny = [_glob(p) for p in disallow]
        self._set = {name.upper() for name in set_env}

    def __call__(self, name: str) -> bool:
        if name.upper() in self._set:
            return True
        return any(p.match(name) for p in self._allow) and not any(
            p.match(name) for p in self._deny
        )


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.IGNORECASE)


def missing_credentials(
    tool: str,
    options: Mapping[str, str],
    index: str | None,
    passed: PassedEnv,
    pypirc: bool = False,
) -> ToolAuth | None:
    """The tool's schemes when none of them gets through, else None.

    ``pypirc``: a ``.pypirc`` the tool reads is available (it holds the credentials then).
    """
    auth = tool_auth(tool, options, index)
    if auth is None:
        return None
    if any(opt in options for opt in SECRET_OPTIONS.get(tool, ())):
        return None
    if auth.reads_pypirc and (pypirc or "--config-file" in options or "--pypirc" in options):
        return None
    if any(all(passed(name) for name in scheme.names) for scheme in auth.schemes):
        return None
    return auth


def pass_env_snippet(entries: Sequence[str], env_name: str, style: str, prefix: str = "") -> str:
    """The section header and ``pass_env`` setting that let ``entries`` through.

    ``style`` is ``ini`` (tox.ini, setup.cfg, legacy_tox_ini) or ``toml`` (tox.toml, and
    ``[tool.tox]`` in pyproject.toml with ``prefix="tool.tox."``).
    """
    if style == "toml":
        quoted = ", ".join(f'"{e}"' for e in entries)
        return f"[{prefix}env.{env_name}]\npass_env = [{quoted}]"
    lines = "".join(f"\n    {e}" for e in entries)
    return f"[testenv:{env_name}]\npass_env ={lines}"


def config_style(file_name: str | None, text: str | None) -> tuple[str, str, str]:
    """(snippet style, TOML table prefix, file name) for a tox configuration file named
    ``file_name`` holding ``text`` (only a pyproject.toml's text matters: a
    ``legacy_tox_ini`` string there is INI)."""
    if file_name is None:
        return "ini", "", "the env's section"
    if file_name == "tox.toml":
        return "toml", "", file_name
    if file_name == "pyproject.toml":
        legacy = text is not None and "legacy_tox_ini" in text
        return ("ini", "", file_name) if legacy else ("toml", "tool.tox.", file_name)
    return "ini", "", file_name


def credentials_problem(
    env_name: str, style: tuple[str, str, str], upload: Upload, auth: ToolAuth
) -> str:
    """The failure text for a tox env ``env_name`` that passes its upload tool no
    credentials; ``style`` from :func:`config_style`."""
    snippet_style, prefix, where = style
    first = auth.schemes[0]
    names = ", ".join(first.names)
    needs = "; ".join(f"{s.label} needs {', '.join(s.names)}" for s in auth.schemes)
    lines = [
        f"tox env `{env_name}` runs `{upload.tool} "
        f"{'upload' if upload.tool == 'twine' else 'publish'}` but its pass_env and set_env "
        f"let no credentials through ({needs}).",
        "tox gives commands only the variables listed in pass_env (plus a few defaults such "
        f"as HOME and proxies), so {upload.tool} finds no token and the upload fails "
        "(a credentials prompt, or `403 Invalid or non-existent authentication information`).",
        f"Pass {names} ({first.label}) — add to {where}:",
        "",
        _indent(pass_env_snippet(first.pass_env, env_name, snippet_style, prefix)),
        "",
        "(keep the names already listed in pass_env).",
    ]
    for other in auth.schemes[1:]:
        lines.append(f"For {other.label} pass {', '.join(other.pass_env)} instead.")
    if auth.reads_pypirc:
        lines.append(f"{upload.tool} also reads ~/.pypirc; none was found.")
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
