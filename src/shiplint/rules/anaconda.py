"""Rules for Anaconda.org uploads: the ``anaconda`` CLI and upload-nightly-action.

Catalogue E-6 (flag order, broken client release), E-7 (client releases pip cannot find),
E-8 (upload-nightly-action versions), E-9 (``--skip`` for nightlies) and S-11 (unpinned
upload action).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.gha.runners import ARM64, LINUX, MACOS, WINDOWS, runners, step_may_run_on
from shiplint.model import Loc, Value
from shiplint.model.shellblocks import ENV_EXPR, ORG_VAR_RE, secret_names
from shiplint.model.textmap import ScalarMap
from shiplint.model.workflows import local_callee
from shiplint.parse.shell import parse_script, variable_refs
from shiplint.parse.yamlnodes import YMap, YScalar, trailing_comment
from shiplint.pkg.build_backend import analyze
from shiplint.pkg.upload_commands import program_name
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from shiplint.model import Arg, ReleaseModel, ShellCommand, Step, Upload, Workflow
    from shiplint.project import Project
    from shiplint.source import SourceFile

_TOKENISH = re.compile(r"TOKEN|SECRET|PASS|KEY|AUTH|CRED", re.IGNORECASE)
_PIP = re.compile(r"^pip(?:\d+(?:\.\d+)?)?(?:\.exe)?$")


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

# A requirement or conda match spec naming anaconda-client: optional channel prefix,
# the name, extras, then the version part.
_CLIENT_SPEC = re.compile(
    r"(?:[\w.-]+(?:::|/))?(?P<name>anaconda[-_.]client)(?![\w.-])(?:\[[^\]]*\])?"
    r"(?P<spec>[^;#]*)",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"^(===|==|!=|<=|>=|~=|<|>|=)?\s*([0-9][^\s=,]*)(?:[\s=].*)?$")


# --- shared helpers ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spot:
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


# --- SL601 ---------------------------------------------------------------------------------


def _is_token_value(arg: Arg) -> bool:
    """Whether the value given to ``-t`` after ``upload`` looks like a token, not a type."""
    if arg.text in _PACKAGE_TYPES:
        return False
    if secret_names(arg.raw) or secret_names(arg.text):
        return True
    names = [*variable_refs(arg.raw), *variable_refs(arg.text), *ENV_EXPR.findall(arg.raw)]
    if any(_TOKENISH.search(name) for name in names):
        return True
    # a literal that is not a package type (a token written in the file, most likely)
    return "$" not in arg.text and bool(arg.text)


@register
class AnacondaTokenAfterUpload(Rule):
    """`anaconda upload -t TOKEN`: after the subcommand, `-t` is the package type.

    `anaconda` takes `-t/--token` as an option of the main command, *before* the
    subcommand. The `upload` subcommand has its own `-t`, short for `--package-type`. In
    `anaconda upload -t $TOKEN dist/*.whl` the token is therefore read as a package type
    and no token is sent. The upload fails: since anaconda-client 1.10 the value must name
    a package type (`conda`, `pypi`, `file` ...), and the client stops with
    `ValueError: '<the value>' is not a valid PackageType` (the message repeats the token);
    older releases failed later, with `[ERROR] Trouble reading metadata from <file>. Is this
    a valid package package?` (anaconda/anaconda-client#518).

    Fix: put the token option before `upload` (`anaconda -t "$TOKEN" upload …`), or pass
    the token in the `ANACONDA_API_TOKEN` environment variable. shiplint offers the move
    as a fix when the words sit on one line.
    """

    code = "SL601"
    name = "anaconda-token-after-upload"
    severity = Severity.ERROR
    summary = "`anaconda upload -t TOKEN` passes the token as the package type"
    catalogue = ("E-6",)
    example_file = "tools/upload_wheels.sh"
    before = 'anaconda upload -t "$ANACONDA_TOKEN" --force -u "$ANACONDA_ORG" dist/*.whl\n'
    after = 'anaconda -t "$ANACONDA_TOKEN" upload --force -u "$ANACONDA_ORG" dist/*.whl\n'

    def check(self, project: Project) -> Iterator[Finding]:
        for _upload, cmd, sub in _anaconda_uploads(project.model):
            args = cmd.args
            global_token = any(
                a.text in ("-t", "--token") or a.text.startswith("--token=") for a in args[1:sub]
            )
            i = sub + 1
            while i < len(args):
                text = args[i].text
                if text == "-t" and i + 1 < len(args):
                    value = args[i + 1]
                    if _is_token_value(value):
                        yield self._finding(cmd, sub, i, global_token)
                    i += 2
                    continue
                if text in _UPLOAD_VALUE_OPTIONS:
                    i += 2
                    continue
                i += 1

    def _finding(self, cmd: ShellCommand, sub: int, i: int, global_token: bool) -> Finding:
        args = cmd.args
        flag, value = args[i], args[i + 1]
        shown = f"`{value.raw}`" if "$" in value.raw else "the value"
        if "$" not in value.raw:  # a literal, most likely a token: never print it
            span = (value.loc.start, value.loc.end)
            if span not in value.loc.source.secret_spans:
                value.loc.source.secret_spans.append(span)
        fix = None if global_token else _move_token_fix(cmd, sub, i)
        where = (
            ""
            if not global_token
            else (" (a token is also given before `upload`; this one is read as the package type)")
        )
        return self.at(
            flag.loc,
            f"`-t` after `upload` is `--package-type`: {shown} is not sent as the token{where}",
            "`anaconda` reads `-t/--token` only before the subcommand; after `upload`, `-t` "
            f"means `--package-type`, so {shown} is taken as a package type and no token is "
            "sent. The upload fails with `ValueError: '...' is not a valid PackageType`, which "
            "repeats the token in the log (anaconda-client 1.10 and later; older releases: "
            "`Trouble reading metadata from <file>`). Move the option before the subcommand "
            "(`anaconda -t TOKEN upload ...`) or pass the token in `ANACONDA_API_TOKEN`.",
            fix=fix,
        )


def _move_token_fix(cmd: ShellCommand, sub: int, i: int) -> Fix | None:
    args = cmd.args
    upload, flag, value = args[sub], args[i], args[i + 1]
    src = cmd.source
    text = src.text or ""
    if upload.loc.source is not src or flag.loc.source is not src or value.loc.source is not src:
        return None
    if upload.loc.text != "upload" or flag.loc.text != "-t" or "$" not in value.raw:
        return None
    start, end = value.loc.start, value.loc.end
    if start > 0 and end < len(text) and text[start - 1] == text[end] and text[end] in "\"'":
        start, end = start - 1, end + 1
    written = text[start:end]
    if "\n" in written or "\\" in written or written.strip("\"'") != value.raw:
        return None
    if "\n" in text[upload.loc.start : end]:
        return None
    prev_end = args[i - 1].loc.end
    gap = text[prev_end : flag.loc.start]
    if prev_end > flag.loc.start or gap.strip(" \t") or not gap:
        return None
    if text[flag.loc.end : start].strip(" \t"):
        return None
    return Fix(
        "move the token option before `upload`",
        (Edit(upload.loc.start, upload.loc.start, f"-t {written} "), Edit(prev_end, end, "")),
    )


# --- SL602 / SL603: how anaconda-client is installed -----------------------------------------


def _specifier(spec: str) -> SpecifierSet | None:
    """A pip requirement or conda match spec version part as a PEP 440 specifier set."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    spec = spec.strip()
    if not spec or spec.startswith("@"):
        return None
    clauses: list[str] = []
    for part in spec.split(","):
        match = _CLAUSE.match(part.strip())
        if match is None:
            return None
        op, version = match.group(1) or "", match.group(2)
        if op in ("", "="):  # conda: fuzzy (prefix) match
            version = version.rstrip("*").rstrip(".")
            clauses.append(f"=={version}.*")
        elif op == "===":
            clauses.append(f"=={version}")
        else:
            clauses.append(f"{op}{version}")
    try:
        return SpecifierSet(",".join(clauses))
    except InvalidSpecifier:
        return None


def _only_broken(spec: SpecifierSet, broken: Version, fixed: Version | None) -> bool:
    """``spec`` admits ``broken`` and none of the releases after it."""
    if not spec.contains(broken, prereleases=True):
        return False
    later = [
        Version(f"{broken.major}.{broken.minor}.{broken.micro + 1}"),
        Version(f"{broken.major}.{broken.minor + 1}.0"),
        Version(f"{broken.major + 1}.0.0"),
    ]
    if fixed is not None:
        later.append(fixed)
    return not any(spec.contains(v, prereleases=True) for v in later)


def _version_or_none(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class _BrokenPin:
    loc: Loc  # where `anaconda-client` is written
    version: str
    fix: Fix | None
    #: the release to require instead
    release: str


def _fixed_release(pip: bool) -> str:
    """The release a broken pin moves to: the fixed one, or for pip the first fixed release
    that is on PyPI (1.13.1 is on conda channels only)."""
    fixed = facts_mod.load().client_fixed_in
    version = _version_or_none(fixed) if fixed else None
    if not pip or version is None:
        return fixed
    on_pypi = [
        r for r in facts_mod.anaconda().pypi_releases if r >= version and not r.is_prerelease
    ]
    return str(on_pypi[0]) if on_pypi else fixed


def _broken_pin(spot: _Spot, pip: bool = False) -> _BrokenPin | None:
    match = _CLIENT_SPEC.match(spot.text.strip())
    if match is None:
        return None
    lead = len(spot.text) - len(spot.text.lstrip())
    spec_text = match.group("spec")
    spec = _specifier(spec_text)
    if spec is None:
        return None
    f = facts_mod.load()
    fixed = _version_or_none(f.client_fixed_in) if f.client_fixed_in else None
    for broken_text in f.broken_client_versions:
        broken = _version_or_none(broken_text)
        if broken is None or not _only_broken(spec, broken, fixed):
            continue
        fix = None
        exact = re.fullmatch(rf"\s*(?:===|==|=)?\s*{re.escape(broken_text)}\s*", spec_text)
        if exact is not None and spot.exact and fixed is not None:
            at = lead + match.start("spec") + spec_text.index(broken_text)
            loc = spot.sub(at, at + len(broken_text))
            release = _fixed_release(pip)
            if release:
                fix = Fix(f"pin anaconda-client {release}", (Edit(loc.start, loc.end, release),))
        name_at = lead + match.start("name")
        return _BrokenPin(
            spot.sub(name_at, name_at + len(match.group("name"))),
            broken_text,
            fix,
            _fixed_release(pip),
        )
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


def _scalar_words(src: SourceFile, scalar: YScalar, by_line: bool) -> Iterator[_Spot]:
    """Words (shell-like) or lines of a YAML scalar, located in the file."""
    mapper = ScalarMap(src, scalar)
    value = scalar.value
    if by_line:
        offset = 0
        for line in value.split("\n"):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                start = offset + line.index(stripped)
                file_start, file_end = mapper.to_file(start, start + len(stripped))
                yield _written(src, file_start, file_end, stripped)
            offset += len(line) + 1
        return
    hint = 0
    for command in parse_script(value):
        for word in [*command.words, *(w for _, w in command.assigns)]:
            file_start, file_end = mapper.to_file(word.start, word.end, hint)
            hint = file_end
            yield _written(src, file_start, file_end, word.text)


def _action_specs(model: ReleaseModel) -> Iterator[list[_Spot]]:
    """Package specs in setup-micromamba / provision-with-micromamba inputs and `shell:`,
    one list per step (one environment)."""
    for step in _steps(model):
        src = step.job.workflow.source if step.job.workflow is not None else None
        if src is None:
            continue
        spots: list[_Spot] = []
        if step.with_ is not None:
            for key, by_line in (("create-args", False), ("extra-specs", True)):
                scalar = step.with_.get_scalar(key)
                if scalar is not None and not scalar.is_null:
                    spots.extend(_scalar_words(src, scalar, by_line))
        shell = step.node.get_scalar("shell")
        if shell is not None and not shell.is_null:
            spots.extend(_scalar_words(src, shell, False))
        if spots:
            yield spots


def _pixi_specs(project: Project) -> Iterator[tuple[_Spot, list[str]]]:
    """``[tool.pixi.dependencies]`` (and features) entries for anaconda-client, with the
    names of the other packages of the same table."""
    for src in project.of_kind("pyproject"):
        doc = project.toml(src)
        if doc is None:
            continue
        tool = doc.data.get("tool")
        pixi = tool.get("pixi") if isinstance(tool, dict) else None
        if not isinstance(pixi, dict):
            continue
        tables: list[tuple[tuple[str | int, ...], object]] = [
            (("tool", "pixi", "dependencies"), pixi.get("dependencies"))
        ]
        features = pixi.get("feature")
        if isinstance(features, dict):
            for name, feature in features.items():
                if isinstance(feature, dict):
                    tables.append(
                        (
                            ("tool", "pixi", "feature", name, "dependencies"),
                            feature.get("dependencies"),
                        )
                    )
        for path, deps in tables:
            if not isinstance(deps, dict):
                continue
            for name, spec in deps.items():
                if not re.fullmatch(r"anaconda[-_.]client", name, re.IGNORECASE):
                    continue
                value_path: tuple[str | int, ...] = (*path, name)
                if isinstance(spec, dict):
                    spec = spec.get("version")
                    value_path = (*value_path, "version")
                if not isinstance(spec, str):
                    continue
                span = doc.value_span(value_path)
                if span is None:
                    continue
                yield _written(src, span[0], span[1], spec), [str(n) for n in deps]


def _pixi_pin(spot: _Spot) -> _BrokenPin | None:
    """A pixi table value (a bare spec without the package name)."""
    if spot.text.lower().startswith("anaconda"):
        return _broken_pin(spot)
    name = "anaconda-client "
    pin = _broken_pin(_Spot(name + spot.text, spot.loc, False))
    if pin is None:
        return None
    fix = None
    release = _fixed_release(False)
    if spot.exact and pin.version in spot.text and release:
        at = spot.text.index(pin.version)
        loc = spot.sub(at, at + len(pin.version))
        fix = Fix(f"pin anaconda-client {release}", (Edit(loc.start, loc.end, release),))
    return _BrokenPin(spot.loc, pin.version, fix, release)


def _names_plugin(text: str) -> bool:
    """Whether a requirement or match spec installs an Anaconda CLI plugin (anaconda-auth)."""
    name = re.match(r"(?:[\w.-]+(?:::|/))?([A-Za-z0-9][\w.-]*)", text.strip())
    if name is None:
        return False
    canonical = re.sub(r"[-_.]+", "-", name.group(1)).lower()
    return canonical in facts_mod.anaconda().plugins


def _uploads_avoid_token_flag(model: ReleaseModel) -> bool:
    """True when there are anaconda CLI uploads and none passes ``-t/--token``."""
    uploads = [u for u in model.uploads if u.tool == "anaconda"]
    return bool(uploads) and all(not any(c.via == "flag" for c in u.credentials) for u in uploads)


@register
class AnacondaClientBrokenVersion(Rule):
    """anaconda-client is pinned to a release whose `--token` uploads can fail (1.13.0).

    anaconda-client 1.13.0 loses a token given as `anaconda --token … upload` (or `-t`) when
    another Anaconda CLI plugin such as `anaconda-auth` is installed in the same
    environment; uploads then fail with `Error: ('Authorization header was not given', 401)`
    (anaconda/anaconda-client#793). 1.13.0 does not install such a plugin itself, but
    Miniconda's base environment ships `anaconda-auth`. 1.13.1 fixed it (on conda channels;
    the first fixed release on PyPI is 1.14.0).

    shiplint looks wherever the client is installed: `pip`, `conda`, `mamba`, `micromamba`
    and `pixi` commands, conda environment files, the `create-args` / `extra-specs` inputs
    of `mamba-org/setup-micromamba` and `provision-with-micromamba`, a step's `shell:` and
    `[tool.pixi]` dependencies. The finding is an error when the same install also brings
    `anaconda-auth` (or `anaconda-cloud-auth`); otherwise a warning, since the failure
    depends on what else the environment holds. It stays quiet when every
    `anaconda upload` in the repository takes its token from the environment instead of
    `--token`.

    Fix: pin a fixed release (`anaconda-client>=1.13.1` from conda channels,
    `anaconda-client>=1.14.0` with pip). Where the pin has to stay, pass the token in
    `BINSTAR_API_TOKEN` instead of `--token`, or set `ANACONDA_CLIENT_FORCE_STANDALONE=true`.
    """

    code = "SL602"
    name = "anaconda-client-broken-version"
    severity = Severity.WARNING
    summary = "anaconda-client pinned to 1.13.0, whose `--token` uploads fail next to anaconda-auth"
    catalogue = ("E-6",)
    before = (
        "- uses: mamba-org/setup-micromamba@v2\n  with:\n    environment-name: upload\n"
        "    create-args: python=3.12 anaconda-client=1.13.0\n"
    )
    after = (
        "- uses: mamba-org/setup-micromamba@v2\n  with:\n    environment-name: upload\n"
        "    create-args: python=3.12 anaconda-client=1.13.1\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        if _uploads_avoid_token_flag(model):
            return
        seen: set[tuple[str, int]] = set()
        # (pin, whether the same install puts an Anaconda CLI plugin next to it)
        pins: list[tuple[_BrokenPin, bool]] = []

        def add(group: list[tuple[_Spot, bool]]) -> None:
            found = [pin for spot, pip in group if (pin := _broken_pin(spot, pip)) is not None]
            if found:
                plugin = any(_names_plugin(spot.text) for spot, _pip in group)
                pins.extend((pin, plugin) for pin in found)

        for cmd in model.commands:
            if not any("anaconda" in arg.text.lower() for arg in cmd.args[1:]):
                continue  # no anaconda-client requirement among its words
            by_pip = {id(arg) for arg in _pip_install_args(cmd)}
            add([(_arg_spot(arg), id(arg) in by_pip) for arg in cmd.args[1:]])
        by_file: dict[str, list[tuple[_Spot, bool]]] = {}
        for spot, pip in _conda_env_specs(project):
            by_file.setdefault(spot.loc.source.rel, []).append((spot, pip))
        for group in by_file.values():
            add(group)
        for spots in _action_specs(model):
            add([(spot, False) for spot in spots])
        for spot, names in _pixi_specs(project):
            pin = _pixi_pin(spot)
            if pin is not None:
                pins.append((pin, any(_names_plugin(n) for n in names)))
        for pin, plugin in pins:
            key = (pin.loc.source.rel, pin.loc.start)
            if key in seen:
                continue
            seen.add(key)
            fixed = pin.release or "a fixed release"
            workaround = (
                "If the pin must stay, pass the token in `BINSTAR_API_TOKEN` instead of "
                "`--token` (or set `ANACONDA_CLIENT_FORCE_STANDALONE=true`)."
            )
            if plugin:
                yield self.at(
                    pin.loc,
                    f"anaconda-client {pin.version} is installed with an Anaconda CLI plugin: "
                    "`anaconda --token ... upload` fails with 401",
                    f"anaconda-client {pin.version} drops a token passed as `anaconda --token "
                    "... upload` when another Anaconda CLI plugin such as `anaconda-auth` is "
                    "installed, as it is here; the upload fails with `('Authorization header "
                    f"was not given', 401)`. Require anaconda-client>={fixed}. {workaround}",
                    severity=Severity.ERROR,
                    fix=pin.fix,
                )
                continue
            yield self.at(
                pin.loc,
                f"anaconda-client is pinned to {pin.version}, whose `--token` uploads fail "
                "next to an Anaconda CLI plugin",
                f"anaconda-client {pin.version} drops a token passed as `anaconda --token ... "
                "upload` when another Anaconda CLI plugin, such as `anaconda-auth`, is "
                "installed in the same environment (Miniconda's base environment ships it); "
                "the upload then fails with `('Authorization header was not given', 401)`. "
                "Check what else the environment holds, or require "
                f"anaconda-client>={fixed}. {workaround}",
                fix=pin.fix,
            )


def _client_requirement(text: str) -> tuple[int, int, SpecifierSet] | None:
    """``text`` as a PEP 508 requirement on anaconda-client with a version specifier: the span
    of the name and the specifier (None for other packages, URLs, markers, bare names)."""
    from packaging.requirements import InvalidRequirement, Requirement

    stripped = text.strip()
    match = re.match(r"(?P<name>anaconda[-_.]client)(?![\w.-])", stripped, re.IGNORECASE)
    if match is None:
        return None
    try:
        req = Requirement(stripped)
    except InvalidRequirement:
        return None
    if req.url or req.marker is not None or not req.specifier:
        return None  # a direct reference, or a requirement that may not apply
    lead = len(text) - len(text.lstrip())
    return lead, lead + len(match.group("name")), req.specifier


def _upper_bound(spec: SpecifierSet) -> Version | None:
    """A version that every release ``spec`` admits is below (or equal to); None if unbounded."""
    bounds: list[Version] = []
    for clause in spec:
        op, text = clause.operator, clause.version
        if op in ("==", "===") and text.endswith(".*"):
            parts = [int(p) for p in text[:-2].split(".") if p.isdigit()]
            if parts and len(parts) == len(text[:-2].split(".")):
                parts[-1] += 1
                bounds.append(Version(".".join(map(str, parts))))
            continue
        version = _version_or_none(text)
        if version is None:
            continue
        if op in ("==", "===", "<", "<="):
            bounds.append(version)
        elif op == "~=":
            release = list(version.release[:-1])
            if release:
                release[-1] += 1
                bounds.append(Version(".".join(map(str, release))))
    return min(bounds) if bounds else None


def _not_on_pypi(spec: SpecifierSet) -> bool:
    """Whether ``spec`` admits no anaconda-client release on PyPI, known or still to come."""
    releases = facts_mod.anaconda().pypi_releases
    if not releases:
        return False
    if any(spec.contains(v, prereleases=True) for v in releases):
        return False
    bound = _upper_bound(spec)
    return bound is not None and bound <= releases[-1]


def _pip_install_args(cmd: ShellCommand) -> Iterator[Arg]:
    """The package arguments of a pip / uv / pipx install (or run) in ``cmd``."""
    args = cmd.args
    n = len(args)
    for j, arg in enumerate(args):
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


#: pip / uv options and environment variables that add or replace the package index
_INDEX_OPTIONS = _words(
    "-i --index-url --extra-index-url -f --find-links --no-index --index --default-index"
)
_INDEX_ENV = re.compile(
    r"^(?:PIP_(?:EXTRA_)?INDEX_URL|PIP_FIND_LINKS|PIP_NO_INDEX"
    r"|UV_(?:EXTRA_|DEFAULT_)?INDEX(?:_URL)?|UV_FIND_LINKS)$"
)


def _other_index(cmd: ShellCommand) -> bool:
    """Whether ``cmd`` may install from somewhere else than PyPI."""
    if any(a.text.split("=", 1)[0] in _INDEX_OPTIONS for a in cmd.args):
        return True
    return any(_INDEX_ENV.match(name) for name in cmd.env)


def _pypi_requirement_spots(project: Project) -> Iterator[_Spot]:
    """Requirements that pip (or uv, pipx) resolves against PyPI alone."""
    for cmd in project.model.commands:
        args = list(_pip_install_args(cmd))
        if args and not _other_index(cmd):
            yield from (_arg_spot(arg) for arg in args)
    by_file: dict[str, list[_Spot]] = {}
    for spot, pip in _conda_env_specs(project):
        if pip:
            by_file.setdefault(spot.loc.source.rel, []).append(spot)
    for spots in by_file.values():
        if not any(_first_word(s.text).split("=", 1)[0] in _INDEX_OPTIONS for s in spots):
            yield from spots


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def _pypi_release_list() -> str:
    releases = [v for v in facts_mod.anaconda().pypi_releases if not v.is_prerelease]
    return ", ".join(str(v) for v in releases)


@register
class AnacondaClientNotOnPypi(Rule):
    """A pip install requires an anaconda-client release that is not on PyPI.

    anaconda-client is on PyPI again, with its dependencies: conda-package-handling since
    2.1.0 (2023) and anaconda-client itself from 1.13.0 on (its release workflow publishes
    every tag to PyPI), so `pip install anaconda-client`, `pipx install anaconda-client` or
    a pip install from its git repository work. (Until 2023 they failed with `ERROR: No
    matching distribution found for conda-package-handling>=1.7.3`,
    anaconda/anaconda-client#611, numpy/numpy#21816.)

    PyPI still lacks the releases between: it has 1.1.1 and 1.2.2 (2016), then 1.13.0 and
    every later release except 1.13.1; 1.3 to 1.12 and 1.13.1 were only released on conda
    channels. A pip requirement that admits none of the PyPI releases, such as
    `anaconda-client==1.12.3` or `anaconda-client~=1.11.0`, fails with `ERROR: No matching
    distribution found for anaconda-client==1.12.3`.

    shiplint reads pip installs in any form (`python -m pip`, `uv pip`, `uv tool`,
    `uvx --from`, `pipx`, noxfile `session.install`, the `pip:` list of a conda environment
    file). Installs that name another index (`--index-url`, `--extra-index-url`,
    `--find-links`, `PIP_INDEX_URL` ...) and requirements with environment markers are not
    reported: the release may come from there, or the requirement may not apply.

    Fix: require a release that is on PyPI (`anaconda-client>=1.14`), or install the pinned
    release from conda-forge (`micromamba install -c conda-forge anaconda-client=1.12.3`).
    """

    code = "SL603"
    name = "anaconda-client-not-on-pypi"
    severity = Severity.ERROR
    summary = "pip install of an anaconda-client release that is not on PyPI"
    catalogue = ("E-7",)
    example_file = "ci/upload_wheels.sh"
    before = (
        'python -m pip install "anaconda-client==1.12.3"\n'
        'anaconda -t "$ANACONDA_ORG_UPLOAD_TOKEN" upload --force -u "$ANACONDA_ORG" '
        "wheelhouse/*.whl\n"
    )
    after = (
        'python -m pip install "anaconda-client>=1.14"\n'
        'anaconda -t "$ANACONDA_ORG_UPLOAD_TOKEN" upload --force -u "$ANACONDA_ORG" '
        "wheelhouse/*.whl\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for spot in _pypi_requirement_spots(project):
            found = _client_requirement(spot.text)
            if found is None:
                continue
            start, end, spec = found
            if not _not_on_pypi(spec):
                continue
            loc = spot.sub(start, end)
            key = (loc.source.rel, loc.start)
            if key in seen:
                continue
            seen.add(key)
            yield self.at(
                loc,
                f"no anaconda-client release on PyPI matches `{spec}`: pip cannot install it",
                f"PyPI has anaconda-client {_pypi_release_list()}; the releases from 1.3 to "
                "1.12 and 1.13.1 are on conda channels only. pip stops with `ERROR: No "
                f"matching distribution found for anaconda-client{spec}`. Require a release "
                "that is on PyPI (`anaconda-client>=1.14`), or install this one with "
                "conda/mamba/micromamba (`micromamba install -c conda-forge "
                "anaconda-client=...`) or pixi.",
            )


# --- SL604 / SL605: upload-nightly-action ------------------------------------------------------


def _ref_loc(src: SourceFile, uses: YScalar) -> Loc | None:
    """Where the ref after ``@`` is written in a ``uses:`` value."""
    text = src.text or ""
    written = text[uses.start : uses.end]
    at = written.find("@")
    if at == -1:
        return None
    end = uses.end
    if written and written[0] in "\"'" and written.endswith(written[0]):
        end -= 1
    return Loc(src, uses.start + at + 1, end)


def _nightly_steps(model: ReleaseModel) -> Iterator[tuple[Upload, Step]]:
    for upload in model.uploads:
        if upload.tool == "upload-nightly-action" and upload.step is not None:
            yield upload, upload.step


@register
class UploadNightlyVersion(Rule):
    """scientific-python/upload-nightly-action at a release that cannot work here.

    Which release a step runs is read from its tag, from shiplint's table of release
    commits for a SHA pin (it wins over the pin's comment), or from an exact `# 0.x.y`
    comment after a SHA the table does not know. Four combinations fail:

    * **before 0.6.0 on a macOS or Windows runner**: those releases are Docker container
      actions, which GitHub runs only on Linux: `Container action is only supported on
      Linux` (upload-nightly-action#71). Reported at the runner label.
    * **0.6.0**: the release looks for its `pixi.lock` in the calling repository (0.6.1
      fixed it to use the action's own folder); every run fails with
      `Error: Failed to generate cache key: Error: ENOENT: no such file or directory, open
      'pixi.lock'` (#106, fixed in 0.6.1). Reported at the ref.
    * **0.6.0 to 0.6.2 on linux-aarch64 or Windows runners**: their pixi environment exists
      only for linux-64, osx-64 and osx-arm64; 0.6.3 added linux-aarch64 and win-64.
      Reported at the runner label.
    * **`anaconda_nightly_upload_organization` / `anaconda_nightly_upload_labels` before
      0.3.0**: the inputs do not exist yet; GitHub only warns about an unexpected input
      and the wheels go to the default org and label. Reported at the input.

    A job or step `if:` that keeps the step off the runner (`runner.os == 'Linux'`,
    `matrix.os == 'ubuntu-latest'`) is taken into account.

    Fix: pin the latest release by SHA with its version in a comment, and upload from a
    Linux job that downloads the wheels built elsewhere.
    """

    code = "SL604"
    name = "upload-nightly-version"
    severity = Severity.ERROR
    summary = "upload-nightly-action release that fails on this runner or with these inputs"
    catalogue = ("E-8",)
    before = (
        "upload:\n  runs-on: ${{ matrix.os }}\n  strategy:\n    matrix:\n"
        "      os: [ubuntu-latest, macos-14, windows-latest]\n  steps:\n"
        "    - uses: scientific-python/upload-nightly-action@0.5.0\n"
        "      with:\n        artifacts_path: dist\n"
        "        anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "upload:\n  runs-on: ubuntu-latest\n  steps:\n"
        "    - uses: scientific-python/upload-nightly-action@"
        "e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4\n"
        "      with:\n        artifacts_path: dist\n"
        "        anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().upload_nightly
        raw = f.raw
        composite = f.threshold("composite-since")
        all_platforms = f.threshold("all-platforms-since")
        org_since = f.threshold("org-labels-inputs-since")
        broken = {v for v in (_version_or_none(str(b)) for b in raw.get("broken", ())) if v}
        sha, latest = _nightly_ref()
        pin = f"`{f.repo}@{sha} # {latest}`"
        for upload, step in _nightly_steps(project.model):
            version = upload.version
            if version is None or step.uses is None:
                continue
            src = upload.loc.source
            ref_loc = _ref_loc(src, step.uses) or upload.loc
            if version in broken:
                yield self.at(
                    ref_loc,
                    f"upload-nightly-action {version} is a broken release",
                    f"Release {version} looks for its `pixi.lock` in your repository instead "
                    "of the action's folder, so every run fails with `Error: Failed to "
                    "generate cache key: Error: ENOENT: no such file or directory, open "
                    f"'pixi.lock'` (fixed in 0.6.1). Use the latest release: {pin}.",
                )
            if version < org_since and step.with_ is not None:
                for input_name in (raw["org-input"], raw["labels-input"]):
                    key = step.with_.key(input_name)
                    if key is None:
                        continue
                    yield self.at(
                        Loc(src, key.start, key.end),
                        f"`{input_name}` does not exist in upload-nightly-action {version}",
                        f"The input was added in {org_since}. Older releases ignore it (GitHub "
                        "only warns `Unexpected input(s)`), so the wheels are uploaded to "
                        f"the default org `{facts_mod.load().nightly_org}` with the default "
                        f"label. Update the action: {pin}.",
                    )
            job = upload.job
            if job is None or job.workflow is None or job.workflow.source.kind != "workflow":
                continue
            for runner in runners(job):
                if not step_may_run_on(runner, step):
                    continue
                if version < composite and runner.os in (MACOS, WINDOWS):
                    label = runner.os_label
                    if label is None:
                        continue
                    yield from self._runner_finding(
                        label,
                        f"upload-nightly-action {version} cannot run on `{label.text}`: it is "
                        "a Docker container action",
                        f"Releases before {composite} are container actions, which GitHub runs "
                        "only on Linux runners: the step fails with `Container action is only "
                        "supported on Linux`. Upload from a separate `ubuntu-latest` job that "
                        "downloads the wheels built on the other runners, and update the "
                        f"action: {pin}.",
                    )
                elif composite <= version < all_platforms:
                    if runner.os == WINDOWS:
                        label = runner.os_label
                    elif runner.os == LINUX and runner.arch == ARM64:
                        label = runner.arch_label
                    else:
                        continue
                    if label is None:
                        continue
                    yield from self._runner_finding(
                        label,
                        f"upload-nightly-action {version} does not support the `{label.text}` "
                        "runner",
                        f"From {composite} until {all_platforms}, the action's pixi "
                        "environment covered linux-64, osx-64 and osx-arm64 only; "
                        f"{all_platforms} added linux-aarch64 and win-64. Update the action "
                        f"({pin}) or upload from an `ubuntu-latest` job.",
                    )

    def _runner_finding(self, label: Value, message: str, help: str) -> Iterator[Finding]:
        if label.loc is not None:
            yield self.at(label.loc, message, help)


@register
class UploadNightlyUnpinned(Rule):
    """scientific-python/upload-nightly-action is used at a branch or tag, not a commit SHA.

    The action receives the Anaconda upload token. A branch such as `@main` (the ref in
    SPEC 4's example) or a tag can be moved to other code at any time, and the next
    nightly run hands your token to it; a new release can also change behaviour without a
    change in your repository.

    Fix: pin the commit of a release and keep its version in a comment, e.g.
    `scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99 # 0.6.4`,
    and let Dependabot or Renovate propose updates.
    """

    code = "SL605"
    name = "upload-nightly-unpinned"
    severity = Severity.WARNING
    summary = "upload-nightly-action (which holds the upload token) is not pinned to a SHA"
    catalogue = ("E-8", "S-11")
    before = (
        "- uses: scientific-python/upload-nightly-action@main\n  with:\n"
        "    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load().upload_nightly
        sha, latest = _nightly_ref()
        for upload, step in _nightly_steps(project.model):
            ref = upload.ref
            release = upload.release or gha_refs.resolve(ref, None, gha_refs.upload_nightly())
            if not ref or release.kind == gha_refs.SHA or step.uses is None:
                continue
            src = upload.loc.source
            loc = _ref_loc(src, step.uses)
            if loc is None:
                continue
            kind = "branch" if release.kind == gha_refs.BRANCH else "ref"
            fix = None
            if sha and loc.text == ref:
                edits = [Edit(loc.start, loc.end, sha)]
                text = src.text or ""
                line_end = text.find("\n", step.uses.end)
                rest = text[step.uses.end : len(text) if line_end == -1 else line_end]
                if trailing_comment(src, step.uses) is None and not rest.strip():
                    edits.append(Edit(step.uses.end, step.uses.end, f" # {latest}"))
                    fix = Fix(f"pin release {latest} by its commit SHA", tuple(edits), safe=False)
            yield self.at(
                loc,
                f"upload-nightly-action is used at {kind} `{ref}`, not at a commit SHA",
                "This action is handed the Anaconda upload token; a branch or tag can be "
                "moved to other code that then runs with the token on the next nightly. Pin "
                f"a release's commit with its version as a comment: `{f.repo}@{sha} # "
                f"{latest}`, and let Dependabot or Renovate update it.",
                fix=fix,
            )


# --- SL606 ---------------------------------------------------------------------------------


def _is_nightly_org(text: str) -> bool:
    org = text.strip().lower()
    return org == facts_mod.load().nightly_org or "nightly" in org


def _called_from_schedule(model: ReleaseModel, workflow: Workflow) -> Workflow | None:
    """A scheduled workflow that calls reusable ``workflow`` (``./`` or ``$/``)."""
    for caller in model.workflows:
        if "schedule" not in caller.triggers:
            continue
        for job in caller.jobs.values():
            if job.uses is not None and local_callee(model, job.uses.text) is workflow:
                return caller
    return None


def _nightly_reason(model: ReleaseModel, upload: Upload) -> str | None:
    workflow = upload.context.workflow
    if workflow is not None and upload.context.origin != "script":
        if "schedule" in workflow.triggers:
            return f"the workflow `{workflow.source.rel}` runs on a schedule"
        if workflow.is_reusable:
            caller = _called_from_schedule(model, workflow)
            if caller is not None:
                return f"the scheduled workflow `{caller.source.rel}` calls this one"
    for call in model.script_calls.get(upload.source.rel, []):
        wf = call.caller.workflow
        if wf is not None and "schedule" in wf.triggers:
            return f"the scheduled workflow `{wf.source.rel}` runs this script"
    if upload.target is not None and _is_nightly_org(upload.target.text):
        return f"it uploads to `{upload.target.text.strip()}`"
    for name, value, _context in model.assignments:
        if (
            value.loc is not None
            and value.loc.source is upload.source
            and ORG_VAR_RE.search(name)
            and _is_nightly_org(value.text)
        ):
            return f"`{name}` is set to `{value.text.strip()}` here"
    return None


@register
class AnacondaSkipExisting(Rule):
    """Nightly uploads with `anaconda upload --skip` / `--skip-existing` go stale.

    `--skip-existing` (which `--skip` abbreviates) makes `anaconda upload` skip a file that
    already exists. Nightly wheels whose version does not change from day to day (a static
    `X.Y.0.dev0`, as numpy's and scipy's Meson builds had) keep their file name, so after
    the first night nothing new is uploaded and nobody notices: users keep installing
    weeks-old wheels (numpy/numpy#24071, scipy/scipy#16702).

    Whether that happens depends on how the version is made, which shiplint reads from the
    project's build configuration:

    * a version a VCS plugin computes (setuptools-scm, hatch-vcs, pdm's scm source,
      versioningit, poetry-dynamic-versioning ...: `X.Y.devN+gHASH` or `X.Y.devN`) changes
      with every commit, and a file that exists was built from the same commit: `--skip` is
      harmless, nothing is reported (unless the workflow pins the version, e.g. with
      `SETUPTOOLS_SCM_PRETEND_VERSION`);
    * a workflow that rewrites the version first (a date or run number) is not reported;
    * a static version (`[project] version`, setup.cfg, setup.py) is a warning;
    * a version read from code or a file, or derived in a way shiplint does not know
      (versioneer, Meson's `meson.build`), is a note that says what to check.

    shiplint reports the option when the upload is a nightly one: its workflow runs on a
    `schedule` (or a scheduled workflow runs the script), or it uploads to a nightly org.

    Fix: give every nightly a unique version (add the commit count or date to the dev
    version) and upload with `--force`, which replaces a file of the same name, as
    scientific-python/upload-nightly-action does. With `--force` alone, a same-named file
    is removed first and the upload can still fail (`Invalid dist_id ... does not exist`,
    404), hence the unique versions.
    """

    code = "SL606"
    name = "anaconda-skip-existing"
    severity = Severity.WARNING
    summary = "`anaconda upload --skip` in a nightly upload leaves stale wheels in place"
    catalogue = ("E-9",)
    example_file = "tools/wheels/upload_wheels.sh"
    before = (
        'ANACONDA_ORG="scientific-python-nightly-wheels"\n'
        'anaconda -q -t "$TOKEN" upload --skip -u "$ANACONDA_ORG" ./wheelhouse/*.whl\n'
    )
    after = (
        'ANACONDA_ORG="scientific-python-nightly-wheels"\n'
        'anaconda -q -t "$TOKEN" upload --force -u "$ANACONDA_ORG" ./wheelhouse/*.whl\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        version = analyze(project).version
        for upload, cmd, sub in _anaconda_uploads(model):
            args = cmd.args
            skips = [
                a
                for a in args[sub + 1 :]
                if len(a.text) >= 4 and "--skip-existing".startswith(a.text)
            ]
            if not skips:
                continue
            reason = _nightly_reason(model, upload)
            from shiplint.rules.versioning import bumps_version, version_overridden

            if reason is None or bumps_version(upload):
                continue
            if version.kind == "vcs" and not version_overridden(project, upload):
                continue  # a new version for every commit
            for arg in skips:
                fix = None
                if arg.loc.text == arg.text:
                    fix = Fix(
                        "upload with `--force`",
                        (Edit(arg.loc.start, arg.loc.end, "--force"),),
                        safe=False,
                    )
                if version.kind == "static":
                    yield self.at(
                        arg.loc,
                        f"`{arg.text}` in a nightly upload ({reason}): the version "
                        f"`{version.text}` never changes, so no new wheel is uploaded",
                        "Files that already exist are skipped. With a static version every "
                        "nightly wheel keeps its file name, so the new builds are silently "
                        "not uploaded and users install stale wheels. Give each nightly a "
                        "unique dev version (commit count or date) and upload with "
                        "`--force`, which replaces a file of the same name.",
                        fix=fix,
                    )
                    continue
                how = (
                    "the workflow sets the version itself"
                    if version.kind == "vcs"
                    else "the version is read from code or a file"
                    if version.kind == "dynamic"
                    else "shiplint does not know how the version is made"
                )
                yield self.at(
                    arg.loc,
                    f"`{arg.text}` in a nightly upload ({reason}): check that each nightly "
                    "gets a new version",
                    f"Files that already exist are skipped, and {how}. If the version stays "
                    "the same between builds (e.g. `X.Y.0.dev0`), the new wheels are "
                    "silently not uploaded and users install stale ones. Versions with a "
                    "commit count or date (setuptools-scm, hatch-vcs, versioneer) change "
                    "every build; otherwise upload with `--force` and make the dev version "
                    "unique.",
                    severity=Severity.INFO,
                    fix=fix,
                )
