"""Learner-controlled text made safe for each output format, in one place.

Much of what a report carries comes from the learner: an exception's message, a line of
their file, a type name, a returned value, the name of their folder. Any of it may hold
lone surrogates, control characters, escape sequences or formula prefixes. Every writer
passes such text through the function for its format here, so that its output always
parses and shows the text recognisably, never as something else:

- `for_json`: lone surrogates (which no UTF-8 file can hold) become the visible text
  `\\udc80`; everything else is kept, since JSON escapes control characters itself.
- `for_terminal`: control characters, escape sequences and bidirectional overrides become
  visible escapes (`\\x1b`, `\\x07`, `\\u202e`), so no text can move the cursor, recolour
  or redraw a line (a fake "10/10"); line breaks and tabs are kept.
- `for_xml`: only XML 1.0 characters; the others become visible escapes.
- `for_csv`: as `for_terminal` (a newline is kept, since CSV quotes it), then a cell that
  a spreadsheet would run as a formula (it begins with =, +, -, @, tab or CR) gets a
  leading apostrophe, as OWASP recommends for CSV injection.
- `file_name`: a name from the filesystem (any bytes, as Python's surrogate escapes) as
  readable text: bytes that are not UTF-8 as `\\xNN`, control characters escaped.
"""

from __future__ import annotations

import os
import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE_ON_TERMINAL = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
_UNSAFE_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take as the start of a formula (OWASP, CSV injection)."""


def escape(char: str) -> str:
    """One character as the escape Python would write for it: `\\x07`, `\\u202e`, `\\udc80`."""
    code = ord(char)
    if code < 0x100:
        return {"\r": "\\r", "\t": "\\t", "\n": "\\n"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escaped(pattern: re.Pattern, text: str) -> str:
    return pattern.sub(lambda match: escape(match.group()), text)


def for_json(text: str) -> str:
    """`text` with its lone surrogates shown as `\\udXXX`, so it is valid UTF-8 anywhere."""
    return _escaped(_SURROGATE, text)


def for_terminal(text: str, *, keep: str = "\n\t") -> str:
    """`text` with control characters, escape sequences and direction overrides shown as
    visible escapes; the characters in `keep` are kept."""
    return _UNSAFE_ON_TERMINAL.sub(
        lambda match: match.group() if match.group() in keep else escape(match.group()), text)


def for_xml(text: str) -> str:
    """`text` with every character XML 1.0 does not allow shown as a visible escape, and
    control characters escaped as on a terminal (an XML reader may show them)."""
    return for_terminal(_escaped(_UNSAFE_IN_XML, text))


def for_csv(text: str) -> str:
    """A CSV cell of `text`: readable, and never run as a formula by a spreadsheet."""
    safe = for_terminal(text, keep="\n")
    return "'" + safe if safe.startswith(FORMULA_STARTS) else safe


def file_name(name: str | bytes) -> str:
    """A file or folder name as readable text (valid UTF-8, no control characters)."""
    return for_terminal(name_bytes(name).decode("utf-8", "backslashreplace"), keep="")


def name_bytes(name: str | bytes) -> bytes:
    """The bytes of a name as `os.listdir` gives it (undecodable bytes as surrogate escapes);
    any other lone surrogate as UTF-8 would write it, so that every str has bytes."""
    if isinstance(name, bytes):
        return name
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def json_safe(value: object) -> object:
    """`value` (JSON-like: dicts, lists, strings, numbers) with every string `for_json`."""
    if isinstance(value, str):
        return for_json(value)
    if isinstance(value, dict):
        return {for_json(str(key)): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
