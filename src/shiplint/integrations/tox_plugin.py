"""tox (>= 4) plugin: audit the release configuration before a tox env uploads.

Registered under the ``tox`` entry-point group, so only tox imports this module (install
``shiplint[tox]``). For every environment whose commands upload (twine, uv, hatch, flit,
poetry, pdm, ``anaconda upload``, ``setup.py upload``) it runs ``shiplint check`` on the
project and checks that the env passes its upload tool credentials, before any install or
command; problems stop that environment with the report. Other environments are not
examined further than a look at their command words.

Per env: ``shiplint = true`` forces the guard on, ``shiplint = false`` turns it off.
For one run: ``tox --no-shiplint``. The checks themselves live in
:mod:`shiplint.integrations.tox_guard`.
"""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tox.plugin import impl
from tox.tox_env.errors import Fail

if TYPE_CHECKING:
    from tox.config.cli.parser import ToxParser
    from tox.config.sets import EnvConfigSet
    from tox.session.state import State
    from tox.tox_env.api import ToxEnv

KEY = "shiplint"
_LOG = logging.getLogger(__name__)
#: the words every upload command recognised by shiplint contains (a cheap first filter)
_UPLOAD_WORDS = frozenset({"upload", "publish", "register"})
#: environments already checked in this run (the first of the two hooks does the work)
_checked: weakref.WeakSet[ToxEnv] = weakref.WeakSet()


@impl
def tox_add_option(parser: ToxParser) -> None:
    parser.add_argument(
        "--no-shiplint",
        action="store_true",
        dest="no_shiplint",
        help="do not run the shiplint release check before upload commands",
    )


@impl
def tox_add_env_config(env_conf: EnvConfigSet, state: State) -> None:
    env_conf.add_config(
        keys=[KEY],
        of_type=bool,
        default=None,
        desc="shiplint release check before the commands: true forces it, false turns it "
        "off, unset runs it when the commands upload",
    )


@impl
def tox_on_install(tox_env: ToxEnv, arguments: Any, section: str, of_type: str) -> None:
    _guard(tox_env)  # before deps are installed: a blocked release costs no download


@impl
def tox_before_run_commands(tox_env: ToxEnv) -> None:
    _guard(tox_env)  # an env set up by an earlier run installs nothing


def _guard(tox_env: ToxEnv) -> None:
    if tox_env in _checked:
        return
    _checked.add(tox_env)
    if getattr(tox_env.options, "no_shiplint", False) or "commands" not in tox_env.conf:
        return  # skipped for this run, or a packaging env
    wanted = tox_env.conf[KEY]
    if wanted is False:
        return
    commands = [
        list(cmd.args)
        for key in ("commands_pre", "commands", "commands_post")
        for cmd in tox_env.conf[key]
    ]
    if wanted is None and not any(_UPLOAD_WORDS.intersection(argv) for argv in commands):
        return
    from shiplint.integrations.tox_guard import EnvFacts, judge

    env = EnvFacts(
        name=tox_env.name,
        root=Path(tox_env.core["tox_root"]),
        config_file=_config_file(tox_env),
        commands=commands,
        pass_env=list(tox_env.conf["pass_env"]),
        set_env=list(tox_env.conf["set_env"]),
        disallow_pass_env=_list(tox_env, "disallow_pass_env"),  # newer than tox 4.0
        home=tox_env.environment_variables.get("HOME"),
    )
    verdict = judge(env, forced=wanted is True)
    if verdict is None:
        return
    if verdict.failure is not None:
        raise Fail(verdict.failure)
    if verdict.notes:
        _LOG.warning("shiplint (below the fail level):\n%s", verdict.notes.rstrip("\n"))


def _list(tox_env: ToxEnv, key: str) -> list[str]:
    return list(tox_env.conf[key]) if key in tox_env.conf else []


def _config_file(tox_env: ToxEnv) -> Path | None:
    try:
        path = tox_env.core["config_file_path"]
    except KeyError:
        return None
    return Path(path) if path else None
