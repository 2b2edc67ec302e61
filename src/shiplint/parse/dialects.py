"""Which shell syntax a text is read with, and reading it.

Three dialects: ``sh`` (POSIX shell and bash: :mod:`shiplint.parse.shell`), ``cmd``
(cmd.exe batch: :mod:`shiplint.parse.cmd_script`) and ``pwsh`` (PowerShell, Windows
PowerShell too: :mod:`shiplint.parse.pwsh_script`). Each gives the same
:class:`~shiplint.parse.shell.Command` objects, variables written ``${NAME}``, so the model
and the rules read every dialect alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shiplint.parse.shell import Command
    from shiplint.parse.shell_flow import Node

#: the discovered kind of a script file in each dialect
SCRIPT_KINDS = {"sh": "shell", "cmd": "batch", "pwsh": "powershell"}
#: a script file's dialect by its extension
_BY_EXTENSION = {".bat": "cmd", ".cmd": "cmd", ".ps1": "pwsh"}
#: GitHub Actions ``shell:`` keywords and programs that are not POSIX shells
_BY_SHELL = {"cmd": "cmd", "pwsh": "pwsh", "powershell": "pwsh", "powershell.exe": "pwsh"}
_BY_SHELL["pwsh.exe"] = "pwsh"
_BY_SHELL["cmd.exe"] = "cmd"


def dialect_of_path(rel: str) -> str:
    """``cmd`` for ``.bat``/``.cmd`` files, ``pwsh`` for ``.ps1``, else ``sh``."""
    dot = rel.rfind(".")
    return _BY_EXTENSION.get(rel[dot:].lower(), "sh") if dot >= 0 else "sh"


def dialect_of_shell(shell: str) -> str:
    """The dialect of a GitHub ``shell:`` value: its program (``pwsh -NoProfile {0}``)."""
    words = shell.split()
    program = words[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if words else ""
    return _BY_SHELL.get(program, "sh")


def parse_commands(text: str, dialect: str = "sh") -> list[Command]:
    """The simple commands of ``text`` read as ``dialect``."""
    if dialect == "cmd":
        from shiplint.parse.cmd_script import parse_cmd

        return parse_cmd(text)[0]
    if dialect == "pwsh":
        from shiplint.parse.pwsh_script import parse_pwsh

        return parse_pwsh(text)[0]
    from shiplint.parse.shell import parse_script

    return parse_script(text)


def parse_flow(text: str, dialect: str) -> tuple[list[Command], list[Node] | None]:
    """The commands and control flow of a ``cmd`` or ``pwsh`` text."""
    if dialect == "cmd":
        from shiplint.parse.cmd_script import parse_cmd

        return parse_cmd(text)
    from shiplint.parse.pwsh_script import parse_pwsh

    return parse_pwsh(text)
