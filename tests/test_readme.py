"""Every command and the Python example of README.md, run as a newcomer would run them.

The README's fenced blocks are read in order, in a scratch folder holding a copy of
``examples/``:

* ``rewardsim ...`` lines run in-process (typer's CliRunner) and must exit 0 and write
  their ``--out``;
* ``pip install ...`` and ``python -m pytest ...`` are what CI runs (``.ci/run``), which
  this test checks instead of installing or recursing;
* the Python block runs statement by statement; where a line ends with a comment that is
  a Python literal (``# (1000, 2689)``) or the value's repr, the value must equal it.

Any other command fails the test, so a README line cannot go untested.
"""

from __future__ import annotations

import ast
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def _blocks(lang: str) -> list[str]:
    return [body for kind, body in BLOCK.findall(README.read_text()) if kind == lang]


def _commands() -> list[list[str]]:
    out = []
    for body in _blocks("bash"):
        for line in body.splitlines():
            argv = shlex.split(line, comments=True)
            while argv:
                cut = argv.index("&&") if "&&" in argv else len(argv)
                out.append(argv[:cut])
                argv = argv[cut + 1 :]
    return out


def test_readme_has_commands_and_an_example():
    names = [c[0] for c in _commands()]
    assert names.count("rewardsim") >= 10 and "pip" in names
    assert len(_blocks("python")) == 1


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("newcomer")
    shutil.copytree(ROOT / "examples", root / "examples")
    return root


@pytest.mark.slow
def test_every_readme_command_runs(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    ci = (ROOT / ".ci" / "run").read_text()
    runner = CliRunner()
    ran = []
    for argv in _commands():
        if argv[:2] == ["pip", "install"]:
            # CI installs the package with its test extra, a superset of `pip install -e .`.
            assert argv[2:] in (["-e", "."], ["-e", ".[test]"]), argv
            assert 'pip install -q -e ".[test]"' in ci
        elif argv[:3] == ["python", "-m", "pytest"]:
            assert shlex.join(argv) in ci, f"{shlex.join(argv)} is not what .ci/run runs"
        elif argv[0] == "rewardsim":
            result = runner.invoke(app, argv[1:])
            assert result.exit_code == 0, f"{shlex.join(argv)}\n{result.output}"
            if "--out" in argv:
                assert Path(argv[argv.index("--out") + 1]).exists(), shlex.join(argv)
            ran.append(argv[1] if len(argv) > 1 else "")
        else:
            pytest.fail(f"README command not covered by this test: {shlex.join(argv)}")
    assert {"trial", "report", "simulate", "words", "endpoints", "query", "models"} <= set(ran)
    # The query example averages the urines provided (missed urines are null, not NaN).
    result = runner.invoke(app, ["query", "RUN/", "select arm, avg(urine_positive) as p "
                                 "from visits group by arm order by arm"])  # fmt: skip
    lines = result.output.splitlines()
    assert lines[0] == "arm,p" and [x.split(",")[0] for x in lines[1:]] == ["baclofen", "placebo"]
    assert all(0.0 <= float(x.split(",")[1]) <= 1.0 for x in lines[1:])


@pytest.mark.slow
def test_readme_python_example(workdir, monkeypatch):
    # Runs after the commands above (same module, file order): RUN/ exists.
    monkeypatch.chdir(workdir)
    assert (workdir / "RUN" / "manifest.json").is_file()
    source = _blocks("python")[0]
    namespace: dict[str, object] = {}
    checked = 0
    for node in ast.parse(source).body:
        code = ast.get_source_segment(source, node)
        line = source.splitlines()[node.end_lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        if isinstance(node, ast.Expr):
            value = eval(compile(ast.Expression(node.value), "README", "eval"), namespace)
            try:
                expected = ast.literal_eval(comment)
            except (ValueError, SyntaxError):
                expected = None
            if expected is not None:
                assert value == expected, f"{code}: {value!r} != {comment}"
                checked += 1
            elif comment.startswith(type(value).__name__ + "("):
                assert repr(value) == comment, f"{code}: {value!r}"
                checked += 1
        else:
            exec(compile(ast.Module([node], []), "README", "exec"), namespace)
    assert checked >= 3  # shape, unit, repr
