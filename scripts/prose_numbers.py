"""Every number in a lesson's prose, traced to where it comes from.

Usage: ``python scripts/prose_numbers.py [notebooks/NN_name.ipynb ...]``
(every lesson and demo when none is given). It prints, per notebook, how many
numbers its markdown states and how each was traced, then every number it
could not trace, with the cell and the words around it; the exit status is 1
when there is one. ``tests/test_prose_numbers.py`` runs it on every notebook.

A number of the prose is traced, in this order, when it is

- **output**: printed by a stored output of the same notebook that nbval
  compares, at the prose's precision: "93%" matches 0.9321 and 93.2%, "0.81"
  matches 0.812, "1,250" matches 1250, "138 million" matches 138,357,544, and
  a round number after "about" (or "over", "under", ...) is held to its
  non-zero digits: "about 20 seconds" matches 21.3;
- **output not compared**: the same, in an output nbval does not compare
  (``# NBVAL_IGNORE_OUTPUT``: a training log, a timing);
- **code**: a numeric literal of a code cell of the notebook (``EPSILON =
  0.1`` traces "ε = 0.1"), or part of code shown in backticks in the prose:
  a call, an assignment or an index (```Dense(10)```, ```k = 5```). A bare
  number, a calculation or a quoted output in backticks is traced like prose;
- **arithmetic**: part of a calculation written out in the same cell that
  holds at its precision (``3*3*64*64 + 64 = 36,928``, "0.77 × 7.7 ≈ 5.9"),
  or the result of one, used again in that cell;
- **cited**: in a sentence that names its source (an author with "et al." or
  a year, a venue, "the paper", a link), in the further-reading section, or
  listed in ``ALLOWED`` below with the reason;
- **exercise**: set by an exercise's statement (under an "Exercise" heading,
  outside its worked answer): "show the first 30 digits" is a task, not a
  result. A worked answer (a ``<details>`` block) is held to the other rules;
- **estimate**: the study time of the lesson's ``**Time:**`` line.

Skipped, as they are not quantities: section, lesson, exercise, chapter,
figure and version numbers ("lesson 05", "sections 2 and 3", "Python 3.11");
the numbers of headings and numbered lists; years (1900-2029); numbers that
are part of a name ("conv_3", "LeNet-5", "float32", "1-D", "3rd"); code blocks
and link targets.

Numbers written as words ("three seeds", "about a third") are not traced:
write a number that comes from an output in digits, so that this check sees
it (CONTRIBUTING.md, "Numbers").
"""

from __future__ import annotations

import ast
import bisect
import io
import math
import operator
import re
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbval_coverage import is_compared  # scripts/, beside this file

from utils.figures import FIGURE_MIME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

HOW = ("output", "output not compared", "code", "arithmetic", "cited", "exercise", "estimate")
"""The ways a number can be traced, in the order they are tried."""

ALLOWED: dict[tuple[str, str], str] = {}
"""(notebook stem, the words that end with the number, as written) -> why it needs no output.

For a fact that the lesson neither computes nor cites in the same sentence.
Prefer a citation in the sentence; keep this list short.
"""

# A number as written in prose or printed by a cell: 1,250; 0.812; 1.7e+04; .5; 10^-4.
_NUMBER = re.compile(
    r"10\^\{?[-−]?\d+\}?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d+(?:\.\d+)?(?:[eE][-+−]?\d+)?"
    r"|(?<![\d.])\.\d+"
)
_PERCENT = re.compile(r"\s?(?:%|\\%|per\s?cent\b)")
_POINTS = re.compile(r"\s(?:percentage\s)?points?\b")
_MULTIPLIER = re.compile(r"\s(thousand|million|billion)\b")
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_APPROXIMATE = re.compile(
    r"(?:\babout|\baround|\broughly|\bnearly|\balmost|\bsome|\bapproximately|\bclose to|~|≈"
    r"|\bover|\bunder|\bmore than|\bless than|\bfewer than|\bat least|\bat most|\bup to|\bbelow"
    r"|\babove)\s+$",
    re.IGNORECASE,
)
# Words after which a number names a part of the course, of a book or a version, not a quantity.
_STRUCTURAL = re.compile(
    r"\b(?:lessons?|sections?|exercises?|chapters?|ch\.|figures?|fig\.|tables?|listings?"
    r"|parts?|editions?|python|tensorflow|keras|numpy|jupyterlab|versions?)\s*"
    r"(?:\d+(?:\.\d+)*[a-z]?\s*(?:,|and|or|to|-|–)\s*)*$",
    re.IGNORECASE,
)
_CITATION = re.compile(
    r"et al\.|\(\s*(?:19|20)\d\d\s*[),;]|,\s*(?:19|20)\d\d\b|\b(?:19|20)\d\d\)"
    r"|\b(?:NeurIPS|NIPS|ICLR|ICML|CVPR|ICCV|ECCV|ICDAR|Distill|arXiv|Journal)\b"
    r"|\bpaper\b|https?://|\]\(",
)
_SENTENCE_END = re.compile(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bch)[.!?:](?=\s)")
_FENCE = re.compile(r"```.*?```", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_HEADING_NUMBER = re.compile(r"^(#+\s*)\d+(?:\.\d+)*\.?(?=\s)", re.MULTILINE)
_LIST_NUMBER = re.compile(r"^(\s*)\d+\.(?=\s)", re.MULTILINE)
_TIME_LINE = re.compile(r"\*\*Time:\*\*[^\n]*(?:\n(?!\s*\n)[^\n]*)*")
_SECTION = re.compile(r"^#.*?(?=^#|\Z)", re.MULTILINE | re.DOTALL)
_FURTHER_READING = re.compile(r"#+\s*Further reading")
_CODE = re.compile(r"[A-Za-z_]\w*\s*(?:\(|\[|=(?!=))")
_EXERCISE = re.compile(r"^#+[^\n]*\bExercises?\b.*?(?=^#|\Z)", re.MULTILINE | re.DOTALL)
_DETAILS = re.compile(r"<details>.*?</details>", re.DOTALL)


@dataclass(frozen=True)
class Number:
    """A number as written: its value, the decimals it shows, and whether it is a percentage."""

    text: str
    value: float
    decimals: int  # negative for a round number held to a coarser unit (about 20: -1)
    percent: bool = False

    @property
    def tolerance(self) -> float:
        """Half a unit of the last digit written (0.005 for 0.81): what rounding explains."""
        return 0.5 * 10.0 ** (-self.decimals)


@dataclass
class Found:
    """One number of the prose: where it is and how it was traced (``how`` None: not traced)."""

    notebook: str
    cell: int
    cell_id: str
    number: Number
    position: int  # in the cell's source
    context: str
    how: str | None = None
    source: str = ""
    fallback: str | None = None  # "cited", "exercise" or "estimate": what the words around allow


@dataclass
class Sources:
    """The numbers that a notebook's code and outputs hold."""

    compared: list[Number] = field(default_factory=list)
    not_compared: list[Number] = field(default_factory=list)
    code: list[Number] = field(default_factory=list)


def parse_number(
    text: str, percent: bool = False, approximate: bool = False, multiplier: str = ""
) -> Number:
    """A number as written ("1,250", "0.81", "1.7e+04", "10^-4", "138 million") and its precision.

    ``approximate`` (the number follows "about", "over", ...) holds a whole
    number that ends in zeros to its other digits: "about 20" is 20 +- 5,
    "about 1,300" is 1,300 +- 50.
    """
    clean = text.replace(",", "").replace("−", "-")
    power = re.fullmatch(r"10\^\{?(-?\d+)\}?", clean)
    if power:
        exponent = int(power.group(1))
        return Number(text, 10.0**exponent, -exponent, percent)
    mantissa, _, exponent = clean.lower().partition("e")
    decimals = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0)
    value = float(clean)
    if approximate and decimals == 0 and value >= 10:
        digits = mantissa.rstrip("0")
        decimals = -(len(mantissa) - len(digits))
    if multiplier:
        scale = _MULTIPLIERS[multiplier]
        value *= scale
        decimals -= round(math.log10(scale))
        text = f"{text} {multiplier}"
    return Number(text, value, decimals, percent)


def _numbers_in(text: str) -> list[tuple[re.Match, Number]]:
    """Every number of a text, with its percent sign or multiplier word."""
    found = []
    for match in _NUMBER.finditer(text):
        after = text[match.end() : match.end() + 12]
        percent = bool(_PERCENT.match(after))
        multiplier = _MULTIPLIER.match(after)
        number = parse_number(
            match.group(), percent=percent, multiplier=multiplier.group(1) if multiplier else ""
        )
        found.append((match, number))
    return found


def output_numbers(text: str) -> list[Number]:
    """The numbers a cell printed."""
    return [number for _, number in _numbers_in(text)]


# Python 3.12 reads an f-string as several tokens, its text in FSTRING_MIDDLE.
_STRING_TOKENS = {tokenize.STRING} | (
    {tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set()
)


def code_numbers(source: str) -> list[Number]:
    """The numeric literals of a code cell, and the numbers in its strings."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    numbers = []
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type == tokenize.NUMBER:
                text = token.string.replace("_", "")
                if not text.lower().startswith(("0x", "0o", "0b")) and not text.endswith("j"):
                    numbers.append(parse_number(text))
            elif token.type in _STRING_TOKENS:
                numbers += output_numbers(token.string)
    except (tokenize.TokenError, SyntaxError):
        numbers += output_numbers(source)
    return numbers


def _figure_words(node: object, key: str = "") -> list[str]:
    """The titles, names, tick labels and annotations of a plotly figure (not its data)."""
    words: list[str] = []
    if isinstance(node, dict):
        for name, value in node.items():
            words += _figure_words(value, name)
    elif isinstance(node, list):
        if key == "ticktext" or all(isinstance(item, dict) for item in node):
            for item in node:
                words += _figure_words(item, key)
    elif isinstance(node, str) and key in ("text", "name", "title", "ticktext"):
        words.append(node)
    return words


def output_text(output: nbformat.NotebookNode) -> str:
    """What a reader sees of one output as text: a stream, text/plain, a figure's words."""
    if output.get("output_type") == "stream":
        return "" if output.get("name") == "stderr" else str(output.get("text", ""))
    data = output.get("data", {})
    figure = data.get(FIGURE_MIME)
    if figure is not None:
        return " ".join(_figure_words(figure))
    return str(data.get("text/plain", ""))


def sources(notebook: nbformat.NotebookNode) -> Sources:
    """The numbers of a notebook's code cells and of their stored outputs."""
    found = Sources()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        found.code += code_numbers(cell.source)
        printed = [n for out in cell.get("outputs", []) for n in output_numbers(output_text(out))]
        (found.compared if is_compared(cell) else found.not_compared).extend(printed)
    return found


def matches(prose: Number, printed: Number) -> bool:
    """Whether a number of the prose is the printed one, at the prose's precision.

    A percentage of the prose reads a printed fraction times 100 (0.9321 is
    93.21%) or a printed percentage; a plain number reads a printed number, or
    a printed percentage divided by 100. The printed number must show at least
    the prose's decimals (0.8 printed does not trace "0.81").
    """
    options = [(printed.value, printed.decimals)]
    if prose.percent and not printed.percent:
        options.append((printed.value * 100, printed.decimals - 2))
    if printed.percent and not prose.percent:
        options.append((printed.value / 100, printed.decimals + 2))
    for value, decimals in options:
        if decimals < prose.decimals and abs(value) != abs(prose.value):
            continue
        if abs(abs(value) - abs(prose.value)) <= prose.tolerance * (1 + 1e-9) + 1e-12:
            return True
    return False


# Arithmetic written out: numbers joined by operators, = or ≈, more of the same.
_OPERAND = r"(?:\d[\d,]*(?:\.\d+)?|\.\d+|ln\s*\d+(?:\.\d+)?|√\d+)"
_OPERATOR = r"(?:[-+*/×÷^·−]|\\times|\\cdot|\bx\b)"
_EXPRESSION = rf"[(⌈⌊\s]*{_OPERAND}[)⌉⌋\s]*(?:{_OPERATOR}[(⌈⌊\s]*{_OPERAND}[)⌉⌋\s]*)*"
_CHAIN = re.compile(rf"{_EXPRESSION}(?:(?:=|≈|\\approx)\s*(?:about\s+)?{_EXPRESSION})+")
_FUNCTIONS = {"_ln": math.log, "_sqrt": math.sqrt, "_ceil": math.ceil, "_floor": math.floor}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def evaluate(expression: str) -> float | None:
    """The value of an arithmetic expression as the prose writes it, or None if it is not one."""
    text = expression.replace(",", "").replace("−", "-").replace("\\times", "*")
    text = re.sub(r"\\cdot|[×·]|\bx\b", "*", text).replace("÷", "/").replace("^", "**")
    text = re.sub(r"ln\s*(\d+(?:\.\d+)?)", r"_ln(\1)", text)
    text = re.sub(r"√(\d+)", r"_sqrt(\1)", text).strip()
    text = text.replace("⌈", "_ceil(").replace("⌊", "_floor(").replace("⌉", ")").replace("⌋", ")")
    while text.count("(") > text.count(")") and text.startswith("("):
        text = text[1:].strip()
    while text.count(")") > text.count("(") and text.endswith(")"):
        text = text[:-1].strip()

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
            function = _FUNCTIONS.get(node.func.id)
            if function is not None:
                return function(value(node.args[0]))
        raise ValueError(expression)

    try:
        return value(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None


def arithmetic(text: str) -> tuple[list[tuple[int, int]], list[Number]]:
    """The calculations of a text that hold, as (start, end) spans, and their results.

    A chain ``a = b = c`` holds when each side equals the last at the last's
    precision: the number after the final ``=`` (or ``≈``) as written.
    """
    spans, results = [], []
    for match in _CHAIN.finditer(text):
        sides = [side.replace("about", "") for side in re.split(r"=|≈|\\approx", match.group())]
        values = [evaluate(side) for side in sides]
        last = _NUMBER.findall(sides[-1])
        if None in values or len(last) != 1:
            continue
        result = parse_number(last[0])
        if all(abs(v - values[-1]) <= result.tolerance * (1 + 1e-9) for v in values[:-1]):
            spans.append(match.span())
            results += [parse_number(n) for side in sides for n in _NUMBER.findall(side)]
    return spans, results


def _blank(text: str, pattern: re.Pattern, keep_group: int | None = None) -> str:
    """``text`` with what ``pattern`` matches (but its group ``keep_group``) made spaces."""

    def spaces(match: re.Match) -> str:
        if keep_group is None:
            return " " * len(match.group())
        start, end = match.start(keep_group) - match.start(), match.end(keep_group) - match.start()
        whole = match.group()
        return " " * start + whole[start:end] + " " * (len(whole) - end)

    return pattern.sub(spaces, text)


def _sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end (after . ! ? or :), and its end."""
    return [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]


def _sentence(ends: list[int], position: int) -> tuple[int, int]:
    """Where the sentence around ``position`` starts and ends, given ``_sentence_ends``."""
    after = bisect.bisect_right(ends, position)
    return (ends[after - 1] if after else 0), ends[min(after, len(ends) - 1)]


def _in_name(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a name: conv_3, LeNet-5, float32, 1-D, 3rd."""
    before, after = text[max(0, start - 2) : start], text[end : end + 4]
    if re.search(r"[A-Za-z_]$|[A-Za-z]-$", before):
        return True
    if re.match(r"(?:st|nd|rd|th)\b", after):
        return True
    if re.match(r"[A-Za-z_]", after):
        return not re.match(r"x\b", after)  # 10x is a number
    return bool(re.match(r"-[A-Z](?![a-z])|-NN\b", after))  # 1-D, 2-D, 1-NN


def prose_numbers(markdown: str) -> tuple[list[tuple[int, Number]], str]:
    """The numbers to trace in a markdown cell, with their positions in the returned text.

    The text is the cell's with what is not prose (code blocks, link targets,
    HTML tags, the numbers of headings and lists) made spaces. Structural
    numbers, years and names are left out (the module's doc says which).
    """
    text = _blank(markdown, _FENCE)
    text = _blank(text, _LINK_TARGET)
    text = _blank(text, _HTML_TAG)
    text = _blank(text, _HEADING_NUMBER, keep_group=1)
    text = _blank(text, _LIST_NUMBER, keep_group=1)
    found = []
    for match, number in _numbers_in(text):
        start, end = match.span()
        before = text[max(0, start - 80) : start]
        if _in_name(text, start, end) or _STRUCTURAL.search(before):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", match.group()) and not number.percent:
            continue  # a year
        if _APPROXIMATE.search(before):
            multiplier = _MULTIPLIER.match(text[end : end + 12])
            number = parse_number(
                match.group(),
                number.percent,
                approximate=True,
                multiplier=multiplier.group(1) if multiplier else "",
            )
        elif _POINTS.match(text[end : end + 20]):
            number = Number(number.text, number.value, number.decimals, percent=True)
        found.append((start, number))
    return found, text


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    return any(start <= position < end for start, end in spans)


def _allowed(name: str, text: str, start: int, number: Number) -> bool:
    """Whether ``ALLOWED`` lists this number: its key's words end where the number does."""
    written = " ".join(text[max(0, start - 80) : start + len(number.text)].split())
    return any(stem == name and written.endswith(words) for stem, words in ALLOWED)


def trace(
    notebook: nbformat.NotebookNode,
    name: str,
    cells: list[int] | None = None,
    known: Sources | None = None,
) -> list[Found]:
    """Every number of the prose of ``notebook`` (called ``name`` in the results), traced.

    ``cells`` limits the prose read to those cell indices; the sources are always the
    whole notebook's code and outputs (``known``, when they are already read).
    """
    known = sources(notebook) if known is None else known
    results = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown" or (cells is not None and index not in cells):
            continue
        numbers, text = prose_numbers(cell.source)
        calculations, derived = arithmetic(text)
        answers = _spans(_DETAILS, cell.source)
        exercises = [
            span
            for span in _spans(_EXERCISE, cell.source)
            if not any(a <= span[0] < b for a, b in answers)
        ]
        # Code shown in backticks: a call, an assignment or an index (`Dense(10)`, `k = 5`).
        # A number, a calculation or a quoted output in backticks is traced like prose.
        code_shown = [m.span() for m in _INLINE_CODE.finditer(text) if _CODE.search(m.group())]
        reading = [
            span
            for span in _spans(_SECTION, cell.source)
            if _FURTHER_READING.match(cell.source, span[0])
        ]
        ends, time_lines = _sentence_ends(text), _spans(_TIME_LINE, text)
        for start, number in numbers:
            context = _context(text, start, number)
            found = Found(name, index, cell.get("id", ""), number, start, context)
            # What would trace the number if no output, code or arithmetic held it.
            settings = {
                "cited": _inside(reading, start)
                # The sentence as written, link targets included: a link cites its source.
                or bool(_CITATION.search(cell.source[slice(*_sentence(ends, start))]))
                or _allowed(name, text, start, number),
                "exercise": _inside(exercises, start) and not _inside(answers, start),
                "estimate": _inside(time_lines, start),
            }
            found.fallback = next((how for how, holds in settings.items() if holds), None)
            found.how, found.source = _how(
                number,
                known,
                derived,
                in_code=_inside(code_shown, start),
                in_arithmetic=_inside(calculations, start),
                fallback=found.fallback,
            )
            results.append(found)
    return results


def _how(
    number: Number,
    known: Sources,
    derived: list[Number],
    *,
    in_code: bool,
    in_arithmetic: bool,
    fallback: str | None,
) -> tuple[str | None, str]:
    """How one number is traced, and the number it was traced to (HOW's order)."""
    printed_numbers = (("output", known.compared), ("output not compared", known.not_compared))
    for how, candidates in printed_numbers:
        printed = next((n for n in candidates if matches(number, n)), None)
        if printed is not None:
            return how, printed.text
    written = next((n for n in known.code if matches(number, n)), None)
    if written is not None or in_code:
        return "code", written.text if written is not None else "in backticks"
    if in_arithmetic or any(matches(number, n) for n in derived):
        return "arithmetic", ""
    return fallback, ""


def _context(text: str, start: int, number: Number) -> str:
    return " ".join(text[max(0, start - 60) : start + len(number.text) + 30].split())


def trace_notebook(path: str | Path) -> list[Found]:
    """Every number of a notebook file's prose, traced (``how`` None: not traced)."""
    path = Path(path)
    if path.suffix != ".ipynb":
        raise ValueError(f"path must be a .ipynb notebook, got {str(path)!r}")
    return trace(nbformat.read(path, as_version=4), path.stem)


def summary(results: list[Found]) -> dict[str, int]:
    """How many numbers were traced each way, and how many were not."""
    counts = dict.fromkeys([*HOW, "not traced"], 0)
    for found in results:
        counts[found.how or "not traced"] += 1
    return counts


def report(paths: list[Path]) -> tuple[str, list[Found]]:
    """A table of the counts per notebook, and the numbers not traced."""
    columns = [*HOW, "not traced"]
    lines = [f"{'notebook':<30}{'numbers':>8}" + "".join(f"{c[:11]:>12}" for c in columns)]
    missing = []
    for path in paths:
        results = trace_notebook(path)
        counts = summary(results)
        lines.append(
            f"{path.stem:<30}{len(results):>8}" + "".join(f"{counts[c]:>12}" for c in columns)
        )
        missing += [found for found in results if found.how is None]
    return "\n".join(lines), missing


def describe(found: Found) -> str:
    """One number, where it is, and the words around it."""
    return (
        f"{found.notebook}, cell {found.cell} ({found.cell_id}): {found.number.text!r}"
        f" in '... {found.context} ...'"
    )


def notebook_paths() -> list[Path]:
    """The lessons, then the demos."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted(NOTEBOOKS.glob("demo_*.ipynb"))


def main(argv: list[str]) -> int:
    table, missing = report([Path(arg) for arg in argv] or notebook_paths())
    print(table)
    for found in missing:
        print("not traced:", describe(found))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
