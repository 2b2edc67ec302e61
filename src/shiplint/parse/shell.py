"""A small, fast, never-raising bash tokenizer that keeps character offsets.

It is meant for recognising commands in release configuration (workflow ``run:``
blocks, CI scripts, tox commands, Makefile recipes), not for executing anything:

* :func:`parse_script` splits a script into simple :class:`Command` objects, each with
  its argv :class:`Word` objects (text after quote removal plus exact offsets into the
  text passed in) and its ``NAME=value`` assignments;
* :func:`expand` substitutes ``$NAME`` / ``${NAME}`` / ``${NAME:-default}`` using a lookup,
  so callers can follow simple assignments;
* :func:`variable_refs` lists the variable names a word refers to.

Parameter expansions, command substitutions (``$(...)``, backticks), arithmetic and
GitHub Actions expressions (``${{ ... }}``) are kept literally in a word's text; the
commands inside substitutions are not returned. Heredoc bodies are skipped and
redirections are dropped from the words.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Command", "Word", "expand", "parse_script", "variable_refs"]


class Word(NamedTuple):
    """One shell word.

    ``text`` is the word after quote removal (escapes resolved; ``$VAR``, ``${VAR}``,
    ``$(...)``, backticks and ``${{ ... }}`` kept as written). ``start``/``end`` are
    offsets into the script text (quotes included). ``quoted`` is true when any part
    was quoted or backslash-escaped; an unquoted word's text equals
    ``script[start:end]`` unless it spans a line continuation.
    """

    text: str
    start: int
    end: int
    quoted: bool


class Command:
    """A simple command.

    ``words`` is the argv after removing leading assignments, reserved words
    (``if``, ``then``, ``do``, ``!``, ``{`` ...) and wrappers (``sudo``, ``env``, ``exec``,
    ``command``, ``nohup``, ``time`` with their options; ``command -v X`` is kept whole,
    and a wrapper with no command, like ``env`` or ``exec >log``, is its own argv).
    ``assigns`` holds the ``NAME=value`` prefixes (and ``env``/``sudo`` assignment
    arguments); each Word covers only the value. A declaration (``export``, ``declare``,
    ``typeset``, ``local``, ``readonly``) has empty ``words`` and its assignments in
    ``assigns``; ``exported`` is true for ``export`` and ``declare -x``/``typeset -x``.
    A bare assignment line (``A=b``) likewise has empty ``words``. Loop and case headers
    are returned as commands whose argv starts with ``for``/``select``/``case``.
    ``start``/``end`` span the command from its first non-reserved word (or assignment,
    or wrapper) to the end of its last word or value.
    """

    __slots__ = ("assigns", "end", "exported", "start", "words")

    def __init__(
        self,
        words: list[Word],
        assigns: list[tuple[str, Word]],
        exported: bool,
        start: int,
        end: int,
    ) -> None:
        self.words = words
        self.assigns = assigns
        self.exported = exported
        self.start = start
        self.end = end

    @property
    def argv(self) -> list[str]:
        """The texts of :attr:`words`."""
        return [w.text for w in self.words]

    def __repr__(self) -> str:
        parts = [f"{name}={value.text!r}" for name, value in self.assigns]
        parts.extend(repr(w.text) for w in self.words)
        flag = " exported" if self.exported else ""
        return f"Command({' '.join(parts)}{flag} @{self.start}-{self.end})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Command):
            return NotImplemented
        return (
            self.words == other.words
            and self.assigns == other.assigns
            and self.exported == other.exported
            and self.start == other.start
            and self.end == other.end
        )

    __hash__ = None  # type: ignore[assignment]


# ---------------------------------------------------------------------------
# Lexical tables

_META = frozenset(" \t\r\n;&|()<>")
# Inside ``[[ ... ]]`` only blanks and ``;`` separate words (``&&``, ``<``, ``(`` are
# operators of the conditional expression, so they are kept as words).
_DB_META = frozenset(" \t\r\n;")
_PLAIN = re.compile(r"[^ \t\r\n;&|()<>'\"\\$`]+")
_DB_PLAIN = re.compile(r"[^ \t\r\n;'\"\\$`]+")
_NAME_END = r"[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])"
_SIMPLE_DOLLAR = r"\$(?:" + _NAME_END + r"|\{[A-Za-z_][A-Za-z0-9_]*\}|[0-9@*#?!$-])"


def _run(cls: str) -> str:
    """A maximal run of ``cls``: a shorter run cannot match, so failing is linear."""
    return f"{cls}+(?!{cls})"


def _fast_word(plain: str, not_start: str, follow: str) -> re.Pattern[str]:
    dq = r"\"(?:" + _run(r"[^\"\\$`]") + "|" + _SIMPLE_DOLLAR + r")*\""
    part = "|".join([_run(plain), _SIMPLE_DOLLAR, r"'[^']*'", dq])
    return re.compile(rf"[ \t\r]*(?:(?!{not_start})((?:{part})+)(?={follow}|\Z))?")


# Blanks, then maybe a simple word: plain characters, simple ``$NAME``/``${NAME}``, and
# quoted strings without escapes or substitutions, ending at a separator (not ``(``, which
# may start an array value or a function definition) or the end of the text; not a
# comment, not a redirection's file descriptor. These always match.
_SIMPLE = _fast_word(
    r"[^ \t\r\n;&|()<>'\"\\$`]",
    r"#|(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})[<>]",
    r"[ \t\r\n;&|)<>]",
)
# The same inside ``[[ ... ]]``, where only blanks and ``;`` end a word; not ``]]``.
_DB_SIMPLE = _fast_word(
    r"[^ \t\r\n;'\"\\$`]",
    r"#|\]\](?:[ \t\r\n;&|()<>]|\Z)",
    r"[ \t\r\n;]",
)
_QUOTED_PART = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_BLANKS = re.compile(r"(?:[ \t\r]+|\\\r?\n)+")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
_BQ_PLAIN = re.compile(r"[^`\\]+")
_CODE_PLAIN = re.compile(r"[^(){}'\"\\`$#]+")
_FD = re.compile(r"(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?=[<>])")
_REDIR_OP = re.compile(r"&>>?|<<<|<<-?|<>|<&|>&|>>|>\||<|>")
_FUNC_PARENS = re.compile(r"\([ \t]*\)")
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")
_ANSI_BODY = re.compile(r"[^'\\]*(?:\\.[^'\\]*)*", re.DOTALL)
_ANSI_ESC = re.compile(
    r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|c.|.)", re.DOTALL
)
_ANSI_SIMPLE = {
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}

# Reserved words dropped from the front of a command.
_STRIP = frozenset(
    ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac"]
)
# Reserved words kept as the command's first word (their headers are not commands to run).
_HEADERS = frozenset(["for", "select"])
_DECL = frozenset(["export", "declare", "typeset", "local", "readonly"])
# Wrappers dropped from the front of a command, with their options taking an argument.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset(
        [
            *("-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R"),
            *("--user", "--group", "--chdir", "--host", "--prompt", "--role", "--type"),
            *("--other-user", "--command-timeout", "--close-from", "--chroot"),
        ]
    ),
    "env": frozenset(["-u", "-C", "-S", "--unset", "--chdir", "--split-string"]),
    "exec": frozenset(["-a"]),
    "command": frozenset(),
    "nohup": frozenset(),
    "time": frozenset(),
}

_KEYWORDS = _STRIP | _HEADERS | _DECL | frozenset(_WRAPPERS) | {"case", "[[", "function"}

# Command-builder modes.
_START = 0  # nothing yet: reserved words, assignments, wrappers recognised
_PREFIX = 1  # after an assignment or wrapper: assignments and wrappers recognised
_ARGS = 2  # argv collection
_DECLARE = 3  # after export/declare/...: assignments collected, words dropped
_CASE = 4  # after `case`: collecting `case WORD in`
_FUNCTION = 5  # after `function`: the next word is the function name
# Case-statement states.
_PAT = 0
_BODY = 1


def _unquote_part(m: re.Match[str]) -> str:
    single = m.group(1)
    return m.group(2) if single is None else single


def _ansi_repl(m: re.Match[str]) -> str:
    s = m.group()
    c = s[1] if len(s) > 1 else ""
    simple = _ANSI_SIMPLE.get(c)
    if simple is not None:
        return simple
    code = -1
    if "0" <= c <= "7":
        code = int(s[1:], 8)
    elif c in "xuU" and len(s) > 2:
        code = int(s[2:], 16)
    elif c == "c" and len(s) > 2:
        code = ord(s[2]) & 0x1F
    if 0 <= code <= 0x10FFFF:
        return chr(code)
    return s


class _Parser:
    __slots__ = (
        "assigns",
        "case_stack",
        "commands",
        "dbracket",
        "exported",
        "heredocs",
        "mode",
        "n",
        "start",
        "text",
        "words",
        "wrapper",
        "wrapper_opts",
        "wrapper_skip",
        "wrapper_word",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.commands: list[Command] = []
        self.heredocs: list[tuple[str, bool]] = []
        self.case_stack: list[int] = []
        self.words: list[Word] = []
        self.assigns: list[tuple[str, Word]] = []
        self.mode = _START
        self.start = -1
        self.exported = False
        self.dbracket = False
        self.wrapper = ""
        self.wrapper_opts = True
        self.wrapper_skip = False
        self.wrapper_word: Word | None = None

    # -- command building ---------------------------------------------------

    def _reset(self) -> None:
        self.words = []
        self.assigns = []
        self.mode = _START
        self.start = -1
        self.exported = False
        self.dbracket = False
        self.wrapper = ""
        self.wrapper_word = None

    def _finish(self) -> None:
        words = self.words
        assigns = self.assigns
        if not words and self.wrapper_word is not None:
            # a wrapper with no command (`env`, `exec >log`, `env A=b`) runs itself
            words.append(self.wrapper_word)
        if words or assigns:
            end = self.start
            if words:
                end = max(end, words[-1].end)
            if assigns:
                end = max(end, assigns[-1][1].end)
            start = self.start if self.start >= 0 else end
            self.commands.append(Command(words, assigns, self.exported, start, end))
        self._reset()

    def _end_command(self, op: str) -> None:
        if self.mode != _START:  # in _START nothing has been collected
            self._finish()
        cs = self.case_stack
        if cs:
            if cs[-1] == _PAT:
                if op == ")":
                    cs[-1] = _BODY
            elif op in (";;", ";&", ";;&"):
                cs[-1] = _PAT

    def _assignment(self, w: Word, allow_quoted: bool = False) -> tuple[str, Word] | None:
        text = self.text
        m = _ASSIGN.match(text, w.start)
        offset = 0
        if m is None and allow_quoted and w.quoted and text[w.start : w.start + 1] in ("'", '"'):
            m = _ASSIGN.match(text, w.start + 1)
            offset = 1
        if m is None:
            return None
        prefix = m.group()
        if not w.text.startswith(prefix):
            return None
        vstart = w.start + offset + len(prefix)
        if vstart > w.end:
            return None
        value = Word(w.text[len(prefix) :], vstart, w.end, w.quoted)
        return m.group(1), value

    def _word(self, w: Word) -> None:
        mode = self.mode
        if mode == _ARGS:
            self.words.append(w)
            return
        t = w.text
        plain = not w.quoted
        if mode == _START:
            cs = self.case_stack
            if cs and cs[-1] == _PAT:
                # a case pattern; `esac` closes the case statement
                if plain and t == "esac":
                    cs.pop()
                return
            if t not in _KEYWORDS and "=" not in t:
                # the usual case: a command name
                self.start = w.start
                self.words.append(w)
                self.mode = _ARGS
                return
            if plain:
                if t in _STRIP:
                    if t == "esac" and cs:
                        cs.pop()
                    return
                if t == "time":
                    self._start_wrapper(w)
                    return
                if t == "case":
                    self.mode = _CASE
                    self.start = w.start
                    self.words.append(w)
                    return
                if t in _HEADERS:
                    self.mode = _ARGS
                    self.start = w.start
                    self.words.append(w)
                    return
                if t == "[[":
                    self.dbracket = True
                    self.mode = _ARGS
                    self.start = w.start
                    self.words.append(w)
                    return
                if t == "function":
                    self.mode = _FUNCTION
                    return
        elif mode == _DECLARE:
            if plain and self.wrapper_opts and len(t) > 1 and t[0] in "-+":
                if t == "--":
                    self.wrapper_opts = False
                elif t[0] == "-" and "x" in t and self.wrapper != "export":
                    self.exported = True
                return
            assign = self._assignment(w, allow_quoted=True)
            if assign is not None:
                self.assigns.append(assign)
            return
        elif mode == _CASE:
            self.words.append(w)
            if plain and t == "in" and len(self.words) >= 3:
                self._finish()
                self.case_stack.append(_PAT)
            return
        elif mode == _FUNCTION:
            # the function name: not a command
            self.mode = _START
            return
        # _START (not reserved) or _PREFIX
        if self.wrapper and self._wrapper_arg(w):
            return
        if "=" in t:
            ww = self.wrapper_word
            # env and sudo take NAME=value arguments themselves, so quotes do not matter
            assign = self._assignment(w, ww is not None and ww.text in ("env", "sudo"))
        else:
            assign = None
        if assign is not None:
            if self.start < 0:
                self.start = w.start
            self.assigns.append(assign)
            self.mode = _PREFIX
            return
        if plain:
            if t in _WRAPPERS:
                self._start_wrapper(w)
                return
            if t in _DECL:
                if self.start < 0:
                    self.start = w.start
                self.mode = _DECLARE
                self.wrapper = t
                self.wrapper_opts = True
                self.exported = t == "export"
                return
        if self.start < 0:
            self.start = w.start
        self.words.append(w)
        self.mode = _ARGS

    def _start_wrapper(self, w: Word) -> None:
        if self.start < 0:
            self.start = w.start
        self.wrapper = w.text
        self.wrapper_word = w
        self.wrapper_opts = True
        self.wrapper_skip = False
        self.mode = _PREFIX

    def _wrapper_arg(self, w: Word) -> bool:
        """Consume an option (or option argument) of the current wrapper."""
        if self.wrapper_skip:
            self.wrapper_skip = False
            return True
        t = w.text
        wrapper = self.wrapper
        if self.wrapper_opts and not w.quoted and t[:1] == "-":
            if t == "--":
                self.wrapper_opts = False
                return True
            if wrapper == "command" and ("v" in t or "V" in t):
                # `command -v X` looks X up; it does not run it
                ww = self.wrapper_word
                if ww is not None:
                    self.start = ww.start
                    self.words.append(ww)
                self.words.append(w)
                self.wrapper = ""
                self.mode = _ARGS
                return True
            if t == "-" and wrapper != "env":
                self.wrapper = ""
                return False
            if t in _WRAPPERS.get(wrapper, ()):
                self.wrapper_skip = True
            return True
        self.wrapper = ""
        return False

    # -- lexing ---------------------------------------------------------------

    def run(self) -> None:
        text = self.text
        n = self.n
        i = 0
        simple = _SIMPLE.match
        db_simple = _DB_SIMPLE.match
        new = tuple.__new__
        while i < n:
            m = db_simple(text, i) if self.dbracket else simple(text, i)
            if m is not None:  # always true: both patterns match the empty string
                word = m.group(1)
                if word is not None:
                    ws, j = m.span(1)
                    if "'" in word:
                        if '"' in word:
                            word = _QUOTED_PART.sub(_unquote_part, word)
                        else:
                            word = word.replace("'", "")
                        w = new(Word, (word, ws, j, True))
                    elif '"' in word:
                        w = new(Word, (word.replace('"', ""), ws, j, True))
                    else:
                        w = new(Word, (word, ws, j, False))
                    if self.mode == _ARGS:
                        self.words.append(w)
                    else:
                        self._word(w)
                    i = j
                    continue
                i = m.end()
                if i >= n:
                    break
            c = text[i]
            if c == "\n":
                if self.mode != _START:
                    self._finish()
                if self.case_stack:
                    self._end_command("\n")
                i += 1
                if self.heredocs:
                    i = self._skip_heredocs(i)
                continue
            if c in " \t\r":
                m = _BLANKS.match(text, i)
                i = m.end() if m is not None else i + 1
                continue
            if c == "#":
                k = text.find("\n", i)
                i = n if k < 0 else k
                continue
            if c == "\\":
                if text.startswith("\n", i + 1):
                    i += 2
                    continue
                if text.startswith("\r\n", i + 1):
                    i += 3
                    continue
            if self.dbracket:
                if c == ";":
                    i = self._operator(i, c)
                    continue
                if text.startswith("]]", i) and (i + 2 >= n or text[i + 2] in _META):
                    self.dbracket = False
                    self._word(Word("]]", i, i + 2, False))
                    i += 2
                    continue
                i = self._emit_word(i, True)
                continue
            if c in ";&|()<>":
                i = self._operator(i, c)
                continue
            if c in "0123456789{":
                m = _FD.match(text, i)
                if m is not None:
                    i = self._redirect(m.end())
                    continue
            i = self._emit_word(i, False)
        if self.heredocs:
            self.heredocs.clear()
        self._finish()

    def _emit_word(self, i: int, db: bool) -> int:
        w, j = self._read_word(i, db)
        if w.end > w.start or w.quoted:
            self._word(w)
        return j if j > i else i + 1

    def _operator(self, i: int, c: str) -> int:
        text = self.text
        nxt = text[i + 1 : i + 2]
        if c == ";":
            if nxt == ";":
                op = ";;&" if text.startswith("&", i + 2) else ";;"
            elif nxt == "&":
                op = ";&"
            else:
                op = ";"
        elif c == "&":
            if nxt == ">":
                return self._redirect(i)
            op = "&&" if nxt == "&" else "&"
        elif c == "|":
            op = "||" if nxt == "|" else ("|&" if nxt == "&" else "|")
        elif c == "(":
            if nxt == "(" and self._arith_ok():
                k = self._skip(i + 2, "))")
                self._word(Word(text[i:k], i, k, False))
                return k
            m = _FUNC_PARENS.match(text, i)
            if m is not None:
                # `name() { ... }`: a function definition, not a command
                self._reset()
                return m.end()
            op = "("
        elif c == ")":
            op = ")"
        else:  # < or >
            if nxt == "(":
                # process substitution: a word
                k = self._skip(i + 2, ")")
                self._word(Word(text[i:k], i, k, False))
                return k
            return self._redirect(i)
        self._end_command(op)
        return i + len(op)

    def _arith_ok(self) -> bool:
        if self.mode == _START:
            return not self.words
        words = self.words
        return len(words) == 1 and words[0].text in _HEADERS and not words[0].quoted

    def _redirect(self, i: int) -> int:
        text = self.text
        n = self.n
        m = _REDIR_OP.match(text, i)
        if m is None:
            return i + 1
        op = m.group()
        j = m.end()
        b = _BLANKS.match(text, j)
        if b is not None:
            j = b.end()
        if j >= n or text[j] in _META or (text[j] == "#" and j > m.end()):
            return j if j > i else i + 1
        w, k = self._read_word(j, False)
        if op in ("<<", "<<-"):
            self.heredocs.append((w.text, op == "<<-"))
        return k if k > i else i + 1

    def _skip_heredocs(self, i: int) -> int:
        text = self.text
        n = self.n
        for delim, strip in self.heredocs:
            while i < n:
                k = text.find("\n", i)
                line = text[i : n if k < 0 else k]
                i = n if k < 0 else k + 1
                if line.endswith("\r"):
                    line = line[:-1]
                if strip:
                    line = line.lstrip("\t")
                if line == delim:
                    break
        self.heredocs.clear()
        return i

    def _read_word(self, i: int, db: bool) -> tuple[Word, int]:
        """Read one word starting at ``i``; return it and the index where scanning stopped."""
        text = self.text
        n = self.n
        start = i
        buf: list[str] = []
        quoted = False
        end = i
        plain = _DB_PLAIN if db else _PLAIN
        metas = _DB_META if db else _META
        if not db:
            m = _ASSIGN.match(text, i)
            if m is not None and text.startswith("(", m.end()):
                # array value `A=(x y)`: kept literally
                k = self._skip(m.end() + 1, ")")
                buf.append(text[i:k])
                i = end = k
        while i < n:
            c = text[i]
            if c in metas:
                break
            if c == "'":
                k = text.find("'", i + 1)
                if k < 0:
                    k = n
                buf.append(text[i + 1 : k])
                i = min(k + 1, n)
                quoted = True
            elif c == '"':
                i = self._dquote(i + 1, buf)
                quoted = True
            elif c == "\\":
                if text.startswith("\n", i + 1):
                    i += 2
                    continue
                if text.startswith("\r\n", i + 1):
                    i += 3
                    continue
                if i + 1 < n:
                    buf.append(text[i + 1])
                    i += 2
                    quoted = True
                else:
                    buf.append("\\")
                    i += 1
            elif c == "$":
                i, q = self._dollar(i, buf, False)
                if q:
                    quoted = True
            elif c == "`":
                k = self._skip(i + 1, "`")
                buf.append(text[i:k])
                i = k
            else:
                m = plain.match(text, i)
                if m is None:
                    buf.append(c)
                    i += 1
                else:
                    buf.append(m.group())
                    i = m.end()
            end = i
        return Word("".join(buf), start, end, quoted), i

    def _dquote(self, i: int, buf: list[str]) -> int:
        """Scan a double-quoted string from just after its opening quote."""
        text = self.text
        n = self.n
        while i < n:
            m = _DQ_PLAIN.match(text, i)
            if m is not None:
                buf.append(m.group())
                i = m.end()
                if i >= n:
                    break
            c = text[i]
            if c == '"':
                return i + 1
            if c == "\\":
                nx = text[i + 1 : i + 2]
                if nx == "\n":
                    i += 2
                elif nx == "\r" and text.startswith("\n", i + 2):
                    i += 3
                elif nx and nx in '\\"$`':
                    buf.append(nx)
                    i += 2
                else:
                    buf.append("\\")
                    i += 1
            elif c == "$":
                i, _ = self._dollar(i, buf, True)
            else:  # backquote
                k = self._skip(i + 1, "`")
                buf.append(text[i:k])
                i = k
        return n

    def _dollar(self, i: int, buf: list[str], in_dq: bool) -> tuple[int, bool]:
        """Scan a ``$`` construct at ``i``; return the next index and whether it quoted."""
        text = self.text
        n = self.n
        j = i + 1
        if j >= n:
            buf.append("$")
            return j, False
        c = text[j]
        if c == "{":
            if text.startswith("{", j + 1):
                # GitHub Actions expression ${{ ... }}: opaque
                k = text.find("}}", j + 2)
                if k >= 0:
                    buf.append(text[i : k + 2])
                    return k + 2, False
            k = self._skip(j + 1, "}")
            buf.append(text[i:k])
            return k, False
        if c == "(":
            k = self._skip(j + 1, ")")
            buf.append(text[i:k])
            return k, False
        if c == "$":
            # `$$` (the PID, or make's escaped dollar); make's `$$(...)` is kept whole
            k = j + 1
            if k < n and text[k] == "(":
                k = self._skip(k + 1, ")")
            buf.append(text[i:k])
            return k, False
        if not in_dq:
            if c == "'":
                m = _ANSI_BODY.match(text, j + 1)
                if m is None:  # pragma: no cover - the pattern always matches
                    return j + 1, True
                buf.append(_ANSI_ESC.sub(_ansi_repl, m.group()))
                return min(m.end() + 1, n), True
            if c == '"':
                return self._dquote(j + 1, buf), True
        buf.append("$")
        return j, False

    def _skip(self, i: int, closers: str) -> int:
        """Skip nested shell text from ``i`` (just after an opener) to past its closers.

        ``closers`` lists the pending closing characters, innermost last; each is one of
        ``)`` (command substitution / subshell), ``}`` (parameter expansion), ``"`` or
        a backquote. Quotes, escapes and comments are respected. Returns the index
        just past the outermost closer, or the text length when it is unterminated.
        """
        text = self.text
        n = self.n
        stack = list(closers)
        while i < n:
            top = stack[-1]
            if top == '"':
                m = _DQ_PLAIN.match(text, i)
                if m is not None:
                    i = m.end()
                    continue
                c = text[i]
                if c == '"':
                    stack.pop()
                elif c == "\\":
                    i += 1
                elif c == "`":
                    stack.append("`")
                elif c == "$" and i + 1 < n and text[i + 1] in "({":
                    stack.append(")" if text[i + 1] == "(" else "}")
                    i += 1
                i += 1
            elif top == "`":
                m = _BQ_PLAIN.match(text, i)
                if m is not None:
                    i = m.end()
                    continue
                if text[i] == "`":
                    stack.pop()
                else:  # backslash
                    i += 1
                i += 1
            else:
                m = _CODE_PLAIN.match(text, i)
                if m is not None:
                    i = m.end()
                    continue
                c = text[i]
                if c == top:
                    stack.pop()
                elif c == "(":
                    if top == ")":
                        stack.append(")")
                elif c == "{":
                    if top == "}":
                        stack.append("}")
                elif c == "'":
                    if top == ")":
                        k = text.find("'", i + 1)
                        i = n if k < 0 else k
                elif c == '"':
                    stack.append('"')
                elif c == "`":
                    stack.append("`")
                elif c == "\\":
                    i += 1
                elif c == "$":
                    if i + 1 < n and text[i + 1] in "({":
                        stack.append(")" if text[i + 1] == "(" else "}")
                        i += 1
                elif c == "#" and top == ")" and (i == 0 or text[i - 1] in " \t\r\n;(|&"):
                    k = text.find("\n", i)
                    i = n if k < 0 else k
                    continue
                i += 1
            if not stack:
                return min(i, n)
        return n


def parse_script(text: str) -> list[Command]:
    """Split a shell script into simple commands (never raises)."""
    parser = _Parser(text)
    try:
        parser.run()
    except Exception:  # pragma: no cover - defensive: a linter must not crash on odd input
        with contextlib.suppress(Exception):
            parser._finish()
    return parser.commands


# ---------------------------------------------------------------------------
# Variables

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?\Z", re.DOTALL)
_REF = re.compile(r"\$(?:\$|\{\{|\{[#!]?([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_UNQUOTE = re.compile(r"'([^']*)'|\"((?:[^\"\\]|\\.)*)\"|\\(.)", re.DOTALL)
_DQ_ESCAPE = re.compile(r"\\([\\\"$`])")
_MAX_DEPTH = 16


def _brace_close(text: str, i: int) -> int:
    """Index of the ``}`` closing a ``${`` whose body starts at ``i`` (-1 if none)."""
    depth = 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _unquote_repl(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return m.group(1)
    if m.group(2) is not None:
        return _DQ_ESCAPE.sub(r"\1", m.group(2))
    return m.group(3)


#: an expansion may make a word at most this many characters longer than its text: values
#: that would grow it further stay unexpanded (``A="$B$B"; B="$A$A" ...`` doubles each time)
MAX_EXPANSION_GROWTH = 65_536


def _expand(text: str, lookup: Callable[[str], str | None], depth: int) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    room = MAX_EXPANSION_GROWTH  # what substituted values may still add
    while True:
        j = text.find("$", i)
        if j < 0 or j + 1 >= n:
            out.append(text[i:])
            break
        out.append(text[i:j])
        c = text[j + 1]
        if c == "$":
            out.append("$$")
            i = j + 2
            continue
        if c == "{":
            if text.startswith("{", j + 2):
                k = text.find("}}", j + 3)
                if k >= 0:
                    out.append(text[j : k + 2])
                    i = k + 2
                    continue
            k = _brace_close(text, j + 2)
            if k < 0:
                out.append(text[j:])
                break
            repl: str | None = None
            m = _PARAM.match(text, j + 2, k)
            if m is not None:
                name, op, word = m.groups()
                value = lookup(name)
                if value is not None:
                    if op is None or op in ("-", "=", "?", ":?"):
                        repl = value
                    elif op in (":-", ":="):
                        repl = value or _default(word, lookup, depth)
                    elif op == ":+":
                        repl = _default(word, lookup, depth) if value else ""
                    elif op == "+":
                        repl = _default(word, lookup, depth)
            written = text[j : k + 1]
            if repl is None or len(repl) - len(written) > room:
                out.append(written)
            else:
                out.append(repl)
                room -= len(repl) - len(written)
            i = k + 1
            continue
        m = _NAME.match(text, j + 1)
        if m is None:
            out.append("$")
            i = j + 1
            continue
        value = lookup(m.group())
        written = text[j : m.end()]
        if value is None or len(value) - len(written) > room:
            out.append(written)
        else:
            out.append(value)
            room -= len(value) - len(written)
        i = m.end()
    return "".join(out)


def _default(word: str, lookup: Callable[[str], str | None], depth: int) -> str:
    word = _UNQUOTE.sub(_unquote_repl, word)
    if depth >= _MAX_DEPTH:
        return word
    return _expand(word, lookup, depth + 1)


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """Substitute ``$NAME``, ``${NAME}`` and ``${NAME:-default}`` (also ``-``, ``:=``, ``=``,
    ``:+``, ``+``, ``:?``, ``?``) in a word text using ``lookup``.

    A name for which ``lookup`` returns ``None`` is unknown and left as written (with its
    whole ``${...}``, default included); return ``""`` for a name known to be empty or
    unset. ``$$``, ``$(...)``, ``${{ ... }}``, special parameters and other expansions
    (``${#A}``, ``${A%x}`` ...) are left as written, and so are values that would make the
    result more than :data:`MAX_EXPANSION_GROWTH` characters longer than ``text``.
    """
    return _expand(text, lookup, 0)


def variable_refs(text: str) -> list[str]:
    """Names referenced by ``$NAME`` / ``${NAME...}`` in a word text, in order, unique.

    ``$$`` and GitHub expressions ``${{ ... }}`` are not references.
    """
    seen: dict[str, None] = {}
    for m in _REF.finditer(text):
        name = m.group(1) or m.group(2)
        if name:
            seen.setdefault(name, None)
    return list(seen)
