"""PowerShell text (``.ps1`` files, ``shell: pwsh``/``powershell`` steps and Windows
runners' default, AppVeyor ``ps:``/``pwsh:`` items) read into the commands and control
flow the POSIX reader gives.

:func:`parse_pwsh` returns the commands (:class:`~shiplint.parse.shell.Command`, in text
order) and the tree of :class:`~shiplint.parse.shell_flow.Node` objects (None when the
structure could not be followed), in the *normal form* every reader of shell text knows:

* statements end at a newline, ``;``, ``|``, and the pipeline chain operators ``&&``/``||``
  (PowerShell 7); a backtick at the end of a line joins lines; ``#`` and ``<# #>`` are
  comments; the call operators ``&`` and ``.`` before a command are dropped;
* a command's arguments are split at blanks; ``'...'`` (``''`` escapes a quote) and
  ``"..."`` (a backtick escapes) are removed; ``$env:NAME``, ``${env:NAME}`` and ``$name``
  are written ``${NAME}``/``${name}`` in a word's text; ``$(...)``, ``(...)`` and ``@(...)``
  stay as written; a ``{ ... }`` script block argument is read as a loop over its
  statements (``ForEach-Object { twine upload $_ }``), the string ``Invoke-Expression``
  runs as a group of its statements; redirections are dropped;
* ``$env:NAME = value`` is an exported assignment and ``$name = value`` a variable
  assignment (empty ``words``); ``$PSNativeCommandUseErrorActionPreference = $true`` adds
  the command ``set -e`` (a failing program then stops the script);
* ``exit N`` stays, ``throw`` is ``exit 1``, ``Exit-AppVeyorBuild`` is ``exit``;
* ``if (...) {...} elseif (...) {...} else {...}`` is an ``if`` node whose conditions are
  test commands: ``$env:T`` → ``[ ${T} ]``, ``-not``/``!`` → a negated node, ``$env:T -eq
  ""`` (or ``$null``) → ``[ ${T} == "" ]``, ``[string]::IsNullOrEmpty($env:T)`` → ``[ -z
  ${T} ]``, ``Test-Path env:T`` → ``[ -n ${T} ]``, ``$LASTEXITCODE``, ``$LASTEXITCODE -ne 0``
  and ``-not $?`` → ``[ $? -ne 0 ]``, ``-and``/``-or`` → ``-a``/``-o``; a condition of
  another shape is a command that is not a test;
* ``foreach``/``for``/``while``/``do`` are loops, ``try``/``catch``/``finally`` bodies
  groups, ``function`` a function; ``switch``, ``param(...)`` and expression statements
  give no command.

Offsets are those of the text passed in. Never raises.
"""

from __future__ import annotations

import re

from shiplint.lazyre import LazyPattern
from shiplint.parse.shell import Command
from shiplint.parse.shell_flow import Branch, Node
from shiplint.parse.shell_words import Word

__all__ = ["parse_pwsh"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
#: ``$env:NAME``, ``${env:NAME}``, ``${name}``, ``$name`` (the ``env:`` drive in any case)
_VAR_RE = LazyPattern(
    rf"\$(?:env:({_NAME})|\{{env:({_NAME})\}}|\{{({_NAME})\}}|({_NAME}|\?|_))",
    re.IGNORECASE | re.ASCII,
)
_LOOPS = frozenset({"foreach", "for", "while"})
_STATEMENT_END = frozenset("\n;|}")
_LITERAL = r"(\"[^\"$`]*\"|'[^']*'|\$null|[A-Za-z0-9_.-]+)"
_CVAR = rf"(\$env:{_NAME}|\$\{{env:{_NAME}\}}|\${_NAME})"
_ATOMS: tuple[tuple[LazyPattern, str], ...] = tuple(
    (LazyPattern(pattern, re.IGNORECASE | re.ASCII), kind)
    for pattern, kind in (
        (
            r"\$LASTEXITCODE(?:\s+-(?:ne|gt)\s+0)?|-not\s+\$\?|!\s*\$\?|\$\?\s+-eq\s+\$false",
            "status",
        ),
        (rf"{_CVAR}", "set"),
        (rf"{_CVAR}\s+-(c|i)?(eq|ne)\s+{_LITERAL}", "compare"),
        (rf"{_LITERAL}\s+-(c|i)?(eq|ne)\s+{_CVAR}", "compare-rev"),
        (rf"\[string\]::IsNullOr(?:Empty|WhiteSpace)\(\s*{_CVAR}\s*\)", "empty"),
        (rf"Test-Path\s+(?:-Path\s+)?['\"]?env:\\?({_NAME})['\"]?", "defined"),
    )
)
_REDIRECT = LazyPattern(r"(?:[0-9*]?>>?|<)(?:&[0-9])?")
_ASSIGN = LazyPattern(
    rf"\$(?:env:({_NAME})|\{{env:({_NAME})\}}|({_NAME}))\s*(\+?=)(?!=)", re.IGNORECASE | re.ASCII
)
_JOIN = LazyPattern(r"\s-(and|or)\s", re.IGNORECASE | re.ASCII)


class _Unparsed(Exception):
    pass


def _normal_var(m: re.Match[str]) -> str:
    name = m.group(1) or m.group(2) or m.group(3) or m.group(4)
    return "$?" if name == "?" else "${" + name + "}"


def _normal(text: str) -> str:
    return _VAR_RE.sub(_normal_var, text) if "$" in text else text


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.commands: list[Command] = []

    # -- characters -----------------------------------------------------------------------

    def blanks(self, newlines: bool = False) -> None:
        text, n = self.text, self.n
        while self.i < n:
            c = text[self.i]
            if c in " \t\r" or (newlines and c in "\n;"):
                self.i += 1
            elif c == "`" and self.i + 1 < n and text[self.i + 1] in "\r\n":
                self.i += 3 if text.startswith("\r\n", self.i + 1) else 2
            elif c == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
            elif text.startswith("<#", self.i):
                end = text.find("#>", self.i + 2)
                self.i = n if end < 0 else end + 2
            else:
                return

    def balanced(self, open_: str, close: str) -> int:
        """The offset after the ``close`` matching the ``open_`` at ``self.i``."""
        text, n = self.text, self.n
        depth = 0
        i = self.i
        while i < n:
            c = text[i]
            if c in "'\"":
                i = self.string_end(i)
                continue
            if c == "`":
                i += 2
                continue
            if c == "#" and (i == 0 or text[i - 1] in " \t\n"):
                end = text.find("\n", i)
                i = n if end < 0 else end
                continue
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _Unparsed(open_)

    def string_end(self, i: int) -> int:
        text, n = self.text, self.n
        quote = text[i]
        j = i + 1
        while j < n:
            c = text[j]
            if c == "`" and quote == '"':
                j += 2
                continue
            if c == quote:
                if text.startswith(quote, j + 1):
                    j += 2
                    continue
                return j + 1
            j += 1
        return n

    def word(self) -> Word | None:
        """The next argument of a command (None at the end of the statement)."""
        text, n = self.text, self.n
        while True:
            self.blanks()
            if self.i >= n or text[self.i] in _STATEMENT_END or text[self.i] == ")":
                return None
            if text.startswith(("&&", "||"), self.i):
                return None
            m = _REDIRECT.match(text, self.i)
            if m is not None:
                self.i = m.end()
                if not m.group().endswith(tuple("0123456789")):
                    self.blanks()
                    self.raw_word()
                continue
            return self.raw_word()

    def raw_word(self) -> Word | None:
        text, n = self.text, self.n
        start = self.i
        buf: list[str] = []
        quoted = False
        while self.i < n:
            c = text[self.i]
            if c in " \t\r\n;|})" or text.startswith(("&&", "||"), self.i):
                break
            if c == "'":
                end = self.string_end(self.i)
                buf.append(text[self.i + 1 : end - 1].replace("''", "'"))
                quoted = True
                self.i = end
            elif c == '"':
                end = self.string_end(self.i)
                inner = text[self.i + 1 : end - 1]
                inner = re.sub(r"`(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), inner)
                buf.append(_normal(inner.replace('""', '"')))
                quoted = True
                self.i = end
            elif c == "`" and self.i + 1 < n:
                buf.append(text[self.i + 1])
                quoted = True
                self.i += 2
            elif c == "$" and (m := _VAR_RE.match(text, self.i)) is not None:
                buf.append(_normal_var(m))
                self.i = m.end()
            elif c == "(" or (c in "@$" and text[self.i + 1 : self.i + 2] in ("(", "{")):
                at = self.i + (0 if c == "(" else 1)
                opener = text[at]
                save = self.i
                self.i = at
                end = self.balanced(opener, ")" if opener == "(" else "}")
                buf.append(text[save:end])
                self.i = end
            elif c == "$":
                m = _VAR_RE.match(text, self.i)
                if m is None:
                    buf.append(c)
                    self.i += 1
                else:
                    buf.append(_normal_var(m))
                    self.i = m.end()
            elif c == "{":
                break
            else:
                buf.append(c)
                self.i += 1
        if self.i == start:
            return None
        return Word("".join(buf), start, self.i, quoted)

    # -- statements -----------------------------------------------------------------------

    def statements(self, closer: str | None) -> list[Node]:
        nodes: list[Node] = []
        joined = ";"
        while True:
            self.blanks(newlines=True)
            if self.i >= self.n:
                if closer is not None:
                    raise _Unparsed(closer)
                return nodes
            text = self.text
            c = text[self.i]
            if closer is not None and c == closer:
                self.i += 1
                return nodes
            if c in "})":
                raise _Unparsed(c)
            for op in ("&&", "||", "|"):
                if text.startswith(op, self.i):
                    self.i += len(op)
                    joined = op
                    break
            else:
                before = self.i
                got = self.statement()
                for k, node in enumerate(got):
                    node.joined = joined if k == 0 else node.joined
                    nodes.append(node)
                if got:
                    joined = ";"
                if self.i == before:
                    raise _Unparsed(c)

    def block(self) -> list[Node]:
        self.blanks(newlines=True)
        if not self.text.startswith("{", self.i):
            raise _Unparsed("{")
        self.i += 1
        return self.statements("}")

    def keyword(self) -> str:
        m = re.match(r"[A-Za-z][A-Za-z0-9-]*", self.text[self.i : self.i + 40])
        if m is None:
            return ""
        after = self.text[self.i + m.end() : self.i + m.end() + 1]
        return m.group().lower() if after in ("", " ", "\t", "(", "{", "\r", "\n", ";") else ""

    def paren(self) -> tuple[int, int]:
        """The span inside the ``( ... )`` at the next non-blank character."""
        self.blanks()
        if not self.text.startswith("(", self.i):
            raise _Unparsed("(")
        start = self.i
        end = self.balanced("(", ")")
        self.i = end
        return start + 1, end - 1

    def statement(self) -> list[Node]:
        text = self.text
        key = self.keyword()
        if key == "if":
            return [self.if_statement()]
        if key in _LOOPS:
            self.i += len(key)
            start, end = self.paren()
            head = self.command([Word(_normal(text[start:end]), start, end, False)], [])
            return [Node("loop", head=[head], body=self.block())]
        if key == "do":
            self.i += 2
            body = self.block()
            self.blanks()
            if self.keyword() in ("while", "until"):
                self.i += 5
                self.paren()
            return [Node("loop", body=body)]
        if key in ("try", "finally"):
            self.i += len(key)
            nodes = [Node("group", body=self.block())]
            while True:
                save = self.i
                self.blanks(newlines=True)
                nxt = self.keyword()
                if nxt not in ("catch", "finally"):
                    self.i = save
                    return nodes
                self.i += len(nxt)
                self.blanks()
                while self.text.startswith("[", self.i):
                    self.i = self.balanced("[", "]")
                    self.blanks()
                    if self.text.startswith(",", self.i):
                        self.i += 1
                        self.blanks()
                nodes.append(Node("group", body=self.block()))
        if key in ("function", "filter"):
            self.i += len(key)
            self.blanks()
            name = self.raw_word()
            self.blanks()
            if self.text.startswith("(", self.i):
                self.paren()
            node = Node("function", body=self.block())
            node.name = name.text if name is not None else "function"
            return [node]
        if key in ("switch", "param", "class", "enum", "trap", "begin", "process", "end"):
            self.i += len(key)
            self.blanks()
            while self.i < self.n and self.text[self.i] == "-":
                self.raw_word()
                self.blanks()
            if self.text.startswith("(", self.i):
                self.paren()
                self.blanks()
            if self.text.startswith("{", self.i) and key != "param":
                self.i = self.balanced("{", "}")
            return []
        if key in ("exit", "return", "throw", "break", "continue"):
            return [self.exit_statement(key)]
        c = text[self.i]
        if c == "$":
            return self.assignment()
        if c in "&." and self.i + 1 < self.n and text[self.i + 1] in " \t'\"$":
            self.i += 1
            return self.command_statement()
        if c in "([@'\"0123456789-" and not (c == "-" and key):
            self.skip_expression()
            return []
        return self.command_statement()

    def skip_expression(self) -> None:
        """An expression statement: skipped to its end (its value is output, not run)."""
        text, n = self.text, self.n
        while self.i < n:
            c = text[self.i]
            if c in "\n;}":
                return
            if c in "'\"":
                self.i = self.string_end(self.i)
            elif c in "([{":
                self.i = self.balanced(c, {"(": ")", "[": "]", "{": "}"}[c])
            elif c == "`":
                self.i += 2
            else:
                self.i += 1

    def command(
        self, words: list[Word], assigns: list[tuple[str, Word]], exported: bool = False
    ) -> Node:
        spans = [*words, *(value for _name, value in assigns)]
        start = min(w.start for w in spans)
        end = max(w.end for w in spans)
        cmd = Command(words, assigns, exported, start, end)
        self.commands.append(cmd)
        return Node("cmd", cmd=cmd)

    def command_statement(self) -> list[Node]:
        words: list[Word] = []
        blocks: list[list[Node]] = []
        while True:
            w = self.word()
            if w is None:
                self.blanks()
                if self.text.startswith("{", self.i):
                    self.i += 1
                    blocks.append(self.statements("}"))
                    continue
                break
            if w.text == "--%":
                end = self.text.find("\n", self.i)
                end = self.n if end < 0 else end
                words.append(Word(self.text[self.i : end].strip(), self.i, end, True))
                self.i = end
                break
            words.append(w)
        if not words:
            return [Node("group", body=b) for b in blocks]
        head = words[0].text.lower()
        if head in ("invoke-expression", "iex") and len(words) == 2 and words[1].quoted:
            return [Node("group", body=self.nested(words[1]))]
        if head == "exit-appveyorbuild":
            words = [Word("exit", words[0].start, words[0].end, False)]
        nodes = [self.command(words, [])]
        for body in blocks:
            loop = Node("loop", body=body)
            loop.joined = "|"
            nodes.append(loop)
        return nodes

    def nested(self, word: Word) -> list[Node]:
        """The statements of the string ``Invoke-Expression`` runs (read where written)."""
        text = self.text
        if text[word.start : word.start + 1] not in ("'", '"') or word.end - word.start < 2:
            return []
        inner = _Reader(text[: word.end - 1])
        inner.i = word.start + 1
        try:
            nodes = inner.statements(None)
        except (_Unparsed, RecursionError, IndexError):
            nodes = []
        self.commands.extend(inner.commands)
        return nodes

    def exit_statement(self, key: str) -> Node:
        start = self.i
        self.i += len(key)
        first = Word(key, start, self.i, False)
        if key == "throw":
            self.skip_expression()
            return self.command(
                [Word("exit", start, self.i, False), Word("1", start, start, False)], []
            )
        if key in ("break", "continue"):
            return self.command([first], [])
        arg = self.word()
        words = [first] if arg is None else [first, arg]
        self.skip_expression()
        return self.command(words, [])

    def assignment(self) -> list[Node]:
        text = self.text
        m = _ASSIGN.match(text, self.i)
        if m is None:
            self.skip_expression()
            return []
        name = m.group(1) or m.group(2) or m.group(3)
        self.i = m.end()
        self.blanks()
        value_start = self.i
        value = self.word() if text[self.i : self.i + 1] not in ("[", "@") else None
        self.blanks()
        if value is None or not (self.i >= self.n or text[self.i] in "\n;}"):
            self.skip_expression()
            end = self.i
            while end > value_start and text[end - 1] in " \t\r":
                end -= 1
            value = Word(_normal(text[value_start:end]) or "$(...)", value_start, end, False)
            if not value.text.startswith("$("):
                value = Word("$(" + value.text + ")", value.start, value.end, False)
        if m.group(4) == "+=":
            value = Word("${" + name + "}" + value.text, value.start, value.end, value.quoted)
        nodes = [self.command([], [(name, value)], exported=m.group(3) is None)]
        if (
            name.lower() == "psnativecommanduseerroractionpreference"
            and value.text.lower() == "${true}"
        ):
            at = value.start
            nodes.append(self.command([Word("set", at, at, False), Word("-e", at, at, False)], []))
        return nodes

    def if_statement(self) -> Node:
        node = Node("if")
        kind = "if"
        while True:
            self.i += len(kind)
            start, end = self.paren()
            cond = self.condition(start, end)
            node.branches.append(Branch(kind, [cond], self.block(), self.text[start:end]))
            save = self.i
            self.blanks(newlines=True)
            nxt = self.keyword()
            if nxt == "elseif":
                kind = "elif"
                self.i += 6 - len(kind)
                continue
            if nxt == "else":
                self.i += 4
                node.branches.append(Branch("else", [], self.block(), "else"))
                return node
            self.i = save
            return node

    def condition(self, start: int, end: int) -> Node:
        """The test command of an ``if`` condition (see the module docstring)."""
        raw = self.text[start:end]
        lead = len(raw) - len(raw.lstrip())
        got = _test_words(raw.strip(), start + lead)
        if got is None:
            return self.command([Word(_normal(raw.strip()) or "(", start, end, False)], [])
        words, negated = got
        node = self.command(
            [Word("[", start, start, False), *words, Word("]", end, end, False)], []
        )
        node.negated = negated
        return node


def _test_words(cond: str, at: int) -> tuple[list[Word], bool] | None:
    """The test words of a condition written at offset ``at`` and whether it is negated."""
    negated = False
    while True:
        m = re.match(r"(?:-not\s+|!\s*)", cond, re.IGNORECASE | re.ASCII)
        if m is not None and not cond.startswith("!$?") and not re.match(r"-not\s+\$\?", cond):
            negated = not negated
            at += m.end()
            cond = cond[m.end() :]
            continue
        if cond.startswith("(") and cond.endswith(")"):
            at += 1
            cond = cond[1:-1].strip()
            continue
        break
    words: list[Word] = []
    last = 0
    for m in _JOIN.finditer(cond):
        part = _atom(cond[last : m.start()], at + last)
        if part is None:
            return None
        words.extend(part)
        op = "-a" if m.group(1).lower() == "and" else "-o"
        words.append(Word(op, at + m.start() + 1, at + m.end() - 1, False))
        last = m.end()
    part = _atom(cond[last:], at + last)
    if part is None:
        return None
    words.extend(part)
    return words, negated


def _atom(text: str, at: int) -> list[Word] | None:
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    at += lead
    for pattern, kind in _ATOMS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        if kind == "status":
            return [
                Word("$?", at, at + len(text), False),
                Word("-ne", at, at, False),
                Word("0", at, at, False),
            ]
        group = 4 if kind == "compare-rev" else 1
        if kind == "defined":
            var = Word("${" + m.group(1) + "}", at + m.start(1), at + m.end(1), False)
        else:
            var = Word(_normal(m.group(group)), at + m.start(group), at + m.end(group), False)
        if kind == "set":
            return [var]
        if kind in ("empty", "defined"):
            test = "-z" if kind == "empty" else "-n"
            return [Word(test, at, at, False), var]
        equal = m.group(3).lower() == "eq"
        op = Word("==" if equal else "!=", at, at, False)
        literal = m.group(4 if kind == "compare" else 1)
        other = "" if literal.lower() == "$null" else literal.strip("'\"")
        return [var, op, Word(other, at, at, True)]
    return None


def parse_pwsh(text: str) -> tuple[list[Command], list[Node] | None]:
    """The commands of a PowerShell text and its control flow (None: not followed)."""
    reader = _Reader(text)
    try:
        nodes: list[Node] | None = reader.statements(None)
    except (_Unparsed, RecursionError, IndexError):
        nodes = None
    return sorted(reader.commands, key=lambda c: c.start), nodes
