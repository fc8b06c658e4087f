"""Settings for every test of the project (tests/): the learner's cache in a temporary folder,
and a pristine course for what copies the course where a learner has solved exercises/."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
_pristine: list = []


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def _committed(name: str) -> bytes | None:
    done = subprocess.run(["git", "show", f"HEAD:exercises/{name}"], cwd=ROOT,
                          capture_output=True)
    return done.stdout if done.returncode == 0 else None


def pristine_course(tmp_path_factory) -> Path | None:
    """A copy of the course whose exercises/ are the committed stubs, if exercises/ here
    holds anything else (a learner's work); None when it holds the stubs already."""
    if not _pristine:
        changed = {}
        for path in sorted((ROOT / "exercises").glob("exercise*.py")):
            committed = _committed(path.name)
            if committed is not None and committed != path.read_bytes():
                changed[path.name] = committed
        copy = None
        if changed:
            copy = tmp_path_factory.mktemp("pristine") / "l1lab"
            copy.mkdir()
            for name in ("README.md", "pyproject.toml", "exercises", "quiz", "grader", "solutions"):
                source = ROOT / name
                if source.is_dir():
                    shutil.copytree(source, copy / name,
                                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
                else:
                    shutil.copy2(source, copy / name)
            for name, data in changed.items():
                (copy / "exercises" / name).write_bytes(data)
        _pristine.append(copy)
    return _pristine[0]


@pytest.fixture(autouse=True, scope="session")
def course_to_copy(tmp_path_factory):
    """`grade release` and the Gradescope bundle copy the course: where the learner has solved
    exercises/, they copy a pristine course instead (a release must never ship solutions).
    Session-wide, so that module-scoped fixtures that make a release see it too."""
    copy = pristine_course(tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        if copy is not None:
            from grader.course import bundle, release
            patch.setattr(release, "PROJECT", copy)
            patch.setattr(bundle, "PROJECT", copy)
        yield


@pytest.fixture(scope="session")
def course_stubs(tmp_path_factory) -> Path:
    """exercises/ as released: every stub and the starter notebook, made from solutions/ (the
    exercises/ here may hold a learner's work)."""
    from grader.course.starter import starter_notebook
    from grader.course.stubs import write_stubs

    folder = write_stubs(tmp_path_factory.mktemp("stubs") / "exercises")
    (folder / "l1lab.ipynb").write_text(starter_notebook(folder), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def reference_inputs():
    """What each hypothesis check was called with when grading the reference (`grader.replay`),
    recorded once per test process: the inputs every correct submission must get, and the
    book a replayed grading uses."""
    from grader import catalog, replay
    from grader.grading import grade

    replay.enable()
    try:
        exercises = catalog.exercises()
        folder = Path(__file__).parent / "solutions"
        report = grade(exercises, {e.name: folder / e.file for e in exercises})
        assert report.score == report.max_score
    finally:
        book = replay.disable()
    assert len(book) >= 20  # every hypothesis check of every exercise
    return book


@pytest.fixture(scope="session")
def graded_with_replay(reference_inputs):
    """`graded_with_replay(exercise, path)`: the report of `path` graded with the reference's
    inputs replayed, as `grade batch` grades (no call started early); it asserts that some
    check really was replayed."""
    from grader import replay
    from grader.grading import grade

    def graded(exercise, path):
        before = sum(replay.counts.values())
        replay.enable(reference_inputs)
        try:
            report = grade([exercise], {exercise.name: path})
        finally:
            replay.disable()
        assert sum(replay.counts.values()) > before
        return report

    return graded
