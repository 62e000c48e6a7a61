"""Inputs from outside material (see README.md beside this file), read from the files as shipped.

- `pathological(length)`: cmark's pathological cases, each regenerated as long as `length` allows,
  plus the cases of issue 7; name → body.
- `bleach_strings()`: every string literal of bleach's own sanitiser and linkifier tests, and the
  inputs of its data/*.test files.
"""

import ast
from pathlib import Path

HERE = Path(__file__).parent
CMARK_TESTS = HERE / "cmark" / "pathological_tests.py.txt"
BLEACH = HERE / "bleach"

# cmark's repeat counts are all ≥ 100; smaller numbers (hash sizes, range starts) stay as written.
_SMALLEST_REPEAT = 100


class _RepeatsToN(ast.NodeTransformer):
    def visit_Constant(self, node):
        if type(node.value) is int and node.value >= _SMALLEST_REPEAT:
            return ast.copy_location(ast.Name("n", ast.Load()), node)
        return node


def _cmark_cases() -> dict:
    """name → function of n (the repeat count) giving the input, from cmark's test dictionaries.

    The "reference collisions" case is a call of hash_collisions(), whose COUNT becomes n too.
    """
    module = ast.parse(CMARK_TESTS.read_text(encoding="utf-8"))
    functions = {}
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == "hash_collisions":
            node.args = ast.arguments(
                posonlyargs=[], args=[ast.arg("n")], kwonlyargs=[], kw_defaults=[], defaults=[]
            )
            for statement in node.body:
                if isinstance(statement, ast.Assign) and statement.targets[0].id == "COUNT":
                    statement.value = ast.Name("n", ast.Load())
            functions[node.name] = node
    cases = {}
    for node in module.body:
        if not (
            isinstance(node, ast.Assign)
            and node.targets[0].id in ("pathological", "pathological_cmark")
        ):
            continue
        for key, value in zip(node.value.keys, node.value.values, strict=True):
            if isinstance(value, ast.Call):  # hash_collisions(): (document, regex)
                expression = ast.Subscript(
                    ast.Call(
                        ast.Name("hash_collisions", ast.Load()), [ast.Name("n", ast.Load())], []
                    ),
                    ast.Constant(0),
                    ast.Load(),
                )
            else:
                expression = _RepeatsToN().visit(value.elts[0])
            tree = ast.Module(
                body=[
                    *functions.values(),
                    ast.Assign(
                        [ast.Name("make", ast.Store())],
                        ast.Lambda(
                            ast.arguments(
                                posonlyargs=[],
                                args=[ast.arg("n")],
                                kwonlyargs=[],
                                kw_defaults=[],
                                defaults=[],
                            ),
                            expression,
                        ),
                    ),
                ],
                type_ignores=[],
            )
            namespace = {"itertools": __import__("itertools"), "re": __import__("re")}
            exec(compile(ast.fix_missing_locations(tree), str(CMARK_TESTS), "exec"), namespace)
            cases[key.value] = namespace["make"]
    return cases


def _longest(make, length: int) -> str:
    """make(n) for the largest n whose input fits in length (every input grows with n, or is
    fixed)."""
    if make(1) == make(2):
        return make(1)
    low, high = 1, 2
    while len(make(high)) <= length:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if len(make(middle)) <= length:
            low = middle
        else:
            high = middle
    return make(low)


# Issue 7's own cases, and structures that make many elements per character.
ISSUE_CASES = {
    "issue 7: [ repeated": lambda n: "[" * n,
    "issue 7: * repeated": lambda n: "*" * n,
    "issue 7: ` repeated": lambda n: "`" * n,
    "issue 7: nested > ": lambda n: ">" * n + " a",
    "issue 7: nested lists": lambda n: "".join("  " * depth + "- a\n" for depth in range(n)),
    "issue 7: [a]( repeated": lambda n: "[a](" * n,
    "issue 7: < repeated": lambda n: "<" * n,
    "issue 7: <script repeated": lambda n: "<script>" * n,
    "many table rows": lambda n: "| a | b |\n|---|---|\n" + "|1|2|\n" * n,
    "many list items": lambda n: "- a\n" * n,
    "many paragraphs": lambda n: "a\n\n" * n,
    "many links": lambda n: "[a](https://x.pl) " * n,
    "many bare URLs": lambda n: "https://www.krakow.pl/ " * n,
}


def pathological(length: int) -> dict[str, str]:
    """name → body of at most length characters, for every case."""
    makers = {**_cmark_cases(), **ISSUE_CASES}
    return {name: _longest(make, length) for name, make in makers.items()}


def bleach_strings() -> list[str]:
    """Every string in bleach's tests (inputs, expected outputs, arguments alike): each is text
    someone chose to probe a sanitiser with."""
    strings = set()
    for name in ("test_clean.py.txt", "test_linkify.py.txt"):
        module = ast.parse((BLEACH / name).read_text(encoding="utf-8"))
        strings |= {
            node.value
            for node in ast.walk(module)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip()
        }
    for path in (BLEACH / "data").glob("*.test"):
        strings.add(path.read_text(encoding="utf-8").split("\n--\n")[0])
    return sorted(strings)
