"""Upload scripts that skip the upload, with success, when the token is empty (S-2).

The script's structure comes from :mod:`shiplint.parse.shell_flow`; this module reads the
emptiness tests (``[ -z "$T" ]``, ``[[ -n $T ]]``, ``[ "x$T" = x ]`` ...) of the variables
that carry the upload's credential and follows the branch taken when it is empty.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from shiplint.findings import Finding, Severity
from shiplint.lazyre import LazyPattern
from shiplint.model import Loc
from shiplint.model.script_uploads import script_uploads, upload_command_name
from shiplint.model.shellblocks import secret_names
from shiplint.parse.shell_expand import variable_refs
from shiplint.parse.shell_flow import and_or_lists, bodies, fails, terminates
from shiplint.pkg.tool_credentials import tool_auth
from shiplint.rules import register
from shiplint.rules.base import Rule

if TYPE_CHECKING:
    from shiplint.model import Upload
    from shiplint.model.script_uploads import ScriptFlow
    from shiplint.parse.shell_flow import Node
    from shiplint.parse.shell_words import Word
    from shiplint.project import Project

_TOKENISH = LazyPattern(r"TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|AUTH", re.IGNORECASE)


def _credential_vars(upload: Upload, copies: _Copies) -> set[str]:
    """Variables that carry the upload's credential: those its credential options or
    variables name, the tool's own variables, and the variables those are copied from
    (``copies``: the assignments of the upload's flow)."""
    names: set[str] = set()
    for cred in upload.credentials:
        if cred.username or cred.via == "oidc":
            continue
        names.update(variable_refs(cred.loc.text))
        if cred.via == "env" and cred.name:
            names.add(cred.name)
        if cred.secret and re.fullmatch(r"[A-Za-z_]\w*", cred.secret):
            names.add(cred.secret)
    auth = tool_auth(upload.tool, {}, upload.index)
    if auth is not None:
        for scheme in auth.schemes:
            names.update(n for n in scheme.names if not n.startswith(("GITHUB_", "ACTIONS_")))
    if upload.tool == "anaconda":
        names.update(("ANACONDA_API_TOKEN", "BINSTAR_API_TOKEN"))
    if upload.command is not None:
        for arg in upload.command.args:
            if arg.text.startswith("-") and _TOKENISH.search(arg.text) is None:
                continue
            names.update(n for n in variable_refs(arg.raw) if _TOKENISH.search(n))
    return set(copies.of(names))


class _Copies:
    """The assignments of one flow, in order, read once: the variables a set of names is
    copied from (``A="$B"`` with ``A`` in the set adds ``B``, in one pass in text order),
    computed once per distinct starting set."""

    def __init__(self, flow: ScriptFlow) -> None:
        self.assigns = [
            (name, variable_refs(word.text)) for cmd in flow.commands for name, word in cmd.assigns
        ]
        self.done: dict[frozenset[str], frozenset[str]] = {}

    def of(self, start: set[str]) -> frozenset[str]:
        key = frozenset(start)
        got = self.done.get(key)
        if got is None:
            names = set(start)
            for name, refs in self.assigns:
                if name in names:
                    names.update(refs)
            got = self.done[key] = frozenset(names)
        return got


def _secret_fed(upload: Upload, name: str) -> bool:
    """Whether variable ``name`` of the upload's environment comes from a CI secret."""
    if upload.command is None or _TOKENISH.search(name) is None:
        return False
    value = upload.command.env.get(name)
    if value is None:
        return False
    return bool(secret_names(value.text)) or (
        value.loc is not None and bool(secret_names(value.loc.text))
    )


_TEST_HEADS = frozenset({"[", "[[", "test"})


class _Atom(NamedTuple):
    var: str
    empty: bool  # True: true when the variable is empty; False: true when it is set
    word: Word


def _atom(words: list[Word]) -> _Atom | None:
    """``-z X``, ``-n X``, ``X``, ``X == ""``, ``X != ""``, ``"x$V" = x`` about one variable."""
    negate = False
    while words and words[0].text == "!" and not words[0].quoted:
        negate = not negate
        words = words[1:]
    texts = [w.text for w in words]
    found: tuple[Word, bool] | None = None
    if len(words) == 2 and texts[0] in ("-z", "-n"):
        found = (words[1], texts[0] == "-z")
    elif len(words) == 1 and not texts[0].startswith("-"):
        found = (words[0], False)
    elif len(words) == 3 and texts[1] in ("=", "==", "!="):
        left, right = words[0], words[2]
        if variable_refs(right.text) and not variable_refs(left.text):
            left, right = right, left
        other = right.text
        prefix = left.text.split("$", 1)[0]
        if other == prefix:  # "" == "", or "x$V" = "x"
            found = (left, texts[1] != "!=")
    if found is None:
        return None
    word, empty = found
    refs = variable_refs(word.text)
    if len(refs) != 1:
        return None
    return _Atom(refs[0], empty != negate, word)


def _test_atoms(cond: list[Node]) -> tuple[list[_Atom], set[str]] | None:
    """The emptiness tests of a condition and the connectives between its parts."""
    atoms: list[_Atom] = []
    joins: set[str] = set()
    for i, node in enumerate(cond):
        if node.kind != "cmd" or node.cmd is None or not node.cmd.words:
            return None
        if i:
            joins.add(node.joined)
        words = node.cmd.words
        head = words[0].text
        if head not in _TEST_HEADS:
            return None
        inner = list(words[1:])
        if head in ("[", "[[") and inner and inner[-1].text in ("]", "]]"):
            inner = inner[:-1]
        part: list[Word] = []
        parts: list[list[Word]] = []
        for word in inner:
            if word.text in ("&&", "||", "-a", "-o") and not word.quoted:
                joins.add("&&" if word.text in ("&&", "-a") else "||")
                parts.append(part)
                part = []
            else:
                part.append(word)
        parts.append(part)
        for words_ in parts:
            atom = _atom(words_)
            if atom is not None and node.negated:
                atom = _Atom(atom.var, not atom.empty, atom.word)
            if atom is not None:
                atoms.append(atom)
    return atoms, joins


def _empty_test(got: tuple[list[_Atom], set[str]], names: frozenset[str]) -> _Atom | None:
    """The test of a credential variable that decides the branch (``got``: the condition's
    :func:`_test_atoms`): an atom whose ``empty`` says when the condition holds (only for
    ``||`` chains of emptiness tests or ``&&`` chains of is-set tests, whose outcome
    follows from that one variable)."""
    atoms, joins = got
    for atom in atoms:
        if atom.var not in names:
            continue
        if atom.empty and joins <= {"||"}:
            return atom
        if not atom.empty and joins <= {"&&"}:
            return atom
    return None


@dataclass
class _Skip:
    atom: _Atom
    upload: Upload
    how: str  # how the script skips, for the message


class _Targets:
    """The upload command nodes of uploads sharing one set of credential variables, by
    their place in the flow's walk order, to ask for the first upload (in the rule's
    order) below a part of the tree without visiting the uploads one by one (a sparse table
    of range minima)."""

    def __init__(self, items: list[tuple[int, int]]) -> None:
        items = sorted(items)
        self.places = [place for place, _index in items]
        level = [index for _place, index in items]
        self.table = [level]
        width = 1
        while 2 * width <= len(level):
            prev = self.table[-1]
            self.table.append([min(prev[i], prev[i + width]) for i in range(len(prev) - width)])
            width *= 2

    def first(self, spans: list[tuple[int, int]]) -> int | None:
        """The first upload whose node is placed in one of the ``[start, end)`` spans."""
        best: int | None = None
        for start, end in spans:
            lo = bisect.bisect_left(self.places, start)
            hi = bisect.bisect_left(self.places, end)
            if lo >= hi:
                continue
            level = (hi - lo).bit_length() - 1
            row = self.table[level]
            got = min(row[lo], row[hi - (1 << level)])
            best = got if best is None else min(best, got)
        return best


def _walk_spans(nodes: list[Node]) -> dict[int, tuple[int, int]]:
    """Each node's ``[first, end)`` numbers in walk order (the node, then its heads, branch
    conditions and bodies, and body): the nodes below a list are a contiguous span."""
    spans: dict[int, tuple[int, int]] = {}
    count = 0
    todo: list[tuple[Node, bool]] = [(node, False) for node in reversed(nodes)]
    while todo:
        node, closing = todo.pop()
        if closing:
            spans[id(node)] = (spans[id(node)][0], count)
            continue
        spans[id(node)] = (count, count)
        count += 1
        todo.append((node, True))
        below = [*node.head]
        for branch in node.branches:
            below += branch.cond
            below += branch.body
        below += node.body
        todo.extend((sub, False) for sub in reversed(below))
    return spans


class _Search:
    """The uploads of one flow, grouped by their credential variables, and where their
    command nodes are, to find the skips of every test in one pass over the tree."""

    def __init__(
        self, flow: ScriptFlow, uploads: list[tuple[Upload, Node]], names: dict[int, set[str]]
    ) -> None:
        assert flow.nodes is not None
        self.uploads = uploads
        self.spans = _walk_spans(flow.nodes)
        groups: dict[frozenset[str], list[tuple[int, int]]] = {}
        for index, (upload, target) in enumerate(uploads):
            place = self.spans[id(target)][0]
            groups.setdefault(frozenset(names[id(upload)]), []).append((place, index))
        self.names = list(groups)
        self.targets = [_Targets(items) for items in groups.values()]
        self.by_var: dict[str, list[int]] = {}
        for group, group_names in enumerate(self.names):
            for name in group_names:
                self.by_var.setdefault(name, []).append(group)

    def span(self, nodes: list[Node]) -> list[tuple[int, int]]:
        """The walk-order span of the nodes in and below ``nodes`` (a slice of one list)."""
        if not nodes:
            return []
        return [(self.spans[id(nodes[0])][0], self.spans[id(nodes[-1])][1])]

    def tests(self, cond: list[Node]) -> Iterator[tuple[int, _Atom]]:
        """For each group of uploads, the test of one of its variables deciding ``cond``."""
        got = _test_atoms(cond)
        if got is None:
            return
        groups = sorted({g for atom in got[0] for g in self.by_var.get(atom.var, ())})
        for group in groups:
            atom = _empty_test(got, self.names[group])
            if atom is not None:
                yield group, atom


def _silent_skips(
    flow: ScriptFlow, uploads: list[tuple[Upload, Node]], names: dict[int, set[str]]
) -> Iterator[_Skip]:
    """The skips of the uploads in ``flow``: for each test, per group of uploads that share
    their credential variables only the first upload it skips (in the order of
    ``uploads``), since a finding is made once per test."""
    nodes = flow.nodes
    if nodes is None or not uploads:
        return
    search = _Search(flow, uploads, names)
    for body in bodies(nodes):
        for index, node in enumerate(body):
            if node.kind == "if":
                yield from _if_skips(search, node, body[index + 1 :])
        for start, end in and_or_lists(body):
            if end - start >= 2:
                yield from _chain_skips(search, body[start:end], body[end:])


def _ordered(search: _Search, found: list[tuple[int, _Atom, str]]) -> Iterator[_Skip]:
    for index, atom, how in sorted(found, key=lambda item: item[0]):
        yield _Skip(atom, search.uploads[index][0], how)


def _if_skips(search: _Search, node: Node, after: list[Node]) -> Iterator[_Skip]:
    for k, branch in enumerate(node.branches):
        if branch.kind == "else":
            break
        found: list[tuple[int, _Atom, str]] = []
        for group, atom in search.tests(branch.cond):
            targets = search.targets[group]
            if atom.empty:
                # this branch runs when the token is empty: it is the skip
                if fails(branch.body):
                    continue
                rest = [s for b in node.branches[k + 1 :] for s in search.span(b.body)]
                in_rest = targets.first(rest)
                in_after = targets.first(search.span(after)) if terminates(branch.body) else None
                if in_rest is not None and (in_after is None or in_rest < in_after):
                    found.append(
                        (in_rest, atom, "the branch for an empty token ends without an error")
                    )
                elif in_after is not None:
                    found.append(
                        (in_after, atom, "the script exits with status 0 before uploading")
                    )
            elif k == 0:
                # the upload runs only when the token is set; the other branches skip it
                first = targets.first(search.span(branch.body))
                if first is None or any(fails(b.body) for b in node.branches[1:]):
                    continue
                found.append(
                    (
                        first,
                        atom,
                        "the upload runs only when the token is set, and nothing fails otherwise",
                    )
                )
        yield from _ordered(search, found)


def _chain_skips(search: _Search, chain: list[Node], after: list[Node]) -> Iterator[_Skip]:
    test, rest = chain[0], chain[1:]
    if test.kind != "cmd" or rest[0].joined not in ("&&", "||"):
        return
    found: list[tuple[int, _Atom, str]] = []
    for group, atom in search.tests([test]):
        targets = search.targets[group]
        # `&&` runs the rest when the test holds, `||` when it does not
        runs_when_empty = atom.empty == (rest[0].joined == "&&")
        if runs_when_empty:
            ends = terminates(rest) or any(n.kind == "group" and terminates(n.body) for n in rest)
            if fails(rest) or not ends:
                continue
            first = targets.first(search.span(after))
            if first is not None:
                found.append((first, atom, "the script exits with status 0 before uploading"))
        else:
            first = targets.first(search.span(rest))
            if first is not None:
                found.append(
                    (
                        first,
                        atom,
                        "the upload runs only when the token is set, and nothing fails otherwise",
                    )
                )
    yield from _ordered(search, found)


def _var_loc(flow: ScriptFlow, word: Word, var: str) -> Loc:
    """Where ``$var`` / ``${var...}`` (cmd.exe: ``%var%``; PowerShell: ``$env:var``) is
    written in ``word``."""
    loc = flow.loc(word.start, word.end)
    name = re.escape(var)
    match = re.search(
        rf"\$\{{(?:env:)?{name}[^}}]*\}}|\$(?:env:)?{name}\b|%{name}%|!{name}!",
        loc.text,
        re.IGNORECASE if flow.dialect != "sh" else 0,
    )
    if match is None:
        return loc
    return Loc(loc.source, loc.start + match.start(), loc.start + match.end())


@register
class UploadSkippedWithoutToken(Rule):
    """An upload script skips the upload, with success, when its token is empty.

    `if [[ -z $TOKEN ]]; then echo "no token, not uploading"; else anaconda upload ...; fi`
    (and `[ "$TOKEN" == "" ]`, `if [ -n "$TOKEN" ]; then upload; fi`, `[ -z "$TOKEN" ] &&
    exit 0`) keeps the job green when the secret is missing, expired and deleted, renamed,
    or not given to the job. CI then reports success while nothing is uploaded: h5py's ARM
    nightlies were not uploaded for about seven months unnoticed (h5py/h5py#2216), numpy's
    and scikit-learn's upload scripts printed `no token set, not uploading` the same way
    (catalogue S-2). A missing secret is an empty string, not an error, in GitHub Actions.

    shiplint reports the test of the variable when it is the upload's credential (passed
    with `-t`/`--token`/`-p`, a variable the tool reads such as `TWINE_PASSWORD`, or a
    variable copied from one) or an env variable fed from a secret, and the branch taken
    when it is empty ends without an error (no `exit 1`). PowerShell and cmd.exe scripts
    and run steps are read the same way: `if (-not $env:TOKEN) { exit 0 }`, `if
    ($env:TOKEN) { twine upload ... }`, `[string]::IsNullOrEmpty($env:TOKEN)`, `IF NOT
    "%TOKEN%"=="" twine upload ...`, `IF DEFINED TOKEN ...`; so are the script items of
    other CI systems' files (an AppVeyor `- cmd:` item that tests a `secure:` variable).

    A warning, not an error: the upload is skipped only when the secret is empty, which
    shiplint cannot see, and the skip is often meant for forks, whose runs get no secrets.
    What to check is that the secret is set for every run that must upload; the fix below
    keeps forks out without hiding a missing secret upstream.

    Fix: fail when the token is missing on runs that must upload, and decide in the
    workflow which runs upload (`if: github.event_name == 'schedule'` on the step, or
    `github.repository == 'owner/repo'` to leave forks out) instead of testing the secret:
    `if [[ -z "$TOKEN" ]]; then echo "::error::TOKEN is empty"; exit 1; fi`.
    """

    code = "SL911"
    name = "upload-skipped-without-token"
    severity = Severity.WARNING
    summary = "Upload script skips the upload with success when the token is empty"
    catalogue = ("S-2",)
    example_file = "tools/upload_wheels.sh"
    before = (
        "#!/bin/bash\nset -euo pipefail\n"
        'if [[ -z "${ANACONDA_TOKEN:-}" ]]; then\n'
        '    echo "no token set, not uploading"\n'
        "else\n"
        '    anaconda -t "$ANACONDA_TOKEN" upload --force -u scientific-python-nightly-wheels'
        " dist/*.whl\nfi\n"
    )
    after = (
        "#!/bin/bash\nset -euo pipefail\n"
        'if [[ -z "${ANACONDA_TOKEN:-}" ]]; then\n'
        '    echo "::error::ANACONDA_TOKEN is empty"\n'
        "    exit 1\n"
        "fi\n"
        'anaconda -t "$ANACONDA_TOKEN" upload --force -u scientific-python-nightly-wheels'
        " dist/*.whl\n"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        by_flow: dict[int, tuple[ScriptFlow, list[tuple[Upload, Node]]]] = {}
        for upload, flow, node in script_uploads(project):
            by_flow.setdefault(id(flow), (flow, []))[1].append((upload, node))
        seen: set[tuple[str, int]] = set()
        for flow, uploads in by_flow.values():
            names: dict[int, set[str]] = {}
            copies = _Copies(flow)
            for upload, _node in uploads:
                names[id(upload)] = _credential_vars(upload, copies)
                if upload.command is not None:
                    names[id(upload)].update(
                        n for n in upload.command.env if _secret_fed(upload, n)
                    )
            for skip in _silent_skips(flow, uploads, names):
                loc = _var_loc(flow, skip.atom.word, skip.atom.var)
                key = (loc.source.rel, loc.start)
                if key in seen:
                    continue
                seen.add(key)
                var = skip.atom.var
                yield self.at(
                    loc,
                    f"when `{var}` is empty, `{upload_command_name(skip.upload)}` is skipped "
                    f"and the job still succeeds ({skip.how})",
                    f"A missing, expired or renamed secret is an empty string, so CI stays "
                    f"green while nothing is uploaded (h5py's nightlies went unpublished for "
                    f"months this way): check that the secret is set for every run that must "
                    f"upload. Better, fail: {_fail_when_empty(flow.dialect, var)}, and choose "
                    f"the runs that upload in the workflow (`if:` on the event or repository), "
                    f"not by testing the token.",
                )


def _fail_when_empty(dialect: str, var: str) -> str:
    """The test that fails on an empty token, in the script's own shell."""
    if dialect == "pwsh":
        return (
            f'`if (-not $env:{var}) {{ Write-Error "{var} is empty"; exit 1 }}` (a PowerShell '
            f"variable: `if (-not ${var})`)"
        )
    if dialect == "cmd":
        return f'`if "%{var}%"=="" (echo {var} is empty & exit /b 1)`'
    return f'`if [[ -z "${{{var}:-}}" ]]; then echo "::error::{var} is empty"; exit 1; fi`'
