"""The grader's code inside a kernel: read a student's answer out safely, and judge it.

``scripts/grade.py`` runs two kinds of kernels, each in the sandbox's jail:

- a **student kernel** runs a submission. After each exercise cell,
  :func:`capture` writes the student's answer to a folder in a form that
  carries no code: JSON for numbers, strings, lists and dicts, an ``.npz`` of
  plain arrays (read back with ``allow_pickle=False``). A function cannot be
  written out, so the course's checker is run on it there, through a
  :class:`Recorder` that writes down every call the checker makes (its
  arguments) and what the function gave back (or the exception it raised);
  a block of Keras layers comes back as a ``.keras`` file.
- a **judge kernel**, one per lesson, runs the lesson's student copy itself
  (the course's own code, with the course's data) and, after each exercise
  cell, :func:`judge` reads every student's answer back and calls the
  course's checker on it, with the lesson's own arguments. A recorded
  function is replaced by a :class:`Replay` that gives the checker the
  recorded results, and fails if the checker asks for anything the student's
  function was not called with.

So whatever a submission does to its own kernel (redefine a checker, patch
NumPy, print a fake verdict), its verdict is computed in another process,
by code it never touched; what it can change is only the answer it hands
over, and a forged answer is judged like any other. Reading an answer back
runs no code of the student's: JSON, arrays without pickles, and Keras
files loaded with ``safe_mode=True`` (no Python lambdas).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np

MAX_ARRAY_BYTES = 256 << 20
"""The most array data one answer may hand over (256 MiB); more is refused."""
MAX_NODES = 200_000
"""The most values (list items, dict entries, arrays) one answer may hold."""
MAX_KERAS_BYTES = 16 << 20
"""The largest block of Keras layers one answer may hand over (16 MiB)."""
MAX_MESSAGE = 2_000
"""The longest verdict message kept (characters)."""
MAX_JSON_BYTES = 64 << 20
"""The most text one answer may hand over (64 MiB)."""
MAX_CALLS = 1_000
"""The most calls of a student's function one checker run may record."""
_MAX_TEXT = 10_000


class AnswerError(ValueError):
    """An answer that cannot be written out or read back; the message says why."""


class ReplayMismatch(RuntimeError):
    """The checker asked a replayed function for a call the student's notebook did not make."""


class Unreadable:
    """Stands for a value of a type the grader does not carry (a student's own class)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _unreadable(type_name: str) -> Unreadable:
    # An instance of a class named after the student's type, so that a checker's
    # "got <type name>" reads naturally; the name is only ever used as text.
    name = type_name if type_name.isidentifier() else "object"
    return type(name, (Unreadable,), {})(type_name)


class _Encoder:
    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self.nodes = 0
        self.bytes = 0

    def array(self, value: np.ndarray) -> dict:
        if value.dtype.hasobject:
            raise AnswerError("an array of Python objects cannot be handed over; use numbers")
        self.bytes += value.nbytes
        if self.bytes > MAX_ARRAY_BYTES:
            raise AnswerError(f"the answer holds more than {MAX_ARRAY_BYTES >> 20} MiB of arrays")
        self.arrays.append(np.array(value, order="C"))
        return {"array": len(self.arrays) - 1}

    def __call__(self, value: object, depth: int = 0) -> dict:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > 50:
            raise AnswerError("the answer is too large or too deeply nested to hand over")
        if value is Ellipsis:
            return {"ellipsis": True}
        if value is None or isinstance(value, bool):
            return {"value": value}
        if isinstance(value, int):
            return {"int": str(value)}
        if isinstance(value, float):
            return {"float": repr(value)}
        if isinstance(value, str):
            return {"str": value[:_MAX_TEXT]}
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, np.generic):
            return {"scalar": self.array(np.asarray(value))["array"]}
        if isinstance(value, (list, tuple)):
            kind = "list" if isinstance(value, list) else "tuple"
            return {kind: [self(item, depth + 1) for item in value]}
        if isinstance(value, dict) and all(isinstance(key, str) for key in value):
            return {"dict": [[key, self(item, depth + 1)] for key, item in value.items()]}
        if type(value).__name__ == "KerasTensor":
            return {"keras_tensor": [list(value.shape), str(value.dtype)]}
        if hasattr(value, "__array__") and hasattr(value, "shape"):  # a tensor, a Keras variable
            return self.array(np.asarray(value))
        return {"unsupported": type(value).__name__[:100]}


def encode(value: object) -> tuple[dict, list[np.ndarray]]:
    """``value`` as a JSON tree and a list of arrays; :class:`AnswerError` if it is too large."""
    encoder = _Encoder()
    return encoder(value), encoder.arrays


def decode(tree: object, arrays: list[np.ndarray], depth: int = 0) -> object:
    """The value :func:`encode` wrote; :class:`AnswerError` for anything it would not write."""
    if not isinstance(tree, dict) or len(tree) != 1 or depth > 60:
        raise AnswerError("the handed-over answer is malformed")
    ((kind, body),) = tree.items()
    if kind == "ellipsis":
        return Ellipsis
    if kind == "value" and (body is None or isinstance(body, bool)):
        return body
    if kind == "int" and isinstance(body, str) and len(body) < 5000:
        return int(body)
    if kind == "float" and isinstance(body, str):
        return float(body)
    if kind == "str" and isinstance(body, str):
        return body
    if kind in ("array", "scalar") and isinstance(body, int) and 0 <= body < len(arrays):
        return arrays[body] if kind == "array" else arrays[body][()]
    if kind in ("list", "tuple") and isinstance(body, list):
        items = [decode(item, arrays, depth + 1) for item in body]
        return items if kind == "list" else tuple(items)
    if kind == "dict" and isinstance(body, list):
        return {str(key): decode(item, arrays, depth + 1) for key, item in body}
    if kind == "unsupported" and isinstance(body, str):
        return _unreadable(body)
    raise AnswerError("the handed-over answer is malformed")


def _same(first: tuple[dict, list], second: tuple[dict, list]) -> bool:
    (tree_a, arrays_a), (tree_b, arrays_b) = first, second
    return (
        tree_a == tree_b
        and len(arrays_a) == len(arrays_b)
        and all(
            a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
            for a, b in zip(arrays_a, arrays_b, strict=True)
        )
    )


class Recorder:
    """Wraps a student's function: records each call's arguments and result, in encoded form."""

    def __init__(self, function: Callable, folder: Path) -> None:
        self.function = function
        self.folder = folder
        self.calls: list[dict] = []
        self.arrays: list[np.ndarray] = []

    def _add(self, value: object) -> dict:
        tree, arrays = encode(value)
        offset = len(self.arrays)
        self.arrays.extend(arrays)
        return _shift(tree, offset)

    def __call__(self, *args, **kwargs):
        if len(self.calls) >= MAX_CALLS:
            raise AnswerError(f"the checker called the function more than {MAX_CALLS} times")
        call = {"args": self._add(list(args)), "kwargs": self._add(dict(kwargs))}
        self.calls.append(call)
        try:
            result = self.function(*args, **kwargs)
        except Exception as error:
            call["error"] = [type(error).__name__[:100], str(error)[:_MAX_TEXT]]
            raise
        call["result"] = self._result(result, args)
        return result

    def _result(self, result: object, args: tuple) -> dict:
        if type(result).__name__ == "KerasTensor":  # a block of layers: keep it as a Keras file
            import keras

            inputs = [arg for arg in args if type(arg).__name__ == "KerasTensor"]
            name = f"model_{len(self.calls) - 1}.keras"
            keras.Model(inputs, result).save(self.folder / name)
            return {"keras_model": name}
        return self._add(result)


def _shift(tree: object, offset: int) -> object:
    """``tree`` with its array numbers moved by ``offset`` (several encodings in one file)."""
    if isinstance(tree, dict):
        return {
            key: (value + offset if key in ("array", "scalar") else _shift(value, offset))
            for key, value in tree.items()
        }
    if isinstance(tree, list):
        return [_shift(item, offset) for item in tree]
    return tree


def _write(folder: Path, record: dict, arrays: list[np.ndarray]) -> None:
    np.savez(folder / "arrays.npz", *arrays)
    (folder / "answer.json").write_text(json.dumps(record), encoding="utf-8")


def capture(namespace: dict, answer: str, checker: str, call: str, folder: str) -> None:
    """In a student kernel: write the answer ``namespace[answer]`` to ``folder``.

    A function is run through the course's checker ``checker`` (the call
    ``call``, as the lesson writes it) with a :class:`Recorder` around it; a
    value is written as it is. Nothing is raised: a failure is written down.
    """
    folder_path = Path(folder)
    folder_path.mkdir(parents=True, exist_ok=True)
    if answer not in namespace:
        _write(folder_path, {"kind": "missing"}, [])
        return
    value = namespace[answer]
    try:
        if callable(value) and not isinstance(value, (np.ndarray, np.generic)):
            from utils import checks

            recorder = Recorder(value, folder_path)
            scope = {**namespace, checker: getattr(checks, checker), answer: recorder}
            try:
                eval(call, scope)  # the checker's calls are what is recorded
            except Exception:  # noqa: S110 - the judge gives the verdict, not this run
                pass
            _write(folder_path, {"kind": "function", "calls": recorder.calls}, recorder.arrays)
        else:
            tree, arrays = encode(value)
            _write(folder_path, {"kind": "value", "tree": tree}, arrays)
    except Exception as error:  # an answer too large or of a kind that cannot be handed over
        _write(folder_path, {"kind": "refused", "why": str(error)[:_MAX_TEXT]}, [])


_MISMATCH = (
    "the grader could not replay your function: the course's checker asks for calls that your "
    "notebook's kernel did not make (were the checker, NumPy or the lesson's data changed there?)"
)


class Replay:
    """Stands for a student's function in the judge: gives back what it returned when recorded."""

    def __init__(self, calls: list, arrays: list[np.ndarray], folder: Path) -> None:
        self.calls, self.arrays, self.folder = calls, arrays, folder
        self.next = 0

    def __call__(self, *args, **kwargs):
        if self.next >= len(self.calls):
            raise ReplayMismatch(_MISMATCH)
        call = self.calls[self.next]
        self.next += 1
        asked_args, asked_arrays = encode(list(args))
        asked_kwargs, kwarg_arrays = encode(dict(kwargs))
        recorded_args = _unshift(call.get("args"), self.arrays)
        recorded_kwargs = _unshift(call.get("kwargs"), self.arrays)
        if not (
            _same((asked_args, asked_arrays), recorded_args)
            and _same((asked_kwargs, kwarg_arrays), recorded_kwargs)
        ):
            raise ReplayMismatch(_MISMATCH)
        if "error" in call:
            name, message = (str(part) for part in call["error"][:2])
            error_type = type(name if name.isidentifier() else "Exception", (Exception,), {})
            raise error_type(message)
        result = call.get("result")
        if isinstance(result, dict) and set(result) == {"keras_model"}:
            import keras

            name = Path(str(result["keras_model"])).name
            read_plain_file(self.folder / name, MAX_KERAS_BYTES, "Keras layers")  # measured first
            block = keras.saving.load_model(self.folder / name, safe_mode=True, compile=False)
            keras_args = [arg for arg in args if type(arg).__name__ == "KerasTensor"]
            return block(keras_args[0] if len(keras_args) == 1 else keras_args)
        return decode(result, self.arrays)


def _unshift(tree: object, arrays: list[np.ndarray]) -> tuple[object, list[np.ndarray]]:
    """A recorded tree with its own arrays numbered from 0, to compare with a fresh encoding."""
    used: list[int] = []

    def walk(node: object) -> object:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if (
                    key in ("array", "scalar")
                    and isinstance(value, int)
                    and 0 <= value < len(arrays)
                ):
                    used.append(value)
                    out[key] = len(used) - 1
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    tree = walk(tree)
    return tree, [arrays[index] for index in used]


def _array_bytes(stored: np.lib.npyio.NpzFile) -> int:
    """The bytes the arrays of an ``.npz`` take once read, from their headers alone."""
    total = 0
    for name in stored.files:
        with stored.zip.open(f"{name}.npy") as member:
            version = np.lib.format.read_magic(member)
            read = {(1, 0): np.lib.format.read_array_header_1_0}.get(
                version, np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read(member)
            total += int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return total


def read_plain_file(path: Path, limit: int, what: str = "data") -> bytes:
    """A regular file's bytes, measured before they are read: never a link, a FIFO or a device.

    :class:`AnswerError` says which of those it is, or that it holds more than
    ``limit`` bytes of ``what``; ``OSError`` when it cannot be opened at all.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise AnswerError(f"the handed-over {path.name} is a link") from None
        raise
    with os.fdopen(handle, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise AnswerError(f"the handed-over {path.name} is not a plain file")
        if info.st_size > limit:
            raise AnswerError(f"the answer holds more than {limit >> 20} MiB of {what}")
        return file.read(limit)


def read_answer(folder: Path, answer: str = "the answer's name") -> object:
    """What :func:`capture` wrote: a value or a :class:`Replay`; else :class:`AnswerError`.

    The files come from a kernel that ran a student's code, so they are read
    as untrusted: links are not followed, the JSON and the arrays are
    measured before they are read, and no pickle is ever loaded.
    """
    try:
        text = read_plain_file(folder / "answer.json", MAX_JSON_BYTES, "text")
        record = json.loads(text)
        read_plain_file(
            folder / "arrays.npz", MAX_ARRAY_BYTES, "arrays"
        )  # a regular file, measured
        with np.load(folder / "arrays.npz", allow_pickle=False) as stored:
            if len(stored.files) > MAX_NODES or _array_bytes(stored) > MAX_ARRAY_BYTES:
                raise AnswerError(
                    f"the answer holds more than {MAX_ARRAY_BYTES >> 20} MiB of arrays"
                )
            arrays = [stored[f"arr_{index}"] for index in range(len(stored.files))]
    except AnswerError:
        raise
    except (OSError, ValueError, KeyError, RecursionError, EOFError, TypeError) as error:
        raise AnswerError(f"no answer was handed over ({type(error).__name__})") from None
    kind = record.get("kind") if isinstance(record, dict) else None
    if kind == "missing":
        raise AnswerError(f"the notebook never defined {answer}")
    if kind == "refused":
        raise AnswerError(f"the answer could not be handed over: {str(record.get('why', ''))}")
    if kind == "value":
        try:
            return decode(record.get("tree"), arrays)
        except (ValueError, TypeError, OverflowError, RecursionError):
            raise AnswerError("the handed-over answer is malformed") from None
    calls = record.get("calls") if kind == "function" else None
    if (
        isinstance(calls, list)
        and len(calls) <= MAX_CALLS
        and all(isinstance(c, dict) for c in calls)
    ):
        return Replay(calls, arrays, folder)
    raise AnswerError("the handed-over answer is malformed")


def _verdict(result: object) -> dict:
    from utils.checks import CheckResult

    if not isinstance(result, CheckResult):
        return {"passed": False, "message": f"the checker returned {type(result).__name__}"}
    return {"passed": bool(result.ok), "message": str(result.message)}


def judge(namespace: dict, exercise: dict, lesson_answer: str, captures: dict, out: str) -> None:
    """In the judge kernel: the course's verdict on every captured answer to one exercise.

    ``exercise`` has the keys ``answer``, ``checker`` and ``call``;
    ``captures`` maps a key (a student) to the folder :func:`capture` wrote.
    The verdicts go to ``out`` (JSON), with two more: the lesson's student
    copy as it stands (``...``) and the lesson's own answer ``lesson_answer``.
    """
    from utils import checks

    answer, call = exercise["answer"], exercise["call"]
    course = {exercise["checker"]: getattr(checks, exercise["checker"])}
    verdicts = {}

    def run(scope: dict) -> dict:
        try:
            return _verdict(eval(call, {**scope, **course}))
        except Exception as error:
            return {"passed": False, "message": f"the checker could not judge it: {error}"}

    verdicts["(student copy)"] = run(namespace)
    scratch = dict(namespace)
    exec(lesson_answer, scratch)
    verdicts["(lesson's answer)"] = run(scratch)
    for key, folder in captures.items():
        try:
            value = read_answer(Path(folder), answer)
            verdicts[key] = run({**namespace, answer: value})
        except Exception as error:  # whatever one answer does, the others are judged
            reason = (
                str(error).rstrip(".") if isinstance(error, AnswerError) else type(error).__name__
            )
            verdicts[key] = {"passed": False, "message": f"Not graded: {reason}."}
    for verdict in verdicts.values():
        verdict["message"] = verdict["message"][:MAX_MESSAGE]
    Path(out).write_text(json.dumps(verdicts), encoding="utf-8")
