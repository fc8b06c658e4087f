"""A class of example students for the `grade batch` tests, built from real files.

Each student is a folder made from `solutions/`, stubs made from them and the example
submissions in `tests/fixtures/`, plus a few made here that attack the batch itself (a
folder with a FIFO, a symlink to a device, an endless loop at import, a memory bomb).
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.course.stubs import stub_source

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"

LOOP_AT_IMPORT = "while True:\n    pass\n"
MEMORY_BOMB = "def sign_gradient(w, lam):\n    return b\"x\" * (8 * 2**30)\n"
"""8 GiB written at once: fails at once under the address-space limit, whatever the load."""
EXIT_AT_IMPORT = "import os\nos._exit(0)\n"
GARBAGE = bytes(range(256)) * 4


def _solution(name: str) -> bytes:
    return (ROOT / "solutions" / f"{name}.py").read_bytes()


def _stub(name: str) -> bytes:
    return stub_source(name).encode()


def _fixture(exercise: str, name: str) -> bytes:
    return (FIXTURES / exercise / f"{name}.py").read_bytes()


def _all_solutions() -> dict[str, bytes]:
    return {f"{n}.py": _solution(n) for n in ("exercise1", "exercise2", "exercise3")}


def students() -> dict[str, dict[str, bytes]]:
    """Student name -> {file name: contents}."""
    s = _all_solutions
    return {
        "ada_correct": {**s(), "quiz.txt": b"B\nC\nA\n"},
        "ben_correct_styles": {
            "exercise1.py": _fixture("exercise1", "correct_copysign"),
            "exercise2.py": _fixture("exercise2", "correct_two_clips"),
            "exercise3.py": _fixture("exercise3", "correct_norms"),
            "quiz.txt": b"A,A,A\n"},
        "cy_stubs": {f"{n}.py": _stub(n) for n in ("exercise1", "exercise2", "exercise3")},
        "dee_empty": {},
        "eve_garbage": {"exercise1.py": GARBAGE, "exercise2.py": b"\x00\x00\x00",
                        "quiz.txt": GARBAGE},
        "fay_wrong_forgot_lam": {**s(), "exercise1.py": _fixture("exercise1", "wrong_forgot_lam")},
        "gus_wrong_no_clamp": {**s(), "exercise2.py": _fixture("exercise2", "wrong_no_clamp")},
        "hal_wrong_half_mse": {**s(), "exercise3.py": _fixture("exercise3", "wrong_half_mse")},
        "ivy_wrong_mixed": {
            "exercise1.py": _fixture("exercise1", "wrong_l2_gradient"),
            "exercise2.py": _fixture("exercise2", "wrong_old_sign"),
            "exercise3.py": _fixture("exercise3", "wrong_swapped_lams")},
        "jo_syntax_error": {**s(), "exercise1.py": _fixture("exercise1", "broken_syntax_error")},
        "kai_import_error": {**s(), "exercise1.py": _fixture("exercise1", "broken_import_error")},
        "lee_loop_in_call": {**s(), "exercise1.py": _fixture("exercise1", "hostile_infinite_loop")},
        "mo_memory_bomb": {**s(), "exercise1.py": MEMORY_BOMB.encode()},
        "ned_exit_at_import": {**s(), "exercise2.py": EXIT_AT_IMPORT.encode()},
        "oz_segfault": {**s(), "exercise1.py": _fixture("exercise1", "hostile_segfault")},
        "pia_sys_exit": {**s(), "exercise1.py": _fixture("exercise1", "hostile_sys_exit")},
        "rae_lying_eq": {**s(), "exercise1.py": _fixture("exercise1", "hostile_lying_eq")},
        "sam_monkeypatch": {**s(), "exercise1.py": _fixture("exercise1", "hostile_monkeypatch_numpy")},
        "vic_big_and_hidden": {**s(), "data.bin": b"\0" * (3 * 1024 * 1024),
                               ".hidden.py": b"raise SystemExit\n"},
        "wes_forgot_return": {"exercise1.py": _fixture("exercise1", "wrong_forgot_return")},
    }


SLOW_STUDENT = "zed_loop_at_import"
"""Never finishes within the test's time limit: the batch must stop it and move on."""


def build(folder: Path, *, slow: bool = True, only: list[str] | None = None) -> list[str]:
    """Write the class into `folder`; return the student names, sorted."""
    folder.mkdir(parents=True, exist_ok=True)
    everyone = students()
    if slow:
        everyone[SLOW_STUDENT] = {"exercise1.py": LOOP_AT_IMPORT.encode(), **{
            f"{n}.py": _solution(n) for n in ("exercise2", "exercise3")}}
    for name, files in everyone.items():
        if only is not None and name not in only:
            continue
        student = folder / name
        student.mkdir()
        for file, data in files.items():
            (student / file).write_bytes(data)
    if only is None or "xia_special_files" in only:
        special = folder / "xia_special_files"
        special.mkdir()
        (special / "exercise1.py").write_bytes(_solution("exercise1"))
        os.mkfifo(special / "exercise2.py")        # reading it would block forever
        (special / "exercise3.py").symlink_to("/dev/zero")  # reading it would never end
    (folder / "notes.txt").write_text("not a student: a file beside the folders\n")
    return sorted(p.name for p in folder.iterdir() if p.is_dir())
