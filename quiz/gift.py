"""Export the bank in Moodle's GIFT format, so instructors can import it into an LMS.

Each question becomes a multiple-choice question titled with its id:

    ::why-exact-zeros::Unlike L2, L1 regularization can ... {
    ~it penalizes large weights more heavily than L2 does#It is the other way round: ...
    =its push towards zero keeps the same size ...#Correct.
    ...
    ####The L1 gradient ... (Lesson section: Why L1 Produces Exact Zeros.)
    }

Wrong options carry their `why_wrong` as feedback; the explanation is general feedback,
which Moodle shows after every attempt. Options keep bank order (Moodle shuffles them
itself when the quiz is set to).
"""

from __future__ import annotations

from quiz.bank import Bank, Question
from quiz.feedback import general_feedback, option_feedback

IMPORT_HINT = "In Moodle: Question bank > Import > GIFT format (UTF-8)."
_SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Backslash-escape GIFT's special characters (and the backslash itself)."""
    text = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def question_to_gift(question: Question) -> str:
    """One question as a GIFT multiple-choice block."""
    lines = [f"::{escape(question.id)}::{escape(question.stem)} {{"]
    for option in question.options:
        mark = "=" if option.correct else "~"
        lines.append(f"{mark}{escape(option.text)}#{escape(option_feedback(option))}")
    lines.append(f"####{escape(general_feedback(question))}")
    lines.append("}")
    return "\n".join(lines)


def bank_to_gift(bank: Bank) -> str:
    """The whole bank as one GIFT file, questions in bank order, ending with a newline."""
    count = len(bank.questions)
    header = [
        f"// {bank.title}: {count} multiple-choice questions, exported by `quiz export`.",
        f"// {IMPORT_HINT}",
    ]
    blocks = []
    lesson_ids = [q.id for q in bank.questions if q.lesson]
    for question in bank.questions:
        comment = f"// Section: {question.section}"
        if question.id in lesson_ids:
            comment += f"; lesson quiz {lesson_ids.index(question.id) + 1} / {len(lesson_ids)}"
        blocks.append(comment + "\n" + question_to_gift(question))
    return "\n".join(header) + "\n\n" + "\n\n".join(blocks) + "\n"
