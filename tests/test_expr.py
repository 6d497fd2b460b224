from __future__ import annotations

import functools

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adventure.core.expr import (
    Assign,
    Binary,
    Call,
    Env,
    Expr,
    ExprError,
    Lit,
    Names,
    Take,
    Unary,
    Var,
    check_condition,
    check_effect,
    evaluate,
    parse_effects,
    parse_expr,
    show,
)

NAMES = Names({"nectar": "number", "met": "truth value"}, frozenset({"chocolate"}), frozenset({"hall"}))


def env(**variables: int | bool) -> Env:
    values = {"nectar": 3, "met": False, **variables}
    return Env(
        values,
        has=lambda item: item == "chocolate",
        visits=lambda s: 2 if s == "hall" else 0,
        builtins={"ids": 4, "turn": 7},
    )


def value(source: str, **variables: int | bool) -> int | bool:
    expr = parse_expr(source)
    return evaluate(expr, env(**variables))


@pytest.mark.parametrize(
    "source, expected",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-nectar + 10", 7),
        ("nectar >= 3 and not met", True),
        ("met or nectar == 2", False),
        ("ids >= 3", True),
        ("turn - 7 == 0", True),
        ("has(chocolate)", True),
        ("visits(hall) == 2 and seen(hall)", True),
        ("min(nectar, 1) + max(2, nectar)", 4),
        ("not met == true", True),
    ],
)
def test_expressions_evaluate_like_arithmetic_and_logic(source: str, expected: int | bool) -> None:
    check_condition(parse_expr(f"({source}) == ({source})"), NAMES)
    assert value(source) == expected


def test_effects_parse_assignments_and_items() -> None:
    effects = parse_effects("nectar -= 1; take chocolate; met = true")
    assert isinstance(effects[0], Assign) and effects[0].op == "-="
    assert effects[1] == Take("chocolate", effects[1].pos)
    for effect in effects:
        check_effect(effect, NAMES)


@pytest.mark.parametrize(
    "source, message, offset",
    [
        ("nectar > ", "expected a value", 9),
        ("nectar = 3", "to compare, write '=='", 7),
        ("nectar && met", "use 'and'", 7),
        ("(nectar > 1", "')' to close", 11),
        ("1 < 2 < 3", "cannot be chained", 6),
        ("nectar 3", "unexpected '3'", 7),
    ],
)
def test_syntax_errors_point_at_the_character(source: str, message: str, offset: int) -> None:
    with pytest.raises(ExprError) as caught:
        parse_expr(source)
    assert message in caught.value.message
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    "source, message",
    [
        ("nectr > 1", "unknown variable 'nectr'; did you mean 'nectar'?"),
        ("has(choclate)", "unknown item 'choclate'; did you mean 'chocolate'?"),
        ("visits(hal) > 0", "unknown scene 'hal'"),
        ("nectar", "must be a truth value"),
        ("met + 1 > 0", "needs a number"),
        ("nectar == met", "compares a number with a truth value"),
        ("chocolate", "write has(chocolate)"),
        ("hall", "visits(hall)"),
        ("smell(chocolate)", "unknown function"),
    ],
)
def test_type_and_name_errors_are_specific(source: str, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        check_condition(parse_expr(source), NAMES)
    assert message in caught.value.message


@pytest.mark.parametrize(
    "source, message",
    [
        ("met += 1", "'+=' works on numbers"),
        ("nectar = true", "cannot be set to a truth value"),
        ("ids = 3", "cannot be set"),
        ("take sword", "unknown item 'sword'"),
        ("gold = 1", "declare it under 'vars'"),
    ],
)
def test_bad_effects_are_refused(source: str, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        for effect in parse_effects(source):
            check_effect(effect, NAMES)
    assert message in caught.value.message


def test_show_writes_source_back() -> None:
    source = "(nectar + 1) * 2 > 3 and not has(chocolate)"
    assert show(parse_expr(source)) == source


# ---------------------------------------------------------------- show, then parse: the same tree

WORDS = {"and", "or", "not", "true", "false"}  # the language's own words: never a name
NAME = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(lambda name: name not in WORDS)
NAMED = NAME.map(Var).map(lambda var: (var,))


@functools.cache
def typed(kind: str, depth: int) -> st.SearchStrategy[Expr]:
    """Well-typed trees of `kind` ("number" or "truth"), as a story's checked conditions are, up to `depth`."""
    if kind == "number":
        # A number is written without a sign: `-3` is read as -(3), and so the minus is a Unary.
        leaves = st.one_of(st.integers(min_value=0, max_value=10**6).map(Lit), NAME.map(Var))
    else:
        leaves = st.one_of(st.booleans().map(Lit), NAME.map(Var))
    if depth == 0:
        return leaves
    number, truth = typed("number", depth - 1), typed("truth", depth - 1)
    if kind == "number":
        return st.one_of(
            leaves,
            st.builds(Unary, st.just("-"), number),
            st.builds(Binary, st.sampled_from(["+", "-", "*"]), number, number),
            st.builds(Call, st.sampled_from(["min", "max"]), st.tuples(number, number)),
            st.builds(Call, st.just("visits"), NAMED),
        )
    return st.one_of(
        leaves,
        st.builds(Unary, st.just("not"), truth),
        st.builds(Binary, st.sampled_from(["and", "or", "==", "!="]), truth, truth),
        st.builds(Binary, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), number, number),
        st.builds(Call, st.sampled_from(["has", "seen"]), NAMED),
    )


def shape(expr: Expr) -> tuple[object, ...]:
    """The tree without source positions; a truth value and a number stay apart (True == 1 in Python)."""
    if isinstance(expr, Lit):
        return ("lit", type(expr.value).__name__, expr.value)
    if isinstance(expr, Var):
        return ("var", expr.name)
    if isinstance(expr, Call):
        return ("call", expr.func, tuple(shape(arg) for arg in expr.args))
    if isinstance(expr, Unary):
        return ("unary", expr.op, shape(expr.operand))
    return ("binary", expr.op, shape(expr.left), shape(expr.right))


@given(st.one_of(typed("truth", 5), typed("number", 5)))
@example(Binary("-", Var("a"), Binary("-", Var("b"), Var("c"))))  # a - (b - c), not a - b - c
@example(Binary("-", Var("a"), Binary("+", Var("b"), Var("c"))))
@example(Binary("*", Var("a"), Binary("*", Var("b"), Var("c"))))
@example(Binary("and", Var("a"), Binary("and", Var("b"), Var("c"))))
@example(Binary("==", Binary("<", Var("a"), Var("b")), Var("c")))  # (a < b) == c: comparisons never chain
@example(Binary("==", Unary("not", Var("a")), Lit(True)))  # (not a) == true, not not (a == true)
@example(Unary("-", Binary("-", Var("a"), Var("b"))))
def test_show_writes_a_condition_that_parses_back_to_the_same_tree(tree: Expr) -> None:
    # Lint messages and graphs quote conditions through show: a lost parenthesis changes what they say.
    written = show(tree)
    assert shape(parse_expr(written)) == shape(tree), written


def test_show_keeps_the_parentheses_of_a_not_under_a_minus() -> None:
    # Ill-typed (a minus of a truth value), so no checked story can hold it; but show says any tree
    # comes back whole, and this one does not.
    tree = Binary("==", Unary("-", Unary("not", Var("a"))), Lit(0))
    assert shape(parse_expr(show(tree))) == shape(tree)


@given(st.text(alphabet="abn0123456789 ()+-*<>=!&|,;_hasvit", max_size=30))
def test_any_input_parses_or_fails_with_expr_error(source: str) -> None:
    try:
        check_condition(parse_expr(source), NAMES)
    except ExprError as error:
        assert 0 <= error.offset <= len(source)
