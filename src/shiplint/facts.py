"""Typed access to ``data/facts.toml``: the facts that age, kept out of the code."""

from __future__ import annotations

import functools
import re
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from packaging.version import Version


class ActionFacts(NamedTuple):
    repo: str
    branches: tuple[str, ...]
    sunset: tuple[str, ...]
    latest: Version
    thresholds: dict[str, Version]
    shas: dict[str, Version]
    raw: dict[str, Any]

    def threshold(self, name: str) -> Version:
        return self.thresholds[name]


class DeprecatedOrg(NamedTuple):
    name: str
    replacement: str
    reason: str


class Facts(NamedTuple):
    pypi_publish: ActionFacts
    upload_nightly: ActionFacts
    deprecated_inputs: dict[str, str]
    nightly_org: str
    anaconda_recommended_secret: str
    broken_client_versions: tuple[str, ...]
    required_scopes: tuple[str, ...]
    recommended_scopes: tuple[str, ...]
    spec4: str
    deprecated_orgs: dict[str, DeprecatedOrg]
    org_token_patterns: tuple[re.Pattern[str], ...]
    pypi_token_re: re.Pattern[str]
    #: other prefixed token shapes (GitHub, GitLab), one alternation
    other_token_re: re.Pattern[str]
    upload_urls: dict[str, str]
    index_urls: dict[str, str]
    legacy_hosts: dict[str, str]
    upload_hosts: dict[str, str]
    checked: str
    #: anaconda-client release that fixed ``broken_client_versions``
    client_fixed_in: str = ""


def _version(text: str) -> Version:
    from packaging.version import Version

    return Version(text)


def parse_version(text: str) -> Version | None:
    """A version from a ref or comment such as ``v1.12.4``, ``1.12``, ``tag=v3.1.3``."""
    from packaging.version import InvalidVersion, Version

    match = re.search(r"v?(\d+(?:\.\d+){0,3})\b", text)
    if not match:
        return None
    try:
        return Version(match.group(1))
    except InvalidVersion:  # pragma: no cover - the pattern only admits valid versions
        return None


def _action(raw: dict[str, Any]) -> ActionFacts:
    thresholds = {
        key: _version(value)
        for key, value in raw.items()
        if key.endswith("-since") and isinstance(value, str)
    }
    return ActionFacts(
        repo=raw["repo"],
        branches=tuple(raw.get("branches", ())),
        sunset=tuple(raw.get("sunset", ())),
        latest=_version(raw["latest"]),
        thresholds=thresholds,
        shas={sha.lower(): _version(v) for sha, v in raw.get("shas", {}).items()},
        raw=raw,
    )


#: the line after which ``data/facts.toml`` holds the ref lists of the catalogued
#: publishers, parsed only when one is needed (:func:`refs_table`)
LAZY_MARKER = "# ==== Refs of the catalogued publishers"


@functools.lru_cache(maxsize=1)
def _facts_text() -> tuple[str, str]:
    """``data/facts.toml`` split at :data:`LAZY_MARKER`: the facts every audit reads, and
    the ref tables read on first use.

    The file is read next to this module (importlib.resources alone takes longer to
    import than reading and parsing the file), through importlib.resources only when
    that fails, e.g. for an install inside a zip file.
    """
    import os

    path = os.path.join(os.path.dirname(__file__), "data", "facts.toml")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:  # pragma: no cover - not a plain file
        from importlib import resources

        text = resources.files("shiplint").joinpath("data/facts.toml").read_text(encoding="utf-8")
    at = text.find(LAZY_MARKER)
    if at == -1:
        return text, ""
    return text[:at], text[text.find("\n", at) + 1 :]


def _loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older Pythons only
        import tomli as tomllib
    return tomllib.loads(text)


@functools.lru_cache(maxsize=1)
def toml_data() -> dict[str, Any]:
    """``data/facts.toml`` up to the ref lists of the catalogued publishers, parsed once
    per process; every reader shares this dict (read it, never change it)."""
    return _loads(_facts_text()[0])


@functools.lru_cache(maxsize=1)
def _lazy_refs() -> dict[str, Any]:
    tables = _loads(_facts_text()[1]).get("refs", {})
    return tables if isinstance(tables, dict) else {}


def refs_table(name: str) -> dict[str, Any]:
    """The ref facts (tags, branches, release commits) named ``name``: an ``[actions.*]``
    table, or a ``[refs.*]`` table of the part of the file read on first use."""
    actions = toml_data().get("actions", {})
    if name in actions:
        return dict(actions[name])
    return dict(_lazy_refs().get(name, {}))


@functools.lru_cache(maxsize=1)
def load() -> Facts:
    data = toml_data()
    actions = data["actions"]
    anaconda = data["anaconda"]
    pypi = data["pypi"]
    return Facts(
        pypi_publish=_action(actions["pypi-publish"]),
        upload_nightly=_action(actions["upload-nightly"]),
        deprecated_inputs=dict(actions["pypi-publish"]["deprecated-inputs"]),
        nightly_org=anaconda["nightly-org"],
        anaconda_recommended_secret=anaconda["recommended-secret"],
        broken_client_versions=tuple(anaconda["broken-client-versions"]),
        required_scopes=tuple(anaconda["required-scopes"]),
        recommended_scopes=tuple(anaconda["recommended-scopes"]),
        spec4=anaconda["spec"],
        deprecated_orgs={
            name: DeprecatedOrg(name, info["replacement"], info["reason"])
            for name, info in anaconda["deprecated-orgs"].items()
        },
        org_token_patterns=tuple(re.compile(p) for p in anaconda["org-token-names"]["patterns"]),
        pypi_token_re=re.compile(pypi["token-pattern"]),
        other_token_re=re.compile("|".join(f"(?:{p})" for p in data["secrets"]["token-patterns"])),
        upload_urls=dict(pypi["upload-urls"]),
        index_urls=dict(pypi["index-urls"]),
        legacy_hosts=dict(pypi["legacy-hosts"]),
        upload_hosts=dict(pypi["upload-hosts"]),
        checked=str(data["meta"]["checked"]),
        client_fixed_in=str(anaconda.get("client-fixed-in", "")),
    )


@functools.lru_cache(maxsize=1)
def baipp() -> ActionFacts:
    """``[actions.baipp]``: hynek/build-and-inspect-python-package and the twine it runs."""
    return _action(toml_data()["actions"]["baipp"])


class ArtifactFacts(NamedTuple):
    """``[actions.artifacts]``: actions/upload-artifact and actions/download-artifact."""

    upload: str
    download: str
    merge: str
    backend_major: int
    fix_ref: str
    latest_upload: Version
    latest_download: Version
    hidden_files_excluded_since: Version
    single_id_direct_since: Version
    overwrite_since: Version
    merge_multiple_since: Version
    artifact_ids_since: Version
    archive_input_since: Version
    #: retired major → (date GitHub started failing it, deprecation notice URL)
    retired: dict[int, tuple[str, str]]
    shas: dict[str, Version]


@functools.lru_cache(maxsize=1)
def artifacts() -> ArtifactFacts:
    data = toml_data()
    raw = data["actions"]["artifacts"]
    return ArtifactFacts(
        upload=raw["upload"],
        download=raw["download"],
        merge=raw["merge"],
        backend_major=int(raw["backend-major"]),
        fix_ref=raw["fix-ref"],
        latest_upload=_version(raw["latest-upload"]),
        latest_download=_version(raw["latest-download"]),
        hidden_files_excluded_since=_version(raw["hidden-files-excluded-since"]),
        single_id_direct_since=_version(raw["single-id-direct-since"]),
        overwrite_since=_version(raw["overwrite-since"]),
        merge_multiple_since=_version(raw["merge-multiple-since"]),
        artifact_ids_since=_version(raw["artifact-ids-since"]),
        archive_input_since=_version(raw["archive-input-since"]),
        retired={
            int(major): (str(info["since"]), str(info["notice"]))
            for major, info in raw["retired"].items()
        },
        shas={sha.lower(): _version(v) for sha, v in raw["shas"].items()},
    )


class AnacondaFacts(NamedTuple):
    """More ``[anaconda]`` facts: installing anaconda-client, organization token names."""

    #: Anaconda CLI plugins that make anaconda-client 1.13.0 drop ``--token``
    plugins: tuple[str, ...]
    #: the anaconda-client releases on PyPI, oldest first
    pypi_releases: tuple[Version, ...]
    #: secret names of any organization's token (``[anaconda.org-token-names] generic``)
    generic_org_token_patterns: tuple[re.Pattern[str], ...] = ()


@functools.lru_cache(maxsize=1)
def anaconda() -> AnacondaFacts:
    raw = toml_data()["anaconda"]
    return AnacondaFacts(
        plugins=tuple(raw.get("client-plugins", ())),
        pypi_releases=tuple(sorted(_version(v) for v in raw.get("client-pypi-releases", ()))),
        generic_org_token_patterns=tuple(
            re.compile(p) for p in raw.get("org-token-names", {}).get("generic", ())
        ),
    )


class Publisher(NamedTuple):
    """``[publishers.NAME]``: an action or reusable workflow that uploads packages, as data:
    how a use of it names its credential, its target and whether it uploads at all."""

    name: str
    #: every spelling of ``uses:`` without the ref, lower case
    uses: tuple[str, ...]
    #: ``step`` (an action a step uses) or ``workflow`` (a reusable workflow a job calls)
    kind: str
    #: the model's ``Upload.tool`` for its uploads
    tool: str
    family: str  # pypi or anaconda
    default_index: str  # the index it uploads to unless told otherwise
    #: the input that decides whether the use uploads, the values that do, and its default
    upload_input: str | None
    upload_values: tuple[str, ...]
    upload_default: str | None
    #: the input is a prefix of ``github.ref``: the use uploads when the ref starts with it
    upload_ref_prefix: bool
    token_inputs: tuple[str, ...]
    token_secrets: tuple[str, ...]
    username_inputs: tuple[str, ...]
    username_default: str | None
    token_env: tuple[str, ...]
    username_env: tuple[str, ...]
    #: automatic (trusted publishing when no token is given), never, or always
    trusted_publishing: str
    #: the indexes its trusted publishing can reach (empty: any)
    trusted_publishing_indexes: tuple[str, ...]
    index_url_inputs: tuple[str, ...]
    index_url_env: tuple[str, ...]
    index_name_inputs: tuple[str, ...]
    index_name_env: tuple[str, ...]
    channel_input: str | None
    channel_default: str | None
    #: a token value (the input's default) with which the action skips the upload
    skip_token: str | None
    #: the first release of the action that no longer uploads
    uploads_until: Version | None
    #: the ``[actions.NAME]`` table that holds its refs, when not this one
    refs: str | None
    raw: dict[str, Any]


def _publisher(name: str, raw: dict[str, Any]) -> Publisher:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in raw.get(key, ()))

    def text(key: str) -> str | None:
        value = raw.get(key)
        return None if value is None else str(value)

    when = raw.get("upload-when", {})
    until = text("uploads-until")
    return Publisher(
        name=name,
        uses=tuple(u.lower() for u in strings("uses")),
        kind=str(raw.get("kind", "step")),
        tool=str(raw.get("tool", name)),
        family=str(raw.get("family", "pypi")),
        default_index=str(raw.get("index", "pypi")),
        upload_input=when.get("input"),
        upload_values=tuple(str(v) for v in when.get("values", ())),
        upload_default=None if when.get("default") is None else str(when["default"]),
        upload_ref_prefix=bool(when.get("ref-prefix", False)),
        token_inputs=strings("token-inputs"),
        token_secrets=strings("token-secrets"),
        username_inputs=strings("username-inputs"),
        username_default=text("username-default"),
        token_env=strings("token-env"),
        username_env=strings("username-env"),
        trusted_publishing=str(raw.get("trusted-publishing", "never")),
        trusted_publishing_indexes=strings("trusted-publishing-indexes"),
        index_url_inputs=strings("index-url-inputs"),
        index_url_env=strings("index-url-env"),
        index_name_inputs=strings("index-name-inputs"),
        index_name_env=strings("index-name-env"),
        channel_input=text("channel-input"),
        channel_default=text("channel-default"),
        skip_token=text("skip-token"),
        uploads_until=_version(until) if until else None,
        refs=text("refs"),
        raw=raw,
    )


@functools.lru_cache(maxsize=1)
def publishers() -> dict[str, tuple[Publisher, ...]]:
    """Every ``[publishers.*]`` entry, by each ``uses:`` spelling (lower case); one use may
    make several uploads (a reusable workflow that uploads to PyPI and to Anaconda.org)."""
    out: dict[str, tuple[Publisher, ...]] = {}
    for name, raw in toml_data().get("publishers", {}).items():
        entry = _publisher(name, raw)
        for uses in entry.uses:
            out[uses] = (*out.get(uses, ()), entry)
    return out
