"""`grade gradescope-bundle`: the autograder zip that Gradescope takes.

Gradescope unzips it into /autograder/source, runs `setup.sh` once to build the image, then
`run_autograder` (as root) for each submission, which must leave
/autograder/results/results.json. The zip carries this package's source (solutions and
hidden checks included: the autograder is the trusted side) under `l1lab/`.

`run_autograder` grades with `--require-isolation reduced` unless the assignment's
environment sets L1LAB_REQUIRE_ISOLATION (`full`, `reduced`, or `none` to grade whatever
the image gives); refused or broken, it still leaves a results file, with the reason
hidden from students. Every results file records the tier in a hidden test.
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

FALLBACK = {"score": 0, "output": f"The autograder could not start. {TELL_INSTRUCTOR}",
            "tests": [{"name": "The autograder could not start", "score": 0, "max_score": 0,
                       "status": "failed", "output": TELL_INSTRUCTOR, "visibility": "visible"}]}
"""The results file when the grader wrote none: students see only that it could not start."""

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
# Build from a private copy (mktemp -d is 0700): pip builds in the tree it is given, and a
# build/lib/solutions left in /autograder/source would be readable by the learner's uid.
build="$(mktemp -d)"
cp -r /autograder/source/l1lab "$build/l1lab"
/autograder/venv/bin/pip install -q "$build/l1lab[notebook]"
rm -rf "$build" /autograder/source/l1lab/build /autograder/source/l1lab/*.egg-info
# Without namespaces (most containers) the learner's code runs as another uid: make the
# source and the installed reference solutions and hidden checks unreadable to it.
chmod -R go-rwx /autograder/source
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
# The least confinement to grade with: reduced (the default), full, or none. Set
# L1LAB_REQUIRE_ISOLATION in the assignment's environment to change it.
required="${L1LAB_REQUIRE_ISOLATION:-reduced}"
# The grader finds exercises/ inside it itself, and follows no link below this folder: a
# student's exercises/ or exercise4.py that is a link scores 0 and is named (a test of
# `[ -d ... ]` here would follow it).
submission="$root/submission"
results="$root/results/results.json"
mkdir -p "$root/results"
cd "$root/source/l1lab"
isolation=(--require-isolation "$required")
[ "$required" = none ] && isolation=()
errors="$(mktemp)"
"$python" -m grader all --submission "$submission" --format gradescope \\
    --output "$results" "${isolation[@]}" 2>"$errors"
cat "$errors" >&2
if [ ! -s "$results" ]; then
    # The grader did not start or refused (e.g. the tier is below L1LAB_REQUIRE_ISOLATION):
    # students see that it could not start, the instructor why, in a hidden test.
    "$python" - "$errors" "$results" <<'PYTHON' 2>/dev/null || cat > "$results" <<'JSON'
import json, sys
fallback = json.loads(""" + repr(json.dumps(FALLBACK)) + """)
with open(sys.argv[1], errors="replace") as errors:
    why = errors.read()[-4000:].strip() or "no message"
fallback["tests"].append({"name": "Why (for the instructor)", "score": 0, "max_score": 0,
                          "status": "failed", "output": why, "visibility": "hidden"})
with open(sys.argv[2], "w") as out:
    json.dump(fallback, out)
PYTHON
""" + json.dumps(FALLBACK) + """
JSON
fi
rm -f "$errors"
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
