"""Travis CI ``deploy: provider: pypi`` (a mapping, or one entry of a ``deploy:`` list) as
an upload of the model: tool ``travis-pypi``.

Travis's deploy tool, dpl, uploads with twine: ``--username`` (alias ``user``),
``--password`` and ``--server`` (default ``https://upload.pypi.org/legacy/``), each also
read from the environment, ``PYPI_USERNAME``/``PYPI_PASSWORD``/``PYPI_SERVER`` (dpl v2:
travis-ci/dpl@v2.0.5.4:lib/dpl/providers/pypi.rb, ``env :pypi``, README "Options can be
given via env vars if prefixed with ``PYPI_``"), and in dpl v1 ``PYPI_USER`` too
(travis-ci/dpl@v1.10.16:lib/dpl/provider/pypi.rb ``pypi_user``). A ``password: {secure:
...}`` is decrypted by Travis; a password not in the file may come from the repository
settings, so a missing one is not modelled as missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import Context, Credential, Loc, Upload, Value
from shiplint.model.shellblocks import single_var
from shiplint.parse.yamlnodes import YMap, YScalar, YSeq
from shiplint.pkg.upload_commands import credential, index_of_url, looks_literal

if TYPE_CHECKING:
    from shiplint.model import ReleaseModel
    from shiplint.parse.yamlnodes import YNode
    from shiplint.source import SourceFile

_USER_ENV = ("PYPI_USERNAME", "PYPI_USER")
_PASSWORD_ENV = ("PYPI_PASSWORD",)


def travis_deploys(
    model: ReleaseModel, src: SourceFile, root: YNode | None, env: dict[str, Value]
) -> None:
    """Add the ``provider: pypi`` deploys of a Travis file to the model's uploads (``env``:
    the variables the file sets)."""
    if not isinstance(root, YMap) or not src.rel.endswith(".travis.yml"):
        return
    deploy = root.get("deploy")
    entries = deploy.items if isinstance(deploy, YSeq) else [deploy]
    for entry in entries:
        if not isinstance(entry, YMap):
            continue
        provider = entry.get_scalar("provider")
        if provider is None or provider.value.strip().lower() != "pypi":
            continue
        context = Context(origin="ci", label=src.rel)
        upload = Upload(
            tool="travis-pypi",
            family="pypi",
            loc=Loc(src, provider.start, provider.end),
            context=context,
            index="pypi",
        )
        server = entry.get_scalar("server")
        if server is not None and not server.is_null:
            upload.target = Value(server.value, Loc(src, server.start, server.end))
            upload.index = index_of_url(server.value) or server.value
        user = _option(entry, "username", "user")
        if user is not None:
            upload.credentials.append(_credential(src, user, "username", username=True))
        elif (found := _env(env, _USER_ENV)) is not None:
            name, value = found
            upload.credentials.append(
                credential("env", None, upload.loc, name, env_value=value, username=True)
            )
        password = _option(entry, "password")
        if password is not None:
            upload.credentials.append(_credential(src, password, "password"))
        elif (found := _env(env, _PASSWORD_ENV)) is not None:
            name, value = found
            upload.credentials.append(credential("env", None, upload.loc, name, env_value=value))
        model.uploads.append(upload)


def _option(entry: YMap, *names: str) -> YNode | None:
    for name in names:
        node = entry.get(name)
        if node is not None and not (isinstance(node, YScalar) and node.is_null):
            return node
    return None


def _credential(src: SourceFile, node: YNode, name: str, username: bool = False) -> Credential:
    """``password: secure: ...`` (decrypted by Travis), ``password: $VAR`` or a value written
    out (literal)."""
    if isinstance(node, YMap):
        secure = node.get_scalar("secure")
        where = secure if secure is not None else node
        return Credential(
            via="input",
            loc=Loc(src, where.start, where.end),
            name=name,
            username=username,
            encrypted=True,
        )
    loc = Loc(src, node.start, node.end)
    text = node.value if isinstance(node, YScalar) else ""
    var = single_var(text.strip().strip("\"'"))
    return Credential(
        via="input",
        loc=loc,
        secret=var,
        name=name,
        literal=var is None and looks_literal(text) and not username,
        username=username,
    )


def _env(env: dict[str, Value], names: tuple[str, ...]) -> tuple[str, Value] | None:
    for name in names:
        if name in env:
            return name, env[name]
    return None
