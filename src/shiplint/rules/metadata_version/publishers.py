"""SL711: pypa/gh-action-pypi-publish, or twine/packaging pinned where twine runs, too old for
the Metadata-Version the build backend writes (B-4); the twine/packaging pins per environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import Version

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.gha import refs as gha_refs
from shiplint.model import Loc
from shiplint.pkg.build_backend import Pin, analyze, metadata_facts, parse_pin
from shiplint.pkg.upload_commands import program_of
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.metadata_version.messages import INVALID_24, INVALID_25, V25, metadata_why
from shiplint.rules.publish_action.steps import action_uploads, ref_loc, release_of
from shiplint.rules.versioning.builds import publishes_root_project

if TYPE_CHECKING:
    from shiplint.model import Arg, Context, ShellCommand
    from shiplint.project import Project
    from shiplint.source import SourceFile

#: options of pip/uv/pipx install that take a value (the value is not a requirement)
_INSTALL_VALUE_OPTIONS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index",
    "--default-index",
    "-f",
    "--find-links",
    "--python",
    "-p",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--cache-dir",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--trusted-host",
    "--proxy",
    "--log",
    "--timeout",
    "--retries",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--config-settings",
    "-C",
    "--global-option",
    "--install-option",
    "--only-binary",
    "--no-binary",
    "--spec",
    "--with",
    "--from",
    "--group",
    "--extra",
    "--keyring-provider",
    "--resolution",
    "--prerelease",
    "--exclude-newer",
}
_REQUIREMENT_FILE_OPTIONS = {"-r", "--requirement", "-c", "--constraint", "--constraints"}


# --- commands ----------------------------------------------------------------------------------


def _twine_subcommand(cmd: ShellCommand) -> tuple[str, Arg] | None:
    """``("upload"|"check", head)`` when ``cmd`` runs twine."""
    args = cmd.args
    i, head = program_of(cmd)
    if head != "twine":
        return None
    for arg in args[i + 1 :]:
        if arg.text.startswith("-"):
            continue
        if arg.text in ("upload", "check"):
            return arg.text, args[i]
        return None
    return None


def _install_args(cmd: ShellCommand) -> list[Arg] | None:
    """The arguments after ``install`` of pip/uv pip/pipx/uv tool install, else None."""
    args = cmd.args
    i, head = program_of(cmd)
    if i >= len(args):
        return None
    rest = args[i + 1 :]
    words = [a.text for a in rest[:2]]
    if head.startswith("pip") and words[:1] == ["install"]:
        return rest[1:]
    if head == "uv" and words[:2] in (["pip", "install"], ["tool", "install"]):
        return rest[2:]
    if head == "pipx" and words[:1] == ["install"]:
        return rest[1:]
    return None


def _env_key(context: Context, src: SourceFile) -> tuple[str, object]:
    """Commands with the same key share their installed packages."""
    if context.job is not None:
        return ("job", id(context.job))
    if context.origin in ("tox", "nox"):
        return (context.origin, context.label)
    return (context.origin, src.rel)


#: the requirements SL711 reads: a requirement of another project is not parsed
_PINNED = ("twine", "packaging")


def _pin(text: str, loc: Loc | None) -> Pin | None:
    """``text`` as a pin of twine or packaging (None: another project, or not one)."""
    lowered = text.lower()
    if not any(name in lowered for name in _PINNED):
        return None
    return parse_pin(text, loc)


class _Pins:
    """Requirements of twine and packaging installed per environment (job, tox env, nox
    session, file)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_env: dict[tuple[str, object], list[Pin]] = {}
        for cmd in project.model.commands:
            rest = _install_args(cmd)
            if rest is None:
                continue
            pins = self.by_env.setdefault(_env_key(cmd.context, cmd.source), [])
            pins.extend(self._from_args(rest))

    def _from_args(self, rest: list[Arg]) -> Iterator[Pin]:
        i = 0
        while i < len(rest):
            arg = rest[i]
            text = arg.text
            name, eq, value = text.partition("=")
            if text in _REQUIREMENT_FILE_OPTIONS and i + 1 < len(rest):
                yield from self._from_file(rest[i + 1].text)
                i += 2
                continue
            if text.startswith("--") and eq and name in _REQUIREMENT_FILE_OPTIONS:
                yield from self._from_file(value)
            elif text.startswith("-"):
                if text in _INSTALL_VALUE_OPTIONS:
                    i += 1
            elif "$" not in text and "{" not in text:
                pin = _pin(text, arg.loc)
                if pin is not None:
                    yield pin
            i += 1

    def _from_file(self, rel: str) -> Iterator[Pin]:
        if "$" in rel or "{" in rel or "://" in rel:
            return
        src = self.project.file(rel.removeprefix("./"), "requirements")
        if src is None or src.text is None:
            return
        offset = 0
        for line in src.text.splitlines(keepends=True):
            body = line.split(" #", 1)[0].rstrip("\r\n").rstrip("\\").strip()
            if body and not body.startswith(("#", "-")):
                start = offset + line.index(body[0])
                requirement = body.split(";", 1)[0].split(" --hash", 1)[0].strip()
                pin = _pin(body, Loc(src, start, start + len(requirement)))
                if pin is not None:
                    yield pin
            offset += len(line)

    def tox_deps(self, label: str) -> Iterator[Pin]:
        """``deps`` of tox env ``label`` (tox.ini/setup.cfg/tox.toml/[tool.tox])."""
        for src in self.project.of_kind("tox-ini", "setup-cfg"):
            ini = self.project.ini(src)
            if ini is None:
                continue
            for section_name in (f"testenv:{label}", "testenv"):
                section = ini.sections.get(section_name)
                value = section.get("deps") if section is not None else None
                if value is None:
                    continue
                for line in value.lines:
                    if line.text.startswith("-"):
                        continue  # -r/-c lines are model commands already
                    start = src.index(line.pos)
                    pin = _pin(line.text, Loc(src, start, start + len(line.text)))
                    if pin is not None:
                        yield pin
        for src in self.project.of_kind("tox-toml", "pyproject"):
            doc = self.project.toml(src)
            if doc is None:
                continue
            prefix: tuple[str, ...] = ("tool", "tox") if src.kind == "pyproject" else ()
            for path in ((*prefix, "env", label, "deps"), (*prefix, "env_run_base", "deps")):
                deps = doc.get(path)
                if not isinstance(deps, list):
                    continue
                for i, dep in enumerate(deps):
                    if not isinstance(dep, str):
                        continue
                    span = doc.string_span((*path, i))
                    pin = _pin(dep, Loc(src, span[0], span[1]) if span else None)
                    if pin is not None:
                        yield pin

    def for_context(self, context: Context, src: SourceFile) -> list[Pin]:
        pins = list(self.by_env.get(_env_key(context, src), []))
        if context.origin == "tox" and context.label:
            pins.extend(self.tox_deps(context.label))
        return pins


# --- SL711 -------------------------------------------------------------------------------------


@register
class PublisherTooOldForMetadata(Rule):
    """The publishing tool is older than the Metadata-Version the build backend writes.

    Current build backends write newer core metadata than old publishers can read:
    setuptools 77+, hatchling 1.27+, maturin 1.7.6+, flit-core 3.11+ and poetry-core 2.2+
    write Metadata-Version 2.4 (the PEP 639 license fields), hatchling 1.32+ and flit-core
    4.0+ write 2.5 (PEP 794). An unpinned `[build-system] requires` entry installs the
    newest release, so this happens without any change in the repository. The twine inside an old
    pypa/gh-action-pypi-publish (or an old twine pinned in the job) then rejects every
    distribution before uploading it:

    `Checking dist/…whl: ERROR InvalidDistribution: Metadata is missing required fields:
    Name, Version. Make sure the distribution includes the files where those fields are
    specified, and is using a supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3.`

    or, for 2.5, `InvalidDistribution: Invalid distribution metadata: '2.5' is not a valid
    metadata version`.

    Reported at the action's ref when the action is older than v1.12.3 (2.4) or v1.14.2
    (2.5), and at a `twine` pin below 6.0 (2.4) or 7.0 (2.5) or a `packaging` pin below
    24.2 (2.4) or 26.0 (2.5) installed where `twine upload`/`twine check` runs. With PEP 639
    fields (`license = "MIT"`, `license-files`), v1.12.3 and twine 6.0 upload but drop the
    license expression and files (a warning): v1.12.4 / twine 6.1 send them. The sunset
    `@master` installs the newest twine for its Python 3.9 on every run (6.2), which reads
    2.4 but not 2.5.

    The action's release is read from its tag, from shiplint's table of release commits for
    a SHA pin (the table wins over the pin's comment), or from an exact `# v1.14.0` comment
    after a SHA the table does not know; `@release/v1` runs the newest release. A comment
    naming only a line or a branch (`# v1`, `# release/v1`) does not tell the release, and
    nothing is reported then.

    Fix: use `pypa/gh-action-pypi-publish@release/v1` (or pin v1.14.2 or later by tag or
    SHA); install `twine>=7` and `packaging>=26` (at least `twine>=6.1` with
    `packaging>=24.2` for Metadata-Version 2.4). Capping the backend (`hatchling<1.30`)
    only postpones the problem.
    """

    code = "SL711"
    on_examples = False
    name = "publisher-too-old-for-metadata"
    severity = Severity.ERROR
    summary = "pypi-publish action or twine too old for the Metadata-Version the backend writes"
    catalogue = ("B-4",)
    before = (
        '# pyproject.toml: requires = ["setuptools>=61"] (setuptools 77+ writes 2.4)\n'
        "- uses: pypa/gh-action-pypi-publish@v1.10.3\n"
    )
    after = (
        '# pyproject.toml: requires = ["setuptools>=61"] (setuptools 77+ writes 2.4)\n'
        "- uses: pypa/gh-action-pypi-publish@v1.14.2\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        info = analyze(project)
        mv = info.metadata_version()
        if mv is None:
            return
        why = metadata_why(info, mv)
        pep639 = info.license.pep639 is not None
        yield from self._actions(project, mv, why, pep639)
        yield from self._twine(project, mv, why, pep639)

    def _actions(self, project: Project, mv: Version, why: str, pep639: bool) -> Iterator[Finding]:
        f = facts_mod.load().pypi_publish
        seen: set[tuple[str, int]] = set()
        sunset_reads = Version(str(f.raw.get("sunset-reads-metadata", "2.4")))
        for upload, step in action_uploads(project):
            release = release_of(upload)
            loc = ref_loc(step)
            if loc is None or (loc.source.rel, loc.start) in seen:
                continue
            if not publishes_root_project(project.model, upload.context.job):
                continue
            severity: Severity | None = None
            if release.kind == gha_refs.SUNSET:
                if mv <= sunset_reads:
                    continue
                need = f.threshold("metadata-2-5-since")
                error = INVALID_25
            elif mv >= V25 and release.before(f.threshold("metadata-2-5-since")):
                need = f.threshold("metadata-2-5-since")
                error = INVALID_25
            elif release.before(f.threshold("metadata-2-4-since")):
                need = f.threshold("metadata-2-4-since")
                error = INVALID_24
            elif pep639 and release.before(f.threshold("pep639-since")):
                need = f.threshold("pep639-since")
                error = ""
                severity = Severity.WARNING
            else:
                continue  # new enough, or the exact release is not known
            seen.add((loc.source.rel, loc.start))
            fix = None
            if release.kind == gha_refs.TAG:
                fix = Fix(
                    f"use v{f.latest}", (Edit(loc.start, loc.end, f"v{f.latest}"),), safe=False
                )
            if release.kind == gha_refs.SUNSET:
                shown = f"`@{upload.ref}` (sunset; it installs twine 6.2, the last for Python 3.9)"
            else:
                shown = f"{release.shown}{release.provenance()}"
            if severity is None:
                message = (
                    f"pypa/gh-action-pypi-publish {shown} cannot read Metadata-Version {mv}: {why}"
                )
                help_ = (
                    f"The twine inside this release rejects the distributions before uploading: "
                    f"{error}. Use `@release/v1` or v{need} or later (v{f.latest}), pinned by "
                    "tag or commit SHA."
                )
            else:
                message = (
                    f"pypa/gh-action-pypi-publish {shown} drops the PEP 639 license fields ({why})"
                )
                help_ = (
                    "Its twine 6.0 uploads Metadata-Version 2.4 but sends no License-Expression "
                    "or License-File, so PyPI shows the release without its license. Use "
                    f"`@release/v1` or v{need} or later (v{f.latest})."
                )
            yield self.at(loc, message, help_, severity=severity, fix=fix)

    def _twine(self, project: Project, mv: Version, why: str, pep639: bool) -> Iterator[Finding]:
        mf = metadata_facts()
        pins_by_env: _Pins | None = None
        seen: set[tuple[str, int]] = set()
        for cmd in project.model.commands:
            sub = _twine_subcommand(cmd)
            if sub is None or not publishes_root_project(project.model, cmd.context.job):
                continue
            if pins_by_env is None:
                pins_by_env = _Pins(project)
            pins = pins_by_env.for_context(cmd.context, cmd.source)
            twine_pins = [p for p in pins if p.name == "twine"]
            old_twine = False
            for pin in twine_pins:
                finding = self._twine_pin(pin, mv, why, pep639, sub[0], mf.twine)
                if finding is not None:
                    old_twine = old_twine or finding.severity is Severity.ERROR
                    if pin.loc is not None and (pin.loc.source.rel, pin.loc.start) not in seen:
                        seen.add((pin.loc.source.rel, pin.loc.start))
                        yield finding
            if old_twine or any(not p.reaches(mf.twine["pep639-since"]) for p in twine_pins):
                continue  # twine < 6.1 does not use packaging to read metadata
            key = "metadata-2-5-since" if mv >= V25 else "metadata-2-4-since"
            need = mf.packaging[key]
            for pin in pins:
                if pin.name != "packaging" or pin.loc is None or pin.reaches(need):
                    continue
                if (pin.loc.source.rel, pin.loc.start) in seen:
                    continue
                seen.add((pin.loc.source.rel, pin.loc.start))
                error = (
                    INVALID_25
                    if mv >= V25
                    else INVALID_24.replace(
                        "Metadata is missing required fields: Name, Version. Make sure the "
                        "distribution includes the files where those fields are specified, and is "
                        "using a supported Metadata-Version: 1.0, 1.1, 1.2, 2.0, 2.1, 2.2, 2.3.",
                        "Invalid distribution metadata: '2.4' is not a valid metadata version",
                    )
                )
                yield self.at(
                    pin.loc,
                    f"`{pin.text}` keeps a packaging that cannot read Metadata-Version {mv}, "
                    f"which `twine {sub[0]}` needs here: {why}",
                    f"twine reads the metadata with packaging and fails with {error}. "
                    f"Require `packaging>={need}`.",
                )

    def _twine_pin(
        self,
        pin: Pin,
        mv: Version,
        why: str,
        pep639: bool,
        sub: str,
        thresholds: dict[str, Version],
    ) -> Finding | None:
        if pin.loc is None:
            return None
        if mv >= V25 and not pin.reaches(thresholds["metadata-2-5-since"]):
            need, error = thresholds["metadata-2-5-since"], INVALID_25
        elif not pin.reaches(thresholds["metadata-2-4-since"]):
            need, error = thresholds["metadata-2-4-since"], INVALID_24
        elif pep639 and not pin.reaches(thresholds["pep639-since"]):
            return self.at(
                pin.loc,
                f"`{pin.text}` keeps a twine that drops the PEP 639 license fields ({why})",
                "twine before 6.1 uploads Metadata-Version 2.4 without License-Expression and "
                "License-File, so PyPI shows no license. Require `twine>=6.1` (with "
                "`packaging>=24.2`).",
                severity=Severity.WARNING,
            )
        else:
            return None
        return self.at(
            pin.loc,
            f"`{pin.text}` keeps a twine that cannot read Metadata-Version {mv} "
            f"(`twine {sub}` runs with it): {why}",
            f"twine rejects every distribution: {error}. Require `twine>={need}` "
            "(and a packaging that knows the version: `packaging>=24.2` for 2.4, "
            "`packaging>=26` for 2.5).",
        )
