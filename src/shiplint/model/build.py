"""Build the release model of one project from its parsed files.

:func:`build_model` reads the files in a fixed order, because later readers use what
earlier ones found (a Makefile target, tox env or nox session is read once for each step
that runs it): GitHub workflows and composite actions (:mod:`.github_steps`), other CI
files (:mod:`.ci_files`; a GitLab pipeline with the files it includes, and the scripts
and tasks its jobs run, :mod:`.gitlab_ci`), conda environment files, shell scripts, tox
configurations (:mod:`.tox_commands`), pixi tasks, ``.pypirc``, Makefiles and noxfiles
(:mod:`.task_commands`); then
the uploads of every command and the package indexes set in the environment
(:mod:`.index_settings`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shiplint.model import ReleaseModel
from shiplint.model.ci_files import ci_file
from shiplint.model.github_steps import github_steps
from shiplint.model.gitlab_ci import gitlab_jobs, is_gitlab_ci, link_gitlab_uploads, pipeline_calls
from shiplint.model.index_settings import conda_env, env_indexes, pypirc, pyproject_indexes
from shiplint.model.task_commands import makefile, noxfile, pixi_tasks, shell_scripts
from shiplint.model.tox_commands import tox_ini, tox_toml
from shiplint.model.workflows import build_composite_action, build_workflow
from shiplint.pkg.upload_commands import recognise

if TYPE_CHECKING:
    from shiplint.project import Project


def build_model(project: Project) -> ReleaseModel:
    model = ReleaseModel(root=project.root, files=project.files, project=project)
    for src in project.of_kind("workflow"):
        doc = project.yaml(src)
        workflow = build_workflow(src, doc.root) if doc else None
        if workflow is not None:
            model.workflows.append(workflow)
            github_steps(model, project, workflow)
    for src in project.of_kind("action"):
        doc = project.yaml(src)
        action = build_composite_action(src, doc.root) if doc else None
        if action is not None:
            model.actions.append(action)
            github_steps(model, project, action, origin="action")
    pipelines = []
    for src in project.of_kind("ci"):
        if is_gitlab_ci(src):
            doc = project.yaml(src)
            # reads the files it includes, which join the "ci" files (the module loads
            # only for a repository with a GitLab pipeline)
            from shiplint.model.gitlab_include import read_pipeline

            pipeline = read_pipeline(project, src, doc.root if doc else None)
            if pipeline is not None:
                pipelines.append(pipeline)
    for src in project.of_kind("ci"):
        doc = project.yaml(src)
        if doc is not None:
            ci_file(model, src, doc.root)
    gitlab = [gitlab_jobs(pipeline) for pipeline in pipelines]
    for jobs in gitlab:
        pipeline_calls(model, project, jobs)
    for src in project.of_kind("conda-env"):
        doc = project.yaml(src)
        if doc is not None:
            conda_env(model, src, doc.root)
    shell_scripts(model, project)
    for src in project.of_kind("tox-ini", "setup-cfg"):
        ini = project.ini(src)
        if ini is not None:
            tox_ini(model, src, ini)
    for src in project.of_kind("tox-toml", "pyproject"):
        toml_doc = project.toml(src)
        if toml_doc is not None:
            if src.kind == "pyproject":
                pyproject_indexes(model, src, toml_doc)
                pixi_tasks(model, src, toml_doc)
            tox_toml(model, src, toml_doc)
    for src in project.of_kind("pixi-toml"):
        toml_doc = project.toml(src)
        if toml_doc is not None:
            pixi_tasks(model, src, toml_doc)
    for src in project.of_kind("pypirc"):
        ini = project.ini(src)
        if ini is not None:
            pypirc(model, src, ini)
    for src in project.of_kind("makefile"):
        makefile(model, src)
    for src in project.of_kind("noxfile"):
        tree = project.python_ast(src)
        if tree is not None:
            noxfile(model, src, tree)
    for cmd in model.commands:
        recognise(model, cmd)
    for jobs in gitlab:
        link_gitlab_uploads(model, jobs)
    env_indexes(model)
    _mark_encrypted(model)
    _mask_literal_credentials(model)
    return model


def _mark_encrypted(model: ReleaseModel) -> None:
    """Credentials read from a CI file's secure variable are decrypted by the CI system."""
    if not model.secure_env:
        return
    secure = {(id(env.loc.source), env.loc.start) for env in model.secure_env}
    for upload in model.uploads:
        for cred in upload.credentials:
            if (id(cred.loc.source), cred.loc.start) in secure:
                cred.encrypted = True


def _mask_literal_credentials(model: ReleaseModel) -> None:
    """Keep literal tokens and passwords out of every printed source line."""
    for upload in model.uploads:
        for cred in upload.credentials:
            if not cred.literal or cred.username:
                continue
            loc = cred.loc
            written = loc.text
            name, eq, _ = written.partition("=")
            start = loc.start + len(name) + 1 if eq and name.startswith("-") else loc.start
            span = (start, loc.end)
            if span not in loc.source.secret_spans:
                loc.source.secret_spans.append(span)
