"""What a tox configuration hands an environment, read from the files (tox is never run).

tox runs an env's commands with a cleaned environment: the variables its ``pass_env``
names (tox 3: ``passenv``) and those its ``set_env`` sets reach them. These readers give
those names for an env of ``tox.ini``/``setup.cfg``/``legacy_tox_ini`` (INI) or of
``tox.toml``/``[tool.tox]`` (TOML), and the envs a ``tox`` command line runs. They serve
the release model (a workflow step's secrets reach a tox env's upload only through
``pass_env``) and the tox-env rule (an upload env that passes no credentials).

INI: an env's setting is its own, else that of its ``base`` sections (``[testenv]`` by
default; a base name ``x`` means ``[x]`` or ``[testenv:x]``), with ``{[section]key}``
references followed and factor conditions (``upload: TWINE_*``) taken as met. TOML: the
env's own setting, else ``env_run_base``'s, with ``{replace = "ref", of = [...]}``
references followed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from shiplint.lazyre import LazyPattern

if TYPE_CHECKING:
    from shiplint.model import Arg, Value
    from shiplint.parse.ini import IniDoc

PASS_ENV_KEYS = ("pass_env", "passenv")
SET_ENV_KEYS = ("set_env", "setenv")
DISALLOW_KEYS = ("disallow_pass_env",)

#: how deep references and base sections are followed (configurations loop by mistake)
_MAX_DEPTH = 5

_ENV_OPTION = LazyPattern(r"^(?:-e|--env|--envlist)(?:=(.*))?$")
_REFERENCE = LazyPattern(r"\{\[([^\]]+)\]([\w-]+)\}")
_FACTOR = LazyPattern(r"^[\w{},!.-]+:\s+")
_COMMENT = LazyPattern(r"\s#.*$")
#: ``{env:NAME}`` / ``{env:NAME:default}``: NAME of the environment tox was started in
_ENV_REFERENCE = LazyPattern(r"\{env:([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}")


def run_env_names(rest: Sequence[Arg], env: Mapping[str, Value]) -> list[str]:
    """The envs ``tox [run] -e a,b`` runs, given the words after ``tox`` and the command's
    environment (``TOXENV`` when no ``-e`` is given); [] for the default env list. Names
    may still hold a variable or an expression (``py${{ matrix.python }}``)."""
    names: list[str] = []
    for i, arg in enumerate(rest):
        text = arg.text
        value: str | None = None
        match = _ENV_OPTION.match(text)
        if match:
            value = match.group(1)
            if value is None and i + 1 < len(rest):
                value = rest[i + 1].text
        elif text.startswith("-e") and len(text) > 2 and not text.startswith("--"):
            value = text[2:]
        if value:
            names.extend(v.strip() for v in value.split(",") if v.strip())
    toxenv = env.get("TOXENV")
    if not names and toxenv is not None:
        names = [v.strip() for v in toxenv.text.split(",") if v.strip()]
    return names


def ini_section(env_name: str) -> str:
    """The INI section of a tox env (``(base)``: ``[testenv]``)."""
    return "testenv" if env_name == "(base)" else f"testenv:{env_name}"


def ini_setting(ini: IniDoc, section: str, keys: tuple[str, ...], depth: int = 0) -> list[str]:
    """The lines of the first of ``keys`` set in ``section``, else in its base sections,
    with ``{[section]key}`` references expanded and comments removed."""
    sec = ini.sections.get(section)
    value = None
    if sec is not None:
        value = next((sec.get(k) for k in keys if sec.get(k) is not None), None)
    if value is None:
        if section == "testenv" or depth >= _MAX_DEPTH:
            return []
        bases = ["testenv"]
        base = sec.get("base") if sec is not None else None
        if base is not None:
            bases = [b for line in base.lines for b in re.split(r"[\s,]+", line.text) if b]
        for name in bases:
            for candidate in (name, f"testenv:{name}"):
                if candidate != section and candidate in ini.sections:
                    return ini_setting(ini, candidate, keys, depth + 1)
        return ini_setting(ini, "testenv", keys, depth + 1)
    out: list[str] = []
    for line in value.lines:
        text = _COMMENT.sub("", line.text).strip()
        ref = _REFERENCE.fullmatch(text)
        if ref and depth < _MAX_DEPTH:
            out.extend(ini_setting(ini, ref.group(1), (ref.group(2),), depth + 1))
            continue
        out.append(text)
    return out


def pass_env_names(lines: list[str]) -> list[str]:
    """The variable names (or globs) of ``pass_env`` lines."""
    out: list[str] = []
    for line in lines:
        line = _FACTOR.sub("", line)
        out.extend(n for n in re.split(r"[\s,]+", line) if n)
    return out


def set_env_names(lines: list[str]) -> list[str]:
    """The variables ``set_env`` lines (``NAME = value``) set."""
    out: list[str] = []
    for line in lines:
        name, eq, _ = _FACTOR.sub("", line).partition("=")
        if eq and name.strip():
            out.append(name.strip())
    return out


def ini_passes(ini: IniDoc, env_name: str) -> tuple[list[str], list[str]]:
    """``(pass_env names, set_env names)`` of an INI tox env."""
    section = ini_section(env_name)
    return (
        pass_env_names(ini_setting(ini, section, PASS_ENV_KEYS)),
        set_env_names(ini_setting(ini, section, SET_ENV_KEYS)),
    )


def ini_disallowed(ini: IniDoc, env_name: str) -> list[str]:
    """The ``disallow_pass_env`` names (globs) of an INI tox env: never passed, even when
    ``pass_env`` matches them."""
    return pass_env_names(ini_setting(ini, ini_section(env_name), DISALLOW_KEYS))


def env_reference(value: str) -> str | None:
    """NAME when a setting's whole value is ``{env:NAME}`` (or ``{env:NAME:default}``):
    tox reads it from its own environment, whatever ``pass_env`` says."""
    match = _ENV_REFERENCE.fullmatch(value.strip())
    return match.group(1) if match else None


def toml_setting(tox: dict[str, Any], env_name: str, key: str) -> Any:
    """An env's TOML setting, else that of ``env_run_base`` (``(base)``: the latter)."""
    base = tox.get("env_run_base")
    if env_name != "(base)":
        envs = tox.get("env")
        conf = envs.get(env_name) if isinstance(envs, dict) else None
        if isinstance(conf, dict) and key in conf:
            return conf[key]
    return base.get(key) if isinstance(base, dict) else None


def toml_names(tox: dict[str, Any], value: Any, depth: int = 0) -> list[str]:
    """The names of a TOML ``pass_env`` value, references (``of = [...]``) followed."""
    out: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("of"), list) and depth < _MAX_DEPTH:
            node: Any = tox
            for part in item["of"]:
                node = node.get(part) if isinstance(node, dict) else None
            out.extend(toml_names(tox, node, depth + 1))
    return out


def toml_passes(tox: dict[str, Any], env_name: str) -> tuple[list[str], list[str]]:
    """``(pass_env names, set_env names)`` of a TOML tox env (``tox``: the table holding
    ``env``/``env_run_base``)."""
    set_env = toml_setting(tox, env_name, "set_env")
    return (
        toml_names(tox, toml_setting(tox, env_name, "pass_env")),
        [k for k in set_env if isinstance(k, str)] if isinstance(set_env, dict) else [],
    )


def toml_disallowed(tox: dict[str, Any], env_name: str) -> list[str]:
    """The ``disallow_pass_env`` names (globs) of a TOML tox env."""
    return toml_names(tox, toml_setting(tox, env_name, "disallow_pass_env"))
