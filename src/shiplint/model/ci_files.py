"""The release model of the configuration files of CI systems other than GitHub Actions
(Travis, AppVeyor, Azure Pipelines, GitLab CI, CircleCI, ...): read without knowing the
system, from the keys whose values are shell commands and those that set the environment.

Script items are read in their shell: AppVeyor's ``- ps:``/``- pwsh:`` items (and Azure
Pipelines' ``powershell:``/``pwsh:`` steps) as PowerShell, ``- cmd:`` as cmd.exe, ``- sh:``
as POSIX shell, and a bare AppVeyor item as cmd.exe unless every ``image:`` is a Linux or
macOS one (appveyor.com/docs/build-configuration, "Script blocks"), and an Azure Pipelines
``script:`` step as cmd.exe under a Windows ``pool: {vmImage: ...}``. Secure variables are
modelled: an AppVeyor ``NAME: {secure: ...}`` entry is the variable ``NAME`` whose value is
decrypted by AppVeyor (written ``${NAME}``: a credential read from it names the secret
``NAME``); a Travis ``- secure: ...`` entry sets variables whose names are encrypted too
(:attr:`~shiplint.model.ReleaseModel.secure_env`). Travis ``deploy: provider: pypi`` is an
upload (:mod:`shiplint.model.travis_deploy`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shiplint.lazyre import LazyPattern
from shiplint.model import Context, Loc, SecureEnv, Value
from shiplint.model.shellblocks import commands_from_text
from shiplint.model.textmap import ScalarMap
from shiplint.parse.dialects import parse_commands
from shiplint.parse.yamlnodes import walk_scalars

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel
    from shiplint.parse.yamlnodes import YNode, YScalar
    from shiplint.source import SourceFile

# Keys of non-GitHub CI files whose values are shell commands.
_CI_SCRIPT_KEYS = {
    "script",
    "before_script",
    "after_script",
    "before_install",
    "install",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
    "run",
    "command",
    "bash",
    "sh",
    "build_script",
    "test_script",
    "deploy_script",
    "on_success",
    "on_finish",
    "before_build",
    "after_build",
    "before_test",
    "after_test",
    "before_package",
    "init",
}
_CI_ENV_KEYS = {"env", "environment", "variables", "global"}
#: keys of script items in a shell other than the POSIX one
_DIALECT_KEYS = {"cmd": "cmd", "ps": "pwsh", "pwsh": "pwsh", "powershell": "pwsh"}
_APPVEYOR = LazyPattern(r"(?:^|/)\.?appveyor\.ya?ml$")
_POSIX_IMAGE = LazyPattern(r"ubuntu|linux|macos|osx", re.IGNORECASE)


def ci_file(model: ReleaseModel, src: SourceFile, root: YNode | None) -> None:
    if root is None:
        return
    env: dict[str, Value] = {}
    context = Context(origin="ci", label=src.rel)
    scripts: list[tuple[YScalar, str]] = []
    appveyor = bool(_APPVEYOR.search(src.rel))
    bare = "cmd" if appveyor and _windows_images(root) else "sh"
    azure = "azure" in src.rel.lower()
    for path, scalar in walk_scalars(root):
        keys = [p for p in path if isinstance(p, str)]
        if not keys or scalar.is_null:
            continue
        last = keys[-1]
        if last == "secure" and any(k in _CI_ENV_KEYS for k in keys[-4:-1]):
            loc = Loc(src, scalar.start, scalar.end)
            named = path[-2] if len(path) > 1 else None
            name = named if isinstance(named, str) and named not in _CI_ENV_KEYS else None
            system = "appveyor" if appveyor else "travis"
            model.secure_env.append(SecureEnv(system=system, name=name, loc=loc))
            if name is not None:
                env[name] = Value("${" + name + "}", loc)
            continue
        if any(k in _CI_ENV_KEYS for k in keys[-3:]):
            if isinstance(path[-1], str) and last not in _CI_SCRIPT_KEYS:
                value = Value(scalar.value, Loc(src, scalar.start, scalar.end))
                env[last] = value
                model.assignments.append((last, value, context))
                continue
            if "=" in scalar.value and " " not in scalar.value.split("=", 1)[0]:
                # travis style: `- ANACONDA_ORG="scipy-wheels-nightly"`
                to_file = ScalarMap(src, scalar).to_file
                model.commands.extend(
                    commands_from_text(model, src, scalar.value, context, env, to_file)
                )
                for parsed in parse_commands(scalar.value):
                    for name, word in parsed.assigns:
                        start, end = to_file(word.start, word.end, 0)
                        env.setdefault(name, Value(word.text, Loc(src, start, end)))
                continue
        if last in _DIALECT_KEYS:
            scripts.append((scalar, _DIALECT_KEYS[last]))
        elif last in _CI_SCRIPT_KEYS or last.endswith("_script"):
            dialect = "sh" if last in ("sh", "bash") else bare
            if azure and last == "script" and _azure_windows(root, path):
                dialect = "cmd"
            scripts.append((scalar, dialect))
    model.ci_scripts.extend((src, scalar, dialect) for scalar, dialect in scripts)
    for scalar, dialect in scripts:
        commands = commands_from_text(
            model, src, scalar.value, context, env, ScalarMap(src, scalar).to_file, dialect=dialect
        )
        model.commands.extend(commands)
        for cmd in commands:
            for name, value in cmd.env.items():
                env.setdefault(name, value)
    if src.rel.endswith(".travis.yml"):
        from shiplint.model.travis_deploy import travis_deploys  # Travis only

        travis_deploys(model, src, root, env)


_WINDOWS_IMAGE = LazyPattern(r"^(?:windows|vs20\d\d-win)", re.IGNORECASE)


def _azure_windows(root: YNode, path: tuple[str | int, ...]) -> bool:
    """Whether an Azure Pipelines ``script:`` step at ``path`` runs on a Windows hosted
    agent: the innermost ``pool: {vmImage: ...}`` above it names a Windows image. There,
    ``script`` runs in cmd.exe, elsewhere in Bash (learn.microsoft.com, YAML schema
    "steps.script": "Runs a script using cmd.exe on Windows and Bash on other platforms").
    A pool by name (self-hosted), an image from a variable, or none in this file: not
    known to be Windows."""
    from shiplint.parse.yamlnodes import YMap, YSeq

    node: YNode | None = root
    image: str | None = None
    for part in path:
        if isinstance(node, YMap):
            pool = node.get("pool")
            if isinstance(pool, YMap):
                image = pool.get_str("vmImage")
            elif pool is not None:
                image = None
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, YSeq) and isinstance(part, int) and part < len(node.items):
            node = node.items[part]
        else:
            return False
    return image is not None and bool(_WINDOWS_IMAGE.search(image.strip()))


def _windows_images(root: YNode) -> bool:
    """Whether an AppVeyor file's jobs run on Windows: no ``image:`` (the default image is
    a Windows one), or images none of which is Linux or macOS."""
    from shiplint.parse.yamlnodes import YMap

    if not isinstance(root, YMap):
        return True
    images = [scalar.value for _path, scalar in walk_scalars(root.get("image"))]
    return not any(_POSIX_IMAGE.search(image) for image in images)
