"""What a reduced-tier worker may read (Landlock), and the reference material `grade doctor`
names when other users can read it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli, paths
from grader.sandbox import exposure, isolation
from grader.sandbox.isolation import Isolation, Tier


@pytest.fixture
def world():
    """A folder under /tmp that any user can enter (pytest's tmp_path cannot be)."""
    top = Path(tempfile.mkdtemp(prefix="l1lab-exposure-"))
    top.chmod(0o755)
    yield top
    shutil.rmtree(top, ignore_errors=True)


def test_landlock_rules_leave_out_the_grader_and_keep_numpy() -> None:
    import numpy
    rules = exposure.landlock_rules()
    private = exposure.private_paths()
    assert private and all(p in private for p in paths.hidden())
    for rule in map(Path, rules):
        # A rule grants its whole subtree: none may hold a private path (a venv inside the
        # checkout is fine, the checkout itself is not).
        assert not any(rule == p or rule in p.parents for p in private), rule
    numpy_folder = Path(numpy.__file__).parent.resolve()
    assert any(numpy_folder == Path(r) or Path(r) in numpy_folder.parents for r in rules)


def test_doctor_lists_readable_reference_with_its_fix(world: Path, monkeypatch) -> None:
    hidden = world / "solutions"
    hidden.mkdir()
    (hidden / "exercise1.py").write_text("def sign_gradient(w, lam): ...\n")
    hidden.chmod(0o755)
    monkeypatch.setattr(paths, "hidden", lambda: [hidden])
    monkeypatch.setattr(paths, "source_checkout", lambda: None)
    monkeypatch.setattr(exposure, "install_sources", lambda: [])
    monkeypatch.setattr(isolation, "detect", lambda: Isolation(Tier.REDUCED, ("namespaces",)))
    monkeypatch.setattr(isolation, "choose", lambda tier=None: Tier.MINIMAL)
    output = CliRunner().invoke(cli.main, ["doctor"]).output
    assert f"  ! {hidden}: fix with `chmod -R go-rwx {hidden}`" in output
    hidden.chmod(0o700)
    output = CliRunner().invoke(cli.main, ["doctor"]).output
    assert str(hidden) not in output
    assert "No reference material here is readable by other users." in output


def test_a_git_worktree_names_its_repository(world: Path) -> None:
    repository = world / "main" / ".git"
    (repository / "worktrees" / "mine").mkdir(parents=True)
    checkout = world / "mine"
    checkout.mkdir()
    (checkout / ".git").write_text(f"gitdir: {repository / 'worktrees' / 'mine'}\n")
    assert exposure._git_folders(checkout) == [repository / "worktrees" / "mine", repository]
