"""Uploads of the publishers catalogued in ``data/facts.toml`` ``[publishers.*]``: actions a
step uses (pypa/gh-action-pypi-publish, maturin-action, deploy-pypi ...) and reusable
workflows a job calls (OpenAstronomy's publish workflows).

Each use becomes an :class:`~shiplint.model.Upload` like a shell upload: its tool, index or
Anaconda.org channel, the credential and how it reaches the action (an input, a secret
passed to the workflow, an environment variable of the step, job or workflow, or trusted
publishing), the release its ref runs. What the catalogue says of a publisher is data; this
module reads any entry the same way, so adding a publisher is a change of the facts alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint import facts as facts_mod
from shiplint.gha import refs as gha_refs
from shiplint.model import Context, Credential, Loc, Upload, Value
from shiplint.model.shellblocks import secret_names
from shiplint.parse.yamlnodes import YMap, YScalar, trailing_comment
from shiplint.pkg.upload_commands import credential, index_of_url

if TYPE_CHECKING:
    from shiplint.facts import Publisher
    from shiplint.model import Job, ReleaseModel, Step
    from shiplint.project import Project
    from shiplint.source import SourceFile


def publishers_of(uses: str) -> tuple[Publisher, ...]:
    """The catalogued publishers a ``uses:`` value (with or without its ref) names: one per
    upload it may make."""
    return facts_mod.publishers().get(uses.split("@", 1)[0].strip().lower(), ())


def step_upload(
    model: ReleaseModel,
    project: Project,
    src: SourceFile,
    step: Step,
    context: Context,
    env: dict[str, Value],
    pub: Publisher,
) -> None:
    """The upload of a step that uses the action ``pub`` (none when its inputs say it
    does not upload, or the release it runs no longer uploads)."""
    uses = step.uses
    if uses is None or pub.kind != "step":
        return
    uploads, condition = _uploads(pub, step.with_)
    if not uploads:
        return
    upload = Upload(
        tool=pub.tool,
        family=pub.family,
        loc=_deciding_loc(src, step.with_, pub) or Loc(src, uses.start, uses.end),
        context=context,
        index=pub.default_index,
        publisher=pub,
        condition=condition,
    )
    spec = gha_refs.publisher(pub.name)
    upload.ref = step.ref
    if spec is not None:
        upload.release = gha_refs.resolve(step.ref, trailing_comment(src, uses), spec)
        upload.version = upload.release.pinned_version
    if _no_longer_uploads(upload, pub):
        return
    _target(upload, src, step.with_, env, pub)
    _credentials(upload, src, step.with_, env, pub, None)
    _command_line(upload, src, step.with_, env, pub)
    upload.packages = _packages(project, pub)
    model.uploads.append(upload)


def job_upload(model: ReleaseModel, src: SourceFile, job: Job, pub: Publisher) -> None:
    """The upload of a job that calls the reusable workflow ``pub``."""
    uses = job.uses
    if uses is None or uses.loc is None or pub.kind != "workflow":
        return
    uploads, condition = _uploads(pub, job.with_)
    if not uploads:
        return
    context = Context(origin="workflow", job=job, label=job.id)
    upload = Upload(
        tool=pub.tool,
        family=pub.family,
        loc=_deciding_loc(src, job.with_, pub) or uses.loc,
        context=context,
        index=pub.default_index,
        publisher=pub,
        condition=condition,
    )
    ref = uses.text.split("@", 1)[1].strip() if "@" in uses.text else None
    upload.ref = ref
    spec = gha_refs.publisher(pub.name)
    if spec is not None:
        node = job.node.get_scalar("uses") if job.node is not None else None
        comment = trailing_comment(src, node) if node is not None else None
        upload.release = gha_refs.resolve(ref, comment, spec)
        upload.version = upload.release.pinned_version
    if _no_longer_uploads(upload, pub):
        return
    _target(upload, src, job.with_, {}, pub)
    _credentials(upload, src, job.with_, {}, pub, job)
    model.uploads.append(upload)


def _command_line(
    upload: Upload, src: SourceFile, with_: YMap | None, env: dict[str, Value], pub: Publisher
) -> None:
    """An action that runs a publishing CLI with the arguments of an input (maturin-action:
    ``maturin <command> <args>``): the options of those arguments (``-r``,
    ``--repository-url``, ``-u``, ``-p``, ``--skip-existing``) are read as the shell
    command's would be, and override what the environment says."""
    spec = pub.raw.get("args")
    if not isinstance(spec, dict) or with_ is None:
        return
    scalar = _input(with_, (str(spec.get("input", "args")),))
    sub = _input(with_, (str(spec.get("subcommand-input", "")),))
    if scalar is None or sub is None or "${{" in sub.value:
        return
    from shiplint.model import ReleaseModel
    from shiplint.model.shellblocks import commands_from_text
    from shiplint.model.textmap import ScalarMap
    from shiplint.pkg.upload_commands import recognise

    prefix = f"{spec.get('program', '')} {sub.value.strip()} "
    scalar_map = ScalarMap(src, scalar)
    skip = len(prefix)

    def to_file(start: int, end: int, hint: int = 0) -> tuple[int, int]:
        return scalar_map.to_file(max(start - skip, 0), max(end - skip, 0), hint)

    scratch = ReleaseModel(root="", files=[])
    text = prefix + scalar.value.replace("\n", " ")
    for cmd in commands_from_text(scratch, src, text, upload.context, env, to_file, dialect="sh"):
        recognise(scratch, cmd)
    cli = next((u for u in scratch.uploads if u.family == upload.family), None)
    if cli is None:
        return
    upload.options = cli.options
    flags = [c for c in cli.credentials if c.via == "flag"]
    if flags:
        names = {c.username for c in flags}
        upload.credentials = [c for c in upload.credentials if c.username not in names]
        upload.credentials += flags
        if any(not c.username for c in flags):  # a password on the command line
            upload.oidc = False
            upload.credentials = [c for c in upload.credentials if c.via != "oidc"]
    if any(o in cli.options for o in ("-r", "--repository", "--repository-url")):
        upload.index = cli.index
        upload.target = cli.target


def _packages(project: Project, pub: Publisher) -> tuple[str, ...] | None:
    """The folders the publisher builds and uploads, when the project's own configuration
    of it names them (jupyter_releaser's ``python-packages``); None: the root."""
    setting = pub.raw.get("packages-setting")
    doc = project.pyproject if setting else None
    if doc is None or not isinstance(setting, list):
        return None
    table = doc.get(tuple(str(k) for k in setting[:-1]))
    if not isinstance(table, dict):
        return None
    names = {str(setting[-1]), str(setting[-1]).replace("-", "_")}
    value = next((table[n] for n in names if n in table), None)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(v.split(":", 1)[0].strip("/") or "." for v in value)


def _deciding_loc(src: SourceFile, with_: YMap | None, pub: Publisher) -> Loc | None:
    """For a use that makes several uploads (a workflow that publishes to PyPI and to
    Anaconda.org), each upload is placed at the input that turns it on, when that input is
    written: one place per upload."""
    if pub.upload_input is None or with_ is None:
        return None
    if len({p.name for p in publishers_of(pub.uses[0])}) < 2:
        return None
    key = with_.key(pub.upload_input)
    return Loc(src, key.start, key.end) if key is not None else None


def _no_longer_uploads(upload: Upload, pub: Publisher) -> bool:
    until = pub.uploads_until
    version = upload.release.version if upload.release is not None else None
    return until is not None and version is not None and version >= until


def _input(with_: YMap | None, names: tuple[str, ...]) -> YScalar | None:
    if with_ is None:
        return None
    for name in names:
        got = with_.get_scalar(name)
        if got is not None and not got.is_null:
            return got
    return None


#: the events on which OpenAstronomy-style ref-prefix inputs upload (the workflow's own
#: ``set-upload`` step; see the facts)
_REF_PREFIX_EVENTS = ("push", "workflow_dispatch", "release", "create")


def _uploads(pub: Publisher, with_: YMap | None) -> tuple[bool, str | None]:
    """Whether the use uploads, as its inputs are written, and the condition it then also
    needs: the deciding input's value (or default) is one that uploads; a value the file
    leaves to an expression uploads when the expression yields such a value (the
    condition); a token input left at the value that skips the upload does not upload."""
    if pub.skip_token is not None:
        token = _input(with_, pub.token_inputs)
        if token is None or token.value.strip() == pub.skip_token:
            return False, None
    if pub.upload_input is None:
        return True, None
    given = _input(with_, (pub.upload_input,))
    value = given.value.strip() if given is not None else pub.upload_default
    if value is None:
        return False, None
    expression = _whole_expression(value)
    if expression is not None:
        if pub.upload_ref_prefix or [v.lower() for v in pub.upload_values] == ["true"]:
            # a switch: an expression that yields true (`github.event_name == 'release'`)
            return True, expression
        wanted = " || ".join(f"({expression}) == '{v}'" for v in pub.upload_values)
        return bool(wanted), wanted or None
    if "${{" in value:
        return False, None  # text around an expression: not a value shiplint can tell
    if value.lower() in {v.lower() for v in pub.upload_values}:
        return True, None
    if pub.upload_ref_prefix and value.startswith("refs/tags/"):
        events = " || ".join(f"github.event_name == '{e}'" for e in _REF_PREFIX_EVENTS)
        return True, f"startsWith(github.ref, '{value}') && ({events})"
    return False, None


def _whole_expression(value: str) -> str | None:
    """The expression of a value that is one ``${{ ... }}`` and nothing else."""
    text = value.strip()
    if text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1:
        return text[3:-2].strip()
    return None


def _target(
    upload: Upload,
    src: SourceFile,
    with_: YMap | None,
    env: dict[str, Value],
    pub: Publisher,
) -> None:
    url: Value | None = None
    scalar = _input(with_, pub.index_url_inputs)
    if scalar is not None:
        url = Value(scalar.value, Loc(src, scalar.start, scalar.end))
    else:
        url = next((env[n] for n in pub.index_url_env if n in env), None)
    if url is not None and url.text.strip():
        upload.target = url
        upload.index = index_of_url(url.text) or url.text
        return
    name = _input(with_, pub.index_name_inputs)
    if name is not None and name.value.strip():
        upload.index = name.value.strip()
    else:
        named = next((env[n] for n in pub.index_name_env if n in env), None)
        if named is not None and named.text.strip():
            upload.index = named.text.strip()
    if pub.channel_input is not None:
        org = _input(with_, (pub.channel_input,))
        if org is not None:
            upload.target = Value(org.value, Loc(src, org.start, org.end))
        elif pub.channel_default is not None:
            upload.target = Value(pub.channel_default, None)


def _credentials(
    upload: Upload,
    src: SourceFile,
    with_: YMap | None,
    env: dict[str, Value],
    pub: Publisher,
    job: Job | None,
) -> None:
    user = _input(with_, pub.username_inputs)
    if user is not None:
        upload.credentials.append(input_credential(src, user, user_name(with_, user), True))
    else:
        user_env = next((n for n in pub.username_env if n in env), None)
        if user_env is not None:
            value = env[user_env]
            upload.credentials.append(
                credential("env", None, upload.loc, user_env, env_value=value, username=True)
            )
    token = _input(with_, pub.token_inputs)
    if token is not None and token.value.strip():
        upload.credentials.append(input_credential(src, token, user_name(with_, token)))
    token_env = next((n for n in pub.token_env if n in env and env[n].text.strip()), None)
    if token is None and token_env is not None:
        value = env[token_env]
        upload.credentials.append(credential("env", None, upload.loc, token_env, env_value=value))
    if job is not None and pub.token_secrets:
        upload.credentials.extend(_secret_credentials(src, job, pub.token_secrets))
    if pub.trusted_publishing == "when-permitted":
        # the id token wins over any token whenever the job may mint one
        workflow_job = upload.context.job
        oidc = workflow_job is not None and workflow_job.id_token_write
    else:
        oidc = pub.trusted_publishing in ("automatic", "always") and not upload.token_credentials
    if oidc:
        upload.oidc = True
        upload.credentials.append(Credential(via="oidc", loc=upload.loc, name="id-token"))


def user_name(with_: YMap | None, scalar: YScalar) -> str:
    """The input name under which ``scalar`` is written in ``with_``."""
    if with_ is not None:
        for name, _key, value in with_.items():
            if value is scalar:
                return name
    return ""


def input_credential(
    src: SourceFile, scalar: YScalar, name: str, username: bool = False
) -> Credential:
    """A credential written as an action input (or a secret passed to a workflow)."""
    secrets = secret_names(scalar.value)
    literal = "${{" not in scalar.value and bool(scalar.value.strip())
    return Credential(
        via="input",
        loc=Loc(src, scalar.start, scalar.end),
        secret=secrets[0] if secrets else None,
        name=name,
        literal=literal and not username,
        username=username,
    )


def _secret_credentials(src: SourceFile, job: Job, names: tuple[str, ...]) -> list[Credential]:
    """The token secrets a job passes to the workflow it calls: ``secrets: {NAME: ...}``,
    or ``secrets: inherit`` (the caller's secret of the same name, names being
    case-insensitive)."""
    node = job.secrets
    wanted = {n.lower() for n in names}
    out: list[Credential] = []
    if isinstance(node, YMap):
        for name, _key, value in node.items():
            if name.lower() in wanted and isinstance(value, YScalar) and value.value.strip():
                out.append(input_credential(src, value, name))
    elif isinstance(node, YScalar) and node.value.strip() == "inherit":
        loc = Loc(src, node.start, node.end)
        out.extend(Credential(via="input", loc=loc, secret=n.upper(), name=n) for n in names)
    return out


def publisher_label(upload: Upload) -> str:
    """``owner/repo[/path]`` of the catalogued action or workflow of ``upload``, as written
    (without the ref); empty for other uploads."""
    if upload.publisher is None:
        return ""
    step, job = upload.context.step, upload.context.job
    if upload.publisher.kind == "step" and step is not None and step.uses is not None:
        written = step.uses.value
    elif job is not None and job.uses is not None:
        written = job.uses.text
    else:
        written = upload.loc.text
    return written.strip().strip("'\"").split("@", 1)[0].strip()
