"""Rules about where uploads go and where installs come from (catalogue E-1, P-12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from shiplint import facts as facts_mod
from shiplint.findings import Edit, Finding, Fix, Severity
from shiplint.model import Loc, Value
from shiplint.model.shellblocks import ORG_VAR_RE
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.project import Project


def _find_org(text: str) -> tuple[str, int] | None:
    """A deprecated org in ``text``: the whole value, or the org segment of an anaconda URL."""
    orgs = facts_mod.load().deprecated_orgs
    stripped = text.strip()
    if stripped in orgs:
        return stripped, text.index(stripped)
    if "anaconda.org" in text:
        for org in orgs:
            for marker in (f"anaconda.org/{org}/", f"anaconda.org/{org}\n"):
                at = text.find(marker)
                if at != -1:
                    return org, at + len("anaconda.org/")
            if text.endswith(f"anaconda.org/{org}"):
                return org, len(text) - len(org)
    return None


def _located(value: Value, org: str, offset: int) -> Loc | None:
    """Narrow ``value.loc`` to the org name when the written text holds it."""
    loc = value.loc
    if loc is None:
        return None
    written = loc.text
    at = written.find(org)
    if at == -1:
        return loc
    return Loc(loc.source, loc.start + at, loc.start + at + len(org))


@register
class DeprecatedAnacondaOrg(Rule):
    """An upload or an install points at a retired Anaconda.org org.

    Nightly wheels of the Scientific Python projects moved from `scipy-wheels-nightly` to
    `scientific-python-nightly-wheels` in 2023 (SPEC 4). The old org is frozen, not shut
    down: "the old URL will keep working, it's just not getting new versions"
    (scipy/scipy#18504). So nothing fails outright, which is why this is a warning:

    * an upload there may still succeed (with a token that still has rights there) but
      reaches nobody, since consumers install from the new org; a token made for the new
      org is refused there (`401 User is not authorized to perform this operation`);
    * an install from the old index gets the wheels of mid-2023, or pip takes a newer
      release from another index: a job meant to test against nightlies silently does not.

    shiplint looks wherever an upload or an index is configured: upload-nightly-action's
    `anaconda_nightly_upload_organization`, `anaconda upload -u/--user`, `ANACONDA_ORG=`
    and similar assignments in workflows, scripts and CI files, and index URLs
    (`pypi.anaconda.org/<org>/simple`) in pip options, `PIP_*INDEX_URL`, tox settings,
    `pyproject.toml` and conda environment files.

    The release staging org `multibuild-wheels-staging` is not reported: numpy, scipy and
    others still stage release wheels there.

    Fix: use `scientific-python-nightly-wheels`. Uploading there needs a new token: a
    *personal* token of a maintainer who is in the project's group of that org, with the
    scopes `api:read`, `api:write` and `pypi:upload`.
    """

    code = "SL101"
    name = "deprecated-anaconda-org"
    severity = Severity.WARNING
    summary = "Upload or index points at the frozen Anaconda org scipy-wheels-nightly"
    catalogue = ("E-1",)
    before = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_organization: scipy-wheels-nightly\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )
    after = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        seen: set[tuple[str, int]] = set()

        def report(value: Value, what: str, install: bool = False) -> Iterator[Finding]:
            found = _find_org(value.text)
            if found is None:
                return
            org, offset = found
            loc = _located(value, org, offset)
            if loc is None:
                return
            key = (loc.source.rel, loc.start)
            if key in seen:
                return
            seen.add(key)
            info = facts_mod.load().deprecated_orgs[org]
            fix = None
            if loc.text == org:
                fix = Fix(
                    f"replace `{org}` with `{info.replacement}`",
                    (Edit(loc.start, loc.end, info.replacement),),
                )
            outcome = (
                "An install from it gets the wheels of mid-2023, or a newer release from "
                "another index: this does not test against current nightlies."
                if install
                else "Wheels uploaded there reach nobody who installs nightlies."
            )
            yield self.at(
                loc,
                f"{what} `{org}`",
                f"`{org}` is {info.reason}. {outcome} Use `{info.replacement}` "
                f"({facts_mod.load().spec4}). Uploads there need a personal token of a "
                "maintainer in the project's group of that org, with the scopes api:read, "
                "api:write and pypi:upload.",
                fix=fix,
            )

        for upload in model.uploads:
            if upload.family != "anaconda":
                continue
            for value in [upload.target, *upload.target_candidates]:
                if value is not None:
                    yield from report(value, "upload goes to the retired Anaconda org")
        for index in model.indexes:
            yield from report(
                index.url, "packages are installed from the retired Anaconda org", install=True
            )
        for name, value, _context in model.assignments:
            if ORG_VAR_RE.search(name) or "anaconda.org" in value.text or "INDEX" in name.upper():
                install = "INDEX" in name.upper() or "pypi.anaconda.org" in value.text
                yield from report(value, f"`{name}` names the retired Anaconda org", install)


def _legacy_host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return None
    return host if host in facts_mod.load().legacy_hosts else None


def _upload_url_problem(url: str) -> str | None:
    """Why ``url`` is not a working PyPI upload endpoint (None when it is, or not PyPI)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = parts.hostname or ""
    index = facts_mod.load().upload_hosts.get(host)
    if index is None:
        return None
    path = parts.path.rstrip("/")
    if path == "/legacy" and host != "pypi.org":
        return None
    expected = facts_mod.load().upload_urls[index]
    if host == "pypi.org":
        return f"`{host}` does not accept uploads; the upload endpoint is {expected}"
    if path.endswith("/simple") or path == "/simple":
        return f"this is the download index, not the upload endpoint {expected}"
    return (
        f"the upload endpoint is {expected}; without `/legacy/` the upload gets "
        "405 Method Not Allowed"
    )


def _upload_values(project: Project) -> Iterator[Value]:
    model = project.model
    for upload in model.uploads:
        if upload.family == "pypi" and upload.target is not None:
            yield upload.target
    for entry in model.pypirc:
        if entry.repository is not None:
            yield entry.repository
    for name, value, _ in model.assignments:
        if name in (
            "TWINE_REPOSITORY_URL",
            "UV_PUBLISH_URL",
            "FLIT_INDEX_URL",
            "MATURIN_REPOSITORY_URL",
            "PDM_PUBLISH_REPO",
        ):
            yield value


@register
class LegacyPypiUrl(Rule):
    """An upload or install uses `pypi.python.org` or `testpypi.python.org`.

    Legacy PyPI was shut down in 2018; uploads through `pypi.python.org` were switched off
    in 2017 and get `410 Gone (This API has been deprecated and removed from legacy PyPI)`.
    Old `.pypirc` templates and tutorials still carry these hosts. An *upload* there fails:
    an error.

    Installs are another matter: `pypi.python.org` still answers with a permanent redirect to
    `pypi.org` ("The pypi.python.org service will continue to operate for the foreseeable
    future", a PyPI administrator in pypa/setuptools#1340; warehouse's integration guide:
    links "may continue to work due to redirects"), which pip follows. An index URL on
    `pypi.python.org` is therefore only a note; one on `testpypi.python.org`, for which no
    such promise was made, is a warning.

    Fix: upload to `https://upload.pypi.org/legacy/` (TestPyPI:
    `https://test.pypi.org/legacy/`); install from `https://pypi.org/simple/`
    (`https://test.pypi.org/simple/`).
    """

    code = "SL102"
    name = "legacy-pypi-url"
    severity = Severity.ERROR
    summary = "Upload or index URL on the retired pypi.python.org hosts"
    catalogue = ("P-12",)
    example_file = ".pypirc"
    before = "[pypi]\nrepository = https://pypi.python.org/pypi\nusername = __token__\n"
    after = "[pypi]\nrepository = https://upload.pypi.org/legacy/\nusername = __token__\n"

    def check(self, project: Project) -> Iterator[Finding]:
        f = facts_mod.load()
        values = list(_upload_values(project))
        upload_ids = {id(v) for v in values}
        values += [index.url for index in project.model.indexes]
        seen: set[tuple[str, int]] = set()
        for value in values:
            host = _legacy_host(value.text)
            if host is None or value.loc is None:
                continue
            key = (value.loc.source.rel, value.loc.start)
            if key in seen:
                continue
            seen.add(key)
            index = f.legacy_hosts[host]
            is_upload = id(value) in upload_ids
            replacement = f.upload_urls[index] if is_upload else f.index_urls[index]
            fix = None
            if value.loc.text == value.text:
                fix = Fix(
                    f"use {replacement}", (Edit(value.loc.start, value.loc.end, replacement),)
                )
            if is_upload:
                yield self.at(
                    value.loc,
                    f"`{host}` was retired in 2018: requests get 410 Gone",
                    f"Use {replacement} instead.",
                    fix=fix,
                )
            elif index == "pypi":
                yield self.at(
                    value.loc,
                    f"`{host}` is the retired PyPI host; installs work only through its "
                    "redirect to pypi.org",
                    f"pip follows the permanent redirect to pypi.org. Use {replacement} to "
                    "install without it.",
                    severity=Severity.INFO,
                    fix=fix,
                )
            else:
                yield self.at(
                    value.loc,
                    f"`{host}` is the retired TestPyPI host: installs from it depend on a "
                    "redirect nobody promised to keep",
                    f"Check that this index still answers, or use {replacement}.",
                    severity=Severity.WARNING,
                    fix=fix,
                )


@register
class UploadUrlNotLegacy(Rule):
    """A PyPI upload URL does not end in `/legacy/`.

    PyPI accepts uploads only at `https://upload.pypi.org/legacy/` (TestPyPI:
    `https://test.pypi.org/legacy/`). `https://upload.pypi.org/` answers
    `405 Method Not Allowed`, and `/simple/` is the download index.

    Fix: use the `/legacy/` endpoint in `repository-url`, `--repository-url`,
    `--publish-url`, `TWINE_REPOSITORY_URL`, `UV_PUBLISH_URL` or `.pypirc`.
    """

    code = "SL103"
    name = "upload-url-not-legacy"
    severity = Severity.ERROR
    summary = "PyPI upload URL is not the /legacy/ endpoint"
    catalogue = ("P-12",)
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository-url: https://test.pypi.org/simple/\n"
    )
    after = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    repository-url: https://test.pypi.org/legacy/\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        seen: set[tuple[str, int]] = set()
        for value in _upload_values(project):
            problem = _upload_url_problem(value.text)
            if problem is None or value.loc is None:
                continue
            key = (value.loc.source.rel, value.loc.start)
            if key in seen:
                continue
            seen.add(key)
            host = urlsplit(value.text.strip()).hostname or ""
            index = facts_mod.load().upload_hosts[host]
            replacement = facts_mod.load().upload_urls[index]
            fix = None
            if value.loc.text == value.text:
                fix = Fix(
                    f"use {replacement}", (Edit(value.loc.start, value.loc.end, replacement),)
                )
            yield self.at(
                value.loc,
                f"`{value.text}` is not an upload endpoint: {problem}",
                f"Use {replacement}.",
                fix=fix,
            )
