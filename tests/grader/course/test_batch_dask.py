"""`grade batch --scheduler`: the same jobs on a real Dask cluster give the same gradebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import batch_class

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[3]
STUDENTS = ["ada_correct", "cy_stubs", "eve_garbage", "mo_memory_bomb", "oz_segfault",
            "xia_special_files"]


def run_batch(folder: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                           "--jobs", "2", "--timeout", "60", *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


def test_a_dask_cluster_grades_the_class_exactly_as_the_local_run(tmp_path):
    folder = tmp_path / "class"
    batch_class.build(folder, slow=False, only=STUDENTS)
    local_out, dask_out = tmp_path / "local" / "grades.csv", tmp_path / "dask" / "grades.csv"
    local_out.parent.mkdir()
    dask_out.parent.mkdir()

    local = run_batch(folder, local_out)
    # 0: xia_special_files's link and FIFO each score 0 for their item; nobody to look at
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = run_batch(folder, dask_out, "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr

    assert dask_out.read_bytes() == local_out.read_bytes()
    assert len(dask_out.read_text().splitlines()) == len(STUDENTS) + 1
    for name in STUDENTS:
        local_record = json.loads((local_out.with_suffix("") / f"{name}.json").read_text())
        dask_record = json.loads((dask_out.with_suffix("") / f"{name}.json").read_text())
        assert dask_record == local_record, name


def test_an_unreachable_scheduler_is_one_line_and_exit_code_3(tmp_path):
    folder = tmp_path / "class"
    batch_class.build(folder, slow=False, only=["dee_empty"])
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    done = run_batch(folder, tmp_path / "grades.csv", "--scheduler", "tcp://127.0.0.1:9", env=env)
    assert done.returncode == 3
    assert "cannot reach the Dask scheduler" in done.stderr and "Traceback" not in done.stderr
