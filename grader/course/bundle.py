"""`grade gradescope-bundle`: the autograder zip that Gradescope takes.

Gradescope unzips it into /autograder/source, runs `setup.sh` once to build the image, then
`run_autograder` (as root) for each submission, which must leave
/autograder/results/results.json. The zip carries this package's source (solutions and
hidden checks included: the autograder is the trusted side) under `l1lab/`.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

from grader.files import replacing
from grader.course.release import PROJECT, ReleaseError, copy_project
from grader.results import TELL_INSTRUCTOR

SOURCES = ("README.md", "pyproject.toml", "exercises", "quiz", "grader", "solutions")

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        python="$candidate"; break
    fi
done
if [ -z "$python" ]; then
    apt-get update -q
    apt-get install -y -q python3.11 python3.11-venv
    python=python3.11
fi
"$python" -m venv /autograder/venv
/autograder/venv/bin/pip install -q '/autograder/source/l1lab[notebook]'
# Without namespaces (most containers) the learner's code runs as another uid: make the
# reference solutions and hidden checks unreadable to it, in the source and installed.
chmod -R go-rwx /autograder/source/l1lab/solutions /autograder/source/l1lab/grader/checks
/autograder/venv/bin/python -c 'import grader.checks, solutions, os
for m in (grader.checks, solutions): print(os.path.dirname(m.__file__))' | xargs chmod -R go-rwx
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this, as root, for each submission. It always leaves a valid
# results/results.json: the grader writes one even when it fails, and if it could not
# even start, the fallback below says so.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${L1LAB_PYTHON:-$root/venv/bin/python}"
# The grader finds exercises/ inside it itself, and follows no link below this folder: a
# student's exercises/ or exercise4.py that is a link scores 0 and is named (a test of
# `[ -d ... ]` here would follow it).
submission="$root/submission"
mkdir -p "$root/results"
cd "$root/source/l1lab"
"$python" -m grader all --submission "$submission" --format gradescope \\
    --output "$root/results/results.json"
if [ ! -s "$root/results/results.json" ]; then
    cat > "$root/results/results.json" <<'JSON'
""" + json.dumps({"score": 0, "output": f"The autograder could not start. {TELL_INSTRUCTOR}",
                  "tests": [{"name": "The autograder could not start", "score": 0, "max_score": 0,
                             "status": "failed", "output": TELL_INSTRUCTOR,
                             "visibility": "visible"}]}) + """
JSON
fi
exit 0
"""


def make_bundle(out: Path) -> None:
    """Write the autograder zip to `out`, atomically."""
    if not (PROJECT / "solutions").is_dir():
        raise ReleaseError("grade gradescope-bundle needs the instructor's source folder (with "
                           "solutions/); run it from a checkout installed with pip install -e .")
    with tempfile.TemporaryDirectory() as temp:
        staging = Path(temp) / "l1lab"
        staging.mkdir()
        copy_project(SOURCES, staging)
        with replacing(out) as partial:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
                _add_script(bundle, "setup.sh", SETUP_SH)
                _add_script(bundle, "run_autograder", RUN_AUTOGRADER)
                for path in sorted(staging.rglob("*")):
                    if path.is_file():
                        bundle.write(path, path.relative_to(staging.parent).as_posix())


def _add_script(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    bundle.writestr(info, text)
