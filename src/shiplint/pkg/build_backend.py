"""What builds the distributions, which core-metadata version they carry, and where the
version number comes from.

Read from ``pyproject.toml`` (``[build-system]``, ``[project]``, the ``[tool.*]`` tables of
version plugins and backends), ``setup.cfg`` and ``setup.py`` (by its syntax tree, never
run). The facts that age (which backend release writes which Metadata-Version) live in
``data/facts.toml`` under ``[metadata-versions]``.

A ``[build-system] requires`` entry is judged like an installer would: the newest release
the specifier allows is installed, so ``setuptools>=61`` means "the newest setuptools" and
only an upper bound (``<77``, ``==74.*``, ``~=76.1``) keeps an old release.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from packaging.version import InvalidVersion, Version

from shiplint.facts import toml_data
from shiplint.model import Loc

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from shiplint.parse.tomlpos import TomlDoc, TomlPath
    from shiplint.project import Project
    from shiplint.source import SourceFile

__all__ = [
    "BackendFacts",
    "BuildInfo",
    "License",
    "MetadataFacts",
    "Pin",
    "VersionSource",
    "analyze",
    "metadata_facts",
    "reaches",
]

#: a version no real release reaches: stands for "the newest release"
_NEWEST = Version("99999")

#: file names setuptools and hatchling include as license files when nothing is configured
_DEFAULT_LICENSE_GLOBS = ("LICEN[CS]E*", "COP[YI]ING*", "NOTICE*", "AUTHORS*")

#: local-version schemes that add nothing on a clean checkout
_NO_LOCAL_SCHEMES = ("no-local-version", "dirty-tag")

_SCM_PACKAGES = {"setuptools-scm", "setuptools-scm-git-archive"}


# --- facts -------------------------------------------------------------------------------------


class BackendFacts(NamedTuple):
    """Thresholds of one build backend (``[metadata-versions.backends.<key>]``)."""

    key: str
    package: str
    build_backends: tuple[str, ...]
    thresholds: dict[str, Version]
    #: writes Metadata-Version 2.4 only when the project uses PEP 639 fields
    metadata_2_4_with_pep639: bool = False
    #: [first, fixed) releases that write License-File under an older Metadata-Version
    legacy_license_file: tuple[Version, Version] | None = None
    #: the PEP 639 fields older releases reject (``license``, ``license-files``)
    pep639_fields: tuple[str, ...] = ("license", "license-files")
    #: release -> the day it was out on PyPI (for resolver date caps such as uv's
    #: ``exclude-newer``), for the threshold releases the facts date
    released: tuple[tuple[Version, dt.date], ...] = ()

    def threshold(self, name: str) -> Version | None:
        return self.thresholds.get(name)


class MetadataFacts(NamedTuple):
    backends: dict[str, BackendFacts]
    twine: dict[str, Version]
    packaging: dict[str, Version]
    pep639: Version
    pep794: Version

    def backend_for(self, build_backend: str) -> BackendFacts | None:
        wanted = build_backend.strip()
        for facts in self.backends.values():
            if wanted in facts.build_backends:
                return facts
        return None


def _versions(raw: dict[str, Any]) -> dict[str, Version]:
    return {
        key: Version(value)
        for key, value in raw.items()
        if key.endswith("-since") and isinstance(value, str)
    }


@functools.lru_cache(maxsize=1)
def metadata_facts() -> MetadataFacts:
    """The ``[metadata-versions]`` section of ``data/facts.toml``."""
    from shiplint.pkg.requirements import canonical_name

    raw = toml_data()["metadata-versions"]
    backends: dict[str, BackendFacts] = {}
    for key, info in raw["backends"].items():
        legacy = info.get("legacy-license-file")
        backends[key] = BackendFacts(
            key=key,
            package=canonical_name(info["package"]),
            build_backends=tuple(info.get("build-backends", ())),
            thresholds=_versions(info),
            metadata_2_4_with_pep639=bool(info.get("metadata-2-4-with-pep639", False)),
            legacy_license_file=(Version(legacy[0]), Version(legacy[1])) if legacy else None,
            pep639_fields=tuple(info.get("pep639-fields", ("license", "license-files"))),
            released=tuple(
                (Version(v), dt.date.fromisoformat(str(d)))
                for v, d in info.get("released", {}).items()
            ),
        )
    return MetadataFacts(
        backends=backends,
        twine=_versions(raw["twine"]),
        packaging=_versions(raw["packaging"]),
        pep639=Version(raw["pep639"]),
        pep794=Version(raw["pep794"]),
    )


# --- specifiers --------------------------------------------------------------------------------


def _spec_versions(spec: SpecifierSet) -> list[Version]:
    out: list[Version] = []
    for item in spec:
        text = item.version.removesuffix(".*")
        try:
            out.append(Version(text))
        except InvalidVersion:
            continue
    return out


def reaches(spec: SpecifierSet, threshold: Version) -> bool:
    """Whether ``spec`` allows some release at or above ``threshold``.

    Installers take the newest allowed release, so this tells whether the installed release
    is ``threshold`` or newer: ``>=61`` reaches 77, ``<77``, ``==74.*`` and ``~=76.1`` do not.
    """
    candidates = {threshold, _NEWEST, *_spec_versions(spec)}
    return any(c >= threshold and spec.contains(c, prereleases=True) for c in candidates)


class Pin(NamedTuple):
    """One requirement as written (``setuptools>=61,<77``) and where."""

    name: str  # canonical
    spec: SpecifierSet
    text: str
    loc: Loc | None

    def reaches(self, threshold: Version) -> bool:
        return reaches(self.spec, threshold)

    @property
    def bounded(self) -> bool:
        """Whether the specifier excludes the newest release (an upper bound or ``==``)."""
        return not self.spec.contains(_NEWEST, prereleases=True)


def parse_pin(text: str, loc: Loc | None) -> Pin | None:
    from shiplint.pkg.requirements import canonical_name, parse_requirement

    req = parse_requirement(text)
    if req is None:
        return None
    return Pin(canonical_name(req.name), req.specifier, text, loc)


# --- results -----------------------------------------------------------------------------------


@dataclass
class License:
    """The license inputs that decide PEP 639 metadata (each with where it is written)."""

    #: ``[project].license = "MIT"`` (an SPDX expression: PEP 639)
    expression: Loc | None = None
    #: ``[project].license-files`` (PEP 639)
    files: Loc | None = None
    #: ``[project].license = {file = "LICENSE"}``
    table_file: Loc | None = None
    #: ``[tool.setuptools] license-files`` or setup.cfg ``license_files``/``license_file``
    tool_files: Loc | None = None
    #: license files switched off (``[tool.setuptools] license-files = []``)
    tool_files_off: bool = False
    #: a file matching the default license globs at the project root (setuptools, hatchling)
    default_file: str | None = None
    #: ``[project].import-names`` / ``import-namespaces`` (PEP 794, Metadata-Version 2.5)
    import_names: Loc | None = None

    @property
    def pep639(self) -> Loc | None:
        """Where the project uses a PEP 639 field (None when it does not)."""
        return self.expression or self.files


@dataclass
class VersionSource:
    """Where the package version comes from.

    ``kind`` is ``vcs`` (a VCS plugin computes it from tags), ``static`` (a literal version
    string), ``dynamic`` (read from code or a file) or ``unknown``.
    """

    kind: str = "unknown"
    plugin: str = ""
    no_local: bool = False
    #: where the version (or its VCS configuration) is written
    loc: Loc | None = None
    text: str = ""
    #: how to switch off local version labels for this plugin
    no_local_hint: str = ""


@dataclass
class BuildInfo:
    """What shiplint knows about how the project at the audited root is built."""

    pyproject: SourceFile | None = None
    build_backend: str = ""
    backend_loc: Loc | None = None
    facts: BackendFacts | None = None
    #: the ``[build-system] requires`` entries naming the backend package
    pins: list[Pin] = field(default_factory=list)
    requires: list[Pin] = field(default_factory=list)
    license: License = field(default_factory=License)
    version: VersionSource = field(default_factory=VersionSource)
    #: hatchling ``core-metadata-version`` per build target (wheel, sdist)
    core_metadata_override: dict[str, Version] = field(default_factory=dict)

    # --- backend releases

    def backend_reaches(self, threshold: Version | None) -> bool | None:
        """Whether the installed backend is ``threshold`` or newer: True/False when every
        ``requires`` entry for it agrees, None when they disagree or nothing is known."""
        if threshold is None:
            return None
        if not self.pins:
            return True  # not pinned: the newest release
        answers = {pin.reaches(threshold) for pin in self.pins}
        return answers.pop() if len(answers) == 1 else None

    def reaches(self, name: str) -> bool | None:
        if self.facts is None:
            return None
        return self.backend_reaches(self.facts.threshold(name))

    @property
    def pin(self) -> Pin | None:
        """The first ``requires`` entry for the backend that is written out."""
        return next((p for p in self.pins if p.loc is not None), None)

    @property
    def backend_name(self) -> str:
        return self.facts.package if self.facts is not None else self.build_backend

    # --- metadata

    def metadata_version(self) -> Version | None:
        """The Metadata-Version the distributions carry when it is 2.4 or later (None when
        older or unknown)."""
        mf = metadata_facts()
        v24 = Version("2.4")
        found: Version | None = None
        facts = self.facts
        if self.license.import_names is not None:
            found = mf.pep794
        elif facts is None:
            if self.license.pep639 is not None and self.build_backend:
                found = mf.pep639
        elif self.reaches("metadata-2-5-since") is True:
            found = Version("2.5")
        elif self.reaches("metadata-2-4-since") is True or (
            facts.metadata_2_4_with_pep639
            and self.license.pep639 is not None
            and self.reaches("pep639-since") is True
        ):
            found = v24
        if facts is not None and facts.key == "hatchling" and self.core_metadata_override:
            default = found
            versions = [self.core_metadata_override.get(t, default) for t in ("wheel", "sdist")]
            known = [v for v in versions if v is not None]
            found = max(known) if known else None
        if found is not None and found < v24:
            return None
        return found


# --- analysis ----------------------------------------------------------------------------------


def analyze(project: Project) -> BuildInfo:
    """The project's :class:`BuildInfo` (computed once per project)."""
    cached = project.memo.get("build_backend.info")
    if isinstance(cached, BuildInfo):
        return cached
    info = _Analyzer(project).run()
    project.memo["build_backend.info"] = info
    return info


def _toml_loc(src: SourceFile, doc: TomlDoc, path: TomlPath) -> Loc | None:
    span = doc.value_span(path)
    if span is not None:
        return Loc(src, span[0], span[1])
    pos = doc.key_pos(path) or doc.table_pos(path)
    if pos is None:
        return None
    start = src.index(pos)
    return Loc(src, start, start + len(str(path[-1])))


def _key_loc(src: SourceFile, doc: TomlDoc, path: TomlPath) -> Loc | None:
    pos = doc.key_pos(path)
    if pos is None:
        return _toml_loc(src, doc, path)
    start = src.index(pos)
    return Loc(src, start, start + len(str(path[-1])))


def _table(data: Any, *keys: str) -> dict[str, Any] | None:
    node = data
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node if isinstance(node, dict) else None


class _Analyzer:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.info = BuildInfo()
        self.doc: TomlDoc | None = None
        self.src: SourceFile | None = None

    def run(self) -> BuildInfo:
        src = self.project.by_rel.get("pyproject.toml")
        if src is not None and src.text is not None:
            self.doc = self.project.toml(src)
            self.src = src if self.doc is not None else None
        self.info.pyproject = self.src
        self._build_system()
        self._license()
        self._version()
        return self.info

    # --- [build-system]

    def _build_system(self) -> None:
        info = self.info
        mf = metadata_facts()
        doc, src = self.doc, self.src
        system = _table(doc.data, "build-system") if doc is not None else None
        if doc is not None and src is not None and system is not None:
            requires = system.get("requires")
            if isinstance(requires, list):
                for i, entry in enumerate(requires):
                    if not isinstance(entry, str):
                        continue
                    span = doc.string_span(("build-system", "requires", i))
                    loc = Loc(src, span[0], span[1]) if span else None
                    pin = parse_pin(entry, loc)
                    if pin is not None:
                        info.requires.append(pin)
            backend = system.get("build-backend")
            if isinstance(backend, str):
                info.build_backend = backend.strip()
                info.backend_loc = _toml_loc(src, doc, ("build-system", "build-backend"))
            else:
                info.build_backend = "setuptools.build_meta:__legacy__"
        elif self._has_setup_files():
            info.build_backend = "setuptools.build_meta:__legacy__"
        info.facts = mf.backend_for(info.build_backend) if info.build_backend else None
        if info.facts is not None:
            info.pins = [p for p in info.requires if p.name == info.facts.package]
        if info.facts is not None and info.facts.key == "hatchling" and doc is not None:
            for target in ("wheel", "sdist"):
                conf = _table(doc.data, "tool", "hatch", "build", "targets", target)
                value = conf.get("core-metadata-version") if conf else None
                if isinstance(value, str):
                    try:
                        info.core_metadata_override[target] = Version(value)
                    except InvalidVersion:
                        continue

    def _has_setup_files(self) -> bool:
        return any(rel in self.project.by_rel for rel in ("setup.py", "setup.cfg"))

    # --- license

    def _license(self) -> None:
        lic = self.info.license
        doc, src = self.doc, self.src
        project_table = _table(doc.data, "project") if doc is not None else None
        if doc is not None and src is not None and project_table is not None:
            license_value = project_table.get("license")
            if isinstance(license_value, str):
                lic.expression = _toml_loc(src, doc, ("project", "license"))
            elif isinstance(license_value, dict) and isinstance(license_value.get("file"), str):
                lic.table_file = _toml_loc(src, doc, ("project", "license", "file"))
            if "license-files" in project_table:
                lic.files = _key_loc(src, doc, ("project", "license-files"))
            for key in ("import-names", "import-namespaces"):
                if key in project_table:
                    lic.import_names = _key_loc(src, doc, ("project", key))
                    break
        tool = _table(doc.data, "tool", "setuptools") if doc is not None else None
        if doc is not None and src is not None and tool is not None:
            for key in ("license-files", "license_files"):
                if key in tool:
                    value = tool[key]
                    if isinstance(value, list) and not value:
                        lic.tool_files_off = True
                    else:
                        lic.tool_files = _key_loc(src, doc, ("tool", "setuptools", key))
                    break
        cfg = self.project.by_rel.get("setup.cfg")
        ini = self.project.ini(cfg) if cfg is not None and cfg.text is not None else None
        if cfg is not None and ini is not None and lic.tool_files is None:
            meta = ini.sections.get("metadata")
            for key in ("license_files", "license_file"):
                value = meta.get(key) if meta is not None else None
                if value is None:
                    continue
                if not value.lines:
                    lic.tool_files_off = True
                else:
                    line = value.lines[0]
                    start = cfg.index(line.pos)
                    lic.tool_files = Loc(cfg, start, start + len(line.text))
                break
        lic.default_file = self._default_license_file()

    def _default_license_file(self) -> str | None:
        if self.project.single_file:
            return None
        found = self.project.glob(_DEFAULT_LICENSE_GLOBS)
        return found[0] if found else None  # the patterns name files at the root

    # --- version

    def _version(self) -> None:
        doc, src = self.doc, self.src
        project_table = _table(doc.data, "project") if doc is not None else None
        if doc is not None and src is not None and project_table is not None:
            dynamic = project_table.get("dynamic")
            is_dynamic = isinstance(dynamic, list) and "version" in dynamic
            version = project_table.get("version")
            if not is_dynamic and isinstance(version, str):
                self.info.version = VersionSource(
                    "static", loc=_toml_loc(src, doc, ("project", "version")), text=version
                )
                return
            if is_dynamic:
                found = self._pyproject_vcs(doc, src)
                if found is None:
                    found = self._setup_py_version()
                self.info.version = found or VersionSource("dynamic")
                return
        if doc is not None and src is not None and project_table is None:
            found = self._poetry_version(doc, src)
            if found is not None:
                self.info.version = found
                return
        found = self._setup_py_version() or self._setup_cfg_version()
        if found is not None:
            self.info.version = found

    def _pyproject_vcs(self, doc: TomlDoc, src: SourceFile) -> VersionSource | None:
        data = doc.data
        scm = _table(data, "tool", "setuptools_scm")
        scm_local = _scheme(scm)
        hatch = _table(data, "tool", "hatch", "version")
        if hatch is not None and hatch.get("source") == "vcs":
            raw = hatch.get("raw-options")
            raw_local = _scheme(raw if isinstance(raw, dict) else None)
            return VersionSource(
                "vcs",
                plugin="hatch-vcs",
                no_local=(raw_local or scm_local) in _NO_LOCAL_SCHEMES,
                loc=_toml_loc(src, doc, ("tool", "hatch", "version", "source")),
                no_local_hint=(
                    '`raw-options = { local_scheme = "no-local-version" }` under '
                    "`[tool.hatch.version]`"
                ),
            )
        pdm = _table(data, "tool", "pdm", "version")
        if pdm is not None and pdm.get("source") == "scm":
            return VersionSource(
                "vcs",
                plugin="pdm-backend",
                no_local="version_format" in pdm,
                loc=_toml_loc(src, doc, ("tool", "pdm", "version", "source")),
                no_local_hint=(
                    "a `version_format` function under `[tool.pdm.version]` that leaves out "
                    "the `+` part"
                ),
            )
        versioningit = _table(data, "tool", "versioningit")
        if versioningit is not None:
            return VersionSource(
                "vcs",
                plugin="versioningit",
                no_local=_versioningit_no_local(versioningit),
                loc=_key_loc(src, doc, ("tool", "versioningit")),
                no_local_hint=(
                    "`[tool.versioningit.format]` with `distance` (and `dirty`, "
                    '`distance-dirty`) formats without a `+`, e.g. `distance = "{base_version}'
                    '.post{distance}"`'
                ),
            )
        pdv = _table(data, "tool", "poetry-dynamic-versioning")
        if pdv is not None and pdv.get("enable") is True:
            return _pdv_source(pdv, src, doc)
        git_versioning = _table(data, "tool", "setuptools-git-versioning")
        if git_versioning is not None and git_versioning.get("enabled") is True:
            templates = [
                v
                for k, v in git_versioning.items()
                if k.endswith("template") and isinstance(v, str)
            ]
            return VersionSource(
                "vcs",
                plugin="setuptools-git-versioning",
                no_local="dev_template" in git_versioning and not any("+" in t for t in templates),
                loc=_key_loc(src, doc, ("tool", "setuptools-git-versioning")),
                no_local_hint="`dev_template` and `dirty_template` without a `+`",
            )
        uses_scm = scm is not None or any(p.name in _SCM_PACKAGES for p in self.info.requires)
        setuptools_dynamic = _table(data, "tool", "setuptools", "dynamic")
        if (
            uses_scm
            and self.info.facts is not None
            and self.info.facts.key == "setuptools"
            and not (setuptools_dynamic and "version" in setuptools_dynamic)
        ):
            if scm is not None:
                loc = _key_loc(src, doc, ("tool", "setuptools_scm"))
            else:
                pin = next(p for p in self.info.requires if p.name in _SCM_PACKAGES)
                loc = pin.loc
            return VersionSource(
                "vcs",
                plugin="setuptools-scm",
                no_local=scm_local in _NO_LOCAL_SCHEMES,
                loc=loc,
                no_local_hint='`local_scheme = "no-local-version"` under `[tool.setuptools_scm]`',
            )
        return None

    def _poetry_version(self, doc: TomlDoc, src: SourceFile) -> VersionSource | None:
        poetry = _table(doc.data, "tool", "poetry")
        if poetry is None:
            return None
        pdv = _table(doc.data, "tool", "poetry-dynamic-versioning")
        if pdv is not None and pdv.get("enable") is True:
            return _pdv_source(pdv, src, doc)
        version = poetry.get("version")
        if isinstance(version, str):
            return VersionSource(
                "static", loc=_toml_loc(src, doc, ("tool", "poetry", "version")), text=version
            )
        return None

    def _setup_py_version(self) -> VersionSource | None:
        src = self.project.by_rel.get("setup.py")
        if src is None or src.text is None:
            return None
        tree = self.project.python_ast(src)
        if tree is None:
            return None
        from shiplint.model.task_commands import ast_loc

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _call_name(node.func) != "setup":
                continue
            for kw in node.keywords:
                if kw.arg == "use_scm_version" and _truthy(kw.value):
                    scheme = _dict_str(kw.value, "local_scheme")
                    return VersionSource(
                        "vcs",
                        plugin="setuptools-scm",
                        no_local=scheme in _NO_LOCAL_SCHEMES,
                        loc=ast_loc(src, kw.value),
                        no_local_hint=(
                            'use_scm_version={"local_scheme": "no-local-version"} in setup.py'
                        ),
                    )
            for kw in node.keywords:
                if (
                    kw.arg == "version"
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                ):
                    return VersionSource("static", loc=ast_loc(src, kw.value), text=kw.value.value)
        return None

    def _setup_cfg_version(self) -> VersionSource | None:
        cfg = self.project.by_rel.get("setup.cfg")
        ini = self.project.ini(cfg) if cfg is not None and cfg.text is not None else None
        if cfg is None or ini is None:
            return None
        meta = ini.sections.get("metadata")
        value = meta.get("version") if meta is not None else None
        if value is None or len(value.lines) != 1:
            return None
        text = value.lines[0].text
        if ":" in text or "%" in text or "{" in text:
            return VersionSource("dynamic")  # attr: / file: / interpolation
        start = cfg.index(value.lines[0].pos)
        return VersionSource("static", loc=Loc(cfg, start, start + len(text)), text=text)


def _scheme(table: dict[str, Any] | None) -> str:
    if table is None:
        return ""
    for key in ("local_scheme", "local-scheme"):
        value = table.get(key)
        if isinstance(value, str):
            return value.strip()
    return ""


def _versioningit_no_local(conf: dict[str, Any]) -> bool:
    fmt = conf.get("format")
    if not isinstance(fmt, dict) or not isinstance(fmt.get("distance"), str):
        return False  # the default distance format is "{base_version}.post{distance}+{vcs}{rev}"
    return not any(isinstance(v, str) and "+" in v for v in fmt.values())


def _pdv_source(pdv: dict[str, Any], src: SourceFile, doc: TomlDoc) -> VersionSource:
    formats = [pdv.get(k) for k in ("format", "format-jinja")]
    custom = [f for f in formats if isinstance(f, str)]
    no_local = pdv.get("metadata") is False or (bool(custom) and not any("+" in f for f in custom))
    return VersionSource(
        "vcs",
        plugin="poetry-dynamic-versioning",
        no_local=no_local,
        loc=_key_loc(src, doc, ("tool", "poetry-dynamic-versioning")),
        no_local_hint="`metadata = false` under `[tool.poetry-dynamic-versioning]`",
    )


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _truthy(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return bool(node.value)
    return True  # a dict, a call or a name: configured


def _dict_str(node: ast.expr, key: str) -> str:
    if not isinstance(node, ast.Dict):
        return ""
    for k, v in zip(node.keys, node.values):
        if (
            isinstance(k, ast.Constant)
            and k.value == key
            and isinstance(v, ast.Constant)
            and isinstance(v.value, str)
        ):
            return v.value
    return ""
