"""Helpers the Anaconda.org rules share: words of ``anaconda upload`` and where
they are written, the workflows' steps, the recommended upload-nightly-action pin, and where
packages are installed (pip / uv / pipx arguments, conda environment files)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from packaging.version import InvalidVersion, Version

from shiplint import facts as facts_mod
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.parse.yamlnodes import YMap, YScalar
from shiplint.pkg.upload_commands import program_name

if TYPE_CHECKING:
    from shiplint.model import Arg, ReleaseModel, ShellCommand, Step, Upload, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile


_TOKENISH = LazyPattern(r"TOKEN|SECRET|PASS|KEY|AUTH|CRED", re.IGNORECASE)
_PIP = LazyPattern(r"^pip(?:\d+(?:\.\d+)?)?(?:\.exe)?$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: ``anaconda upload --package-type`` values (and the aliases the client accepts).
_PACKAGE_TYPES = _words(
    "conda env file ipynb pypi r project installer PyPI standard_python cran standard_r"
)
#: Options of ``anaconda upload`` that take a value.
_UPLOAD_VALUE_OPTIONS = _words(
    "-c --channel -l --label -u --user -p --package -v --version -s --summary -t "
    "--package-type -d --description --thumbnail --build-id"
)
#: Options of pip / uv / pipx install commands that take a value that is not a package.
_INSTALL_VALUE_OPTIONS = _words(
    "-r --requirement -c --constraint -i --index-url --extra-index-url -f "
    "--find-links -t --target --prefix --root --src --upgrade-strategy "
    "--python-version --platform --implementation --abi --only-binary --no-binary "
    "--progress-bar -C --config-settings --global-option --trusted-host --cert "
    "--client-cert --cache-dir --log --proxy --retries --timeout --exists-action "
    "--python --report --index --default-index -p --group --extra --python-platform "
    "--keyring-provider --resolution --prerelease --index-strategy --link-mode "
    "--exclude-newer -o --output-file --with-requirements --overrides "
    "--build-constraint -b --pip-args --suffix --directory --project"
)
#: Options whose value is a package to install.
_INSTALL_PACKAGE_OPTIONS = frozenset({"-e", "--editable", "--spec", "--from", "--with"})


class _Spot(NamedTuple):
    """A piece of text and where it is written; ``exact`` when ``loc.text == text``."""

    text: str
    loc: Loc
    exact: bool

    def sub(self, start: int, end: int) -> Loc:
        if self.exact:
            return Loc(self.loc.source, self.loc.start + start, self.loc.start + end)
        return self.loc


def _arg_spot(arg: Arg) -> _Spot:
    if arg.loc.text == arg.text:
        return _Spot(arg.text, arg.loc, True)
    origin = arg.origin
    if origin is not None and origin.loc is not None and origin.loc.text == arg.text:
        return _Spot(arg.text, origin.loc, True)
    return _Spot(arg.text, arg.loc, False)


def _written(src: SourceFile, start: int, end: int, value: str) -> _Spot:
    """``value`` written at ``[start, end)``, quotes around it dropped."""
    loc = Loc(src, start, end)
    text = loc.text
    if text == value:
        return _Spot(value, loc, True)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" and text[1:-1] == value:
        return _Spot(value, Loc(src, start + 1, end - 1), True)
    return _Spot(value, loc, False)


def _scalar_spot(src: SourceFile, scalar: YScalar) -> _Spot:
    return _written(src, scalar.start, scalar.end, scalar.value)


def _all_workflows(model: ReleaseModel) -> list[Workflow]:
    return [*model.workflows, *model.actions]


def _steps(model: ReleaseModel) -> Iterator[Step]:
    for workflow in _all_workflows(model):
        for job in workflow.jobs.values():
            yield from job.steps


def anaconda_commands(project: Project) -> list[ShellCommand]:
    """The commands with a word that names ``anaconda`` (any case): the only ones that can
    install anaconda-client (picked once per project, on ``project.memo``)."""
    got = project.memo.get("anaconda.commands")
    if isinstance(got, list):
        return got
    out = [
        cmd
        for cmd in project.model.commands
        if "anaconda" in " ".join([arg.text for arg in cmd.args]).lower()
    ]
    project.memo["anaconda.commands"] = out
    return out


def _upload_word(cmd: ShellCommand, upload: Upload) -> int | None:
    """Index in ``cmd.args`` of the ``upload`` subcommand of an ``anaconda upload``."""
    for i, arg in enumerate(cmd.args):
        if arg.text == "upload" and arg.loc.end == upload.loc.end:
            return i
    for i, arg in enumerate(cmd.args):
        if arg.text == "upload":
            return i
    return None


def _anaconda_uploads(model: ReleaseModel) -> Iterator[tuple[Upload, ShellCommand, int]]:
    for upload in model.uploads:
        if upload.tool != "anaconda" or upload.command is None:
            continue
        sub = _upload_word(upload.command, upload)
        if sub is not None:
            yield upload, upload.command, sub


def _nightly_ref() -> tuple[str, str]:
    """(sha, version) of the recommended upload-nightly-action pin."""
    ref = str(facts_mod.load().upload_nightly.raw.get("recommended-ref", ""))
    sha, _, version = ref.partition("#")
    return sha.strip(), version.strip()


def _version_or_none(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _conda_env_specs(project: Project) -> Iterator[tuple[_Spot, bool]]:
    """Dependency entries of conda environment files: (spot, installed by pip)."""
    for src in project.of_kind("conda-env"):
        doc = project.yaml(src)
        root = doc.root if doc is not None else None
        if not isinstance(root, YMap):
            continue
        deps = root.get_seq("dependencies")
        if deps is None:
            continue
        for item in deps.items:
            if isinstance(item, YScalar) and not item.is_null:
                yield _scalar_spot(src, item), False
            elif isinstance(item, YMap):
                pip = item.get_seq("pip")
                for entry in pip.items if pip is not None else []:
                    if isinstance(entry, YScalar) and not entry.is_null:
                        yield _scalar_spot(src, entry), True


def _pip_install_args(cmd: ShellCommand) -> Iterator[Arg]:
    """The package arguments of a pip / uv / pipx install (or run) in ``cmd``."""
    args = cmd.args
    n = len(args)
    for j, arg in enumerate(args):
        if "pip" not in arg.text and "uv" not in arg.text:
            continue  # every program below has one of them in its name
        name = program_name(arg.text)
        subs: tuple[str, ...]
        if _PIP.match(name):
            subs = ("install",)
        elif name == "pipx":
            subs = ("install", "run", "inject")
        elif name == "uv":
            if j + 1 < n and args[j + 1].text in ("tool",):
                j += 1
                subs = ("install", "run")
            else:
                subs = ("add",)
        elif name == "uvx":
            subs = ()
        else:
            continue
        k = j + 1
        if subs:
            while k < n and args[k].text.startswith("-"):
                k += 1
            if k >= n or args[k].text not in subs:
                continue
            k += 1
        run_like = not subs or args[k - 1].text == "run"
        while k < n:
            text = args[k].text
            option = text.split("=", 1)[0]
            if option in _INSTALL_PACKAGE_OPTIONS:
                if "=" in text:
                    yield args[k]
                elif k + 1 < n:
                    yield args[k + 1]
                    k += 1
            elif option in _INSTALL_VALUE_OPTIONS and "=" not in text:
                k += 1
            elif not text.startswith("-"):
                yield args[k]
                if run_like:  # the rest are the program's own arguments
                    return
            k += 1
        return
