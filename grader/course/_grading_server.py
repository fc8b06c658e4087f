"""A batch's grading server: import the grader once, then fork one grading process per student.

Started by `grader.course.student_job` as ``python -m grader.course._grading_server PARENT_PID``, one per
batch process, shared by its job slots. Before it says it is ready it imports everything a
grading needs and grades the reference solutions once with `grader.replay` on, so every
student's grading process, a fork of this one, starts with the imports done and the
checks' inputs already drawn. That
is what makes a batch fast: a fresh interpreter per student spent most of its time on
imports and on hypothesis drawing the same inputs again.

The protocol is one JSON line each way on stdin and stdout:

    request:  {"id": ID, "submission": DIR, "output": FILE, "cwd": DIR, "stderr": FILE,
               "memory": BYTES, "cpu": SECONDS}
              (memory: what all the student's processes may hold together; cpu: seconds of
              CPU time each process of theirs may use, the kernel's last word)
    replies:  {"id": ID, "pid": PID} when its grading process has started,
              {"id": ID, "code": CODE} when that has ended (as `subprocess`'s returncode:
              -N for signal N)

Requests may come while earlier ones are still being graded.

The grading process grades the submission folder as `grade all` does (`grader.api.grade`,
the same function), writes the JSON report to the output file and exits with `grade all`'s
exit code. It runs in a session of its own, with its standard error in FILE, inside the
student's resource wall (`grader.sandbox.cgroups`, named by its pid: their CPU share, total
memory and process count, with every worker in a cell of it) and with its limits set before
any of the student's files is read. When it has ended, the server kills whatever is left in
the wall and removes it, so nothing a student started outlives their grading.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import resource
import select
import signal
import sys
import threading
import traceback
from pathlib import Path

from grader.sandbox import cgroups

PR_SET_PDEATHSIG = 1
READY = {"ready": True}


def main() -> None:
    die_with(int(sys.argv[1]))
    prepare()
    reply(READY)
    requests = os.fdopen(sys.stdin.fileno(), "rb", buffering=0)
    running: dict[int, object] = {}  # pid -> the request's id
    pending = b""
    while True:
        # Poll briefly while students are being graded (to reap them); otherwise just wait.
        ready, _, _ = select.select([requests], [], [], 0.01 if running else None)
        if ready:
            chunk = requests.read(65536)
            if not chunk:  # the batch is gone
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                sys.stdout.flush()
                pid = os.fork()
                if pid == 0:
                    _grading_process(request)
                running[pid] = request.get("id")
                reply({"id": request.get("id"), "pid": pid})
        for pid in list(running):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                cgroups.remove_walls_of(pid)  # whatever the student left running ends now
                reply({"id": running.pop(pid), "code": os.waitstatus_to_exitcode(status)})


def prepare() -> None:
    """Import what grading needs and record the checks' inputs on the reference solutions."""
    import grader.reports.text  # noqa: F401  (what the grading processes use)
    from grader import api

    api.warm_up()
    for thread in threading.enumerate():  # a fork copies only the forking thread: no other
        if thread is not threading.current_thread():  # may be left mid-work (a lock held)
            thread.join(timeout=5.0)
    gc.freeze()  # the forks share these pages; a collection in them would copy them all


def die_with(parent: int) -> None:
    """Get SIGKILL when the process that started this one is gone (Linux); exit if it already is."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(3)


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _grading_process(request: dict) -> None:
    """The forked child: set up, grade, write the report, then exit with `grade all`'s exit
    code (0 full marks, 1 points missing, 2 nothing to grade, 3 the grader failed). Never
    returns."""
    code = 3
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        errors = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(errors, 2)
        os.chdir(request["cwd"])
        wall = cgroups.Wall.open(memory=request["memory"])
        wall.join()
        limit(request["cpu"])
        die_with(os.getppid())
        code = grade_into(Path(request["submission"]), Path(request["output"]), wall)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def grade_into(submission: Path, output: Path, wall: cgroups.Wall) -> int:
    """Grade `submission` as `grade all` does, its workers in `wall`, and write its JSON
    report to `output`."""
    import click

    from grader import api, catalog
    from grader.files import write_atomically
    from grader.reports.text import to_json

    try:
        report = api.grade(catalog.exercises(), submission, Path.cwd(), quiz=True, wall=wall)
    except api.NotFound as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except api.GradingFailed as error:
        print(f"Error: {api.grader_failed(str(error))}", file=sys.stderr)
        return 3
    write_atomically(output, click.unstyle(to_json(report)))  # as `grade all --output` writes it
    if report.status == "error":
        return 3
    return 0 if report.score == report.max_score else 1


def limit(cpu: int) -> None:
    """At most `cpu` seconds of CPU time per process (memory is the wall's to limit, in
    total; each worker also limits its own address space)."""
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


if __name__ == "__main__":
    main()
