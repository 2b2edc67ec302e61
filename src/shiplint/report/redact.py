"""Keep secret values out of every output: mask known credential spans and token shapes.

Three layers, so that no output depends on which rules ran:

* the spans the release model and the credential rules recorded in
  ``SourceFile.secret_spans`` (literal tokens and passwords they recognised), masked
  where they are and wherever the same text appears again in the file;
* for source text that is shown (the text report's source line, ``--diff``), values
  that look like credentials whatever the rules found: ``password = ...``,
  ``TWINE_PASSWORD=...``, ``"TOKEN": "..."``, ``-p``/``-t``/``--password``/``--token``
  values on a publishing command line, and passwords in URLs (``https://user:pw@host``);
  references (``$TOKEN``, ``${{ secrets.X }}``, ``{env:X}``) are shown as written;
* anything shaped like a PyPI API token, and passwords in URLs, anywhere (:func:`scrub`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shiplint import facts
from shiplint.lazyre import LazyPattern

if TYPE_CHECKING:
    from shiplint.source import SourceFile

MASK = "********"

# a password in a URL: scheme://user:PASSWORD@host
_URL_PASSWORD = LazyPattern(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<value>[^@\s/]+)@")
# a credential-named key and its value: password = x, TWINE_PASSWORD=x, "TOKEN": "x";
# after `key = ` or `key: ` the value runs to the end of the line (INI, YAML, Makefile),
# after a tight `KEY=` (shell) to the next blank
_ASSIGNMENT = LazyPattern(
    r"""(?ix)
    (?<![\w.-])(?P<q>["']?)
    (?P<key>[\w.-]*?(?:password|passwd|token|api[_-]?key|[_-]secret|[_-]pat))
    (?P=q)
    (?:
        [ \t]*(?:[:?+]?=|:)[ \t]*(?P<quoted>"[^"\n]*"|'[^'\n]*')
      | [ \t]*(?:[:?+]?=|:)[ \t]+(?P<spaced>[^\s"'][^\n]*?)(?=[ \t]+\#|[ \t]*$)
      | (?:[:?+]?=|:)(?P<tight>[^\s,;}\]"'][^\s,;}\]]*)
    )
    """
)
#: keys named like a credential that hold none
_NOT_SECRET_KEYS = frozenset({"id-token"})
# poetry config pypi-token.NAME VALUE / http-basic.NAME USER PASSWORD
_POETRY_CONFIG = LazyPattern(
    r"(?i)(?:pypi-token\.[\w-]+|http-basic\.[\w-]+\s+\S+)\s+(?P<value>[^\s;&|]+)"
)
# the value of a credential option on a publishing command line (also in Python lists)
_FLAG = LazyPattern(
    r"""(?x)
    (?<![\w-])(?:-p|-t|-a|--password|--token|--api-token|--auth|--pypi-token)
    (?:=|["']?[ \t]*,[ \t]*|[ \t]+)
    (?P<value>"[^"\n]*"|'[^'\n]*'|[^\s,;)\]]+)
    """
)
_PUBLISHING = LazyPattern(r"(?i)twine|anaconda|hatch|poetry|\buv\b|flit|pdm|publish|upload")
# values that name where a credential comes from rather than holding it
_REFERENCE = LazyPattern(
    r"""["']?(?:\$|\{env:|\{\[|\{posargs|%\(|os\.environ|os\.getenv|secrets\.)"""
)


#: substrings every token shape of ``[secrets] token-patterns`` starts with (a quick test)
_OTHER_TOKEN_MARKS = ("gh", "github_pat_", "glpat-")


def scrub(text: str) -> str:
    """Replace anything shaped like a PyPI, GitHub or GitLab token, and URL passwords, in
    free text."""
    if "pypi-" in text:
        text = facts.load().pypi_token_re.sub("pypi-" + MASK, text)
    if any(mark in text for mark in _OTHER_TOKEN_MARKS):
        text = facts.load().other_token_re.sub(MASK, text)
    if "@" in text and "://" in text:
        text = _mask_group(_URL_PASSWORD, text)
    return text


def _mask_group(pattern: LazyPattern, text: str) -> str:
    """Mask the value group (``value``, ``quoted``, ``spaced`` or ``tight``) of every match,
    keeping its quotes; references and keys in ``_NOT_SECRET_KEYS`` stay as written."""

    def replace(match: re.Match[str]) -> str:
        groups = match.groupdict()
        name = next(g for g in ("value", "quoted", "spaced", "tight") if groups.get(g))
        value = match.group(name)
        key = groups.get("key")
        if key is not None and key.lower() in _NOT_SECRET_KEYS:
            return match.group(0)
        if _REFERENCE.match(value) or value.strip("\"'") in ("", MASK):
            return match.group(0)
        quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"
        quote = value[0] if quoted else ""
        start, end = match.span(name)
        base = match.start()
        whole = match.group(0)
        return whole[: start - base] + quote + MASK + quote + whole[end - base :]

    return pattern.sub(replace, text)


def mask_credentials(text: str) -> str:
    """Mask values that look like credentials in one line of shown source text."""
    if _PUBLISHING.search(text):
        text = _mask_group(_FLAG, text)
        text = _mask_group(_POETRY_CONFIG, text)
    text = _mask_group(_ASSIGNMENT, text)
    return scrub(text)


def secret_texts(src: SourceFile) -> list[str]:
    """The literal credentials recorded for ``src`` (longest first)."""
    text = src.text or ""
    found = {text[s:e] for s, e in src.secret_spans if e - s >= 4}
    return sorted(found, key=len, reverse=True)


def _mask_known(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def source_line(src: SourceFile, line: int) -> str:
    """Line ``line`` of ``src`` with literal credentials masked."""
    text = src.line_text(line)
    if not text:
        return text
    if src.secret_spans:
        start = src.line_starts[line - 1]
        end = start + len(text)
        # right to left, so earlier offsets stay valid while masking
        for s, e in sorted(set(src.secret_spans), reverse=True):
            if e <= start or s >= end:
                continue
            lo, hi = max(s, start) - start, min(e, end) - start
            text = text[:lo] + MASK + text[hi:]
        text = _mask_known(text, secret_texts(src))
    return mask_credentials(text)


def redact_text(src: SourceFile | None, text: str) -> str:
    """Source text (any number of lines, e.g. a unified diff of ``src``) with every
    credential masked: the recorded ones of ``src`` and anything that looks like one."""
    secrets = secret_texts(src) if src is not None else []
    lines = text.split("\n")
    return "\n".join(mask_credentials(_mask_known(line, secrets)) for line in lines)
