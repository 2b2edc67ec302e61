"""SL712: the build backend pinned below PEP 639 license metadata (P-6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from shiplint.findings import Finding, Severity
from shiplint.pkg.build_backend import BuildInfo, Pin, analyze
from shiplint.rules import register
from shiplint.rules.base import Rule
from shiplint.rules.trusted_publishing.uploads import upload_index

if TYPE_CHECKING:
    from shiplint.project import Project

_LICENSE_FILE_400 = (
    "`400 license-file introduced in metadata version 2.4, not 2.2. See "
    "https://packaging.python.org/specifications/core-metadata for more information.`"
)

# --- SL712 -------------------------------------------------------------------------------------

#: uploaders that send License-File even when the Metadata-Version predates it
_LICENSE_FILE_SENDERS = {"uv", "hatch"}


@register
class BackendTooOldForLicenseMetadata(Rule):
    """The build backend pinned in `[build-system] requires` predates PEP 639 license metadata.

    PEP 639 (`license = "MIT"` as an SPDX expression, `license-files = [...]`) needs
    Metadata-Version 2.4. Backends learnt it in setuptools 77, hatchling 1.26, maturin 1.9,
    flit-core 3.11, pdm-backend 2.4 and poetry-core 2.2. When `requires` keeps an older
    release (`setuptools<77`, `setuptools==74.*`, `hatchling~=1.25.0`), the build either
    stops (setuptools: ``configuration error: `project.license` must be valid exactly by one
    definition``, ``project must not contain {'license-files'} properties``) or writes
    License-Expression/License-File under Metadata-Version 2.1-2.3, which PyPI refuses:

    `400 license-file introduced in metadata version 2.4, not 2.2. See
    https://packaging.python.org/specifications/core-metadata for more information.`

    The same 400 hits projects that use no PEP 639 field at all when setuptools 57-76 (or
    hatchling 1.9-1.25) finds a `LICENSE*`/`COPYING*`/`NOTICE*`/`AUTHORS*` file or
    `[tool.setuptools] license-files`: those releases write `License-File` under 2.1/2.2.
    twine leaves the field out below 2.4, `uv publish` and `hatch publish` send it, so this
    case is reported when the repository publishes with one of those.

    Checked at the sources: hatchling 1.25.0 `metadata/spec.py` writes License-Expression
    and License-File under 2.1-2.3, 1.26.x stops doing so and 1.27.0 writes 2.4; twine
    6.1.0-7.0.0 `package.py` drops License-File below 2.4 (older twine never sent it); uv
    publish (astral-sh/uv 26a9dd4, 2026-08-21, `uv-publish/src/lib.rs`) and hatch publish
    (`hatch/index/publish.py`, pypa/hatch ed8e30b) send every `License-File` as written;
    warehouse (6b62157, 2026-08-21) validates the upload form with `packaging.metadata`,
    whose error is the one quoted above.

    Fix: raise the backend's floor (`setuptools>=77`, `hatchling>=1.27`, `maturin>=1.9`,
    `flit_core>=3.11`) and drop the upper bound; or, to keep the old backend, stop writing
    license files (`[tool.setuptools] license-files = []`) and use the old `license = {text
    = "..."}` form.
    """

    code = "SL712"
    name = "backend-too-old-for-license-metadata"
    severity = Severity.ERROR
    summary = "License expression/files with a build backend pinned below PEP 639 support"
    catalogue = ("P-6",)
    example_file = "pyproject.toml"
    before = (
        '[build-system]\nrequires = ["setuptools>=61,<77"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "example"\nversion = "1.0"\nlicense = "MIT"\n'
        'license-files = ["LICENSE"]\n'
    )
    after = (
        '[build-system]\nrequires = ["setuptools>=77"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "example"\nversion = "1.0"\nlicense = "MIT"\n'
        'license-files = ["LICENSE"]\n'
    )

    def check(self, project: Project) -> Iterator[Finding]:
        info = analyze(project)
        facts = info.facts
        pin = info.pin
        if facts is None or pin is None or pin.loc is None:
            return
        lic = info.license
        since = facts.threshold("pep639-since")
        expression = lic.expression if "license" in facts.pep639_fields else None
        files = lic.files if "license-files" in facts.pep639_fields else None
        used = expression or files
        if used is not None and since is not None and info.backend_reaches(since) is False:
            field = "`license` is an SPDX expression" if expression else "`license-files`"
            if expression and files:
                field = "`license` (an SPDX expression) and `license-files`"
            line = used.pos.line
            yield self.at(
                pin.loc,
                f"`{pin.text}` keeps {facts.package} below {since}, which predates PEP 639, "
                f"but {field} (line {line})",
                f"{facts.package} before {since} rejects the field or writes it under an old "
                f"Metadata-Version that PyPI refuses: {_LICENSE_FILE_400} Require "
                f"`{facts.package}>={since}` (no upper bound below it).",
            )
            return
        yield from self._legacy_license_file(project, info, pin)

    def _legacy_license_file(
        self, project: Project, info: BuildInfo, pin: Pin
    ) -> Iterator[Finding]:
        facts = info.facts
        lic = info.license
        if facts is None or facts.legacy_license_file is None or lic.tool_files_off:
            return
        first, fixed = facts.legacy_license_file
        if info.backend_reaches(first) is not True or info.backend_reaches(fixed) is not False:
            return
        if lic.tool_files is not None:
            where = f"the license files configured at {lic.tool_files.source.rel}:" + str(
                lic.tool_files.pos.line
            )
        elif lic.default_file is not None:
            where = f"`{lic.default_file}` (matched by the default license-file globs)"
        else:
            return
        uploaders = sorted(
            {
                u.tool
                for u in project.model.own_uploads
                if u.tool in _LICENSE_FILE_SENDERS
                and u.family == "pypi"
                and upload_index(u) in ("pypi", "testpypi")
            }
        )
        if not uploaders:
            return
        tools = " and ".join(f"`{t} publish`" for t in uploaders)
        assert pin.loc is not None
        yield self.at(
            pin.loc,
            f"`{pin.text}` keeps {facts.package} below {fixed}, which writes License-File for "
            f"{where} under Metadata-Version 2.1-2.3, and {tools} sends it to PyPI",
            f"PyPI refuses the upload: {_LICENSE_FILE_400} Require "
            f"`{facts.package}>={fixed}` (it writes Metadata-Version 2.4), or stop writing "
            "license files (`[tool.setuptools] license-files = []`).",
        )
