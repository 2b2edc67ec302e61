"""Git's ignore files, read as git reads them: ``.gitignore`` patterns (wildmatch in
pathname mode, with ``**``, character classes and ``!`` re-includes), the root's
``.git/info/exclude`` (also for worktrees and submodules), and the stack of ignore files
that applies to a path (the deepest one with a matching pattern decides).

:func:`glob_regex` is the same translation for other glob patterns relative to a root
(``extend-include``/``extend-exclude`` in the configuration).
"""

from __future__ import annotations

import functools
import os
import re
import stat
from typing import NamedTuple

NEVER = "(?!)"

_POSIX_CLASSES: dict[str, str] = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9a-fA-F",
}


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """Translate the ``[...]`` at ``pattern[start]`` as git's wildmatch reads it.

    Returns the regex and the index after the closing ``]``, or None when the class is
    malformed (git then never matches the pattern).
    """
    n = len(pattern)
    i = start + 1
    negate = i < n and pattern[i] in "!^"
    if negate:
        i += 1
    items: list[str] = []
    prev: str | None = None
    first = True
    while True:
        if i >= n:
            return None
        ch = pattern[i]
        if ch == "]" and not first:
            i += 1
            break
        first = False
        if ch == "\\":
            i += 1
            if i >= n:
                return None
            prev = pattern[i]
            items.append(re.escape(prev))
            i += 1
        elif ch == "-" and prev is not None and i + 1 < n and pattern[i + 1] != "]":
            i += 1
            high = pattern[i]
            if high == "\\":
                i += 1
                if i >= n:
                    return None
                high = pattern[i]
            # The low end was already added as a single character, which is all git
            # matches when the range is reversed.
            if prev <= high:
                items.append(f"{re.escape(prev)}-{re.escape(high)}")
            prev = None
            i += 1
        elif ch == "[" and i + 1 < n and pattern[i + 1] == ":":
            close = pattern.find("]", i + 2)
            if close == -1:
                return None
            if close - 1 < i + 2 or pattern[close - 1] != ":":
                # No ":]": a plain "[" in the set.
                prev = "["
                items.append(re.escape(prev))
                i += 1
                continue
            name = pattern[i + 2 : close - 1]
            if name not in _POSIX_CLASSES:
                return None
            items.append(_POSIX_CLASSES[name])
            prev = None
            i = close + 1
        else:
            prev = ch
            items.append(re.escape(ch))
            i += 1
    body = "".join(items)
    if negate:
        return f"[^/{body}]", i
    if not body:
        return NEVER, i
    return f"(?!/)[{body}]", i


def glob_regex(pattern: str) -> str | None:
    """Translate a gitignore glob (pathname mode) to a regex; None if it can never match."""
    out: list[str] = []
    n = len(pattern)
    # git matches the literal prefix separately and runs wildmatch on the rest, so a "**"
    # right after that prefix counts as starting a component ("a**/b" matches "ab").
    start = next((k for k, c in enumerate(pattern) if c in "*?[\\"), n)
    i = 0
    while i < n:
        ch = pattern[i]
        if ch == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            if j - i >= 2 and (i == start or pattern[i - 1] == "/"):
                if j == n or pattern.startswith("\\/", j):
                    out.append(".*")  # "/**" at the end, or the pattern "**": everything
                    i = j
                    continue
                if pattern[j] == "/":
                    out.append("(?:.*/)?")  # "**/": zero or more folders
                    i = j + 1
                    continue
            out.append("[^/]*")
            i = j
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            translated = _bracket(pattern, i)
            if translated is None:
                return None
            regex, i = translated
            out.append(regex)
        elif ch == "\\":
            if i + 1 >= n:
                return None
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def _trim_trailing_spaces(line: str) -> str:
    """Drop trailing spaces, except one escaped with a backslash (git's rule)."""
    end = 0
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            i += 1
            continue
        if ch == "\\" and i + 1 < n:
            i += 2
        else:
            i += 1
        end = i
    return line[:end]


class _Rule(NamedTuple):
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool
    basename: bool  # match the entry's name (pattern had no slash) rather than its path


class IgnoreRules:
    """The compiled patterns of one ignore file; paths are relative to its folder."""

    __slots__ = ("_any_name", "_any_path", "_rules")

    def __init__(self, rules: list[_Rule]) -> None:
        self._rules = tuple(reversed(rules))  # the last matching pattern wins
        names = [r.regex.pattern for r in rules if r.basename]
        paths = [r.regex.pattern for r in rules if not r.basename]
        self._any_name = re.compile("|".join(names) if names else NEVER, re.DOTALL)
        self._any_path = re.compile("|".join(paths) if paths else NEVER, re.DOTALL)

    def match(self, sub: str, name: str, is_dir: bool) -> bool | None:
        """True if ignored, False if re-included (``!``), None if no pattern matches."""
        if self._any_name.fullmatch(name) is None and self._any_path.fullmatch(sub) is None:
            return None
        for rule in self._rules:
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(name if rule.basename else sub) is not None:
                return not rule.negate
        return None


@functools.lru_cache(maxsize=256)
def compile_ignore(data: bytes) -> IgnoreRules | None:
    text = data.decode("utf-8", "surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    rules: list[_Rule] = []
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line or line.startswith("#"):
            continue
        line = _trim_trailing_spaces(line)
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        dir_only = line.endswith("/")
        if dir_only:
            line = line[:-1]
        if not line:
            continue
        basename = "/" not in line
        if line.startswith("/"):
            line = line[1:]
        regex = glob_regex(line)
        if regex is None:
            continue
        rules.append(_Rule(re.compile(f"(?:{regex})", re.DOTALL), negate, dir_only, basename))
    return IgnoreRules(rules) if rules else None


def read_ignore_file(path: str) -> IgnoreRules | None:
    """Compiled rules of the ignore file at ``path`` (None if absent, empty or unreadable)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    return compile_ignore(data)


def read_dir_gitignore(directory: str) -> IgnoreRules | None:
    """The ``.gitignore`` of ``directory``; like git, a symlinked one is not read."""
    path = os.path.join(directory, ".gitignore")
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except (OSError, ValueError):
        return None
    return read_ignore_file(path)


def git_exclude(root: str) -> IgnoreRules | None:
    """The rules of ``.git/info/exclude`` (also for worktrees and submodules)."""
    dotgit = os.path.join(root, ".git")
    try:
        if os.path.isdir(dotgit):
            common = dotgit
        else:
            with open(dotgit, encoding="utf-8", errors="surrogateescape") as handle:
                first = handle.readline().strip()
            if not first.startswith("gitdir:"):
                return None
            gitdir = os.path.join(root, first[len("gitdir:") :].strip())
            common = gitdir
            try:
                with open(
                    os.path.join(gitdir, "commondir"), encoding="utf-8", errors="surrogateescape"
                ) as handle:
                    common = os.path.join(gitdir, handle.readline().strip())
            except OSError:
                pass
    except (OSError, ValueError):
        return None
    return read_ignore_file(os.path.join(common, "info", "exclude"))


# (folder relative to the root, "" for the root; its rules), shallowest first.
Stack = tuple[tuple[str, IgnoreRules], ...]


def ignored(stack: Stack, rel: str, name: str, is_dir: bool) -> bool:
    """Whether ``rel`` is ignored; the deepest ignore file with a matching pattern decides."""
    for base, rules in reversed(stack):
        verdict = rules.match(rel[len(base) + 1 :] if base else rel, name, is_dir)
        if verdict is not None:
            return verdict
    return False


class PathGlobs:
    """Glob patterns relative to a root, matched as ruff matches ``extend-exclude`` and
    ``extend-include``: a pattern without a ``/`` matches the name of any file or folder on
    the way (``examples``, ``*.tmpl.yml``); one with a ``/`` matches the path from the root
    (``docs/examples/*.yml``; a leading ``./`` or ``/`` is the root). ``*`` and ``?`` stay
    inside one folder name, ``**`` crosses folders. A path also matches when a folder on its
    way matches (``docs/examples`` covers every file below it)."""

    __slots__ = ("_names", "_paths", "patterns")

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = patterns
        names: list[str] = []
        paths: list[str] = []
        for pattern in patterns:
            body = normalise_glob(pattern)
            regex = glob_regex(body)
            if regex is None:
                continue
            (paths if "/" in body else names).append(f"(?:{regex})")
        self._names = re.compile("|".join(names) if names else NEVER, re.DOTALL)
        self._paths = re.compile("|".join(paths) if paths else NEVER, re.DOTALL)

    def matches(self, rel: str) -> bool:
        """Whether root-relative POSIX ``rel`` (or a folder on its way) matches."""
        parts = rel.split("/")
        for count in range(1, len(parts) + 1):
            if self._names.fullmatch(parts[count - 1]) is not None:
                return True
            if self._paths.fullmatch("/".join(parts[:count])) is not None:
                return True
        return False


def normalise_glob(pattern: str) -> str:
    """A configured glob without its leading ``./`` or ``/`` and trailing ``/``."""
    body = pattern.strip()
    while body.startswith("./"):
        body = body[2:]
    return body.lstrip("/").rstrip("/")


def literal_base(pattern: str) -> str | None:
    """The folders a path glob starts with, up to its first wildcard (``docs/**/*.yml`` →
    ``docs``; ``ci-templates/release.yml`` → itself); None for a pattern without a ``/``,
    which may match at any depth."""
    body = normalise_glob(pattern)
    if "/" not in body:
        return None
    literal: list[str] = []
    for part in body.split("/"):
        if any(ch in part for ch in "*?[\\"):
            break
        literal.append(part)
    return "/".join(literal)
