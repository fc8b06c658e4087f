"""The `grade` command line: click wiring only; the work happens in other modules.

Exit codes: 0 full marks (and for the overview and hints), 1 graded with points missing,
2 usage error (unknown exercise, no such file), 3 the grader itself failed.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

import click

from grader import api, catalog, progress
from grader.files import write_atomically
from grader.hints import next_hint
from grader.lesson.cli import lesson
from grader.locate import NotFound, exercises_folder
from grader.reports.safe_text import file_name, for_terminal
from grader.reports.text import overview, to_json, to_text
from grader.results import Report
from grader.text import head

EXIT_FULL_MARKS, EXIT_POINTS_MISSING, EXIT_USAGE, EXIT_GRADER_FAILED = 0, 1, 2, 3
FORMATS = ["text", "json", "gradescope", "junit"]


class GraderFailed(click.ClickException):
    exit_code = EXIT_GRADER_FAILED

    def __init__(self, problem: str) -> None:
        super().__init__(for_terminal(api.grader_failed(problem)))


class ExerciseGroup(click.Group):
    """A group whose commands include one per exercise in the catalog."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*catalog.names(), *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        exercise = catalog.resolve(name)  # "exercise1", "ex1" and "1" all name exercise 1
        if exercise is not None and name not in super().list_commands(ctx):
            return _exercise_command(exercise)
        return super().get_command(ctx, name)


class ExerciseName(click.ParamType):
    """An exercise, as "exercise1", "ex1" or "1"."""

    name = "exercise"

    def convert(self, value, param, ctx) -> catalog.Exercise:
        if isinstance(value, catalog.Exercise):
            return value
        exercise = catalog.resolve(str(value))
        if exercise is None:
            self.fail(f"{value!r} is not an exercise; choose from {', '.join(catalog.names())}.",
                      param, ctx)
        return exercise


def grading_options(command):
    command = click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
                           help="Write the report to this file (atomically) instead of stdout.")(command)
    command = click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                           show_default=True,
                           help="text for people; json, gradescope (results.json) or junit (XML) "
                                "for programs.")(command)
    command = click.option("--submission", type=click.Path(exists=True, path_type=Path),
                           help="Grade this file (one exercise) or folder instead of exercises/.")(command)
    command = click.option("--require-isolation", type=click.Choice(["full", "reduced"]),
                           expose_value=False, is_eager=True, callback=_require_isolation,
                           help="For official grading: refuse to grade (exit 3) unless the "
                                "learner's code can be confined this well (see grade doctor).")(command)
    return command


def _require_isolation(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    from grader.sandbox.isolation import IsolationTooLow, Tier, require
    if value is not None:
        try:
            require(Tier(value))
        except IsolationTooLow as error:
            raise IsolationRefused(str(error)) from None


class IsolationRefused(click.ClickException):
    """Official grading asked for more confinement than this machine gives: nothing ran."""

    exit_code = EXIT_GRADER_FAILED


@click.group(cls=ExerciseGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="l1lab", message="%(prog)s (l1lab) %(version)s")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Grade your L1 regularization exercises.

    Run `grade exercise1` to grade one exercise, `grade all` for every one, or `grade`
    alone for an overview of where you are.
    """
    if ctx.invoked_subcommand is None:
        report = _grade(catalog.exercises(), None, quiz=True)
        click.echo(overview(report), color=_color())


@main.command("all")
@grading_options
def grade_all(submission: Path | None, fmt: str, output: Path | None) -> None:
    """Grade every exercise and the quiz (quiz.txt), and show the total."""
    _grade_and_finish(catalog.exercises(), submission, fmt, output, quiz=True)


@main.command("doctor")
def doctor() -> None:
    """Show how your code is confined when graded here, and what a stronger tier needs."""
    from grader.sandbox.doctor import diagnose
    for line in diagnose():
        click.echo(line)


@main.command("hint")
@click.argument("exercise", type=ExerciseName())
@click.option("--reset", is_flag=True, help="Start again from the first hint.")
def hint(exercise: catalog.Exercise, reset: bool) -> None:
    """Show the next hint for EXERCISE (one more each time you ask).

    Where an exercise has several functions, the hints are about the one whose check failed
    first when you last graded it."""
    try:
        folder = exercises_folder(Path.cwd())
    except NotFound:
        folder = Path.cwd()
    function = progress.failing_function(folder, exercise)
    number, count, text = next_hint(exercise, folder, reset=reset, function=function)
    about = f" ({function})" if exercise.hints_for(function) != exercise.hints else ""
    click.echo(f"Hint {number} of {count} for {exercise.name}{about}: {text}")
    if number == count:
        click.echo(f"That is the last hint. Reread the lesson: grade lesson \"{exercise.lesson}\"")


main.add_command(lesson)  # `grade lesson`: the lesson's text and its geometry picture


@main.command("watch")
def watch() -> None:
    """Grade an exercise each time you save its file. Press q (or Ctrl-C) to stop."""
    try:
        folder = exercises_folder(Path.cwd())
    except NotFound as error:
        raise click.UsageError(str(error)) from None
    from grader.watch import watch as watch_folder
    raise SystemExit(watch_folder(folder, color=_color()))


@main.command("dev-check")
def dev_check() -> None:
    """For instructors: prove every stub scores 0 and every solution full marks."""
    try:
        from grader.course.devcheck import problems
    except ImportError:
        raise click.UsageError("dev-check needs the instructor's copy of the course, with "
                               "solutions/; this looks like a student copy.") from None
    try:
        folder = exercises_folder(Path.cwd())
    except NotFound as error:
        raise click.UsageError(str(error)) from None
    found = problems(folder)
    for problem in found:
        click.echo(f"- {problem}")
    if found:
        raise SystemExit(EXIT_POINTS_MISSING)
    click.echo("All exercises are consistent: stubs score 0, solutions score full marks.")


@main.command("notebook")
def starter_notebook() -> None:
    """For instructors: write exercises/l1lab.ipynb, the starter notebook, from the stubs."""
    try:
        from grader.course.starter import not_stubs, notebook_path, starter_notebook as text_of
    except ImportError:
        raise click.UsageError("grade notebook needs the instructor's copy of the course.") from None
    try:
        folder = exercises_folder(Path.cwd())
    except NotFound as error:
        raise click.UsageError(str(error)) from None
    solved = not_stubs(folder)
    if solved:
        holds = "holds" if len(solved) == 1 else "hold"
        raise click.UsageError(f"{', '.join(solved)} in {folder} {holds} more than a stub; the "
                               "starter notebook is made from the stubs, so put them back first.")
    path = notebook_path(folder)
    try:
        write_atomically(path, text_of(folder))
    except OSError as error:
        raise click.UsageError(f"cannot write {path}: {error.strerror}") from None
    click.echo(f"Wrote {path}.")


@main.command("release")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
def release(outdir: Path) -> None:
    """For instructors: write the student copy (no solutions, no hidden checks) to OUTDIR."""
    from grader.course.release import ReleaseError, make_release
    try:
        hidden = make_release(outdir)
    except ReleaseError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.UsageError(f"cannot write {outdir}: {error.strerror}") from None
    left_out = sum(h.checks for h in hidden.values())
    click.echo(f"Wrote the student copy to {outdir}: no solutions/, {left_out} hidden checks left out.")


@main.command("gradescope-bundle")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def gradescope_bundle(out: Path) -> None:
    """For instructors: write the Gradescope autograder zip to OUT."""
    from grader.course.bundle import make_bundle
    from grader.course.release import ReleaseError
    try:
        make_bundle(out)
    except ReleaseError as error:
        raise click.UsageError(str(error)) from None
    except OSError as error:
        raise click.UsageError(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"Wrote {out}. Upload it as the autograder of a Gradescope programming assignment.")


@main.command("batch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The CSV gradebook to write; JSON reports go in a folder beside it.")
@click.option("--jobs", type=click.IntRange(min=1), help="Students graded at once [default: CPUs].")
@click.option("--timeout", type=click.FloatRange(min=1, max=7 * 24 * 3600), default=300.0,
              show_default=True, callback=lambda ctx, param, value: _finite(param, value),
              help="Seconds of CPU time one student's grading (all its processes "
                   "together) may use before it is stopped; one that sleeps is stopped after "
                   "10 times that of waiting.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=256), default=1024,
              show_default=True, help="MiB of memory one student's grading may hold in "
                                      "total, all its processes together.")
@click.option("--scheduler", metavar="ADDRESS", help="Send the jobs to this Dask scheduler.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The LMS's CSV list of students: its columns go into the gradebook.")
@click.option("--require-isolation", type=click.Choice(["full", "reduced"]),
              help="For official grading: refuse to grade (exit 3) unless the learners' code "
                   "can be confined this well; a report confined less (on a Dask worker) is "
                   "an error, not a grade.")
def batch(folder: Path, out: Path, jobs: int | None, timeout: float, memory_mb: int,
          scheduler: str | None, roster: Path | None, require_isolation: str | None) -> None:
    """For instructors: grade the students in FOLDER (one folder each, or a Canvas, Moodle or
    Gradescope download) into a CSV gradebook and a class report (resumable)."""
    from grader.course.batch import main as run_batch
    raise SystemExit(run_batch(folder, out, jobs=jobs, timeout=timeout, memory_mb=memory_mb,
                               scheduler=scheduler, roster=roster,
                               require_isolation=require_isolation))


def _finite(param: click.Parameter, value: float) -> float:
    if value != value:  # NaN slips through every range check
        raise click.BadParameter("must be a number of seconds, e.g. 300.", param=param)
    return value


def _exercise_command(exercise: catalog.Exercise) -> click.Command:
    @click.command(name=exercise.name, help=f"Grade {exercise.name}: {exercise.title}.")
    @grading_options
    def command(submission: Path | None, fmt: str, output: Path | None) -> None:
        _grade_and_finish([exercise], submission, fmt, output, quiz=False)

    return command


def _grade(exercises, submission: Path | None, *, quiz: bool) -> Report:
    try:
        return api.grade(list(exercises), submission, Path.cwd(), quiz=quiz)
    except api.NotFound as error:
        raise click.UsageError(str(error)) from None
    except api.GradingFailed as error:
        raise GraderFailed(str(error)) from None


def _grade_and_finish(exercises, submission: Path | None, fmt: str, output: Path | None, *,
                      quiz: bool) -> None:
    started = time.monotonic()
    if fmt != "gradescope":
        report = _grade(exercises, submission, quiz=quiz)
        text = _render(report, fmt, time.monotonic() - started)
        if fmt == "text" and (after := _what_next(report, submission)):
            text = text.rstrip("\n") + "\n" + after + "\n"
        _finish(report, text, output, color=_color() if fmt == "text" else False)
    # Gradescope must always get a valid results.json, even when the grader itself breaks.
    from grader.reports import gradescope
    try:
        report = _grade(exercises, submission, quiz=quiz)
    except click.UsageError:
        raise
    except (Exception, click.ClickException):
        document = gradescope.grader_failed(traceback.format_exc(),
                                            execution_time=time.monotonic() - started)
        _write(gradescope.dumps(document), output, "the grader failed; wrote a results file saying so")
        raise SystemExit(EXIT_FULL_MARKS)
    text = _render(report, fmt, time.monotonic() - started)
    _write(text, output, f"{report.score}/{report.max_score}")
    raise SystemExit(EXIT_FULL_MARKS)  # written: a grader error is inside the file, for the student


def _what_next(report: Report, submission: Path | None) -> str:
    """Remember the learner's progress; after a pass, a line on what to do next."""
    graded = [e for e in report.exercises if catalog.resolve(e.name) is not None]
    try:
        folder = (submission if submission is not None and submission.is_dir()
                  else submission.parent if submission is not None
                  else exercises_folder(Path.cwd())).resolve()
    except NotFound:
        return ""
    if not graded:
        return ""
    progress.record(folder, graded)
    if report.status == "passed" and len(report.exercises) > 1:
        return "You have completed L1 Lab: every exercise and the quiz pass."
    if len(graded) == 1 and graded[0].status == "passed":
        return progress.what_next(folder, catalog.find(graded[0].name))
    return ""


def _render(report: Report, fmt: str, elapsed: float) -> str:
    if fmt == "json":
        return to_json(report)
    if fmt == "gradescope":
        from grader.reports import gradescope
        return gradescope.dumps(gradescope.results(report, execution_time=elapsed))
    if fmt == "junit":
        from grader.reports.junit import to_junit
        return to_junit(report, execution_time=elapsed)
    return to_text(report)


def _write(text: str, output: Path | None, summary: str, *, color: bool | None = False) -> None:
    """Print `text`, or write it atomically to `output` and say so on stderr. (Every writer
    made the learner's text in `text` safe for its format: `grader.reports.safe_text`.)"""
    if output is None:
        click.echo(text, nl=False, color=color)
        return
    try:
        write_atomically(output, click.unstyle(text))
    except OSError as error:
        raise click.UsageError(f"cannot write {file_name(str(output))}: {error.strerror}") from None
    click.echo(f"Wrote {file_name(str(output))} ({summary}).", err=True)


def _finish(report: Report, text: str, output: Path | None, *, color: bool | None) -> None:
    _write(text, output, f"{report.score}/{report.max_score}", color=color)
    if report.status == "error":
        raise SystemExit(EXIT_GRADER_FAILED)
    raise SystemExit(EXIT_FULL_MARKS if report.score == report.max_score else EXIT_POINTS_MISSING)


def _color() -> bool | None:
    """Colour only on a terminal (click's default), and never with NO_COLOR set."""
    return False if os.environ.get("NO_COLOR") else None


def run() -> None:
    """Entry point that turns any unexpected crash into exit code 3 and one line."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:  # the last line of defence: never a traceback for a learner
        problem = head(f"{type(error).__name__}: {error}", 200)
        click.echo(f"Error: {GraderFailed(problem).message}", err=True)
        sys.exit(EXIT_GRADER_FAILED)
