"""The lesson's sections: one markdown file each in sections/, in file-name order.

A file starts with `# Title`. Its titles are the names that hints (grader/exercises.toml)
and quiz explanations (quiz/questions.toml) send the learner to, so they must stay
spelled exactly as those files spell them (tests/grader/lesson proves it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

LESSON_TITLE = "L1 regularization (Lasso)"


class UnknownSection(LookupError):
    """No section, or more than one, matches what the learner typed; the message says so."""


@dataclass(frozen=True)
class Section:
    """One section of the lesson."""

    number: int
    """Its place in the lesson, from 1."""
    title: str
    """Its heading, exactly as hints and the quiz name it."""
    body: str
    """Its text in this package's small markdown: paragraphs, `- ` bullets, and lines
    indented by four spaces (formulas) that are shown as written."""

    @property
    def slug(self) -> str:
        """The title in lower case with dashes: "the-geometric-picture"."""
        return slugify(self.title)


def slugify(text: str) -> str:
    """Lower case, and every run of anything but letters and digits becomes one dash."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@cache
def sections() -> tuple[Section, ...]:
    """Every section, in lesson order."""
    folder = resources.files("grader.lesson") / "sections"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".md")), key=lambda f: f.name)
    found = []
    for number, file in enumerate(files, start=1):
        heading, _, body = file.read_text(encoding="utf-8").partition("\n")
        if not heading.startswith("# "):
            raise ValueError(f"{file.name} must start with '# Title'")
        found.append(Section(number, heading[2:].strip(), body.strip("\n")))
    return tuple(found)


def find(query: str) -> Section:
    """The section `query` names: its number, its title in any case, its slug, or a prefix
    of its slug (from the start, or else from any word) that no other section shares."""
    every = sections()
    wanted = query.strip()
    if wanted.isdigit():
        if 1 <= int(wanted) <= len(every):
            return every[int(wanted) - 1]
        raise UnknownSection(f"there is no section {wanted}: the lesson has sections 1 to "
                             f"{len(every)}. Run `grade lesson` to list them.")
    slug = slugify(wanted)
    exact = [s for s in every if s.title.casefold() == wanted.casefold() or s.slug == slug]
    if exact or not slug:
        return _one(exact, query)
    at_start = [s for s in every if s.slug.startswith(slug)]
    if at_start:
        return _one(at_start, query)
    return _one([s for s in every if f"-{slug}" in f"-{s.slug}"], query)


def _one(matches: list[Section], query: str) -> Section:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownSection(f"no lesson section matches {query!r}. "
                             "Run `grade lesson` to list them.")
    names = ", ".join(f"{s.number} {s.title}" for s in matches)
    raise UnknownSection(f"{query!r} matches {len(matches)} sections ({names}); "
                         "type more of the name, or its number.")
