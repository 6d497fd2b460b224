"""The condition and effect language: parsed once into a typed tree, then interpreted.

Story text is never handed to `eval`: a small Pratt parser builds the tree, a checker resolves
names and types against the story's declarations at load time, and the evaluator walks the tree
against a game state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Protocol

import attrs

Value = int | bool
INT = "number"
BOOL = "truth value"

# Numbers are 64-bit signed, as in most languages: no story value can grow past what a save, a
# screen or another program holds. A literal outside this is refused when the story loads; an effect
# whose result would leave it is refused when the player takes the choice (see engine.OutOfRange).
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def fits(value: int) -> bool:
    """Whether a number is within the story's range, INT_MIN to INT_MAX."""
    return INT_MIN <= value <= INT_MAX


class ExprError(Exception):
    """A mistake in an expression, at a 0-based offset inside its source."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# ---------------------------------------------------------------- tree


@attrs.frozen
class Lit:
    value: Value
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class Var:
    name: str
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class Call:
    func: str
    args: tuple[Expr, ...]
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class Unary:
    op: str
    operand: Expr
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class Binary:
    op: str
    left: Expr
    right: Expr
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


Expr = Lit | Var | Call | Unary | Binary


@attrs.frozen
class Assign:
    """`name = expr`, `name += expr`, `name -= expr`."""

    name: str
    op: str
    value: Expr
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means
    # Where it was written in its file (1-based; 0 when unknown), set by the loader for messages.
    line: int = attrs.field(default=0, eq=False)
    column: int = attrs.field(default=0, eq=False)


@attrs.frozen
class Take:
    item: str
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class Drop:
    item: str
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


@attrs.frozen
class If:
    """`if: condition` with `do:` and `else:` effects inside a list of effects."""

    condition: Expr
    then: tuple[Effect, ...]
    otherwise: tuple[Effect, ...] = ()
    pos: int = attrs.field(default=0, eq=False)  # where it was written; not part of what it means


Leaf = Assign | Take | Drop  # what one line of 'do' can say
Effect = Leaf | If


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of an expression tree, the root first."""
    yield expr
    if isinstance(expr, Binary):
        yield from walk(expr.left)
        yield from walk(expr.right)
    elif isinstance(expr, Unary):
        yield from walk(expr.operand)
    elif isinstance(expr, Call):
        for arg in expr.args:
            yield from walk(arg)


def leaves(effects: Iterable[Effect]) -> Iterator[Leaf]:
    """Every assignment, take and drop in `effects`, those under an `if` included, in order."""
    for effect in effects:
        if isinstance(effect, If):
            yield from leaves(effect.then)
            yield from leaves(effect.otherwise)
        else:
            yield effect


def tests(effects: Iterable[Effect]) -> Iterator[Expr]:
    """The condition of every `if` in `effects`, nested ones included."""
    for effect in effects:
        if isinstance(effect, If):
            yield effect.condition
            yield from tests(effect.then)
            yield from tests(effect.otherwise)


def guarded(effects: Iterable[Effect]) -> frozenset[str]:
    """The variables some `if` in `effects` may or may not set."""
    return frozenset(
        leaf.name
        for effect in effects
        if isinstance(effect, If)
        for leaf in leaves((effect,))
        if isinstance(leaf, Assign)
    )


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\+=|-=|==|!=|<=|>=|[-+*/%<>=(),;]))"
)
_KEYWORDS = {"and", "or", "not", "true", "false"}


@attrs.frozen
class Token:
    kind: str  # num, name, op, end
    text: str
    pos: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while True:
        while pos < len(source) and source[pos].isspace():
            pos += 1
        if pos >= len(source):
            tokens.append(Token("end", "", pos))
            return tokens
        match = _TOKEN.match(source, pos)
        if not match:
            char = source[pos]
            hint = " (use 'and', 'or', 'not')" if char in "&|!" else ""
            raise ExprError(f"unexpected character {char!r}{hint}", pos)
        kind = match.lastgroup or "op"
        start = match.start(kind)
        tokens.append(Token(kind, match.group(kind), start))
        pos = match.end()


# ---------------------------------------------------------------- parser

_BINARY_POWER = {
    "or": 1,
    "and": 2,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_COMPARISONS = COMPARISONS
_NOT_POWER = 3  # `not` binds tighter than `and`, looser than comparisons
MAX_DEPTH = 100  # nesting deeper than this is refused, so no story can exhaust the stack
# Operators (`+`, `not`, `-a`, ...) and calls in one expression. Every walk over a tree (checking,
# evaluating, showing, the checker's analyses) recurses at most this deep, and no value computed
# from numbers within the 64-bit range can get too long to show: (2**63) ** 101 has 1,916 digits.
MAX_OPERATORS = 100


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        self.depth = 0
        self.operators = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        tok = self.tokens[self.index]
        self.index += 1
        return tok

    def expect(self, text: str, what: str) -> Token:
        if self.tok.text != text or self.tok.kind == "end":
            raise ExprError(f"expected {what}, found {self.describe(self.tok)}", self.tok.pos)
        return self.advance()

    def operator(self, tok: Token) -> None:
        """Count one more operator or call, refusing one too many at its place."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise ExprError(
                f"the expression has too many operators ({MAX_OPERATORS} at most); "
                "split it, keeping a part in a variable",
                tok.pos,
            )

    @staticmethod
    def describe(tok: Token) -> str:
        return "the end of the expression" if tok.kind == "end" else repr(tok.text)

    def expr(self, min_power: int = 0) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"the expression is nested too deeply ({MAX_DEPTH} levels at most)", self.tok.pos)
        try:
            return self._expr(min_power)
        finally:
            self.depth -= 1

    def _expr(self, min_power: int) -> Expr:
        left = self.prefix()
        compared = False  # a comparison was made at this level: `a < b < c` is refused
        while True:
            tok = self.tok
            op = tok.text if tok.kind in ("op", "name") else ""
            power = _BINARY_POWER.get(op)
            if power is None or power <= min_power:
                if tok.kind == "op" and tok.text == "=":
                    after = self.tokens[self.index + 1]
                    if after.text in ("<", ">") and after.pos == tok.pos + 1:
                        raise ExprError(f"'={after.text}' is not an operator; write '{after.text}='", tok.pos)
                    raise ExprError("'=' sets a variable; to compare, write '=='", tok.pos)
                return left
            self.operator(tok)
            self.advance()
            right = self.expr(power)
            if op in _COMPARISONS and compared:
                raise ExprError("comparisons cannot be chained; join them with 'and'", tok.pos)
            compared = op in _COMPARISONS
            left = Binary(op, left, right, tok.pos)

    def prefix(self) -> Expr:
        tok = self.advance()
        if tok.kind == "num":
            return Lit(_number(tok), tok.pos)
        if tok.kind == "name":
            if tok.text in ("true", "false"):
                return Lit(tok.text == "true", tok.pos)
            if tok.text == "not":
                self.operator(tok)
                return Unary("not", self.expr(_NOT_POWER), tok.pos)
            if tok.text in _KEYWORDS:
                raise ExprError(f"expected a value before {tok.text!r}", tok.pos)
            if self.tok.text == "(":
                return self.call(tok)
            return Var(tok.text, tok.pos)
        if tok.text == "-":
            self.operator(tok)
            return Unary("-", self.expr(6), tok.pos)
        if tok.text == "(":
            inner = self.expr()
            self.expect(")", "')' to close '('")
            return inner
        raise ExprError(f"expected a value, found {self.describe(tok)}", tok.pos)

    def call(self, name: Token) -> Call:
        self.operator(name)
        self.advance()  # (
        args: list[Expr] = []
        if self.tok.text != ")":
            args.append(self.expr())
            while self.tok.text == ",":
                self.advance()
                args.append(self.expr())
        self.expect(")", f"')' to close the call to {name.text}")
        return Call(name.text, tuple(args), name.pos)

    def finish(self) -> None:
        if self.tok.kind != "end":
            raise ExprError(f"unexpected {self.describe(self.tok)} after a complete expression", self.tok.pos)

    def effect(self) -> Leaf:
        first = self.tok
        if first.kind != "name" or first.text in _KEYWORDS:
            raise ExprError(
                f"expected an effect ('name = value', 'name += n', 'take item', 'drop item'), "
                f"found {self.describe(first)}",
                first.pos,
            )
        self.advance()
        if first.text in ("take", "drop") and self.tok.kind == "name":
            item = self.advance()
            return (Take if first.text == "take" else Drop)(item.text, item.pos)
        op = self.tok
        if op.text not in ("=", "+=", "-="):
            raise ExprError(f"expected '=', '+=' or '-=' after {first.text!r}, found {self.describe(op)}", op.pos)
        self.advance()
        if op.text == "=" and self.tok.text in ("<", ">") and self.tok.pos == op.pos + 1:
            raise ExprError(f"'={self.tok.text}' is not an operator; to compare, write '{self.tok.text}='", op.pos)
        if op.text == "=" and self.tok.text == "+" and self.tok.pos == op.pos + 1:
            raise ExprError(f"'=+' is not an operator; to add, write '{first.text} += ...'", op.pos)
        self.operators = 0  # each effect's value is an expression of its own
        return Assign(first.text, op.text, self.expr(), first.pos)


def _number(tok: Token) -> int:
    """A literal's value; one past the 64-bit range is refused before int() reads it all."""
    digits = tok.text.lstrip("0") or "0"
    if len(digits) > len(str(INT_MAX)) or int(digits) > INT_MAX:
        shown = digits if len(digits) <= 30 else f"{digits[:12]}...{digits[-6:]} ({len(digits)} digits)"
        raise ExprError(f"the number {shown} is too large: numbers go up to {INT_MAX:,}", tok.pos)
    return int(digits)


def parse_expr(source: str) -> Expr:
    """Parse a condition or a value; raise ExprError pointing into `source`."""
    parser = _Parser(source)
    if parser.tok.kind == "end":
        raise ExprError("expected an expression, found nothing", 0)
    tree = parser.expr()
    parser.finish()
    return tree


def parse_effects(source: str) -> tuple[Leaf, ...]:
    """Parse one or more effects separated by ';'."""
    parser = _Parser(source)
    effects = [parser.effect()]
    while parser.tok.text == ";":
        parser.advance()
        if parser.tok.kind == "end":
            break
        effects.append(parser.effect())
    parser.finish()
    return tuple(effects)


# ---------------------------------------------------------------- checking


@attrs.frozen
class Names:
    """What an expression may refer to, and the type of each variable."""

    variables: Mapping[str, str]  # name -> INT or BOOL
    items: frozenset[str]
    scenes: frozenset[str]
    dice: bool = False  # whether random() and chance() may be used: only where a move happens

    @classmethod
    def of(cls, defaults: Mapping[str, Value], items: Iterable[str], scenes: Iterable[str]) -> Names:
        """Names from declarations: a variable's type is the type of its starting value."""
        types = {name: BOOL if isinstance(value, bool) else INT for name, value in defaults.items()}
        return cls(types, frozenset(items), frozenset(scenes))


BUILTINS = {"ids": INT, "turn": INT}
_FUNCTIONS: dict[str, tuple[str, str]] = {
    # name -> (kind of argument, result type)
    "has": ("item", BOOL),
    "visits": ("scene", INT),
    "seen": ("scene", BOOL),
    "min": ("number", INT),
    "max": ("number", INT),
    "random": ("number", INT),  # random(low, high): a whole number from low to high, both included
    "chance": ("number", BOOL),  # chance(percent): true that often
}
DICE = frozenset({"random", "chance"})


def suggest(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' tail for an unknown name, or nothing."""
    import difflib  # only a story or a command with a mistake in it pays for it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def type_of(expr: Expr, names: Names) -> str:
    """The type of `expr`, checking every name and operator on the way."""
    if isinstance(expr, Lit):
        return BOOL if isinstance(expr.value, bool) else INT
    if isinstance(expr, Var):
        if expr.name in names.variables:
            return names.variables[expr.name]
        if expr.name in BUILTINS:
            return BUILTINS[expr.name]
        if expr.name in names.items:
            raise ExprError(f"{expr.name!r} is an item; to test for it write has({expr.name})", expr.pos)
        if expr.name in names.scenes:
            raise ExprError(f"{expr.name!r} is a scene; write visits({expr.name}) or seen({expr.name})", expr.pos)
        known = list(names.variables) + list(BUILTINS)
        raise ExprError(
            f"unknown variable {expr.name!r}{suggest(expr.name, known)} (declare it under 'vars' in story.yaml)",
            expr.pos,
        )
    if isinstance(expr, Call):
        return _type_of_call(expr, names)
    if isinstance(expr, Unary):
        want = BOOL if expr.op == "not" else INT
        _require(expr.operand, want, names, f"'{expr.op}'")
        return want
    if expr.op in ("and", "or"):
        _require(expr.left, BOOL, names, f"'{expr.op}'")
        _require(expr.right, BOOL, names, f"'{expr.op}'")
        return BOOL
    if expr.op in ("==", "!="):
        left = type_of(expr.left, names)
        right = type_of(expr.right, names)
        if left != right:
            raise ExprError(f"'{expr.op}' compares a {left} with a {right}", expr.pos)
        return BOOL
    _require(expr.left, INT, names, f"'{expr.op}'")
    _require(expr.right, INT, names, f"'{expr.op}'")
    if expr.op in ("/", "%") and isinstance(expr.right, Lit) and expr.right.value == 0:
        raise ExprError(f"'{expr.op} 0' divides by zero", expr.right.pos)
    return BOOL if expr.op in _COMPARISONS else INT


def _require(expr: Expr, want: str, names: Names, context: str) -> None:
    got = type_of(expr, names)
    if got != want:
        raise ExprError(f"{context} needs a {want}, but this is a {got}", _start(expr))


def _start(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return _start(expr.left)
    return expr.pos


def _type_of_call(call: Call, names: Names) -> str:
    if call.func not in _FUNCTIONS:
        raise ExprError(f"unknown function {call.func!r}{suggest(call.func, _FUNCTIONS)}", call.pos)
    kind, result = _FUNCTIONS[call.func]
    if call.func in DICE and not names.dice:
        raise ExprError(
            f"{call.func}() rolls dice, which happens only when a move is made: use it in 'do' (or an 'if' "
            "there), in 'on_enter', 'every_turn' or a 'branch' condition, and keep the result in a variable",
            call.pos,
        )
    arity = 1 if kind != "number" or call.func == "chance" else 2
    if len(call.args) != arity:
        raise ExprError(
            f"{call.func}() takes {arity} argument{'s' if arity > 1 else ''}, got {len(call.args)}", call.pos
        )
    for arg in call.args:
        if kind == "number":
            _require(arg, INT, names, f"{call.func}()")
            continue
        pool = names.items if kind == "item" else names.scenes
        if not isinstance(arg, Var):
            raise ExprError(f"{call.func}() takes the id of a {kind}", _start(arg))
        if arg.name not in pool:
            raise ExprError(f"unknown {kind} {arg.name!r}{suggest(arg.name, pool)}", arg.pos)
    return result


def check_condition(expr: Expr, names: Names) -> None:
    got = type_of(expr, names)
    if got != BOOL:
        raise ExprError(f"a condition must be a truth value, but this is a {got} (compare it, e.g. '> 0')", 0)


def check_effect(effect: Leaf, names: Names) -> None:
    if isinstance(effect, (Take, Drop)):
        if effect.item not in names.items:
            raise ExprError(f"unknown item {effect.item!r}{suggest(effect.item, names.items)}", effect.pos)
        return
    if effect.name not in names.variables:
        if effect.name in BUILTINS:
            raise ExprError(f"{effect.name!r} is counted by the engine and cannot be set", effect.pos)
        raise ExprError(
            f"unknown variable {effect.name!r}{suggest(effect.name, names.variables)} "
            "(declare it under 'vars' in story.yaml)",
            effect.pos,
        )
    declared = names.variables[effect.name]
    got = type_of(effect.value, names)
    if effect.op != "=" and declared != INT:
        raise ExprError(f"{effect.name!r} is a {declared}; '{effect.op}' works on numbers", effect.pos)
    if got != declared:
        raise ExprError(f"{effect.name!r} is a {declared}, cannot be set to a {got}", _start(effect.value))


# ---------------------------------------------------------------- evaluation


class Dice(Protocol):
    """Where random() and chance() get their outcomes: seeded in play, every outcome in the checker."""

    def roll(self, low: int, high: int) -> int: ...

    def chance(self, percent: int) -> bool: ...


class Undefined(Exception):
    """An expression has no value: a division by zero. The engine refuses the move that needs it."""


class Env:
    """What evaluation reads: a view of the game state, built by the engine."""

    __slots__ = ("builtins", "dice", "has", "variables", "visits")

    def __init__(
        self,
        variables: Mapping[str, Value],
        has: Callable[[str], bool],
        visits: Callable[[str], int],
        builtins: Mapping[str, int],
        dice: Dice | None = None,
    ) -> None:
        self.variables = variables
        self.has = has
        self.visits = visits
        self.builtins = builtins
        self.dice = dice


def evaluate(expr: Expr, env: Env) -> Value:
    """Evaluate a checked expression; type errors were ruled out at load time."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Var):
        value = env.variables.get(expr.name)
        return env.builtins[expr.name] if value is None else value
    if isinstance(expr, Binary):
        op = expr.op
        if op == "and":
            return bool(evaluate(expr.left, env)) and bool(evaluate(expr.right, env))
        if op == "or":
            return bool(evaluate(expr.left, env)) or bool(evaluate(expr.right, env))
        return _BINARY[op](evaluate(expr.left, env), evaluate(expr.right, env))
    if isinstance(expr, Unary):
        value = evaluate(expr.operand, env)
        return (not value) if expr.op == "not" else -int(value)
    func = expr.func
    if func == "has":
        return env.has(expr.args[0].name)  # type: ignore[union-attr]
    if func == "visits":
        return env.visits(expr.args[0].name)  # type: ignore[union-attr]
    if func == "seen":
        return env.visits(expr.args[0].name) > 0  # type: ignore[union-attr]
    values = [int(evaluate(arg, env)) for arg in expr.args]
    if func in DICE:
        if env.dice is None:  # checked at load time: dice are only rolled where a move is made
            raise Undefined(f"{func}() was used where no move is made")
        if func == "chance":
            return env.dice.chance(values[0])
        return env.dice.roll(min(values), max(values))
    return min(values) if func == "min" else max(values)


def _divide(a: Value, b: Value) -> int:
    if b == 0:
        raise Undefined("a division by zero")
    return int(a) // int(b)


def _modulo(a: Value, b: Value) -> int:
    if b == 0:
        raise Undefined("a remainder of a division by zero")
    return int(a) % int(b)


_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _divide,
    "%": _modulo,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def show(expr: Expr) -> str:
    """Write a tree back as source, for graphs and messages: `parse_expr(show(e))` gives `e` again."""
    if isinstance(expr, Lit):
        return str(expr.value).lower() if isinstance(expr.value, bool) else str(expr.value)
    if isinstance(expr, Var):
        return expr.name
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(show(a) for a in expr.args)})"
    if isinstance(expr, Unary):
        inner = show(expr.operand)
        # `-not a == 0` reads back as `-(not (a == 0))`: a `not` under a minus keeps its parentheses.
        low = isinstance(expr.operand, Binary) or (
            expr.op == "-" and isinstance(expr.operand, Unary) and expr.operand.op == "not"
        )
        inner = f"({inner})" if low else inner
        return f"not {inner}" if expr.op == "not" else f"-{inner}"
    power = _BINARY_POWER[expr.op]
    # Operators group to the left, so a right operand of equal power needs parentheses
    # (`a - (b - c)`); comparisons do not chain, so neither side of one may be a comparison.
    left = _operand(expr.left, power, power in _CHAINLESS)
    right = _operand(expr.right, power, True)
    return f"{left} {expr.op} {right}"


_CHAINLESS = {_BINARY_POWER[op] for op in _COMPARISONS}


def _operand(side: Expr, power: int, equal_needs_parentheses: bool) -> str:
    text = show(side)
    if isinstance(side, Binary):
        inner = _BINARY_POWER[side.op]
        if inner < power or (inner == power and equal_needs_parentheses):
            return f"({text})"
    elif isinstance(side, Unary) and side.op == "not" and power > _NOT_POWER:
        return f"({text})"  # `not a == b` reads as `not (a == b)`
    return text


# Every word the expression language gives a meaning to: no variable may take one of them.
RESERVED = frozenset(_KEYWORDS | {"take", "drop"} | set(BUILTINS) | set(_FUNCTIONS))
