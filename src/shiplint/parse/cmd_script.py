"""cmd.exe batch text (``.bat``/``.cmd`` files, ``shell: cmd`` steps, AppVeyor ``cmd:``
items) read into the commands and control flow the POSIX reader gives.

:func:`parse_cmd` returns the simple commands (:class:`~shiplint.parse.shell.Command`, in
text order) and the tree of :class:`~shiplint.parse.shell_flow.Node` objects (None when the
structure could not be followed), in the *normal form* every reader of shell text knows:

* words split as a program's argv is split on Windows: blanks separate words, ``"..."``
  quotes (removed), ``^`` escapes the next character (and joins lines), ``&``, ``&&``,
  ``||`` and ``|`` join commands, ``( ... )`` groups them; redirections are dropped;
* variables ``%NAME%`` and delayed ``!NAME!`` are written ``${NAME}`` in a word's text (so
  :func:`~shiplint.parse.shell_expand.expand` and the credential model read them like
  ``$NAME``); ``%1``, ``%~dp0``, ``%%f`` and ``%NAME:~0,3%`` stay as written;
* ``set NAME=value`` / ``set "NAME=value"`` is an exported assignment (empty ``words``);
  ``call`` and a leading ``@`` are dropped; ``rem`` and ``::`` lines are comments;
* ``exit /b N`` is ``exit N`` and ``goto :eof`` is ``exit``;
* ``IF [NOT] "%T%"=="" ...`` is an ``if`` node whose condition is the test command
  ``[ ${T} == "" ]`` (``NOT``: a negated node), ``IF DEFINED T`` is ``[ -n ${T} ]``,
  ``IF ERRORLEVEL N`` is ``[ $? -ge N ]`` and ``IF EXIST F`` is ``[ -e F ]``; ``ELSE``
  gives the ``else`` branch; ``FOR ... DO ...`` is a loop.

Offsets are those of the text passed in; a normalised word keeps the span it was written
at. Never raises.
"""

from __future__ import annotations

import contextlib

from shiplint.lazyre import LazyPattern
from shiplint.parse.shell import Command
from shiplint.parse.shell_flow import Branch, Node
from shiplint.parse.shell_words import Word

__all__ = ["parse_cmd"]

_VAR = LazyPattern(r"%([A-Za-z_][A-Za-z0-9_.()-]*)%|!([A-Za-z_][A-Za-z0-9_]*)!")
_SET = LazyPattern(r'"?([A-Za-z_][A-Za-z0-9_]*)=')
_COMPARE = {"==": "==", "equ": "==", "neq": "!=", "lss": "-lt", "leq": "-le", "gtr": "-gt"}
_COMPARE["geq"] = "-ge"
_ENDS = frozenset("\n&|")
_REDIRECT = LazyPattern(r"[0-9]?(?:>>|>|<)(?:&[0-9])?")


class _Unparsed(Exception):
    pass


def _normal(text: str) -> str:
    """``%NAME%`` and ``!NAME!`` written as ``${NAME}``."""
    if "%" not in text and "!" not in text:
        return text
    return _VAR.sub(lambda m: "${" + (m.group(1) or m.group(2)) + "}", text)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.commands: list[Command] = []
        self.depth = 0

    # -- characters and words -------------------------------------------------------------

    def blanks(self) -> None:
        text, n = self.text, self.n
        while self.i < n:
            c = text[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "^" and text.startswith("\n", self.i + 1):
                self.i += 2
            elif c == "^" and text.startswith("\r\n", self.i + 1):
                self.i += 3
            else:
                return

    def at_end(self) -> bool:
        if self.i >= self.n:
            return True
        c = self.text[self.i]
        return c in _ENDS or (c == ")" and self.depth > 0)

    def word(self, stop_eq: bool = False) -> Word | None:
        """The next word (None at the end of the command); redirections are skipped."""
        while True:
            self.blanks()
            if self.at_end():
                return None
            text = self.text
            m = _REDIRECT.match(text, self.i)
            if m is not None and m.group():
                self.i += len(m.group())
                if not m.group().endswith(tuple("0123456789")):
                    self.blanks()
                    self._raw_word(False)
                continue
            return self._raw_word(stop_eq)

    def _raw_word(self, stop_eq: bool) -> Word | None:
        text, n = self.text, self.n
        start = self.i
        buf: list[str] = []
        quoted = False
        while self.i < n:
            c = text[self.i]
            if c == '"':
                quoted = True
                close = text.find('"', self.i + 1)
                line_end = text.find("\n", self.i + 1)
                if close < 0 or (0 <= line_end < close):
                    close = line_end if line_end >= 0 else n
                    buf.append(text[self.i + 1 : close])
                    self.i = close
                    break
                buf.append(text[self.i + 1 : close])
                self.i = close + 1
                continue
            if c == "^" and self.i + 1 < n:
                if text[self.i + 1] in "\r\n":
                    self.i += 3 if text.startswith("\r\n", self.i + 1) else 2
                    continue
                quoted = True
                buf.append(text[self.i + 1])
                self.i += 2
                continue
            if c in " \t\r\n&|<>" or (c == ")" and self.depth > 0):
                break
            if stop_eq and text.startswith("==", self.i):
                break
            buf.append(c)
            self.i += 1
        if self.i == start:
            return None
        return Word(_normal("".join(buf)), start, self.i, quoted)

    def rest_of_command(self) -> tuple[int, int]:
        """The span of the rest of the command (for ``set``), blanks trimmed at both ends."""
        text, n = self.text, self.n
        self.blanks()
        start = self.i
        in_quote = False
        while self.i < n:
            c = text[self.i]
            if c == '"':
                in_quote = not in_quote
            elif c == "\n" or (not in_quote and (c in "&|" or (c == ")" and self.depth > 0))):
                break
            elif c == "^" and not in_quote:
                self.i += 1
            self.i += 1
        end = min(self.i, n)
        while end > start and text[end - 1] in " \t\r":
            end -= 1
        return start, end

    # -- commands and lists ---------------------------------------------------------------

    def skip_separators(self) -> str | None:
        """Skip blanks, newlines and comment lines; the operator found (``&&``, ``||``,
        ``|``, ``&``) or None."""
        text = self.text
        while True:
            self.blanks()
            if self.i >= self.n:
                return None
            c = text[self.i]
            if c == "\n":
                self.i += 1
                continue
            for op in ("&&", "||", "&", "|"):
                if text.startswith(op, self.i):
                    self.i += len(op)
                    return op
            return None

    def statements(self, in_block: bool) -> list[Node]:
        nodes: list[Node] = []
        joined = ";"
        while True:
            op = self.skip_separators()
            if op is not None:
                joined = {"&": ";"}.get(op, op)
                continue
            if self.i >= self.n:
                if in_block:
                    raise _Unparsed("(")
                return nodes
            if self.text[self.i] == ")":
                if in_block:
                    return nodes
                self.i += 1  # a stray `)`: cmd ignores it at the top level
                continue
            before = self.i
            node = self.statement()
            if node is not None:
                node.joined = joined
                nodes.append(node)
            joined = ";"
            if self.i == before:
                self.i += 1

    def statement(self) -> Node | None:
        text = self.text
        while self.i < self.n and text[self.i] == "@":
            self.i += 1
        self.blanks()
        if text.startswith("(", self.i):
            self.i += 1
            self.depth += 1
            body = self.statements(True)
            self.depth -= 1
            self.i += 1
            return Node("group", body=body)
        lowered = text[self.i : self.i + 5].lower()
        if lowered.startswith("::") or (lowered[:3] == "rem" and lowered[3:4] in ("", " ", "\t")):
            end = text.find("\n", self.i)
            self.i = self.n if end < 0 else end
            return None
        first = self.word()
        if first is None:
            return None
        head = first.text.lower()
        if head == "if" and not first.quoted:
            return self.if_statement(first)
        if head == "for" and not first.quoted:
            return self.for_statement(first)
        if head == "set" and not first.quoted:
            return self.set_statement(first)
        words = [first]
        if head == "call" and not first.quoted:
            words = []
        while (w := self.word()) is not None:
            words.append(w)
        if not words:
            return None
        words = _normal_exit(words)
        return self.command(words, [])

    def command(self, words: list[Word], assigns: list[tuple[str, Word]]) -> Node:
        spans = [*words, *(value for _name, value in assigns)]
        start = min(w.start for w in spans)
        end = max(w.end for w in spans)
        cmd = Command(words, assigns, bool(assigns), start, end)
        self.commands.append(cmd)
        return Node("cmd", cmd=cmd)

    def set_statement(self, first: Word) -> Node | None:
        start, end = self.rest_of_command()
        body = self.text[start:end]
        m = _SET.match(body)
        if m is None:  # `set`, `set /a`, `set /p`: not an assignment shiplint reads
            words = [first]
            if end > start:
                words.append(Word(_normal(body), start, end, False))
            return self.command(words, [])
        vstart = start + m.end()
        vend = end
        if body.startswith('"') and body.endswith('"') and end - 1 >= vstart:
            vend = end - 1
        value = Word(_normal(self.text[vstart:vend]), vstart, vend, body.startswith('"'))
        return self.command([], [(m.group(1), value)])

    def if_statement(self, first: Word) -> Node:
        negated = False
        words: list[Word] = []
        w = self.word(stop_eq=True)
        while w is not None and w.text.lower() in ("/i", "not") and not w.quoted:
            if w.text.lower() == "not":
                negated = not negated
            w = self.word(stop_eq=True)
        if w is None:
            raise _Unparsed("if")
        kind = w.text.lower() if not w.quoted else ""
        if kind in ("defined", "exist", "errorlevel"):
            operand = self.word()
            if operand is None:
                raise _Unparsed("if")
            if kind == "defined":
                var = Word("${" + operand.text + "}", operand.start, operand.end, False)
                words = [Word("-n", w.start, w.end, False), var]
            elif kind == "exist":
                words = [Word("-e", w.start, w.end, False), operand]
            else:
                status = Word("$?", w.start, w.end, False)
                words = [status, Word("-ge", w.start, w.end, False), operand]
        else:
            self.blanks()
            if self.text.startswith("==", self.i):
                op = Word("==", self.i, self.i + 2, False)
                self.i += 2
            else:
                got = self.word(stop_eq=True)
                if got is None or got.text.lower() not in _COMPARE:
                    raise _Unparsed("if")
                op = Word(_COMPARE[got.text.lower()], got.start, got.end, False)
            right = self.word()
            if right is None:
                raise _Unparsed("if")
            words = [w, op, right]
        open_ = Word("[", first.start, first.end, False)
        close = Word("]", words[-1].end, words[-1].end, False)
        cond = self.command([open_, *words, close], [])
        cond.negated = negated
        label = self.text[first.end : words[-1].end].strip()
        body = self.branch_body()
        node = Node("if", branches=[Branch("if", [cond], body, label)])
        save = self.i
        self.blanks()
        if self.text[self.i : self.i + 4].lower() == "else" and self.text[
            self.i + 4 : self.i + 5
        ] in (" ", "\t", "(", "\r", "\n", ""):
            self.i += 4
            node.branches.append(Branch("else", [], self.branch_body(), "else"))
        else:
            self.i = save
        return node

    def branch_body(self) -> list[Node]:
        self.blanks()
        if self.text.startswith("(", self.i):
            self.i += 1
            self.depth += 1
            body = self.statements(True)
            self.depth -= 1
            self.i += 1
            return body
        node = self.statement()
        return [node] if node is not None else []

    def for_statement(self, first: Word) -> Node:
        head_words = [first]
        while True:
            w = self.word()
            if w is None:
                raise _Unparsed("for")
            if w.text.lower() == "in" and not w.quoted:
                head_words.append(w)
                self.blanks()
                if not self.text.startswith("(", self.i):
                    raise _Unparsed("for")
                close = self.text.find(")", self.i)
                if close < 0:
                    raise _Unparsed("for")
                head_words.append(
                    Word(_normal(self.text[self.i + 1 : close]), self.i + 1, close, False)
                )
                self.i = close + 1
                do = self.word()
                if do is None or do.text.lower() != "do":
                    raise _Unparsed("for")
                break
            head_words.append(w)
        head = self.command(head_words, [])
        return Node("loop", head=[head], body=self.branch_body())


def _normal_exit(words: list[Word]) -> list[Word]:
    """``exit /b N`` → ``exit N``; ``goto :eof`` → ``exit``."""
    head = words[0].text.lower()
    if head == "exit":
        rest = [w for w in words[1:] if w.text.lower() != "/b"]
        return [Word("exit", words[0].start, words[0].end, False), *rest[:1]]
    if head == "goto" and len(words) > 1 and words[1].text.lower() in (":eof", "eof"):
        return [Word("exit", words[0].start, words[1].end, False)]
    return words


def parse_cmd(text: str) -> tuple[list[Command], list[Node] | None]:
    """The simple commands of a cmd.exe text and its control flow (None: not followed;
    the commands after the place the structure was lost are then read line by line)."""
    reader = _Reader(text)
    try:
        nodes: list[Node] | None = reader.statements(False)
    except (_Unparsed, RecursionError, IndexError):
        nodes = None
        done = max((c.end for c in reader.commands), default=0)
        offset = text.find("\n", done) + 1
        while 0 < offset < len(text):
            end = text.find("\n", offset)
            end = len(text) if end < 0 else end
            line = _Reader(text[:end])
            line.i = offset
            with contextlib.suppress(_Unparsed, RecursionError, IndexError):
                line.statements(False)
            reader.commands.extend(line.commands)
            offset = end + 1
    return sorted(reader.commands, key=lambda c: c.start), nodes
