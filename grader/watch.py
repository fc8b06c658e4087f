"""`grade watch`: grade an exercise each time its file is saved, with the grader kept warm.

The watching process imports the grader once and records the checks' inputs on the
reference solutions (`grader.api.warm_up`, as a batch's grading server does). Each grading
runs in a fork of it, so it starts with numpy, pytest, hypothesis and the checks loaded and
the inputs drawn (a fraction of a cold `grade exerciseN`), and whatever one grading leaves
behind cannot change the next. Saves
are seen through `watchfiles`, which also catches editors that save by writing another file
and renaming it over the old one (vim, VS Code, nano's backups).

Every file an exercise may be graded from is watched (`grader.candidates`: its `.py` file,
its own notebook, the course notebook `l1lab.ipynb`). A notebook counts as changed when its
code does: Jupyter's autosave of new outputs grades nothing; a saved code cell grades every
exercise that notebook may hold, together.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click

from grader import api, candidates, catalog, notebook, progress
from grader.reports.text import overview, to_text

QUIT_KEYS = ("q", "Q", "\x1b")
SETTLE = 0.05
"""Seconds a changed file must stay the same before it is graded."""
FOOTER = "Watching {folder}: save an exercise file to grade it again. Press q to quit."


def watch(folder: Path, *, color: bool | None) -> int:
    """Show the overview, then grade each exercise file of `folder` when it is saved, until
    the learner presses q (or Ctrl-C). Returns the exit code."""
    try:
        _watch(folder, color)
    except KeyboardInterrupt:  # Ctrl-C at any moment, even while warming up
        pass
    click.echo("Stopped watching.")
    return 0


def _watch(folder: Path, color: bool | None) -> None:
    import watchfiles

    api.warm_up()
    _run_forked(lambda: _show_overview(folder, color))
    stop = threading.Event()
    names = {e: candidates.names(e) for e in catalog.exercises()}
    files = {name for chosen in names.values() for name in chosen}
    raw = {name: _read(folder / name) for name in files}
    code = {name: _code(folder / name, raw[name]) for name in files}
    click.echo(FOOTER.format(folder=_shown(folder)))
    with _keys_that_stop(stop):
        # What is graded is decided by content, not by events: a save made while the
        # watcher starts (it reports nothing) is found at the next tick, and a save that
        # changes nothing grades nothing.
        for _ in watchfiles.watch(folder, stop_event=stop, recursive=False,
                                  raise_interrupt=True, debounce=400, rust_timeout=500,
                                  yield_on_timeout=True,
                                  watch_filter=lambda _, path: Path(path).name in files):
            changed = set()
            for name in files:
                if _read(folder / name) in (raw[name], None):
                    continue
                data = _contents(folder / name)
                if data is None:  # gone again: wait for it to be back
                    continue
                raw[name], now = data, _code(folder / name, data)
                if now is not None and now != code[name]:
                    changed.add(name)
                code[name] = now
            due = {e: graded for e, chosen in names.items()
                   if (graded := _graded(e, chosen, raw)) in changed}
            if due:
                if sys.stdout.isatty():
                    click.clear()
                _run_forked(lambda: _grade_some(folder, due, color))
                click.echo(FOOTER.format(folder=_shown(folder)))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _code(path: Path, data: bytes | None) -> bytes | None:
    """What grading `path` (holding `data`) depends on: a `.py` file's bytes, a notebook's
    code (not its outputs or metadata), or its bytes when that cannot be read."""
    if data is None or path.suffix != ".ipynb":
        return data
    try:
        cells = notebook.code_cells(data, path.name, plain=not notebook.available())
        return notebook.program(cells, path.name).source.encode("utf-8", "surrogatepass")
    except Exception:  # not a notebook (yet): grading it says what is wrong
        return data


def _graded(exercise: catalog.Exercise, names: list[str], raw: dict) -> str | None:
    """Which of `names` grading `exercise` would take now (`grader.candidates`)."""
    there = [(name, raw[name]) for name in names if raw[name] is not None]
    return candidates.choose(there, exercise) if there else None


def _contents(path: Path) -> bytes | None:
    """The file's bytes once they stop changing (an editor may be writing it right now)."""
    try:
        data = path.read_bytes()
        for _ in range(20):
            time.sleep(SETTLE)
            again = path.read_bytes()
            if again == data:
                return data
            data = again
        return data
    except OSError:  # mid-rename, or deleted: wait for the file to be back
        return None


def _show_overview(folder: Path, color: bool | None) -> int:
    report = api.grade(list(catalog.exercises()), folder, folder, quiz=True)
    progress.record(folder, [e for e in report.exercises if catalog.resolve(e.name)])
    click.echo(overview(report), color=color)
    return 0


def _grade_some(folder: Path, due: dict[catalog.Exercise, str], color: bool | None) -> int:
    """Grade the exercises `due`, each from the file named beside it."""
    report = api.grade(list(due), folder, folder, quiz=False)
    text = to_text(report)
    progress.record(folder, report.exercises)
    if report.status == "passed":
        last, name = list(due.items())[-1]
        text = text.rstrip("\n") + "\n" + progress.what_next(
            folder, last, watching=True,
            notebook=name if name.endswith(".ipynb") else None) + "\n"
    click.echo(text, nl=False, color=color)
    return 0 if report.status == "passed" else 1


def _run_forked(grading) -> int:
    """Run `grading()` in a fork of this warm process; its exit code (3 if it broke)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            code = grading()
        except api.GradingFailed as error:
            click.echo(f"Error: {api.grader_failed(str(error))}", err=True)
        except KeyboardInterrupt:
            code = 130
        except BaseException as error:  # never a traceback for a learner
            click.echo(f"Error: {api.grader_failed(type(error).__name__)}", err=True)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    while True:
        try:
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except KeyboardInterrupt:  # the grading gets the same Ctrl-C and stops; wait for it
            continue
        except ChildProcessError:
            return 3


@contextlib.contextmanager
def _keys_that_stop(stop: threading.Event) -> Iterator[None]:
    """Read single keys from a terminal in the background; q or Esc sets `stop`."""
    if not sys.stdin.isatty():
        yield
        return
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)  # keys arrive one by one; output and Ctrl-C work as usual

    def read() -> None:
        while not stop.is_set():
            try:
                key = os.read(fd, 1).decode(errors="replace")
            except OSError:
                return
            if not key or key in QUIT_KEYS:
                stop.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        yield
    finally:
        stop.set()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _shown(folder: Path) -> str:
    try:
        return str(folder.relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(folder) + "/"
