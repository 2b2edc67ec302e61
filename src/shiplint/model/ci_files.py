"""The release model of the configuration files of CI systems other than GitHub Actions
(Travis, AppVeyor, Azure Pipelines, GitLab CI, CircleCI, ...): read without knowing the
system, from the keys whose values are shell commands and those that set the environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import Context, Loc, Value
from shiplint.model.shellblocks import commands_from_text
from shiplint.model.textmap import ScalarMap
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


def ci_file(model: ReleaseModel, src: SourceFile, root: YNode | None) -> None:
    if root is None:
        return
    env: dict[str, Value] = {}
    context = Context(origin="ci", label=src.rel)
    scripts: list[YScalar] = []
    for path, scalar in walk_scalars(root):
        keys = [p for p in path if isinstance(p, str)]
        if not keys or scalar.is_null:
            continue
        last = keys[-1]
        if any(k in _CI_ENV_KEYS for k in keys[-3:]):
            if isinstance(path[-1], str) and last not in _CI_SCRIPT_KEYS:
                value = Value(scalar.value, Loc(src, scalar.start, scalar.end))
                env[last] = value
                model.assignments.append((last, value, context))
                continue
            if "=" in scalar.value and " " not in scalar.value.split("=", 1)[0]:
                # travis style: `- ANACONDA_ORG="scipy-wheels-nightly"`
                model.commands.extend(
                    commands_from_text(
                        model,
                        src,
                        scalar.value,
                        context,
                        env,
                        ScalarMap(src, scalar).to_file,
                    )
                )
                continue
        if last in _CI_SCRIPT_KEYS or last.endswith("_script") or last == "cmd":
            scripts.append(scalar)
    for scalar in scripts:
        commands = commands_from_text(
            model, src, scalar.value, context, env, ScalarMap(src, scalar).to_file
        )
        model.commands.extend(commands)
        for cmd in commands:
            for name, value in cmd.env.items():
                env.setdefault(name, value)
