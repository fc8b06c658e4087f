"""The replay book kept in the user's cache (`grader.replay_store`): a second `grade` replays
what the first recorded and reports exactly the same; a book file someone else could have
written, or any bytes that are not a book, are ignored and never run."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import hypothesis
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from grader import replay, replay_store
from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]
BOOK = {"exercise1.py::test_odd": [{"w": np.array([1.5, -0.0]), "lam": 0.5},
                                   {"w": np.zeros(0), "lam": 2.0}],
        "exercise2.py::test_long_arrays": [{"w": np.arange(3, dtype=np.int64), "shape": (3, 1)}]}


def graded(tmp_path: Path, name: str) -> tuple[dict, int]:
    """The JSON report of `grade exercise3` on `name`, and how many checks it replayed
    (passing or not)."""
    before = sum(replay.counts.values())
    result = CliRunner().invoke(main, ["exercise3", "--submission", name, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output), sum(replay.counts.values()) - before


@pytest.mark.parametrize("submission", ["solutions/exercise3.py",
                                        "tests/fixtures/exercise3/wrong_mutates_y.py",
                                        "tests/fixtures/exercise3/correct_python_loops.py"])
def test_a_second_grading_replays_the_first_and_reports_the_same(tmp_path, monkeypatch,
                                                                  submission):
    shutil.copy(ROOT / submission, tmp_path / "exercise3.py")
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "solutions" / "exercise3.py", tmp_path / "reference.py")
    graded(tmp_path, "reference.py")  # records every check's inputs
    book = replay_store.book_file()
    assert book.is_file() and book.stat().st_mode & 0o777 == 0o600
    first_time = replay_store.load(book)
    assert len(first_time) >= 5

    replay.counts.clear()
    again, replayed = graded(tmp_path, "exercise3.py")
    shutil.rmtree(book.parent)
    alone, _ = graded(tmp_path, "exercise3.py")  # nothing to replay now
    assert replayed > 0
    assert again == alone
    assert sorted(os.listdir(tmp_path)) == ["exercise3.py", "reference.py"]


def test_a_saved_book_loads_bit_for_bit(tmp_path):
    path = tmp_path / "replay-x.pickle"
    replay_store.save(path, BOOK)
    assert pickle.dumps(replay_store.load(path)) == pickle.dumps(BOOK)


def test_saving_removes_the_books_of_older_versions(tmp_path):
    replay_store.save(tmp_path / "replay-old.pickle", BOOK)
    replay_store.save(tmp_path / "replay-new.pickle", BOOK)
    assert sorted(os.listdir(tmp_path)) == ["replay-failing.json", "replay-new.pickle"]


def test_another_version_of_hypothesis_keeps_another_book(monkeypatch):
    now = replay_store.book_file()
    monkeypatch.setattr(hypothesis, "__version__", hypothesis.__version__ + ".1")
    assert replay_store.book_file() != now


class Runs:
    def __reduce__(self):
        return (os.system, ("touch ran",))


@pytest.mark.parametrize("data", [
    pickle.dumps(Runs()),
    pickle.dumps({"k": [{"x": np.array(["text"], dtype=object)}]}),
    pickle.dumps({"k": [{"x": np.float64(1.0)}]}),
    pickle.dumps({"k": "not a list of calls"}),
    pickle.dumps([1, 2, 3]),
    b"",
], ids=["runs a command", "object array", "numpy scalar", "not calls", "not a dict", "empty"])
def test_anything_but_a_book_is_ignored_and_never_run(tmp_path, monkeypatch, data):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "replay-x.pickle"
    path.write_bytes(data)
    path.chmod(0o600)
    assert replay_store.load(path) == {}
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("how", ["group writable", "a link", "someone else's"])
def test_a_book_someone_else_could_have_written_is_ignored(tmp_path, how):
    path = tmp_path / "replay-x.pickle"
    replay_store.save(path, BOOK)
    if how == "group writable":
        path.chmod(0o620)
    elif how == "a link":
        (tmp_path / "real.pickle").write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(tmp_path / "real.pickle")
    else:
        if os.getuid() != 0:
            pytest.skip("only root can give a file away")
        os.chown(path, 12345, -1)
    assert replay_store.load(path) == {}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.builds(lambda b, cut: b[:cut], st.just(pickle.dumps(BOOK)),
                                           st.integers(0, 400)))
def test_any_bytes_load_as_a_book_or_as_nothing(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "replay-x.pickle"
    path.write_bytes(data)
    path.chmod(0o600)
    book = replay_store.load(path)
    assert book == {} or replay_store._is_book(book)


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    replay_store.save(replay_store.book_file(), BOOK)  # no exception
    assert (tmp_path / "file").read_text() == "not a folder"


def test_a_check_that_failed_last_time_is_drawn_and_the_others_replayed(tmp_path, monkeypatch):
    """A learner working on a failing exercise grades it again and again: the checks that
    failed last time draw their inputs (a failing replay would cost a second pass each
    time), the ones that passed replay, and the report is the same as the first."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(ROOT / "solutions" / "exercise3.py", tmp_path / "right.py")
    shutil.copy(ROOT / "tests/fixtures/exercise3/wrong_l1_squared.py", tmp_path / "wrong.py")
    assert graded(tmp_path, "right.py")[1] == 0  # nothing to replay yet
    replay.counts.clear()
    first, _ = graded(tmp_path, "wrong.py")
    assert replay.counts["fell back"] >= 1  # a replay failed: graded again
    failed = {f"exercise3.py::test_{c['name']}" for e in first["exercises"] for c in e["checks"]
              if c["status"] == "failed"}
    assert failed and set(json.loads(Path(replay_store.book_file()).with_name(
        "replay-failing.json").read_text())) == failed

    replay.counts.clear()
    again, replayed = graded(tmp_path, "wrong.py")
    assert replay.counts["fell back"] == 0 and replayed == replay.counts["passed"] > 0
    assert again == first

    replay.counts.clear()
    assert graded(tmp_path, "right.py")[0]["score"] == first["max_score"]
    assert replay.counts["fell back"] == 0  # the fixed checks drew once more
    assert graded(tmp_path, "right.py")[1] > replayed  # now every check replays


def book_shape(book: dict) -> dict[str, int]:
    return {key: len(calls) for key, calls in book.items()}


def test_a_warm_up_replays_what_an_earlier_one_kept_and_ends_with_the_same_book(monkeypatch):
    """A batch's server (or `grade watch`) warms up on the reference: the second time it
    replays the book the first left in the cache, and holds the same book afterwards."""
    from grader import api

    monkeypatch.setattr(replay, "_book", None)
    api.warm_up()
    first = replay.disable()
    assert replay_store.load(replay_store.book_file()).keys() == first.keys()
    replay.counts.clear()
    api.warm_up()
    second = replay.disable()
    checks = [key for key in first if not key.endswith(replay.PLAN)]
    assert replay.counts["passed"] >= len(checks) > 10
    assert replay.counts["fell back"] == 0
    assert all(key + replay.PLAN in first for key in checks)  # each with the calls it made
    assert book_shape(second) == book_shape(first)
    assert pickle.dumps(second, protocol=5) == pickle.dumps(first, protocol=5)
