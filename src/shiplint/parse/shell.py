"""A small, fast, never-raising bash tokenizer that keeps character offsets: shell
scripts split into simple commands.

It is meant for recognising commands in release configuration (workflow ``run:``
blocks, CI scripts, tox commands, Makefile recipes), not for executing anything:
:func:`parse_script` splits a script into simple :class:`Command` objects, each with its
argv :class:`~shiplint.parse.shell_words.Word` objects (text after quote removal plus
exact offsets into the text passed in) and its ``NAME=value`` assignments. Words are
scanned by :mod:`shiplint.parse.shell_words`; :mod:`shiplint.parse.shell_expand`
substitutes and lists the variables in a word.

Parameter expansions, command substitutions (``$(...)``, backticks), arithmetic and
GitHub Actions expressions (``${{ ... }}``) are kept literally in a word's text; the
commands inside substitutions are not returned. Heredoc bodies are skipped and
redirections are dropped from the words.
"""

from __future__ import annotations

import contextlib
import re

from shiplint.lazyre import LazyPattern
from shiplint.parse.shell_words import ASSIGN, META, Word, read_word, skip_nested

__all__ = ["Command", "parse_script"]


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
_QUOTED_PART = LazyPattern(r"'([^']*)'|\"([^\"]*)\"")
_BLANKS = LazyPattern(r"(?:[ \t\r]+|\\\r?\n)+")
_FD = LazyPattern(r"(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?=[<>])")
_REDIR_OP = LazyPattern(r"&>>?|<<<|<<-?|<>|<&|>&|>>|>\||<|>")
_FUNC_PARENS = LazyPattern(r"\([ \t]*\)")
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
        m = ASSIGN.match(text, w.start)
        offset = 0
        if m is None and allow_quoted and w.quoted and text[w.start : w.start + 1] in ("'", '"'):
            m = ASSIGN.match(text, w.start + 1)
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
                if text.startswith("]]", i) and (i + 2 >= n or text[i + 2] in META):
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
        w, j = read_word(self.text, i, db)
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
                k = skip_nested(text, i + 2, "))")
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
                k = skip_nested(text, i + 2, ")")
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
        if j >= n or text[j] in META or (text[j] == "#" and j > m.end()):
            return j if j > i else i + 1
        w, k = read_word(text, j, False)
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


def parse_script(text: str) -> list[Command]:
    """Split a shell script into simple commands (never raises)."""
    parser = _Parser(text)
    try:
        parser.run()
    except Exception:  # pragma: no cover - defensive: a linter must not crash on odd input
        with contextlib.suppress(Exception):
            parser._finish()
    return parser.commands
