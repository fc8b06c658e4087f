"""`quiz export --format gift`: the output parses as strict GIFT and round-trips the bank."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner

from quiz.bank import load_bank
from quiz.cli import main
from quiz.gift import escape

SPECIAL = set("~=#{}:")


class GiftError(AssertionError):
    pass


@dataclass
class GiftAnswer:
    correct: bool
    text: str
    feedback: str | None


@dataclass
class GiftQuestion:
    title: str
    stem: str
    answers: list[GiftAnswer] = field(default_factory=list)
    general_feedback: str | None = None


def _tokens(text: str) -> list[tuple[bool, str]]:
    """Split into (escaped, char) pairs; a backslash may only escape a special, \\ or n."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            if i + 1 == len(text) or text[i + 1] not in SPECIAL | {"\\", "n"}:
                raise GiftError(f"bad escape at {text[i:i + 10]!r}")
            out.append((True, "\n" if text[i + 1] == "n" else text[i + 1]))
            i += 2
        else:
            out.append((False, text[i]))
            i += 1
    return out


def _plain(tokens: list[tuple[bool, str]], what: str) -> str:
    """Text that must contain no unescaped special character; returns it unescaped."""
    for escaped, char in tokens:
        if not escaped and char in SPECIAL:
            raise GiftError(f"unescaped {char!r} in {what}: {''.join(c for _, c in tokens)!r}")
    text = "".join(char for _, char in tokens).strip()
    if not text:
        raise GiftError(f"empty {what}")
    return text


def _find(tokens, char: str, start: int = 0) -> int:
    for i in range(start, len(tokens)):
        if tokens[i] == (False, char):
            return i
    raise GiftError(f"no unescaped {char!r}")


def parse_question(block: str) -> GiftQuestion:
    """Parse `::title::stem { =right#fb ~wrong#fb ... ####general }` strictly."""
    tokens = _tokens(block.strip())
    if tokens[:2] != [(False, ":"), (False, ":")]:
        raise GiftError("a question must start with ::title::")
    end_title = _find(tokens, ":", 2)
    if tokens[end_title + 1] != (False, ":"):
        raise GiftError("the title must end with ::")
    title = _plain(tokens[2:end_title], "title")
    open_brace = _find(tokens, "{", end_title + 2)
    stem = _plain(tokens[end_title + 2:open_brace], "stem")
    if tokens[-1] != (False, "}"):
        raise GiftError("a question must end with }")
    body = tokens[open_brace + 1:-1]
    question = GiftQuestion(title, stem)
    # General feedback: the first unescaped ####, running to the closing brace.
    for i in range(len(body) - 3):
        if body[i:i + 4] == [(False, "#")] * 4:
            question.general_feedback = _plain(body[i + 4:], "general feedback")
            body = body[:i]
            break
    starts = [i for i, t in enumerate(body) if t in ((False, "="), (False, "~"))]
    if not starts or _plain_or_blank(body[:starts[0]]):
        raise GiftError("answers must start with = or ~")
    for start, stop in zip(starts, starts[1:] + [len(body)]):
        part = body[start + 1:stop]
        try:
            hash_at = _find(part, "#")
        except GiftError:
            text, feedback = _plain(part, "answer"), None
        else:
            text = _plain(part[:hash_at], "answer")
            feedback = _plain(part[hash_at + 1:], "answer feedback")
        question.answers.append(GiftAnswer(body[start][1] == "=", text, feedback))
    if sum(a.correct for a in question.answers) != 1:
        raise GiftError(f"{title}: expected exactly one = answer")
    return question


def _plain_or_blank(tokens) -> str:
    return "".join(char for _, char in tokens).strip()


def parse_gift(text: str) -> list[GiftQuestion]:
    """A whole file: `//` comment lines, then questions separated by blank lines."""
    lines = [line for line in text.splitlines() if not line.startswith("//")]
    blocks = [b for b in "\n".join(lines).split("\n\n") if b.strip()]
    return [parse_question(block) for block in blocks]


# --- The parser itself --------------------------------------------------------------


def test_parser_reads_a_hand_written_question() -> None:
    text = "// c\n::t1::What is 1\\:1? {\n=Even#Yes.\n~Odd#No, it is \\= 1.\n####Ratios.\n}\n"
    [q] = parse_gift(text)
    assert (q.title, q.stem, q.general_feedback) == ("t1", "What is 1:1?", "Ratios.")
    assert q.answers == [GiftAnswer(True, "Even", "Yes."), GiftAnswer(False, "Odd", "No, it is = 1.")]


@pytest.mark.parametrize(
    "block",
    [
        "::t::Stem {=a ~b =c}",          # two right answers
        "::t::Stem {~a ~b}",             # no right answer
        "::t::Stem: colon {=a ~b}",      # unescaped special in the stem
        "::t::Stem {=a = b ~c}",         # an unescaped = inside an answer starts a second right one
        "::t::Stem {=a ~b",              # no closing brace
        "::t::Stem {=a ~b \\x}",         # unknown escape
    ],
)
def test_parser_is_strict(block: str) -> None:
    with pytest.raises(GiftError):
        parse_gift(block)


# --- The export ---------------------------------------------------------------------


def test_export_of_the_shipped_bank_parses_and_round_trips() -> None:
    result = CliRunner().invoke(main, ["export", "--format", "gift"])
    assert result.exit_code == 0, result.output
    parsed = parse_gift(result.stdout)
    bank = load_bank()
    assert len(parsed) == len(bank.questions)
    for gift, question in zip(parsed, bank.questions):
        assert gift.title == question.id
        assert gift.stem == question.stem
        assert len(gift.answers) == 4
        for answer, option in zip(gift.answers, question.options):
            assert (answer.correct, answer.text) == (option.correct, option.text)
            assert answer.feedback == (option.why_wrong if not option.correct else "Correct.")
        assert gift.general_feedback == (
            f"{question.explanation} (Lesson section: {question.section}.)"
        )


def test_export_escapes_every_special_character(write_bank) -> None:
    nasty = r"Is {a:b} = ~c # d \ e?"

    def mutate(data):
        data["question"][0]["stem"] = nasty
        data["question"][0]["option"][1]["text"] = "x = y"
        data["question"][0]["option"][1]["why_wrong"] = "Braces {} and tildes ~ need a \\n backslash."

    result = CliRunner().invoke(main, ["export", "--bank", str(write_bank(mutate))])
    assert result.exit_code == 0, result.output
    first = parse_gift(result.stdout)[0]
    assert first.stem == nasty
    assert first.answers[1].text == "x = y"
    assert first.answers[1].feedback == "Braces {} and tildes ~ need a \\n backslash."
    assert r"Is \{a\:b\} \= \~c \# d \\ e?" in result.stdout


def test_escape_handles_backslash_before_the_specials() -> None:
    assert escape("\\:") == "\\\\\\:"
