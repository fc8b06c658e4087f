"""The class's numbers, computed from the batch's student records alone: `analytics.json`.

Its shape is documented in the README ("Class report"). Everything here is a pure function
of the records (and the quiz bank, for the options' wording), so the same records give the
same file, byte for byte.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter, defaultdict

from grader.course.traits import normal_form
from grader.quiz_item import NAME as QUIZ

VERSION = 1
MAX_EXAMPLE = 600
"""Characters of a failure's example message kept; the rest is cut with "..."."""
HISTOGRAM_BINS = 20


def class_analytics(records: list[dict], *, layout: str = "folders") -> dict:
    """The numbers of `analytics.json` for these records (one per student, any order)."""
    records = sorted(records, key=lambda r: r["batch"]["student"])
    graded = [r for r in records if r["batch"]["outcome"] == "graded"]
    return {
        "version": VERSION,
        "layout": layout,
        "students": _counts(records),
        "scores": _scores(graded),
        "exercises": _exercises(graded),
        "checks": _checks(graded),
        "diagnoses": _diagnoses(graded),
        "quiz": _quiz(graded),
        "similar": _similar(records),
        "needs_attention": _needs_attention(records),
    }


def to_json(analytics: dict) -> str:
    return json.dumps(analytics, indent=2, ensure_ascii=False) + "\n"


def _counts(records: list[dict]) -> dict:
    outcomes = Counter(r["batch"]["outcome"] for r in records)
    return {"total": len(records), "graded": outcomes["graded"],
            "timed_out": outcomes["timed out"], "error": outcomes["error"],
            "full_marks": sum(r["batch"]["outcome"] == "graded" and r["status"] == "passed"
                              for r in records),
            "late": sum((r["batch"].get("lms") or {}).get("late") == "yes" for r in records)}


def _scores(graded: list[dict]) -> dict:
    if not graded:
        return {"max_score": 0, "mean": None, "median": None, "histogram": {"edges": [], "counts": []}}
    top = max(r["max_score"] for r in graded)
    scores = [r["score"] for r in graded]
    bins = max(1, min(HISTOGRAM_BINS, top))
    edges = [round(top * i / bins, 6) for i in range(bins + 1)]
    counts = [0] * bins
    for score in scores:  # each bin holds [left, right); the last one also its right edge
        counts[min(bins - 1, int(score * bins / top)) if top else 0] += 1
    return {"max_score": top, "mean": round(statistics.fmean(scores), 4),
            "median": statistics.median(scores), "histogram": {"edges": edges, "counts": counts}}


def _items(graded: list[dict]) -> dict[str, list[dict]]:
    """Each graded item's entries across the class, in the order the records list items."""
    found: dict[str, list[dict]] = {}
    for record in graded:
        for entry in record["exercises"]:
            found.setdefault(entry["name"], []).append(entry)
    return found


def _exercises(graded: list[dict]) -> list[dict]:
    rows = []
    for name, entries in _items(graded).items():
        passed = sum(e["status"] == "passed" for e in entries)
        rows.append({
            "name": name, "title": entries[0]["title"], "max_score": entries[0]["max_score"],
            "students": len(entries), "passed": passed,
            "not_started": sum(e["status"] == "not started" for e in entries),
            "pass_rate": _rate(passed, len(entries)),
            "mean_score": round(statistics.fmean(e["score"] for e in entries), 4),
        })
    return sorted(rows, key=lambda row: (row["pass_rate"], row["name"]))


def _checks(graded: list[dict]) -> list[dict]:
    rows: dict[tuple[str, str], dict] = {}
    for name, entries in _items(graded).items():
        for entry in entries:
            for check in entry["checks"]:
                row = rows.setdefault((name, check["name"]), {
                    "exercise": name, "name": check["name"], "title": check["title"],
                    "max_score": check["max_score"], "students": 0,
                    "passed": 0, "failed": 0, "skipped": 0, "error": 0})
                row["students"] += 1
                row[check["status"] if check["status"] in row else "error"] += 1
    for row in rows.values():
        row["pass_rate"] = _rate(row["passed"], row["students"])
    return sorted(rows.values(), key=lambda row: (row["pass_rate"], row["exercise"], row["name"]))


def diagnosis(message: str) -> str:
    """The idea behind a failure message, the same for every student who made that mistake.

    A check's message is the problem on the call ("called f(...), got ..., expected ..."),
    then the lesson idea it breaks, then "Hint: ...". The idea line is the diagnosis, except
    when the call returned the wrong kind of thing (a list, a wrong shape, NaN), which is
    that problem. Crashes, time-outs and files that do not load carry no idea: their first
    sentence is the diagnosis. Numbers are replaced by N so counterexamples do not split groups.
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return "no message"
    if len(lines) >= 3 and lines[-1].startswith("Hint:"):
        wrong_kind = re.match(r"called .+?\): ((?:it|index|the result) [^;]*)", lines[-3])
        return _mask(wrong_kind[1]) if wrong_kind else lines[-2]
    first = lines[0]
    for pattern, shown in ((r"called .+?, it raised ([\w.]+)", "it raised {}"),
                           (r"called .+?, it did not return within", "a call did not return in time"),
                           (r"called .+?, and your code stopped the Python process: (.*)",
                            "your code stopped the Python process: {}"),
                           (r".*? could not be imported: ([\w.]+)", "the file could not be imported: {}")):
        if (found := re.match(pattern, first)) is not None:
            return _mask(shown.format(*found.groups()).rstrip("."))
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return _mask(sentence)[:160]


def _diagnoses(graded: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], dict] = {}
    for record in graded:
        for entry in record["exercises"]:
            if entry["name"] == QUIZ or entry["status"] == "not started":
                continue  # the quiz's item analysis says more; the exercise table counts these
            for check in entry["checks"]:
                if check["status"] != "failed":
                    continue
                key = (entry["name"], diagnosis(check["message"]))
                group = groups.setdefault(key, {
                    "exercise": key[0], "diagnosis": key[1], "checks": [], "students": [],
                    "example": _cut(check["message"])})
                if check["name"] not in group["checks"]:
                    group["checks"].append(check["name"])
                if record["batch"]["student"] not in group["students"]:
                    group["students"].append(record["batch"]["student"])
    for group in groups.values():
        group["count"] = len(group["students"])
    return sorted(groups.values(), key=lambda g: (-g["count"], g["exercise"], g["diagnosis"]))


def _quiz(graded: list[dict]) -> list[dict]:
    """Item analysis of the quiz, over the students whose answers could be read."""
    from quiz.bank import load_bank
    from quiz.selection import select_questions

    presented = {q.id: q for q in select_questions(load_bank())}
    answered = []  # (record, quiz entry, letters)
    for record in graded:
        letters = (record["batch"].get("traits") or {}).get("quiz_answers")
        entry = next((e for e in record["exercises"] if e["name"] == QUIZ), None)
        if entry is not None and isinstance(letters, list) and len(letters) == len(entry["checks"]):
            answered.append((record, entry, letters))
    items = []
    for position, question in enumerate(presented.values()):
        rows = [(r, e["checks"][position], letters[position]) for r, e, letters in answered
                if position < len(e["checks"]) and e["checks"][position]["name"] == question.id]
        right = [check["status"] == "passed" for _, check, _ in rows]
        rest = [r["score"] - check["score"] for r, check, _ in rows]
        chosen = Counter(letter for _, _, letter in rows)
        items.append({
            "id": question.id, "stem": question.question.stem, "answer": question.answer,
            "students": len(rows), "correct": sum(right), "share_correct": _rate(sum(right), len(rows)),
            "options": [{"letter": letter, "text": option.text, "correct": option.correct,
                         "chosen": chosen[letter], "why_wrong": option.why_wrong or ""}
                        for letter, option in zip("ABCD", question.options)],
            "discrimination": _point_biserial(right, rest),
        })
    return items


def _point_biserial(right: list[bool], rest: list[int]) -> float | None:
    """Pearson's r between getting the item right (1/0) and the rest of the score; None when
    either does not vary (everyone right, or everyone with the same rest-score)."""
    if len(right) < 3 or len(set(right)) < 2 or len(set(rest)) < 2:
        return None
    return round(statistics.correlation([float(x) for x in right], [float(x) for x in rest]), 4)


def _similar(records: list[dict]) -> list[dict]:
    """Groups of two or more students whose file for an exercise has the same normal form,
    leaving out files still the stub ("not started")."""
    from grader import catalog, paths

    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    nodes: dict[tuple[str, str], int] = {}
    for record in records:
        statuses = {e["name"]: e["status"] for e in record["exercises"]}
        forms = (record["batch"].get("traits") or {}).get("normal_forms") or {}
        for exercise, form in forms.items():
            if statuses.get(exercise) == "not started":
                continue
            groups[(exercise, form["hash"])].append(record["batch"]["student"])
            nodes[(exercise, form["hash"])] = form["nodes"]
    reference, solutions = {}, paths.solutions()
    for exercise in catalog.exercises():
        try:
            form = normal_form((solutions / exercise.file).read_bytes()) if solutions else None
        except OSError:
            continue
        if form is not None:
            reference[exercise.name] = form.hash
    found = [{"exercise": exercise, "hash": digest, "nodes": nodes[(exercise, digest)],
              "same_as_reference": reference.get(exercise) == digest, "students": students}
             for (exercise, digest), students in groups.items() if len(students) > 1]
    return sorted(found, key=lambda g: (g["exercise"], -len(g["students"]), g["students"]))


def _needs_attention(records: list[dict]) -> list[dict]:
    from grader.course.gradebook import summary

    rows = []
    for record in records:
        batch = record["batch"]
        if batch["outcome"] != "graded":
            rows.append({"student": batch["student"], "outcome": batch["outcome"],
                         "message": _cut(batch["message"])})
        elif record["status"] == "error":
            rows.append({"student": batch["student"], "outcome": "grader error",
                         "message": _cut(summary(record))})
    return rows


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mask(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_EXAMPLE else text[:MAX_EXAMPLE - 3] + "..."
