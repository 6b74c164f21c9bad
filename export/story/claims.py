"""Claims: the prose's qualitative sentences, checked against the baked numbers they describe.

A sentence such as "the uncertain step keeps far more tokens" is followed in the Markdown by
a comment on a line of its own:

    <!-- claim: topp.states[0.9,1].0.kept < topp.states[0.9,1].1.kept -->

The comment never reaches the page. After the figures are baked, the build evaluates it: on
a trained model a false claim fails the build naming file and line; on an untrained one (see
``export/figures/bake.py``'s model check) it is a warning, since random weights make no promise.

The expression is parsed here, never passed to ``eval``: references are the prose's paths
(``{{ PATH }}``, resolved by ``prose.resolve``), literals are numbers, ``true``, ``false`` and
``null``; ``+ - * /`` and parentheses combine them; a comparison (``< <= > >= == !=``) makes a
condition; ``and`` / ``or`` join conditions.
"""
import operator
import re

from export.story import prose
from export.errors import BuildError

CLAIM = re.compile(r"^<!--\s*claim:\s*(?P<expr>.*?)\s*-->[ \t]*$", re.MULTILINE)
TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?(?:e-?\d+)?)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\))
  | (?P<path>[A-Za-z_]\w*(?:\.\w+|\[[^\]]*\])*)
)""", re.VERBOSE)
COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
           "==": operator.eq, "!=": operator.ne}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
LITERALS = {"true": True, "false": False, "null": None}


def extract(path, text: str):
    """(text without claim comments, [(expression, "file:line")]); line numbers are kept."""
    claims = []

    def take(match):
        line = text.count("\n", 0, match.start()) + 1
        claims.append((match.group("expr"), f"{path}:{line}"))
        return ""
    return CLAIM.sub(take, text), claims


def evaluate(expr: str, data: dict, where: str) -> bool:
    """The truth of one claim over ``data`` (figure id -> baked data, plus ``model``)."""
    tokens, position = [], 0
    while position < len(expr):
        match = TOKEN.match(expr, position)
        if not match or match.end() == position:
            if not expr[position:].strip():
                break
            raise BuildError(f"{where}: claim {expr!r}: cannot read {expr[position:]!r}; write "
                             "paths, numbers, + - * /, comparisons, and, or")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    parser = _Parser(tokens, data, expr, where)
    value = parser.condition()
    if parser.i != len(tokens):
        raise BuildError(f"{where}: claim {expr!r}: unexpected {tokens[parser.i][1]!r}")
    return value


def check(claims, data: dict, strict: bool, warn) -> None:
    """Evaluate every claim; a false one raises (``strict``) or is passed to ``warn``."""
    for expr, where in claims:
        if not evaluate(expr, data, where):
            message = f"{where}: claim does not hold for this model: {expr} ({_values(expr, data, where)})"
            if strict:
                raise BuildError(message + "; fix the sentence or the claim")
            warn("warning: " + message)


def _values(expr, data, where):
    paths = [m.group("path") for m in TOKEN.finditer(expr)
             if m.lastgroup == "path" and m.group("path") not in LITERALS | {"and": 0, "or": 0}]
    return ", ".join(f"{p} = {prose.resolve(p, data, where)!r}" for p in dict.fromkeys(paths))


class _Parser:
    def __init__(self, tokens, data, expr, where):
        self.tokens, self.data, self.expr, self.where, self.i = tokens, data, expr, where, 0

    def _peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def _fail(self, what):
        raise BuildError(f"{self.where}: claim {self.expr!r}: {what}")

    def condition(self):
        value = self.comparison()
        while self._peek() in (("path", "and"), ("path", "or")):
            word = self.tokens[self.i][1]
            self.i += 1
            right = self.comparison()
            value = (value and right) if word == "and" else (value or right)
        return value

    def comparison(self):
        left = self.sum()
        kind, op = self._peek()
        if kind != "op" or op not in COMPARE:
            self._fail("a claim compares two values; write e.g. a.kept < b.kept")
        self.i += 1
        right = self.sum()
        if op not in ("==", "!=") and not all(isinstance(v, (int, float)) for v in (left, right)):
            self._fail(f"{left!r} {op} {right!r} compares values that are not numbers")
        return COMPARE[op](left, right)

    def sum(self, ops="+-"):
        value = self.product() if ops == "+-" else self.atom()
        while self._peek()[0] == "op" and self._peek()[1] in ops:
            op = self.tokens[self.i][1]
            self.i += 1
            right = self.product() if ops == "+-" else self.atom()
            try:
                value = ARITHMETIC[op](value, right)
            except (TypeError, ZeroDivisionError) as exc:
                self._fail(f"cannot compute {value!r} {op} {right!r} ({exc})")
        return value

    def product(self):
        return self.sum("*/")

    def atom(self):
        kind, text = self._peek()
        self.i += 1
        if kind == "number":
            return float(text)
        if kind == "op" and text == "(":
            value = self.sum()
            if self._peek() != ("op", ")"):
                self._fail("a '(' is not closed")
            self.i += 1
            return value
        if kind == "op" and text == "-":
            return -self.atom()
        if kind == "path":
            if text in LITERALS:
                return LITERALS[text]
            return prose.resolve(text, self.data, self.where)
        self._fail("expected a path, a number or '('" if kind else "ends too early")
