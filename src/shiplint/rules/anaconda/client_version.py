"""SL602 anaconda-client-broken-version: anaconda-client pinned to 1.13.0, whose
``--token`` uploads fail next to anaconda-auth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.textmap import ScalarMap
from shiplint.parse.shell import parse_script
from shiplint.parse.yamlnodes import YScalar
from shiplint.pkg.requirements import canonical_name
from shiplint.rules import register
from shiplint.rules.anaconda.common import (
    _arg_spot,
    _conda_env_specs,
    _pip_install_args,
    _Spot,
    _steps,
    _version_or_none,
    _written,
    anaconda_commands,
)
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel
    from shiplint.project import Project
    from shiplint.source import SourceFile


# A requirement or conda match spec naming anaconda-client: optional channel prefix,
# the name, extras, then the version part.
_CLIENT_SPEC = LazyPattern(
    r"(?:[\w.-]+(?:::|/))?(?P<name>anaconda[-_.]client)(?![\w.-])(?:\[[^\]]*\])?"
    r"(?P<spec>[^;#]*)",
    re.IGNORECASE,
)
_CLAUSE = LazyPattern(r"^(===|==|!=|<=|>=|~=|<|>|=)?\s*([0-9][^\s=,]*)(?:[\s=].*)?$")


def _specifier(spec: str) -> SpecifierSet | None:
    """A pip requirement or conda match spec version part as a PEP 440 specifier set."""
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


class _BrokenPin(NamedTuple):
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


#: quoting and escapes, which a shell word drops from its text
_QUOTING = LazyPattern(r"[\"'\\]")


def _action_specs(model: ReleaseModel) -> Iterator[list[_Spot]]:
    """Package specs in setup-micromamba / provision-with-micromamba inputs and `shell:`,
    one list per step (one environment) that names ``anaconda`` somewhere (the others hold
    no anaconda-client spec)."""
    for step in _steps(model):
        src = step.job.workflow.source if step.job.workflow is not None else None
        if src is None:
            continue
        scalars: list[tuple[YScalar, bool]] = []
        if step.with_ is not None:
            for key, by_line in (("create-args", False), ("extra-specs", True)):
                scalar = step.with_.get_scalar(key)
                if scalar is not None and not scalar.is_null:
                    scalars.append((scalar, by_line))
        shell = step.node.get_scalar("shell")
        if shell is not None and not shell.is_null:
            scalars.append((shell, False))
        if not any("anaconda" in _QUOTING.sub("", s.value.lower()) for s, _ in scalars):
            continue
        spots: list[_Spot] = []
        for scalar, by_line in scalars:
            spots.extend(_scalar_words(src, scalar, by_line))
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
    return canonical_name(name.group(1)) in facts_mod.anaconda().plugins


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

        for cmd in anaconda_commands(project):
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
