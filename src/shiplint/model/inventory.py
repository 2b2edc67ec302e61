"""The release inventory as plain data: every upload of the release model with where it is
written, its tool and release, its destination, its credentials and how they reach it, and
the job, runner, environment, triggers and conditions it runs under; and the package
indexes the repository installs from. ``shiplint map`` prints it (text, JSON) and the
release-flow diagram (:mod:`shiplint.deploy.flow`) draws it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shiplint.model import Context, Credential, Loc, Upload
    from shiplint.project import Project


def _where(loc: Loc | None, context: Context) -> str:
    if loc is None:
        return context.label
    pos = loc.pos
    return f"{loc.source.rel}:{pos.line}:{pos.col}"


def _target(upload: Upload) -> str:
    if upload.target is not None:
        return upload.target.text
    return upload.index or "?"


def _credential(cred: Credential) -> str:
    if cred.via == "oidc":
        return "trusted publishing (OIDC)"
    what = "user name" if cred.username else "token"
    if cred.username and cred.secret is None:
        source = "the file itself"
    elif cred.literal:
        source = "a literal value written in the file (redacted)"
    elif cred.encrypted:
        source = f"secure variable {cred.secret}" if cred.secret else "a secure (encrypted) value"
    elif cred.secret:
        source = f"secret {cred.secret}"
    else:
        source = "an unknown source"
    return f"{what} from {source} via {cred.via} {cred.name or ''}".rstrip()


def _auth(cred: Credential) -> dict[str, Any]:
    """One credential as data: its kind, the secret's name (never a value), how it is passed."""
    if cred.via == "oidc":
        kind = "trusted-publishing"
    elif cred.username and cred.secret is None:
        kind = "in-file"  # a user name written in the file (``__token__``)
    elif cred.literal:
        kind = "literal"  # a value written in the file: redacted, never shown
    elif cred.encrypted:
        kind = "secure-variable"
    elif cred.secret:
        kind = "secret"
    else:
        kind = "unknown"
    return {
        "kind": kind,
        "secret": cred.secret if kind in ("secret", "secure-variable") else None,
        "via": cred.via,
        "name": cred.name,
        "username": cred.username,
    }


def _destination(upload: Upload) -> dict[str, str]:
    """Where an upload goes: PyPI, TestPyPI, an Anaconda.org channel, another index."""
    index = upload.index
    if index == "pypi":
        return {"kind": "pypi", "name": "PyPI"}
    if index == "testpypi":
        return {"kind": "testpypi", "name": "TestPyPI"}
    if index == "anaconda" or upload.family == "anaconda":
        channel = upload.target.text if upload.target is not None else None
        return {"kind": "anaconda", "name": channel or "?"}
    if index:
        return {"kind": "url" if "://" in index else "repository", "name": index}
    return {"kind": "unknown", "name": "?"}


def _flow_file(upload: Upload) -> str:
    """The file whose run starts the upload: the workflow of its job, the GitLab pipeline
    file, else the file the upload is written in (a tox.ini, Makefile, noxfile ...)."""
    workflow = upload.context.workflow
    if workflow is not None:
        return workflow.source.rel
    gitlab = upload.gitlab_job
    if gitlab is not None:
        return gitlab.publisher
    return upload.source.rel


def _context(ctx: Context) -> dict[str, Any]:
    out: dict[str, Any] = {"origin": ctx.origin}
    job = ctx.job
    if job is not None:
        out["job"] = job.id
        out["runner"] = sorted({v.text for v in job.runs_on})
        out["environment"] = job.environment.text if job.environment else None
        out["id_token"] = job.id_token_write
        conditions = [
            c.value
            for c in (ctx.step.condition if ctx.step else None, job.condition)
            if c is not None
        ]
        out["conditions"] = conditions
        out["triggers"] = job.triggers
    if ctx.label and (job is None or ctx.label != job.id):
        out["label"] = ctx.label  # tox env, make target, nox session (also run by a job)
    return out


def _gitlab(upload: Upload) -> dict[str, Any]:
    """The GitLab CI job an upload runs in: its name, the file defining it, the pipeline
    (the file PyPI's trusted publisher names) and the includes shiplint cannot read."""
    job = upload.gitlab_job
    if job is None:
        return {}
    unseen = job.pipeline.unseen
    return {
        "gitlab_job": {
            "name": job.name,
            "defined_in": job.source.rel,
            "pipeline": job.publisher,
            "id_tokens": sorted(job.id_tokens),
            # PyPI's GitLab publisher names the top-level pipeline file, not an included one
            "trusted_publisher_file": job.publisher if upload.oidc else None,
            "unreadable_includes": [
                f"{src.rel}:{src.pos(node.start).line}" for src, node in unseen
            ],
        }
    }


def inventory(project: Project) -> dict[str, Any]:
    model = project.model
    uploads = []
    for up in model.uploads:
        uploads.append(
            {
                "location": _where(up.loc, up.context),
                "tool": up.tool,
                "version": str(up.version) if up.version else up.ref,
                "index": up.index,
                "target": _target(up),
                "credentials": [_credential(c) for c in up.credentials],
                # added in map format version 1 without breaking it: the flow's data
                "file": _flow_file(up),
                "destination": _destination(up),
                "auth": [_auth(c) for c in up.credentials],
                "condition": up.condition,
                **_context(up.context),
                **_gitlab(up),
            }
        )
    indexes = [
        {
            "location": _where(ix.url.loc, ix.context),
            "url": ix.url.text,
            "how": ix.how,
            **_context(ix.context),
        }
        for ix in model.indexes
    ]
    return {"root": project.root, "uploads": uploads, "indexes": indexes}
