"""The README stays short and true: every command it names exists, every version it
names is the one pinned, every file it points to is there."""

import re

from bookrun import ROOT
from test_workflows import MAKEFILE, makefile_targets

README = (ROOT / "README.md").read_text()


def test_the_readme_is_one_page():
    assert len(README.encode()) <= 8 * 1024


def test_every_make_command_the_readme_names_is_a_target():
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", README))
    assert {"setup", "test", "test-all", "report"} <= named
    assert named <= makefile_targets(MAKEFILE.read_text()), named - makefile_targets(MAKEFILE.read_text())


def test_the_versions_it_names_are_the_pinned_ones():
    quarto = (ROOT / ".quarto-version").read_text().strip()
    assert set(re.findall(r"Quarto (\d+\.\d+\.\d+)", README)) == {quarto}
    pins = dict(re.findall(r"^([\w-]+)==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M))
    text = " ".join(README.split())
    assert f"PyTorch is pinned to {pins['torch']} and torchvision to {pins['torchvision']}" in text


def test_it_says_how_to_run_quarto_itself_and_points_to_files_that_exist():
    assert "source .venv/bin/activate" in README and "quarto render" in README and "quarto preview" in README
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith(("http", "../../")):  # ../../actions: GitHub's own pages of this repository
            assert (ROOT / target).is_file(), target


def test_the_repository_address_is_written_in_one_place():
    """_quarto.yml's repo-url; the README's badge is relative to wherever it is shown."""
    assert "OWNER/REPO" not in README and "github.com/" not in README
