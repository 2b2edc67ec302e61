"""Skeleton deploy records for the uploads that have none.

What the files tell (index, channel, auth method, secret, workflow, environment) is filled
in; what only a maintainer knows (the owning account, verification and expiry dates,
scopes, who can fix it) is a ``"TODO: ..."`` placeholder, which keeps failing the check
until it is replaced.  Used by the undocumented-upload finding (as the table to add) and
by ``shiplint init`` (which writes them).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from shiplint.deploy.match import (
    Destination,
    default_project,
    match,
    release_trigger,
    same_project,
)
from shiplint.deploy.record import load_records

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.parse.tomlpos import TomlDoc, TomlPath
    from shiplint.project import Project

ACCOUNT_TODO = {
    "pypi": "TODO: the PyPI user that owns the token",
    "testpypi": "TODO: the TestPyPI user that owns the token",
    "anaconda": "TODO: the anaconda.org user that owns the token (a maintainer, not the org)",
    "other": "TODO: the account on the index that owns the token",
}
TODO = {
    "index": "TODO: pypi, testpypi, anaconda or the upload URL",
    "group": "TODO: the anaconda.org group of the channel that grants upload rights",
    "account-kind": "TODO: personal (organization-level tokens are not allowed)",
    "scopes": "TODO: the token's scopes (SPEC 4: api:read, api:write, pypi:upload)",
    "token-expires": "TODO: expiry date of the token, YYYY-MM-DD",
    "email-verified": "TODO: date the account's primary email was last seen verified, YYYY-MM-DD",
    "maintainers": "TODO: two or more people who can regenerate the credential",
}


@dataclass
class Skeleton:
    """A record to add: its table name, its keys in order, and the uploads it documents."""

    name: str
    table: dict[str, Any]
    uploads: list[Upload] = field(default_factory=list)

    def todo_keys(self) -> list[str]:
        return [k for k, v in self.table.items() if _is_todo(v)]


def _is_todo(value: Any) -> bool:
    if isinstance(value, list):
        return any(_is_todo(v) for v in value)
    return isinstance(value, str) and value.startswith("TODO")


def skeletons(project: Project) -> list[Skeleton]:
    """One skeleton per undocumented destination (index, channel, project), way of
    authenticating and credential: a trusted-publishing upload and a token upload to the
    same index need a record each (the token has an owner to record, the trusted publisher a
    workflow), and so do two tokens in different secrets (each has its own owner and
    expiry) and two trusted publishers bound to different GitHub environments.  Each record
    then agrees with every upload it documents, so the drift rules have nothing to say about
    what ``init`` wrote."""
    from shiplint.pkg.requirements import canonical_name

    matching = match(project)
    taken = {r.name for r in load_records(project).records}
    default = default_project(project)
    groups: dict[_GroupKey, list[tuple[Upload, Destination]]] = {}
    for upload, dest in matching.undocumented:
        other = None if same_project(dest.project, default) else dest.project
        named = canonical_name(other) if other else None
        where: _Where = (dest.family, dest.index, dest.channel, named)
        kind = _auth_kind(upload, dest)
        groups.setdefault((where, kind, _credential(upload, dest, kind)), []).append((upload, dest))
    # an upload that shows no credential goes with the others to its destination
    for key in [k for k in groups if k[1] is None]:
        same = [k for k in groups if k[0] == key[0] and k[1] is not None]
        if same:
            groups[same[0]].extend(groups.pop(key))
    out: list[Skeleton] = []
    for (where, kind, credential), members in groups.items():
        family, index, channel, other = where
        upload, dest = min(members, key=_representative)
        base = _base_name(family, index, channel)
        if other:
            base = f"{base}-{other}"
        if kind == "token" and any(k[:2] == (where, "trusted") for k in groups):
            base = f"{base}-token"
        if credential is not None and sum(k[:2] == (where, kind) for k in groups) > 1:
            # several secrets (or environments) for one destination: say which one
            base = f"{base}-{_slug(credential)}"
        name = _unique(base, taken)
        taken.add(name)
        table = _table(project, members, dest, family, index, channel)
        if other and dest.project:
            table = {"index": table.pop("index"), "project": dest.project, **table}
        out.append(Skeleton(name, table, [u for u, _ in members]))
    return out


#: family, index, channel, and the project when it is not the default one
_Where = tuple[str, Optional[str], Optional[str], Optional[str]]
#: destination, auth kind, credential (the secret, or the trusted publisher's environment)
_GroupKey = tuple[_Where, Optional[str], Optional[str]]


def _auth_kind(upload: Upload, dest: Destination) -> str | None:
    """``trusted`` (OIDC only), ``token`` (a token or password), None (nothing shown)."""
    if upload.token_credentials or dest.secrets:
        return "token"
    return "trusted" if dest.oidc else None


def _credential(upload: Upload, dest: Destination, kind: str | None) -> str | None:
    """What tells this upload's credential from another to the same destination: the secret
    a token comes from (the record's `secret`), or the GitHub environment a trusted
    publisher is bound to (the record's `environment`); None when the files do not say."""
    if kind == "token":
        return dest.secret_names[0] if dest.secret_names else None
    if kind == "trusted":
        return dest.environment
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "credential"


def _representative(item: tuple[Upload, Destination]) -> tuple[int, int]:
    """Prefer CI uploads that name their credential: they say the most."""
    upload, dest = item
    says = 0 if (dest.secrets or dest.oidc) else 1
    return (0 if upload.context.origin == "workflow" else 1, says)


def _base_name(family: str, index: str | None, channel: str | None) -> str:
    if family == "anaconda":
        return channel or "anaconda"
    if index is None:
        return "upload"
    if "://" in index:
        host = index.split("://", 1)[1].split("/", 1)[0]
        return re.sub(r"[^A-Za-z0-9_-]+", "-", host).strip("-") or "upload"
    return index


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


def _table(
    project: Project,
    members: list[tuple[Upload, Destination]],
    dest: Destination,
    family: str,
    index: str | None,
    channel: str | None,
) -> dict[str, Any]:
    table: dict[str, Any] = {"index": index if index is not None else TODO["index"]}
    if family == "anaconda":
        table["channel"] = channel or "TODO: the anaconda.org org or user uploaded to"
        table["group"] = TODO["group"]
    trusted = dest.oidc and not dest.secrets
    table["auth"] = "trusted-publishing" if trusted else "token"
    if trusted:
        # PyPI trusts the file that contains the publishing job, reusable or not
        publishers = _publishers(project, [d for _, d in members])
        table["workflow"] = publishers[0] if publishers else "TODO: workflow file"
        if dest.environment is not None:
            table["environment"] = dest.environment
        if len(publishers) > 1:
            table["notes"] = _publishers_note(project, publishers, index)
        elif publishers and _reusable(project, publishers[0]):
            table["notes"] = _reusable_note(publishers[0], index)
    else:
        if dest.secret_names:
            table["secret"] = dest.secret_names[0]
        if family == "anaconda":
            table["account"] = ACCOUNT_TODO["anaconda"]
            table["account-kind"] = TODO["account-kind"]
            table["scopes"] = [TODO["scopes"]]
            table["token-expires"] = TODO["token-expires"]
        elif index in ("pypi", "testpypi"):
            table["account"] = ACCOUNT_TODO[index]
            # a PyPI account property: uploads stop when the primary email is unverified
            table["email-verified"] = TODO["email-verified"]
        else:  # a private index, or one the files do not name
            table["account"] = ACCOUNT_TODO["other" if index is not None else "pypi"]
            if index is None:
                table["email-verified"] = TODO["email-verified"]
    table["maintainers"] = [TODO["maintainers"]]
    return table


_TRIGGER_WORDS = {
    "release": "`release`",
    "push": "tag pushes",
    "workflow_dispatch": "`workflow_dispatch`",
}


def _publishers(project: Project, dests: list[Destination]) -> list[str]:
    """The publisher workflows of all the uploads a record documents (see
    :func:`publisher_workflows`): the releasing ones first (``release``, tag pushes,
    ``workflow_dispatch``, then the others), then by name."""
    names: set[str] = set()
    for dest in dests:
        names.update(dest.publishers)
    by_name = {posixpath.basename(wf.source.rel): wf for wf in project.model.workflows}
    order = list(_TRIGGER_WORDS)

    def rank(name: str) -> tuple[int, str]:
        trigger = release_trigger(by_name[name]) if name in by_name else None
        return (order.index(trigger) if trigger is not None else len(order), name)

    return sorted(names, key=rank)


def _reusable(project: Project, name: str) -> bool:
    return any(
        posixpath.basename(wf.source.rel) == name and wf.is_reusable
        for wf in project.model.workflows
    )


def _reusable_note(name: str, index: str | None) -> str:
    site = {"pypi": "PyPI", "testpypi": "TestPyPI"}.get(index or "", "the index")
    return (
        f"{name} is a reusable workflow: {site} matches the file that contains the publishing "
        "job (the `job_workflow_ref` of its OIDC token), so the trusted publisher names "
        f"{name}, not the workflow that calls it. {site} does not officially support trusted "
        "publishing from reusable workflows (pypa/gh-action-pypi-publish#166)."
    )


def _publishers_note(project: Project, publishers: list[str], index: str | None) -> str:
    """Why ``publishers[0]`` was chosen for ``workflow`` (they come ordered by
    :func:`_publishers`), and that every one of them must be registered."""
    by_name = {posixpath.basename(wf.source.rel): wf for wf in project.model.workflows}
    triggers = {
        name: release_trigger(by_name[name]) if name in by_name else None for name in publishers
    }
    chosen = publishers[0]
    trigger = triggers[chosen]
    if trigger is None:
        why = "none of them runs on `release`, tag pushes or `workflow_dispatch`; first by name"
    else:
        why = f"it runs on {_TRIGGER_WORDS[trigger]}"
        same = [name for name in publishers[1:] if triggers[name] == trigger]
        if same:
            why += f", as {' and '.join(same)} {'does' if len(same) == 1 else 'do'}; first by name"
    others = ", ".join(publishers[1:])
    site = {"pypi": "PyPI", "testpypi": "TestPyPI"}.get(index or "", "the index")
    return (
        f"{chosen} chosen for `workflow` ({why}); {others} also run"
        f"{'s' if len(publishers) == 2 else ''} the upload. {site} checks the workflow file "
        "that contains the publishing job, so each of them must be registered as a trusted "
        f"publisher of the project on {site}: {', '.join(publishers)}."
    )


def render(items: list[Skeleton], prefix: TomlPath) -> str:
    """The TOML text of the tables, each under its full ``[prefix.name]`` header."""
    return "\n".join(render_one(item, prefix) for item in items)


def preview(item: Skeleton, prefix: TomlPath) -> str:
    """The same text as :func:`render_one`, without importing tomlkit (for ``check``'s help:
    the values are plain strings and lists of strings, and JSON string syntax is TOML's)."""
    lines = ["[" + ".".join(_key(str(p)) for p in (*prefix, item.name)) + "]"]
    lines += _key_values(item)
    return "\n".join(lines) + "\n"


def _key_values(item: Skeleton) -> list[str]:
    """The record's ``key = value`` pairs as TOML (the values are strings and lists of
    strings: JSON string syntax is TOML's)."""
    out = []
    for key, value in item.table.items():
        if isinstance(value, list):
            text = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        out.append(f"{_key(key)} = {text}")
    return out


def inline_holder(doc: TomlDoc, prefix: TomlPath) -> tuple[TomlPath, TomlPath] | None:
    """Where records must go when the deploy table, or a table above it, is written inline
    (``deploy = {pypi = {...}}``): a ``[prefix.name]`` header cannot add to an inline table.

    Returns the path of the deepest inline table on ``prefix`` that exists and the rest of
    ``prefix`` below it; None when headers work.
    """
    for i in range(1, len(prefix) + 1):
        text = doc.value_text(prefix[:i])
        if text is None or not text.startswith("{"):
            continue
        j = i
        while j < len(prefix) and isinstance(doc.get(prefix[: j + 1]), dict):
            j += 1
        return prefix[:j], prefix[j:]
    return None


def inline_entry(item: Skeleton, rest: TomlPath = ()) -> str:
    """The record as one ``name = {key = value, ...}`` entry of an inline table, nested in
    the tables of ``rest`` that do not exist yet."""
    entry = f"{_key(item.name)} = {{{', '.join(_key_values(item))}}}"
    for part in reversed(rest):
        entry = f"{_key(str(part))} = {{{entry}}}"
    return entry


def inline_advice(
    doc: TomlDoc, prefix: TomlPath, items: list[Skeleton], fill: str = ""
) -> str | None:
    """How to add ``items`` by hand when the deploy table is inline (None: it is not);
    ``fill`` names the keys still to fill in."""
    found = inline_holder(doc, prefix)
    if found is None:
        return None
    holder, rest = found
    pos = doc.key_pos(holder)
    where = f" (line {pos.line})" if pos is not None else ""
    entries = "\n".join("    " + inline_entry(item, rest) for item in items)
    name = ".".join(str(p) for p in holder)
    header = ".".join(str(p) for p in prefix)
    return (
        f"`{name}` is an inline table{where} in {doc.src.rel}, so a `[{header}.<name>]` table "
        f"cannot be added next to it. Add {'this entry' if len(items) == 1 else 'these entries'} "
        "inside its braces, after a comma (an inline table stays on one line)"
        + (f", and fill in {fill}" if fill else "")
        + f":\n{entries}\n"
        f"Or turn the inline table into `[{header}.<name>]` tables, which `shiplint init` can "
        "extend."
    )


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def render_one(item: Skeleton, prefix: TomlPath) -> str:
    import tomlkit

    table = tomlkit.table()
    for key, value in item.table.items():
        table.add(key, value)
    node: Any = table
    for part in reversed((*prefix, item.name)[1:]):
        outer = tomlkit.table(is_super_table=True)
        outer.add(str(part), node)
        node = outer
    doc = tomlkit.document()
    doc.add(str(prefix[0]), node)
    return doc.as_string().lstrip("\n")
