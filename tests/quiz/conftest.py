"""Shared fixtures for the quiz tests: small hand-built banks written to tmp_path."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Bank = dict[str, Any]


def _question(qid: str, section: str, *, lesson: bool) -> dict[str, Any]:
    return {
        "id": qid,
        "lesson": lesson,
        "section": section,
        "stem": f"Stem of {qid}?",
        "explanation": f"Explanation of {qid}.",
        "option": [
            {"text": "Right answer", "correct": True},
            {"text": "Wrong answer one", "why_wrong": "Reason one."},
            {"text": "Wrong answer two", "why_wrong": "Reason two."},
            {"text": "Wrong answer three", "why_wrong": "Reason three."},
        ],
    }


def valid_bank_data() -> Bank:
    """A small valid bank: two lesson questions and one more; every right answer is A."""
    return {
        "title": "Test lesson",
        "sections": ["First section", "Second section"],
        "question": [
            _question("q-one", "First section", lesson=True),
            _question("q-two", "Second section", lesson=True),
            _question("q-three", "Second section", lesson=False),
        ],
    }


def to_toml(data: Bank) -> str:
    """Write the bank shape as TOML; JSON strings, booleans and string lists are valid TOML."""
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}"
             for key, value in data.items() if key != "question"]
    for question in data.get("question", []):
        lines += ["", "[[question]]"]
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}"
                  for key, value in question.items() if key != "option"]
        for option in question.get("option", []):
            lines += ["", "[[question.option]]"]
            lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}"
                      for key, value in option.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test (and any `quiz` it spawns) in an empty folder of its own.

    A finished session saves its answers in the exercises/ folder it finds from the current
    directory; from the repository root that would be the course's own exercises/.
    """
    folder = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def write_bank(tmp_path: Path) -> Callable[..., Path]:
    """Write a bank to tmp_path: the valid one, optionally changed by `mutate(data)` first."""

    def write(mutate: Callable[[Bank], None] | None = None, *, name: str = "bank.toml") -> Path:
        data = copy.deepcopy(valid_bank_data())
        if mutate is not None:
            mutate(data)
        path = tmp_path / name
        path.write_text(to_toml(data), encoding="utf-8")
        return path

    return write
