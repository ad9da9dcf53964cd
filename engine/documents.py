"""Read YAML or JSON documents, keeping where each value came from.

Every loader (case files, rule files, parameters, rule tests) reads through here, so
every error can name the file and the line of the field it is about.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pydantic
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from .errors import JoinupError, did_you_mean


_YAML_TAG = "tag:yaml.org,2002:"
# The types a joinup document is made of: text, numbers, true/false, null, dates, mappings
# and lists. Every other tag is refused at its line: `!!omap`, `!!set` and `!!pairs` build
# what looks like a mapping but is not one (pydantic or the line lookup then fails with a
# TypeError), `!!binary` gives bytes where text is meant, and a custom tag means nothing here.
_ALLOWED_TAGS = frozenset(_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))
_MERGE_TAG = _YAML_TAG + "merge"


def _tag(node: Any) -> str:
    return str(getattr(node.tag, "value", node.tag))


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, with a value it cannot build reported at its line.

    A date like 2026-02-30 or an integer of thousands of digits parses as YAML, then
    fails in Python (ValueError) with no position; here it becomes a marked error.

    Merge keys (`<<: *base`) are refused: a merged field has no line of its own, so an
    error in it could not be located (the line lookup failed with a KeyError), and a
    briefing's provenance should show every input where it is written. Anchors and
    aliases (`&x` / `*x`) still work for whole values.
    """

    def flatten_mapping(self, node: Any) -> Any:
        for key_node, _ in node.value:
            if _tag(key_node) == _MERGE_TAG:
                raise ConstructorError(
                    None, None, "merge keys (<<) are not supported: write the fields out in full", key_node.start_mark
                )
        return super().flatten_mapping(node)

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        name = _tag(node) if tag is None else str(getattr(tag, "value", tag))
        if name == _MERGE_TAG:
            raise ConstructorError(
                None, None, "merge keys (<<) are not supported: write the fields out in full", node.start_mark
            )
        if name not in _ALLOWED_TAGS:
            shown = "!!" + name[len(_YAML_TAG):] if name.startswith(_YAML_TAG) else name
            raise ConstructorError(
                None, None, f"the tag {shown[:40]} is not supported: write a plain mapping, list or value",
                node.start_mark,
            )
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, OverflowError) as exc:
            shown = str(node.value)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            reason = "it has too many digits" if "digits" in str(exc) else str(exc)
            raise ConstructorError(None, None, f"'{shown}' is not a valid value: {reason}", node.start_mark) from None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def parse_text(text: str, file: str, error: type[JoinupError]) -> Any:
    """Parse YAML (JSON is a subset of it) and keep line numbers; errors name the line."""
    try:
        document = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "not valid YAML or JSON").strip()
        raise error(
            f"cannot be read: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="joinup reads plain YAML: mappings, lists, text, numbers and dates"
            if "not supported" in problem else "check the indentation and quoting on that line",
        ) from None
    except ReaderError as exc:  # a control character: ruamel gives its offset in the text, not a line
        before = text[: exc.position]
        raise error(
            f"cannot be read: character U+{exc.character:04X} is not allowed in YAML or JSON"
            if isinstance(exc.character, int)
            else f"cannot be read: {exc.reason}",
            file=file,
            line=before.count("\n") + 1,
            column=len(before) - (before.rfind("\n") + 1) + 1,
            hint="remove it, or write it as an escape such as \\t inside double quotes",
        ) from None
    except RecursionError:
        raise error("cannot be read: lists or mappings are nested too deeply", file=file) from None
    except Exception as exc:  # ruamel raises a few unmarked errors (bad tokens, encodings)
        raise error(f"cannot be read: {exc}", file=file) from None
    if _SURROGATE_ESCAPE.search(text):
        _join_surrogates(document, file, error, (None, None))
    return document


# JSON writes a character beyond U+FFFF as two escapes, a surrogate pair ("\ud834\udd1e",
# as Python's json.dumps does). YAML's parser keeps the two halves as two code points,
# which are not text; they are joined into the one character they stand for.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _joined(text: str, file: str, error: type[JoinupError], where: tuple[int | None, int | None]) -> str:
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    try:
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise error("holds an unpaired surrogate escape (\\ud800 to \\udfff), which is not a character",
                    file=file, line=where[0], column=where[1],
                    hint="write the character itself, or both escapes of its surrogate pair") from None
    try:
        return type(text)(joined)  # keep ruamel's scalar string types (literal, folded)
    except TypeError:
        return joined


def _join_surrogates(node: Any, file: str, error: type[JoinupError], where: tuple[int | None, int | None]) -> Any:
    """Surrogate pairs in every key and string of a parsed document joined, in place; line numbers kept."""
    if isinstance(node, str):
        return _joined(node, file, error, where)
    positions = getattr(getattr(node, "lc", None), "data", None) or {}
    if isinstance(node, dict):
        items = []
        for key, value in list(node.items()):
            pos = positions.get(key)
            at = (pos[0] + 1, pos[1] + 1) if pos else where
            items.append((key, _join_surrogates(key, file, error, at), _join_surrogates(value, file, error, at)))
        if any(key != new_key for key, new_key, _ in items):  # rebuilt in order, each key keeping its line
            saved = dict(positions)
            node.clear()
            for key, new_key, value in items:
                node[new_key] = value
                if key in saved and hasattr(node, "lc"):
                    node.lc.data[new_key] = saved[key]
        else:
            for key, _, value in items:
                if value is not node[key]:
                    node[key] = value
    elif isinstance(node, list):
        for i, value in enumerate(node):
            pos = positions.get(i)
            new = _join_surrogates(value, file, error, (pos[0] + 1, pos[1] + 1) if pos else where)
            if new is not value:
                node[i] = new
    return node


# A case, rule, parameters or rule test file is a few kilobytes; a thousand times that is
# not a document anyone wrote, and parsing it would take minutes and gigabytes.
MAX_DOCUMENT_BYTES = 5_000_000

# What a path that is not a regular file is, for the message refusing it.
_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"))
# Opened without blocking (a FIFO swapped in after the check would otherwise wait for a
# writer forever) and without becoming the controlling terminal. Links are followed: a
# case file linked from elsewhere is the user's own file, and reading it gives nothing away.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


def read_bytes(path: Path | str, error: type[JoinupError], what: str = "file", limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or one clear error.

    Every file a user gives joinup is read here. The file's type is checked before it is
    opened (a named pipe would hang, /dev/zero never ends), checked again on the open file
    (it may have been swapped in between), and at most `limit` + 1 bytes are ever read.
    """
    file = str(path)
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise error("no such file", file=file, hint="check the path") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise error(f"cannot be opened: {getattr(exc, 'strerror', None) or exc}", file=file) from None
    _check_regular(info, file, error, what, limit)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except IsADirectoryError:
        raise error(f"is a folder, not a {what}", file=file) from None
    except OSError as exc:
        raise error(f"cannot be opened: {exc.strerror}", file=file) from None
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise error("changed while it was being opened", file=file, hint="run the command again")
        _check_regular(opened, file, error, what, limit)
        chunks, total = [], 0
        while total <= limit:  # a file in /proc says it is empty and is not: the limit, not st_size, bounds the read
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", file=file) from None
    finally:
        os.close(fd)
    if total > limit:
        raise error(f"is larger than {_megabytes(limit)}, so it is not read", file=file,
                    hint=f"a {what} is far smaller; check the path")
    return b"".join(chunks)


def _check_regular(info: os.stat_result, file: str, error: type[JoinupError], what: str, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise error(f"is a folder, not a {what}", file=file)
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "a special file")
        raise error(f"is {kind}, not a {what}, so it is not read", file=file, hint=f"give the path of the {what} itself")
    if info.st_size > limit:
        raise error(f"is larger than {_megabytes(limit)}, so it is not read", file=file,
                    hint=f"a {what} is far smaller; check the path")


def read_text(path: Path | str, error: type[JoinupError], what: str = "file", limit: int = MAX_DOCUMENT_BYTES) -> str:
    """The text of a file, or one clear error if it is missing, not a regular file, too large or not UTF-8."""
    try:
        return read_bytes(path, error, what, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise error("is not UTF-8 text", file=str(path)) from None


def line_of(document: Any, loc: Sequence[str | int]) -> tuple[int | None, int | None]:
    """The 1-based line and column of the deepest part of `loc` found in `document`."""
    node, line, column = document, None, None
    for key in loc:
        try:
            if isinstance(node, CommentedMap) and key in node:
                line, column = node.lc.key(key)
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line, column = node.lc.item(key)
                node = node[key]
            else:
                break
        except (KeyError, TypeError, IndexError):  # a value with no position of its own: the last one found
            break
    if line is None and hasattr(document, "lc"):
        line, column = document.lc.line, document.lc.col
    return (line + 1 if line is not None else None, column + 1 if column is not None else None)


def _field_path(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _message(err: dict[str, Any], model: type[pydantic.BaseModel], loc: tuple) -> tuple[str, str | None]:
    kind = err["type"]
    if kind == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        return "is not a field here", did_you_mean(str(loc[-1]), known) or (
            "known fields: " + ", ".join(sorted(known)) if known else None
        )
    if kind == "missing":
        return "is required but missing", None
    if kind in ("greater_than_equal", "greater_than") and err.get("ctx"):
        bound = err["ctx"].get("ge", err["ctx"].get("gt"))
        if bound == 0 and kind == "greater_than_equal":
            return f"cannot be negative; got {_short(err.get('input'))}", None
        word = "at least" if kind == "greater_than_equal" else "more than"
        return f"must be {word} {bound}; got {_short(err.get('input'))}", None
    if kind in ("less_than_equal", "less_than") and err.get("ctx"):
        bound = err["ctx"].get("le", err["ctx"].get("lt"))
        word = "at most" if kind == "less_than_equal" else "less than"
        return f"must be {word} {bound:,}; got {_short(err.get('input'))}", None
    if kind == "too_long" and err.get("ctx"):
        most, got = err["ctx"].get("max_length"), err["ctx"].get("actual_length")
        if got is None and hasattr(err.get("input"), "__len__"):  # a mapping's check stops at the first one over
            got = len(err["input"])
        what = "entries" if err["ctx"].get("field_type") == "Dictionary" else "items"
        return f"may have at most {most} {what}; got {got if got is not None else 'more'}", (
            "split the case into several case files" if loc and loc[-1] == "service_lines" else None)
    if kind == "string_pattern_mismatch" and "%" in str((err.get("ctx") or {}).get("pattern")):
        return f"a percentage is written like 25%; got '{_short(err.get('input'))}'", None  # not the regex
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[:1].lower() + message[1:], None


def _short(value: Any) -> str:
    """A value as an error quotes it: a number of 400 digits is cut short."""
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _known_fields(model: type[pydantic.BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the model found at `loc`, for "did you mean" on an unknown field."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _inner_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validate(
    model: type[pydantic.BaseModel],
    document: Any,
    file: str,
    error: type[JoinupError],
    context: dict[str, Any] | None = None,
) -> Any:
    """Validate a parsed document into `model`; the first problem becomes one located error."""
    try:
        return model.model_validate(document, context=context)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        err = _most_relevant(errors, document)
        loc = _clean_loc(err["loc"], document)
        line, column = line_of(document, loc)
        message, hint = _message(err, model, loc)
        others = {_clean_loc(e["loc"], document) for e in errors if e["type"] not in _BRANCH_MISMATCH} - {loc}
        more = len(others)
        if more and not hint:
            hint = f"and {more} more problem{'s' if more > 1 else ''}"
        raise error(
            message, file=file, line=line, column=column, field=_field_path(loc) or None, hint=hint
        ) from None


# Type mismatches from the other branch of a union (a number where a range could go) say
# less than the real problem found in the branch the input was meant for.
_BRANCH_MISMATCH = frozenset(
    {"float_type", "float_parsing", "int_type", "int_parsing", "model_type", "model_attributes_type",
     "dict_type", "string_type", "bool_type", "bool_parsing", "is_instance_of"}
)


def _most_relevant(errors: list[dict[str, Any]], document: Any) -> dict[str, Any]:
    if len(errors) > 1:
        for err in errors:
            if err["type"] not in _BRANCH_MISMATCH:
                return err
    # All type mismatches: the deepest is inside the branch the input was meant for
    # (`{low: false, ...}` is a range with a bad low, not a bad plain number).
    return max(errors, key=lambda err: len(_clean_loc(err["loc"], document)))


def _clean_loc(loc: Sequence[str | int], document: Any) -> tuple:
    """`loc` without the union branch names pydantic puts in it ("float", "Range",
    "function-after[...]"); a part that is a key in the document is kept, however it
    looks (a misspelt `Notes:` or `d[escription:` is the very field to name)."""
    node, kept = document, []
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and (part[:1].isupper() or "[" in part or part in _BRANCH_NAMES):
            continue
        else:
            node = None
        kept.append(part)
    return tuple(kept)


_BRANCH_NAMES = frozenset({"float", "int", "str", "bool", "constrained-float", "constrained-int", "constrained-str"})
