"""Rules about the credentials themselves: organization-wide Anaconda tokens, PyPI password
authentication and tokens written into files (catalogue E-5, P-2, C-3, P-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from shiplint import facts as facts_mod
from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.shellblocks import secret_names, vars_names
from shiplint.pkg.upload_commands import index_of_url, looks_literal, option_value
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Credential, PypircEntry, Upload, Value
    from shiplint.project import Project

_ANACONDA_TOKEN_VAR = LazyPattern(r"^(?:ANACONDA\w*TOKEN\w*|BINSTAR_API_TOKEN)$", re.IGNORECASE)
_SHELL_REF = LazyPattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_TOKEN_USER = "__token__"


def _narrow(loc: Loc, needle: str) -> Loc | None:
    """The span of ``needle`` inside ``loc`` (case-insensitive), or None."""
    at = loc.text.find(needle)
    if at == -1:
        at = loc.text.lower().find(needle.lower())
    if at == -1:
        return None
    return Loc(loc.source, loc.start + at, loc.start + at + len(needle))


def _unquoted(loc: Loc) -> Loc:
    text = loc.text
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return Loc(loc.source, loc.start + 1, loc.end - 1)
    return loc


def _origin(upload: Upload, cred: Credential) -> Value | None:
    """Where the variable an option value expands came from (``TOKEN="$X"`` for ``-t $TOKEN``)."""
    if upload.command is None:
        return None
    for arg in upload.command.args:
        if arg.loc.start == cred.loc.start and arg.loc.end == cred.loc.end:
            return arg.origin
    return None


def _mask(loc: Loc) -> None:
    span = (loc.start, loc.end)
    if span not in loc.source.secret_spans:
        loc.source.secret_spans.append(span)


# --- SL501 -------------------------------------------------------------------------------------


def _org_token_name(name: str | None, generic: bool) -> bool:
    """Whether ``name`` is named after a shared org (or, with ``generic``, after any org)."""
    if not name:
        return False
    upper = name.upper()
    patterns = list(facts_mod.load().org_token_patterns)
    if generic:
        patterns += facts_mod.anaconda().generic_org_token_patterns
    return any(p.search(upper) for p in patterns)


def _to_nightly_org(upload: Upload) -> bool:
    """Whether the upload may go to the SPEC 4 nightly org."""
    nightly = facts_mod.load().nightly_org
    targets = [v.text.strip() for v in (upload.target, *upload.target_candidates) if v]
    if upload.tool == "upload-nightly-action" and not targets:
        return True  # the action's default org
    return nightly in targets


def _names_in(text: str) -> list[str]:
    return secret_names(text) + vars_names(text) + _SHELL_REF.findall(text)


@register
class OrgLevelToken(Rule):
    """An upload to the SPEC 4 nightly org uses an organization-wide token.

    SPEC 4 says "The creation of tokens at the organization level should be avoided".
    Uploads to `scientific-python-nightly-wheels` go through each project's group in that
    org, with a *personal* token of a maintainer in the group. A token made for a whole org
    (the secrets named after `scipy-wheels-nightly` or `multibuild-wheels-staging`,
    `*_ORG_TOKEN` ...) is shared across projects, outlives the maintainers who made it, and
    a token of the old orgs is refused there with `User is not authorized to perform this
    operation` (401). networkx and scikit-image switched to personal tokens for this
    reason.

    shiplint sees only the secret's name, not the token, hence a warning. Names after the
    shared orgs are reported for any upload to the nightly org (and for upload-nightly-action,
    whose default org it is); names such as `NUMPY_ORG_TOKEN` only there too, since a
    project's own org may well upload with its org token. The `ORG` of
    `ANACONDA_ORG_TOKEN` is anaconda.org and is not reported.

    Fix: a maintainer who is in the project's group of the org creates a *personal* token
    (`https://anaconda.org/<user>/settings/access`) with the scopes `api:read`, `api:write`
    and `pypi:upload`, stored as the repository secret `ANACONDA_ORG_UPLOAD_TOKEN`.
    """

    code = "SL501"
    name = "org-level-token"
    severity = Severity.WARNING
    summary = "Upload to the SPEC 4 nightly org with a token named like an organization's"
    catalogue = ("E-5",)
    before = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.SCIPY_WHEELS_NIGHTLY_ACCESS }}\n"
    )
    after = (
        "- uses: scientific-python/upload-nightly-action@e76cfec8a4611fd02808a801b0ff5a7d7c1b2d99"
        " # 0.6.4\n  with:\n    artifacts_path: dist\n"
        "    anaconda_nightly_upload_token: ${{ secrets.ANACONDA_ORG_UPLOAD_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        seen: set[tuple[str, int]] = set()

        def report(loc: Loc, name: str, what: str) -> Iterator[Finding]:
            key = (loc.source.rel, loc.start)
            if key in seen:
                return
            seen.add(key)
            f = facts_mod.load()
            yield self.at(
                loc,
                f"{what} `{name}` is named like an organization-level token",
                '"The creation of tokens at the organization level should be avoided" '
                f"({f.spec4}). Use a personal token of a maintainer who is in the project's "
                f"group of the org, with the scopes {' '.join(f.recommended_scopes)}, stored "
                f"as `{f.anaconda_recommended_secret}`.",
            )

        nightly_uploads = [
            u for u in model.uploads if u.family == "anaconda" and _to_nightly_org(u)
        ]
        for upload in nightly_uploads:
            for cred in upload.token_credentials:
                name = cred.secret
                if not _org_token_name(name, generic=True):
                    continue
                assert name is not None
                where = _narrow(cred.loc, name)
                if where is None:
                    origin = _origin(upload, cred)
                    if origin is not None and origin.loc is not None:
                        where = _narrow(origin.loc, name)
                yield from report(where or cred.loc, name, "the upload token")
        if not nightly_uploads:
            return
        # tokens handed to the client through a variable the model did not link to an upload
        for var, value, _context in model.assignments:
            if not _ANACONDA_TOKEN_VAR.match(var) or value.loc is None:
                continue
            for name in _names_in(value.loc.text):
                if _org_token_name(name, generic=False):
                    where = _narrow(value.loc, name) or value.loc
                    yield from report(where, name, f"`{var}` is set from")


# --- SL502 -------------------------------------------------------------------------------------

_PYPI_INDEXES = {"pypi", "testpypi"}
_HATCH_INDEXES = {"main": "pypi", "test": "testpypi"}


def _to_pypi(upload: Upload) -> bool:
    """Whether the upload goes to PyPI or TestPyPI (not a private index)."""
    if upload.family != "pypi":
        return False
    if upload.target is not None:
        return index_of_url(upload.target.text) in _PYPI_INDEXES
    index = upload.index or "pypi"
    if upload.tool == "hatch":
        index = _HATCH_INDEXES.get(index, index)
    return index in _PYPI_INDEXES


def _user_value(upload: Upload, cred: Credential) -> str:
    """The user name as the tool sees it (variables expanded where known)."""
    if cred.via == "flag" and cred.name in upload.options:
        return option_value(upload.options[cred.name])
    if cred.via == "env" and upload.command is not None and cred.name in upload.command.env:
        return upload.command.env[cred.name].text
    if cred.via == "input":
        step = upload.step
        scalar = step.with_.get_scalar(cred.name or "user") if step and step.with_ else None
        if scalar is not None:
            return scalar.value
    return cred.loc.text


def _pypirc_to_pypi(entry: PypircEntry) -> bool:
    if entry.repository is not None:
        return index_of_url(entry.repository.text) in _PYPI_INDEXES
    return entry.section in _PYPI_INDEXES


_PASSWORD_HELP = (
    "PyPI refuses user names and passwords for uploads: `403 Forbidden ... Username/Password "
    "authentication is no longer supported. Migrate to API Tokens or Trusted Publishers "
    "instead.` Use trusted publishing, or the user name `__token__` with a project-scoped "
    "API token as the password."
)


@register
class PasswordAuth(Rule):
    """A PyPI upload authenticates with a user name other than `__token__`.

    PyPI accepts only API tokens (user name `__token__`) and trusted publishing; with two-
    factor authentication mandatory for every account, a real user name and password get
    `403 Forbidden from https://upload.pypi.org/legacy/ Username/Password authentication is
    no longer supported. Migrate to API Tokens or Trusted Publishers instead.`

    Checked: `user:` of pypa/gh-action-pypi-publish, `TWINE_USERNAME` / `twine -u`,
    `FLIT_USERNAME`, `HATCH_INDEX_USER` / `hatch publish -u`, `UV_PUBLISH_USERNAME` /
    `uv publish -u`, `PDM_PUBLISH_USERNAME`, `poetry publish -u`, `maturin upload -u`,
    `.pypirc` `username`, and Travis `deploy: provider: pypi`. A user name written in the
    file (or a variable set to one) is an error. A user name taken from a secret or a
    variable shiplint cannot read (`${{ secrets.PYPI_USERNAME }}`, `$PYPI_USER`,
    `{env:TWINE_USERNAME}`) may well hold `__token__`: that is reported as information, naming
    what to check. Uploads to other indexes are not checked.

    Fix: best, drop the user name and password and use trusted publishing; otherwise set the
    user name to `__token__` and the password to a project-scoped API token from a secret.
    """

    code = "SL502"
    name = "password-auth"
    severity = Severity.ERROR
    summary = "PyPI upload with a user name other than __token__ (password authentication)"
    catalogue = ("P-2", "C-3")
    before = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n    user: stardust-bot\n"
        "    password: ${{ secrets.PYPI_PASSWORD }}\n"
    )
    after = (
        "- uses: pypa/gh-action-pypi-publish@release/v1\n  with:\n"
        "    password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        seen: set[tuple[str, int]] = set()
        for upload in model.uploads:
            if not _to_pypi(upload):
                continue
            for cred in upload.credentials:
                if not cred.username:
                    continue
                value = _user_value(upload, cred).strip().strip("\"'")
                if value == _TOKEN_USER or _TOKEN_USER in cred.loc.text:
                    continue  # also `{env:TWINE_USERNAME:__token__}`, `${USER:-__token__}`
                key = (cred.loc.source.rel, cred.loc.start)
                if key in seen:
                    continue
                seen.add(key)
                label = _label(cred, upload)
                if looks_literal(value):
                    if upload.tool == "travis-pypi":
                        yield self.at(
                            _unquoted(cred.loc),
                            f"{label} is `{value}`, not `{_TOKEN_USER}`",
                            _PASSWORD_HELP + _TRAVIS_HELP,
                        )
                        continue
                    message = f"{label} is `{value}`, not `{_TOKEN_USER}`: password upload"
                    yield self.at(_unquoted(cred.loc), message, _PASSWORD_HELP)
                    continue
                origin = cred.secret or value
                yield self._unseen(_unquoted(cred.loc), f"{label} comes from `{origin}`", origin)
        for entry in model.pypirc:
            user = entry.username
            if user is None or user.loc is None or not _pypirc_to_pypi(entry):
                continue
            text = user.text.strip()
            if text == _TOKEN_USER or _TOKEN_USER in text:
                continue
            where = f"`.pypirc` [{entry.section}] username"
            if not looks_literal(text):
                # a template filled in by CI (`username = ${PYPI_USER}`): its value is elsewhere
                yield self._unseen(user.loc, f"{where} comes from `{text}`", text)
                continue
            yield self.at(
                user.loc,
                f"{where} is `{text}`, not `{_TOKEN_USER}`",
                _PASSWORD_HELP + " In `.pypirc`: `username = __token__`.",
            )

    def _unseen(self, loc: Loc, message: str, origin: str) -> Finding:
        """A user name whose value is not in the repository (a secret, a variable): it may
        well be `__token__`, so the finding says what to check, as information."""
        return self.at(
            loc,
            f"{message}, which shiplint cannot read: PyPI accepts only `{_TOKEN_USER}`",
            f"Check that `{origin}` holds `{_TOKEN_USER}` and the password an API token. "
            "With a real user name PyPI refuses the upload: `403 Forbidden ... Username/Password "
            "authentication is no longer supported. Migrate to API Tokens or Trusted Publishers "
            f"instead.` Writing `{_TOKEN_USER}` in the file makes this checkable; trusted "
            "publishing needs neither.",
            severity=Severity.INFO,
        )


_TRAVIS_HELP = (
    " Travis: `username: __token__` and `password: secure: ...` holding an API token (better:"
    " publish from GitHub Actions with trusted publishing)."
)


def _label(cred: Credential, upload: Upload) -> str:
    if upload.tool == "travis-pypi" and cred.via == "input":
        return "Travis `deploy: provider: pypi` user"
    if cred.via == "input":
        return f"`{cred.name}:`"
    if cred.via == "flag":
        return f"`{cred.name}`"
    return f"`{cred.name}`"


# --- SL503 -------------------------------------------------------------------------------------

#: environment variables whose value is an upload password or token
_SECRET_ENV = LazyPattern(
    r"^(?:TWINE_PASSWORD|UV_PUBLISH_TOKEN|UV_PUBLISH_PASSWORD|FLIT_PASSWORD|HATCH_INDEX_AUTH"
    r"|PDM_PUBLISH_PASSWORD|MATURIN_PYPI_TOKEN|MATURIN_PASSWORD|ANACONDA_API_TOKEN"
    r"|BINSTAR_API_TOKEN|POETRY_PYPI_TOKEN_\w+|POETRY_HTTP_BASIC_\w+_PASSWORD)$"
)

_LITERAL_HELP = (
    "Anyone who can read the repository, or its history, can use it: revoke it now (PyPI: "
    "Account settings → API tokens; Anaconda.org: Settings → Access), then remove it from "
    "the file. Prefer trusted publishing; otherwise store a new token as a CI secret and "
    "reference it, e.g. `${{ secrets.PYPI_API_TOKEN }}`."
)


@register
class LiteralToken(Rule):
    """A token or password is written into a file of the repository.

    A PyPI API token (`pypi-Ag...`) anywhere in a checked file, or a literal value where an
    upload takes its credential (`password:` of pypa/gh-action-pypi-publish, `-p`,
    `--password`, `--token`, `-t`, `TWINE_PASSWORD=...`, `UV_PUBLISH_TOKEN`, a `.pypirc`
    `password`), is readable by everyone who can read the repository and stays in its
    history after it is removed. PyPI revokes tokens it finds in public repositories
    (GitHub secret scanning), so the next upload fails with `403 Invalid or non-existent
    authentication information`; before that, anyone can publish as you. A placeholder that
    is not a token at all fails with `403 Invalid API Token`.

    PyPI takes part in GitHub's secret scanning: warehouse revokes a token reported as found
    in public code and e-mails its owner (`integrations/secrets`, 2026), and its upload
    endpoint answers `Invalid or non-existent authentication information` for a revoked
    token, `Invalid API Token: …` for a value that is not one.

    A password written out for an index that runs inside the job (a devpi or pypiserver on
    `localhost`, `127.0.0.1` or a service container of the job, as in smoke tests) guards
    nothing and is not reported; a value shaped like a PyPI token always is.

    shiplint never prints the value: messages name only where it is, and the source line in
    the report is masked.

    Fix: revoke the token, remove it from the file, and use trusted publishing or a CI secret
    (`password: ${{ secrets.PYPI_API_TOKEN }}`).
    """

    code = "SL503"
    name = "literal-token"
    severity = Severity.ERROR
    summary = "A token or password is written in a file"
    catalogue = ("P-3",)
    before = "- run: twine upload dist/*\n  env:\n    TWINE_PASSWORD: pypi-AgEIcHlwaS5vcmc...\n"
    after = (
        "- run: twine upload dist/*\n  env:\n    TWINE_USERNAME: __token__\n"
        "    TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        model = project.model
        reported: list[Loc] = []

        def overlaps(loc: Loc) -> bool:
            return any(
                r.source is loc.source and r.start < loc.end and loc.start < r.end for r in reported
            )

        def report(loc: Loc, message: str) -> Iterator[Finding]:
            loc = _unquoted(loc)
            _mask(loc)
            if overlaps(loc):
                return
            reported.append(loc)
            yield self.at(loc, message, _LITERAL_HELP)

        token_re = facts_mod.load().pypi_token_re
        for src in list(project.files):
            text = src.text
            if not text or "pypi-" not in text:
                continue
            for match in token_re.finditer(text):
                yield from report(
                    Loc(src, match.start(), match.end()), "a PyPI API token is written here"
                )
        local = [c.loc for u in model.uploads if _local_index(u) for c in u.credentials]
        for upload in model.uploads:
            if _local_index(upload):
                continue  # a throwaway index inside the job: its password guards nothing
            for cred in upload.credentials:
                if cred.username or cred.via == "oidc":
                    continue
                if cred.literal:
                    what = _what(cred)
                    if upload.tool == "travis-pypi" and cred.via == "input":
                        what = "Travis `deploy: provider: pypi` password"
                        yield from report(cred.loc, f"{what} is written here")
                        continue
                    yield from report(_value_part(cred.loc), f"{what} is written out in the file")
                    continue
                origin = _origin(upload, cred) if cred.via == "flag" else None
                if origin is not None and origin.loc is not None and looks_literal(origin.loc.text):
                    yield from report(
                        origin.loc,
                        f"{_what(cred)} comes from a variable set to a literal value here",
                    )
        for entry in model.pypirc:
            password = entry.password
            if password is None or password.loc is None or not looks_literal(password.text):
                continue
            if entry.repository is not None and _local_url(entry.repository.text):
                continue
            yield from report(password.loc, f"`.pypirc` [{entry.section}] password is written here")
        for var, value, _context in model.assignments:
            if value.loc is None or not _SECRET_ENV.match(var):
                continue
            if any(_same_place(value.loc, loc) for loc in local):
                continue
            if looks_literal(value.loc.text):
                yield from report(value.loc, f"`{var}` is set to a literal value")


#: hosts of an index that runs on the runner itself
_LOOPBACK = LazyPattern(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0)$|\.localhost$")


def _local_url(url: str, services: frozenset[str] = frozenset()) -> bool:
    """Whether ``url`` names an index on the runner (a loopback host) or a service
    container of the job."""
    text = url.strip().strip("\"'")
    if "://" not in text:
        return False
    host = urlsplit(text).hostname or ""
    return bool(_LOOPBACK.search(host)) or host in services


def _local_index(upload: Upload) -> bool:
    """Whether ``upload`` goes to an index that runs inside its job (a smoke test)."""
    if upload.target is None:
        return False
    job = upload.context.job
    services: frozenset[str] = frozenset()
    node = job.node.get_map("services") if job is not None and job.node is not None else None
    if node is not None:
        services = frozenset(name.lower() for name, _key, _value in node.items())
    return _local_url(upload.target.text, services)


def _same_place(a: Loc, b: Loc | None) -> bool:
    return b is not None and a.source is b.source and a.start < b.end and b.start < a.end


def _value_part(loc: Loc) -> Loc:
    """For ``--password=x`` the ``x``; otherwise ``loc``."""
    name, eq, _ = loc.text.partition("=")
    if eq and name.startswith("-"):
        return Loc(loc.source, loc.start + len(name) + 1, loc.end)
    return loc


def _what(cred: Credential) -> str:
    if cred.via == "input":
        return f"the `{cred.name}` input"
    if cred.via == "flag":
        return f"the value of `{cred.name}`"
    if cred.via == "pypirc":
        return "the `.pypirc` secret_value"
    return f"`{cred.name}`"
