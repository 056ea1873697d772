"""A property of the compiled kernels' source that no fit would show: what they cost to compile.

An assignment of an array to a slice (``a[k, :] = b[k + 1, :]``) makes Numba compile, into every
caller, the formatted text of its shape-mismatch error (``raise_with_shape_context``: str, repr and
string concatenation): about 1.4 s of a cold first fit (``bench/compile_time.py``: 15.7 against
14.3 s for the sparse and Gram layouts). The kernels copy with loops; assigning a constant
(``known[:] = False``) compiles no such text.
"""

import ast
from pathlib import Path

import fastreg

KERNELS = sorted((Path(fastreg.__file__).parent / "_kernels").glob("*.py"))


def array_slice_assignments(source):
    """Line numbers of the assignments to a slice whose value is not a constant."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AugAssign):
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, ast.Constant):
            continue
        for target in targets:
            if not isinstance(target, ast.Subscript):
                continue
            index = target.slice
            parts = index.elts if isinstance(index, ast.Tuple) else [index]
            if any(isinstance(part, ast.Slice) for part in parts):
                lines.append(node.lineno)
    return lines


def test_detector_finds_array_slice_assignments():
    source = ("a[k, :] = b[k + 1, :]\n"
              "a[:m] += b\n"
              "known[:] = False\n"
              "a[k, i] = b[k + 1, i]\n"
              "c[:] = 0.0\n")
    assert array_slice_assignments(source) == [1, 2]


def test_kernels_assign_no_array_to_a_slice():
    found = {path.name: array_slice_assignments(path.read_text()) for path in KERNELS}
    assert len(found) >= 4  # cd, gram, ridge, dropout
    assert {name: lines for name, lines in found.items() if lines} == {}
