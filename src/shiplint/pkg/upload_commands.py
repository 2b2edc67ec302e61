"""Recognise uploads and package-index use in shell commands.

Covers twine, uv, hatch, flit, poetry, pdm and maturin publishing, ``anaconda upload``,
``setup.py upload``, and pip/uv installs with index options. Wrappers such as
``python -m``, ``pipx run``, ``uvx`` and ``uv run`` are looked through.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.model import Credential, IndexUse, Loc, Upload, Value
from shiplint.model.shellblocks import secret_names, single_var, vars_names

if TYPE_CHECKING:
    from shiplint.model import Arg, ReleaseModel, ShellCommand

_PYTHON = re.compile(r"^(?:.*/)?(?:python(?:\d+(?:\.\d+)?)?|py|pypy3?)(?:\.exe)?$")
_PUBLISHERS = {"twine", "uv", "hatch", "flit", "poetry", "pdm", "anaconda", "maturin"}
#: the anaconda-client CLI: `anaconda`, and the legacy entry points anaconda-client still
#: installs for the same `binstar_client.scripts.cli:main` ([project.scripts] binstar,
#: conda-server; anaconda-client 1.13+ pyproject.toml)
ANACONDA_CLI = frozenset({"anaconda", "binstar", "conda-server"})
_PIP = re.compile(r"^(?:.*/)?pip(?:\d+(?:\.\d+)?)?(?:\.exe)?$")

# Options that take a value, per tool (so that their values are not read as positionals).
_VALUE_OPTIONS: dict[str, set[str]] = {
    "twine": {
        "-r",
        "--repository",
        "--repository-url",
        "-u",
        "--username",
        "-p",
        "--password",
        "-c",
        "--comment",
        "--config-file",
        "--cert",
        "--client-cert",
        "-s",
        "--sign-with",
        "-i",
        "--identity",
        "--attestations",
    },
    "uv": {
        "--publish-url",
        "--index",
        "-t",
        "--token",
        "-u",
        "--username",
        "-p",
        "--password",
        "--trusted-publishing",
        "--check-url",
        "--keyring-provider",
        "--directory",
        "--project",
        "--config-file",
    },
    "hatch": {
        "-r",
        "--repo",
        "-u",
        "--user",
        "-a",
        "--auth",
        "--ca-cert",
        "--client-cert",
        "--client-key",
        "-o",
        "--option",
    },
    "flit": {"--repository", "--pypirc", "--format", "--setup-py"},
    "poetry": {
        "-r",
        "--repository",
        "-u",
        "--username",
        "-p",
        "--password",
        "--cert",
        "--client-cert",
        "--dist-dir",
        "-C",
        "--directory",
        "-P",
        "--project",
    },
    "pdm": {
        "-r",
        "--repository",
        "-u",
        "--username",
        "-P",
        "--password",
        "-i",
        "--identity",
        "-c",
        "--comment",
        "--ca-certs",
        "-p",
        "--project",
        "-d",
        "--dest",
    },
    "maturin": {
        "-r",
        "--repository",
        "--repository-url",
        "-u",
        "--username",
        "-p",
        "--password",
        "-m",
        "--manifest-path",
        "-i",
        "--interpreter",
        "--target",
        "-o",
        "--out",
        "--features",
        "-F",
        "--compatibility",
        "--zig",
    },
    "anaconda": {
        "-t",
        "--token",
        "-s",
        "--site",
        "-u",
        "--user",
        "-l",
        "--label",
        "-c",
        "--channel",
        "-p",
        "--package",
        "-v",
        "--version",
        "--summary",
        "-d",
        "--description",
        "--thumbnail",
        "--private",
        "--package-type",
        "--keep-basename",
    },
}


def recognise(model: ReleaseModel, cmd: ShellCommand) -> None:
    """Add the uploads and index uses found in ``cmd`` to the model."""
    args = cmd.args
    i, head = program_of(cmd)
    if i >= len(args):
        return
    rest = args[i + 1 :]
    if head in ANACONDA_CLI:
        _anaconda(model, cmd, args[i], rest)
    elif head in _PUBLISHERS:
        sub = _first_positional(rest)
        if sub is not None and rest[sub].text in ("upload", "publish"):
            _publish(model, cmd, head, args[i], rest[sub + 1 :], rest[sub])
    elif head == "setup.py" or (
        head.endswith("setup.py") and i > 0 and _PYTHON.match(program_name(args[i - 1].text))
    ):
        for arg in rest:
            if arg.text in ("upload", "register"):
                model.uploads.append(
                    Upload(
                        tool="setup.py",
                        family="pypi",
                        loc=arg.loc,
                        context=cmd.context,
                        index="pypi",
                        command=cmd,
                    )
                )
                break
    if head == "pip" or _PIP.match(head) or (head == "uv" and rest and rest[0].text == "pip"):
        _pip_indexes(model, cmd, rest)


def program_of(cmd: ShellCommand) -> tuple[int, str]:
    """The program ``cmd`` runs past its wrappers (:func:`skip_wrappers`): its index in
    ``cmd.args`` (``len(cmd.args)`` when there is none) and its name (:func:`program_name`,
    ``""`` when there is none). Computed once per command, for the model and every rule."""
    found = cmd.program_at
    if found is None:
        args = cmd.args
        i = skip_wrappers(args)
        found = cmd.program_at = (i, program_name(args[i].text) if i < len(args) else "")
    return found


def program_name(word: str) -> str:
    """The program a command word names: its last path component (``/usr/bin/twine`` →
    ``twine``; ``C:\\Python39\\Scripts\\twine.exe`` → ``twine``)."""
    if "\\" in word:
        word = word.replace("\\", "/")
    name = word.rsplit("/", 1)[-1]
    return name[:-4] if name[-4:].lower() == ".exe" else name


def skip_wrappers(args: list[Arg]) -> int:
    """Index of the real program in ``python -m X``, ``pipx run X``, ``uvx X``, ``uv run X`` ..."""
    i = 0
    n = len(args)
    while i < n:
        word = program_name(args[i].text)
        if _PYTHON.match(word):
            j = i + 1
            while j < n and args[j].text.startswith("-") and args[j].text != "-m":
                j += 1
            if j + 1 < n and args[j].text == "-m":
                i = j + 1
                continue
            return j if j < n and args[j].text.endswith("setup.py") else i
        if word in ("pipx", "hatch", "pdm", "poetry") and i + 1 < n and args[i + 1].text == "run":
            i = _skip_options(args, i + 2, {"--spec", "--python", "-e", "--env"})
            continue
        if word == "uvx":
            i = _skip_options(args, i + 1, {"--from", "--with", "--python", "-p"})
            continue
        if word == "uv" and i + 1 < n and args[i + 1].text in ("run", "tool"):
            j = i + 2
            if args[i + 1].text == "tool" and j < n and args[j].text == "run":
                j += 1
            i = _skip_options(
                args,
                j,
                {
                    "--with",
                    "--from",
                    "--python",
                    "-p",
                    "--extra",
                    "--group",
                    "--directory",
                    "--project",
                    "--package",
                },
            )
            continue
        if word in ("nox", "tox"):
            return n
        return i
    return i


def _skip_options(args: list[Arg], i: int, with_value: set[str]) -> int:
    while i < len(args) and args[i].text.startswith("-"):
        opt = args[i].text
        i += 2 if opt in with_value else 1
    return i


def _first_positional(rest: list[Arg]) -> int | None:
    i = 0
    while i < len(rest):
        text = rest[i].text
        if text == "--":
            return i + 1 if i + 1 < len(rest) else None
        if text.startswith("-"):
            i += 1
            continue
        return i
    return None


def _options(tool: str, rest: list[Arg]) -> dict[str, Arg]:
    """Option name → value argument (or the flag itself for flags without a value)."""
    takes = _VALUE_OPTIONS.get(tool, set())
    found: dict[str, Arg] = {}
    i = 0
    while i < len(rest):
        arg = rest[i]
        text = arg.text
        if text.startswith("--") and "=" in text:
            name, _, _ = text.partition("=")
            found[name] = arg
        elif text.startswith("-") and text in takes and i + 1 < len(rest):
            found[text] = rest[i + 1]
            i += 1
        elif text.startswith("-"):
            found[text] = arg
        i += 1
    return found


def option_value(arg: Arg) -> str:
    """The value of ``--opt=value`` or of a separate value argument."""
    text = arg.text
    if text.startswith("--") and "=" in text:
        return text.split("=", 1)[1]
    return text


_SUBSTITUTION = LazyPattern(r"\$|\{\{|\{[A-Za-z_][\w]*(?::[^}]*)?\}|%[A-Za-z_]\w*%")


def looks_literal(text: str) -> bool:
    """A value written out in full: no shell variable, GitHub expression, tox substitution
    (``{env:X}``) or ``%VAR%``."""
    value = text.strip().strip("\"'")
    return bool(value) and not _SUBSTITUTION.search(value)


def credential(
    via: str,
    arg: Arg | None,
    fallback: Loc,
    name: str,
    env_value: Value | None = None,
    username: bool = False,
) -> Credential:
    """Describe a credential passed through ``arg`` (an option value) or an environment
    variable's value ``env_value`` (placed at ``fallback``, the command or step using it,
    when the value was written nowhere)."""
    raw = arg.raw if arg is not None else (env_value.text if env_value else "")
    loc = (
        arg.loc if arg is not None else (env_value.loc if env_value and env_value.loc else fallback)
    )
    secrets = secret_names(raw)
    secret: str | None = secrets[0] if secrets else None
    literal = False
    if secret is None:
        var = single_var(raw.strip('"'))
        origin = arg.origin if arg is not None else env_value
        if origin is not None:
            found = secret_names(origin.text) or vars_names(origin.text)
            inner = single_var(origin.text.strip('"'))
            if found:
                secret = found[0]
            elif inner is not None or var is not None:
                secret = inner or var
            elif arg is None and env_value is not None:
                # an env entry or assignment whose value is written out in the file
                literal = looks_literal(env_value.loc.text if env_value.loc else raw)
        elif var is not None:
            secret = var
        elif env_value is not None and "$" not in raw:
            literal = looks_literal(raw)
        elif arg is not None and "$" not in raw:
            literal = looks_literal(option_value(arg))
        if secret is None and env_value is not None and env_value.loc is not None:
            found = secret_names(env_value.loc.text)
            secret = found[0] if found else None
    return Credential(
        via=via, loc=loc, secret=secret, name=name, literal=literal, username=username
    )


def _env_credential(
    cmd: ShellCommand, names: tuple[str, ...], username: bool = False
) -> Credential | None:
    for name in names:
        value = cmd.env.get(name)
        if value is not None:
            return credential("env", None, cmd.loc, name, env_value=value, username=username)
    return None


_CRED_OPTIONS = {
    # tool: (user options, secret options, user env vars, secret env vars, repo options,
    #        url options, url env vars)
    "twine": (
        ("-u", "--username"),
        ("-p", "--password"),
        ("TWINE_USERNAME",),
        ("TWINE_PASSWORD",),
        ("-r", "--repository"),
        ("--repository-url",),
        ("TWINE_REPOSITORY_URL",),
    ),
    "uv": (
        ("-u", "--username"),
        ("-t", "--token", "-p", "--password"),
        ("UV_PUBLISH_USERNAME",),
        ("UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"),
        ("--index",),
        ("--publish-url",),
        ("UV_PUBLISH_URL",),
    ),
    "hatch": (
        ("-u", "--user"),
        ("-a", "--auth"),
        ("HATCH_INDEX_USER",),
        ("HATCH_INDEX_AUTH",),
        ("-r", "--repo"),
        (),
        ("HATCH_INDEX_REPO",),
    ),
    "flit": (
        (),
        (),
        ("FLIT_USERNAME",),
        ("FLIT_PASSWORD",),
        ("--repository",),
        (),
        ("FLIT_INDEX_URL",),
    ),
    "poetry": (("-u", "--username"), ("-p", "--password"), (), (), ("-r", "--repository"), (), ()),
    "pdm": (
        ("-u", "--username"),
        ("-P", "--password"),
        ("PDM_PUBLISH_USERNAME",),
        ("PDM_PUBLISH_PASSWORD",),
        ("-r", "--repository"),
        (),
        ("PDM_PUBLISH_REPO",),
    ),
    "maturin": (
        ("-u", "--username"),
        ("-p", "--password"),
        ("MATURIN_USERNAME",),
        ("MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"),
        ("-r", "--repository"),
        ("--repository-url",),
        ("MATURIN_REPOSITORY_URL",),
    ),
}


def _publish(
    model: ReleaseModel, cmd: ShellCommand, tool: str, head: Arg, rest: list[Arg], sub: Arg
) -> None:
    opts = _options(tool, rest)
    users, secrets, user_env, secret_env, repo_opts, url_opts, url_env = _CRED_OPTIONS[tool]
    upload = Upload(
        tool=tool,
        family="pypi",
        loc=_span(head, sub),
        context=cmd.context,
        command=cmd,
        options=opts,
        index="pypi",
    )
    for opt in users:
        if opt in opts:
            upload.credentials.append(credential("flag", opts[opt], cmd.loc, opt, username=True))
    for opt in secrets:
        if opt in opts:
            upload.credentials.append(credential("flag", opts[opt], cmd.loc, opt))
    user = _env_credential(cmd, user_env, username=True)
    if user is not None:
        upload.credentials.append(user)
    token = _env_credential(cmd, secret_env)
    if token is not None:
        upload.credentials.append(token)
    if tool == "poetry":
        for name, value in cmd.env.items():
            if name.startswith("POETRY_PYPI_TOKEN_") or (
                name.startswith("POETRY_HTTP_BASIC_") and name.endswith("_PASSWORD")
            ):
                upload.credentials.append(credential("env", None, cmd.loc, name, env_value=value))
    for opt in repo_opts:
        if opt in opts:
            repo = option_value(opts[opt])
            upload.index = repo
            if "://" in repo:
                upload.target = Value(repo, opts[opt].loc)
    for opt in url_opts:
        if opt in opts:
            upload.target = Value(option_value(opts[opt]), opts[opt].loc)
    if upload.target is None:
        for name in url_env:
            env_value = cmd.env.get(name)
            if env_value is not None:
                upload.target = env_value
                if "://" not in env_value.text:
                    upload.index = env_value.text
                break
    if upload.target is not None:
        url = upload.target.text
        upload.index = index_of_url(url) or (url if "://" in url else upload.index)
    trusted = opts.get("--trusted-publishing")
    if tool == "uv" and not upload.token_credentials:
        upload.oidc = trusted is None or option_value(trusted) != "never"
    if tool == "pdm" and not upload.token_credentials and cmd.context.job is not None:
        upload.oidc = True
    if upload.oidc:
        upload.credentials.append(Credential(via="oidc", loc=upload.loc, name="id-token"))
    model.uploads.append(upload)


def _span(head: Arg, sub: Arg) -> Loc:
    return Loc(head.loc.source, head.loc.start, sub.loc.end)


def _anaconda(model: ReleaseModel, cmd: ShellCommand, head: Arg, rest: list[Arg]) -> None:
    sub = None
    i = 0
    global_opts: dict[str, Arg] = {}
    while i < len(rest):
        text = rest[i].text
        if text == "upload":
            sub = i
            break
        if text.startswith("-"):
            name = text.split("=", 1)[0]
            if "=" in text:
                global_opts[name] = rest[i]
            elif name in ("-t", "--token", "-s", "--site") and i + 1 < len(rest):
                global_opts[name] = rest[i + 1]
                i += 1
            else:
                global_opts[name] = rest[i]
            i += 1
            continue
        break
    if sub is None:
        return
    after = rest[sub + 1 :]
    opts = _options("anaconda", after)
    upload = Upload(
        tool="anaconda",
        family="anaconda",
        loc=_span(head, rest[sub]),
        context=cmd.context,
        command=cmd,
        options=opts,
        index="anaconda",
    )
    for opt in ("-t", "--token"):
        if opt in global_opts:
            upload.credentials.append(credential("flag", global_opts[opt], cmd.loc, opt))
    for name in ("ANACONDA_API_TOKEN", "BINSTAR_API_TOKEN"):
        value = cmd.env.get(name)
        if value is not None:
            upload.credentials.append(credential("env", None, cmd.loc, name, env_value=value))
    for opt in ("-u", "--user"):
        if opt in opts:
            arg = opts[opt]
            text = option_value(arg)
            where = arg.origin.loc if arg.origin is not None and arg.origin.loc else arg.loc
            upload.target = Value(text, where)
    model.uploads.append(upload)


def _pip_indexes(model: ReleaseModel, cmd: ShellCommand, rest: list[Arg]) -> None:
    i = 0
    while i < len(rest):
        arg = rest[i]
        text = arg.text
        name, eq, inline = text.partition("=")
        if name in ("-i", "--index-url", "--extra-index-url", "--index", "--default-index"):
            if eq and name.startswith("--"):
                value_arg = arg
                url = inline
            elif i + 1 < len(rest):
                value_arg = rest[i + 1]
                url = value_arg.text
                i += 1
            else:
                break
            where = (
                value_arg.origin.loc
                if value_arg.origin and value_arg.origin.loc
                else (value_arg.loc)
            )
            model.indexes.append(IndexUse(Value(url, where), "pip-option", cmd.context))
        elif text.startswith("-i") and len(text) > 2 and "://" in text:
            model.indexes.append(IndexUse(Value(text[2:], arg.loc), "pip-option", cmd.context))
        i += 1


_NAMED_INDEXES = ("pypi", "testpypi", "anaconda")


def index_of_url(url: str) -> str | None:
    """``pypi``/``testpypi``/``anaconda`` for an URL on their hosts (the hosts of
    ``[pypi.upload-hosts]``, ``[pypi.legacy-hosts]`` and ``[anaconda] hosts`` of the facts:
    the host itself, not a name that merely contains it), or for those names themselves;
    else None."""
    text = url.strip().strip("\"'")
    lowered = text.lower()
    if lowered in _NAMED_INDEXES:
        return lowered
    _scheme, sep, rest = lowered.partition("://")
    if not sep:
        rest = lowered
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return _known_hosts().get(host) or _anaconda_host(host)


@functools.lru_cache(maxsize=1)
def _known_hosts() -> dict[str, str]:
    from shiplint import facts as facts_mod

    facts = facts_mod.load()
    return {**facts.legacy_hosts, **facts.upload_hosts}


def _anaconda_host(host: str) -> str | None:
    from shiplint import facts as facts_mod

    domains = facts_mod.toml_data()["anaconda"].get("hosts", ())
    return "anaconda" if any(host == d or host.endswith("." + d) for d in domains) else None
