"""Fuzz the command line with a few hundred generated bad inputs (issue 15).

Every case is garbage by construction: a data set with a bad cell or a broken structure,
a bad option, a design file with a wrong type or value, SQL that is junk or reaches
outside the run, a corrupted run folder, a malformed words file. Each must end in a clean
refusal: exit code 2, one line ``SomethingError: message``, no traceback, and no file
written or changed (no output, no temporary file, inputs untouched). The cases are drawn
from a fixed seed, so a failure is reproducible; the assertion lists every case that
failed and tallies the error types of the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = (ROOT / "examples" / "baclofen-cocaine.toml").read_text()
RNG = np.random.default_rng(20240615)
_ERROR_LINE = re.compile(r"^[A-Z][A-Za-z]*Error: \S")


@dataclass
class Case:
    """``make(folder)`` writes the case's inputs into ``folder`` and returns the args."""

    name: str
    make: Callable[[Path], list[str]]


# ---------------------------------------------------------------- data sets (simulate)
HEADER = ["ID", "TIME", "EVID", "AMT", "CMT", "RATE", "ADDL", "II", "SS"]
ROWS = [  # subject 1: a dose then an observation; subject 2: a dose with ADDL
    ["1", "0", "1", "20", "1", "0", "0", "0", "0"],
    ["1", "1", "0", "0", "0", "0", "0", "0", "0"],
    ["2", "0", "1", "10", "2", "0", "2", "12", "0"],
]
DOSE_ROWS = (0, 2)
# Values that are wrong in a column (on a dose row for the dose-only columns).
BAD_CELLS: dict[str, list[str]] = {
    "ID": ["abc", "", "1.5", "9223372036854775808", "-1e30", "inf", "nan", "1e400"],
    "TIME": ["abc", "", "inf", "-inf", "nan", "1e400", "2020-01-01"],
    "EVID": ["5", "-1", "1.5", "x", "inf", "2.0000001"],
    "AMT": ["-5", "abc", "inf", "", "-inf"],
    "CMT": ["9", "-1", "1.5", "NOPE", "inf", "3"],
    "RATE": ["-5", "-1", "-2", "abc", "inf"],
    "ADDL": ["-1", "1.5", "abc", "inf", "1e12"],
    "II": ["-1", "abc", "inf"],
    "SS": ["2", "3", "-1", "0.5", "x"],
}
DOSE_ONLY = {"AMT", "RATE", "ADDL", "II", "SS", "CMT"}


def _write_rows(folder: Path, header: list[str], rows: list[list[str]], name="d.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _simulate(path: Path, model: str = "pk1cmt", *extra: str) -> list[str]:
    return ["simulate", model, "--data", str(path), "--times", "0:4:1", *extra,
            "--out", str(path.parent / "o.parquet")]  # fmt: skip


def _cell_case(col: str, value: str, row: int) -> Case:
    def make(folder: Path) -> list[str]:
        rows = [list(r) for r in ROWS]
        rows[row][HEADER.index(col)] = value
        return _simulate(_write_rows(folder, HEADER, rows))

    return Case(f"cell-{col}-{value}-r{row}", make)


def _structure_cases() -> list[Case]:
    def ragged(extra: int, row: int) -> Case:
        def make(folder: Path) -> list[str]:
            rows = [list(r) for r in ROWS]
            rows[row] = rows[row] + ["7"] * extra if extra > 0 else rows[row][:extra]
            return _simulate(_write_rows(folder, HEADER, rows))

        return Case(f"ragged{extra:+d}-r{row}", make)

    def text(name: str, content: bytes, suffix: str = ".csv") -> Case:
        def make(folder: Path) -> list[str]:
            path = folder / f"d{suffix}"
            path.write_bytes(content)
            return _simulate(path)

        return Case(f"file-{name}", make)

    def frame(name: str, build: Callable[[], pd.DataFrame | pa.Table],
              model: str = "pk1cmt") -> Case:
        def make(folder: Path) -> list[str]:
            path = folder / "d.parquet"
            table = build()
            if isinstance(table, pd.DataFrame):
                table = pa.Table.from_pandas(table, preserve_index=False)
            pq.write_table(table, path)
            return _simulate(path, model)

        return Case(f"parquet-{name}", make)

    def columns(name: str, header: list[str], rows: list[list[str]], model="pk1cmt") -> Case:
        return Case(f"cols-{name}", lambda f: _simulate(_write_rows(f, header, rows), model))

    base = pd.DataFrame([[float(x) for x in r] for r in ROWS], columns=HEADER)
    cases = [ragged(e, r) for e in (1, 2, -1, -3) for r in range(3)]
    cases += [
        text("empty", b""), text("header-only", b"ID,TIME,AMT\n"),
        text("binary", bytes(RNG.integers(0, 256, 300, dtype=np.uint8))),
        text("not-utf8", b"ID,TIME,AMT\n1,0,\xff\xfe\n"),
        text("unclosed-quote", b'ID,TIME,AMT\n1,"0,20\n'),
        text("garbage-parquet", b"PAR1 not really", ".parquet"),
        text("unknown-suffix", b"ID,TIME\n1,0\n", ".xlsx"),
        columns("dup-AMT", HEADER + ["AMT"], [r + ["5"] for r in ROWS]),
        columns("dup-case", HEADER + ["time"], [r + ["0"] for r in ROWS]),
        columns("no-ID", HEADER[1:], [r[1:] for r in ROWS]),
        columns("no-TIME", [HEADER[0]] + HEADER[2:], [[r[0]] + r[2:] for r in ROWS]),
        columns("time-decreases", HEADER, [ROWS[1], ROWS[0], ROWS[2]]),
        columns("amt-on-observation", HEADER, [ROWS[0], ROWS[1][:3] + ["5"] + ROWS[1][4:],
                                               ROWS[2]]),
        columns("addl-without-ii", HEADER, [ROWS[0], ROWS[1], ROWS[2][:7] + ["0", "0"]]),
        columns("ss-without-ii", HEADER, [ROWS[0][:7] + ["0", "1"], ROWS[1], ROWS[2]]),
        columns("crcl-negative", HEADER + ["CRCL"], [r + ["-30"] for r in ROWS], "baclofen"),
        columns("crcl-inf", HEADER + ["CRCL"], [r + ["inf"] for r in ROWS], "baclofen"),
        columns("crcl-text", HEADER + ["CRCL"], [r + ["high"] for r in ROWS], "baclofen"),
        columns("crcl-missing", HEADER + ["CRCL"], [r + [""] for r in ROWS], "baclofen"),
        columns("cl-zero", HEADER + ["CL"], [r + ["0"] for r in ROWS]),
        columns("cl-negative", HEADER + ["CL"], [r + ["-1"] for r in ROWS]),
        columns("cl-varies", HEADER + ["CL"], [r + [str(i + 1)] for i, r in enumerate(ROWS)]),
        frame("dup-columns", lambda: pa.Table.from_arrays(
            [pa.array(base[c]) for c in [*HEADER, "AMT"]], names=[*HEADER, "AMT"])),
        frame("uint64-id", lambda: base.assign(ID=np.array([2**63, 2**63, 1], np.uint64))),
        frame("float-id-2**53", lambda: base.assign(ID=[2.0**53, 2.0**53, 1.0])),
        Case("parquet-time-1e9", lambda f: [  # no --times: the default grid to 1e9 h
            "simulate", "pk1cmt", "--data", str(_parquet(f, base.iloc[[0]].assign(TIME=1e9))),
            "--out", str(f / "o.csv")]),
        frame("addl-1e10", lambda: base.assign(ADDL=[0, 0, 10**10])),
    ]
    return cases


def _parquet(folder: Path, df: pd.DataFrame) -> Path:
    path = folder / "d.parquet"
    df.to_parquet(path, index=False)
    return path


def _data_cases() -> list[Case]:
    cases = []
    for col, values in BAD_CELLS.items():
        rows = DOSE_ROWS if col in DOSE_ONLY else range(len(ROWS))
        for value in values:
            cases.append(_cell_case(col, value, int(RNG.choice(list(rows)))))
    # TIME 1e9 and a huge ADDL need no --times to reach the default grid.
    cases.append(Case("default-grid-1e9", lambda f: [
        "simulate", "pk1cmt", "--data", str(_write_rows(f, ["ID", "TIME", "AMT"],
                                                       [["1", "1e9", "5"]])),
        "--out", str(f / "o.csv")]))  # fmt: skip
    return cases + _structure_cases()


# ---------------------------------------------------------------- options (simulate)
def _option_cases() -> list[Case]:
    base = ["simulate", "pk1cmt", "--dose", "20 mg every 12 h for 2 days", "--times", "0:48:1"]
    bad: list[list[str]] = []
    for name in ("CL", "V", "KA", "F1", "ALAG1"):
        for value in ("inf", "-inf", "nan", "-1", "abc", "", "1e400"):
            bad.append(["--param", f"{name}={value}"])
    bad += [["--param", p] for p in ("KYLE=1", "CL", "=5", "CL=1=2")]
    bad += [["--omega", o] for o in ("CL=-1", "CL=abc", "KYLE=0.1", "CL", "CL=inf", "CL=nan")]
    bad += [["--times", t] for t in ("0:-1:1", "a:b:c", "0:10:0", "0:10:-1", "3,2,1", "nan",
                                     "0:inf:1", "1,nan", "0:1e12:1", "0:1e308:1e-300", "",
                                     "0:10", "1,,2")]  # fmt: skip
    bad += [["--seed", s] for s in ("-1", str(2**64), str(2**70), "1.5", "x")]
    bad += [["--n", s] for s in ("0", "-3", str(10**12), "2.5")]
    bad += [[flag, v] for flag in ("--rtol", "--atol") for v in ("0", "1", "-1", "nan", "inf")]
    bad += [["--method", m] for m in ("euler", "", "EXACT")]
    bad += [["--max-memory", m] for m in ("", "0", "-1G", "4X", "lots", "1K")]
    bad += [["--cmt", c] for c in ("9", "NOPE", "-1")]
    cases = [Case(f"option-{'-'.join(b)}", lambda f, b=b: [*base, *b, "--out",
                                                            str(f / "o.parquet")])
             for b in bad]  # fmt: skip
    for dose in ("", "20", "mg", "-5 mg once", "0 mg once", "20 mg every 0 h for 1 day",
                 "20 mg every 8 h", "20 mg for 2 days", "20 mg/kg once", "20 mg once once",
                 "1 mg every 1 min for 1000000 weeks", "20 mg every 8 fortnights for 2 days",
                 "20 mg over 0 min", "20 mg x 0 doses"):
        cases.append(Case(f"dose-{dose}", lambda f, d=dose: [
            "simulate", "pk1cmt", "--dose", d, "--out", str(f / "o.parquet")]))  # fmt: skip
    cases += [
        Case("out-suffix", lambda f: ["simulate", "pk1cmt", "--dose", "1 mg once", "--out",
                                      str(f / "o.txt")]),
        Case("out-missing-folder", lambda f: ["simulate", "pk1cmt", "--dose", "1 mg once",
                                              "--out", str(f / "no" / "o.csv")]),
        Case("data-and-dose", lambda f: ["simulate", "pk1cmt", "--dose", "1 mg once",
                                         "--data", str(_write_rows(f, HEADER, ROWS)),
                                         "--out", str(f / "o.csv")]),
        Case("neither-data-nor-dose", lambda f: ["simulate", "pk1cmt", "--out",
                                                 str(f / "o.csv")]),
        Case("unknown-model", lambda f: ["simulate", "pk9", "--dose", "1 mg once", "--out",
                                         str(f / "o.csv")]),
        Case("data-missing", lambda f: ["simulate", "pk1cmt", "--data", str(f / "none.csv"),
                                        "--out", str(f / "o.csv")]),
        Case("data-is-folder", lambda f: ["simulate", "pk1cmt", "--data", str(f), "--out",
                                          str(f / "o.csv")]),
    ]  # fmt: skip
    return cases


# ---------------------------------------------------------------- trial designs
DESIGN_EDITS: list[tuple[str, list[str]]] = [
    ("weeks = 16", ['weeks = "16"', "weeks = 16.5", "weeks = true", "weeks = -1", "weeks = 0",
                    "weeks = 100000", "weeks = inf", "weeks = nan", "weeks = [16]"]),
    ("seed = 20031215", ["seed = -1", 'seed = "x"', "seed = true", "seed = 1.5",
                         "seed = inf"]),
    ("n = 70 ", ["n = 0 ", "n = -1 ", 'n = "70" ', "n = 70.5 ", "n = 100000000000 ",
                 "n = 1 "]),
    ("dose_mg = 20", ["dose_mg = -1", 'dose_mg = "20"', "dose_mg = inf", "dose_mg = nan",
                      "dose_mg = 1e9", "dose_mg = 0"]),
    ("route_shares = { smoked = 0.7, intranasal = 0.3 }", [
        "route_shares = { smoked = inf, intranasal = 0.3 }",
        "route_shares = { smoked = 0.5, intranasal = 0.3 }",
        "route_shares = { smoked = -0.7, intranasal = 1.7 }",
        "route_shares = { smoked = nan, intranasal = 0.3 }",
        "route_shares = { smoked = 0.7, snorted = 0.3 }",
        "route_shares = { smoked = 0, intranasal = 0 }",
        'route_shares = { smoked = "0.7", intranasal = 0.3 }']),
    ("attendance = 0.85", ["attendance = 1.5", "attendance = -0.1", "attendance = nan",
                           'attendance = "high"']),
    ("urine_cutoff_ng_ml = 300", ["urine_cutoff_ng_ml = 0", "urine_cutoff_ng_ml = -1",
                                  "urine_cutoff_ng_ml = inf"]),
    ('regimen = "three times daily"', ['regimen = "sometimes"', "regimen = 3"]),
    ('medication = "placebo"', ['medication = "aspirin"', "medication = 1"]),
    ('hypothesis = "anti_craving"', ['hypothesis = "magic"', "hypothesis = 1"]),
    ("ratio = [1, 1]", ["ratio = [1, 1, 1]", "ratio = [0, 1]", 'ratio = ["1", 1]',
                        "ratio = 1"]),
    ('urine_days = ["Mon", "Wed", "Fri"]', ['urine_days = ["Funday"]', "urine_days = 3"]),
    ('setting = "outpatient"', ['setting = "spa"', 'setting = { kind = "outpatient", '
                                'travel = [[10, 14, 15]] }', 'setting = { kind = '
                                '"outpatient", travel = [["10", 14]] }']),
    ("p_dose = 0.8", ["p_dose = 2", "p_dose = true"]),
    ("weekly_hazard = 0.006", ["weekly_hazard = 1", "weekly_hazard = -inf"]),
    ("min_positive_baseline_urines = 1", ["min_positive_baseline_urines = 99",
                                          "min_positive_baseline_urines = -1"]),
    ('name = "Baclofen', ['colour = "blue"\nname = "Baclofen', 'name = ["Baclofen']),
]


def _design_cases() -> list[Case]:
    cases = []

    def design(name: str, text: str, *extra: str) -> Case:
        def make(folder: Path) -> list[str]:
            path = folder / "d.toml"
            path.write_text(text, encoding="utf-8")
            return ["trial", str(path), "--out", str(folder / "RUN"), *extra]

        return Case(f"design-{name}", make)

    for old, news in DESIGN_EDITS:
        assert old in FLAGSHIP, old
        for new in news:
            cases.append(design(new, FLAGSHIP.replace(old, new, 1)))
    cases += [
        design("not-toml", FLAGSHIP.replace("[allocation]", "[allocation")),
        design("empty", ""),
        design("no-name", FLAGSHIP.replace('name = "Baclofen', '# name = "Baclofen', 1)),
    ]
    for flag, value in (("--n", "0"), ("--n", "-1"), ("--replicates", "0"),
                        ("--chunk-size", "0"), ("--seed", "-1"), ("--seed", str(2**64)),
                        ("--hypothesis", "magic")):
        text = FLAGSHIP.replace("ratio = [1, 1]", "ratio = [2, 3]").replace("n = 70 ", "n = 50 ")
        cases.append(design(f"override{flag}{value}", text, flag, value))
    return cases


# ---------------------------------------------------------------- query SQL
QUERY_REFUSED = [
    "COPY (SELECT 1) TO '{folder}/x.csv'", "COPY subjects TO '{run}/visits.parquet'",
    "ATTACH '{folder}/db.duckdb' AS d", "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('{run}/manifest.json')", "SELECT * FROM glob('/*')",
    "INSTALL httpfs", "LOAD httpfs", "SELECT * FROM 'https://example.org/x.parquet'",
    "SET enable_external_access = true", "SET lock_configuration = false",
    "EXPORT DATABASE '{folder}/exp'", "SELECT * FROM read_blob('{run}/subjects.parquet')",
    "CALL duckdb_extensions()", "SELECT * FROM doses", "", "  ", ";", "; ;",
    "SELECT * FROM subjects WHERE", "SELECT nonexistent FROM subjects",
    "SELECT * FROM parquet_scan('{run}/visits.parquet')",
]


def _query_cases(run: Path) -> list[Case]:
    tokens = ["SELECT", "FROM", "*", "(", ")", "'", ";", "subjects", "WHERE", ",", "1", "--",
              "/*", "visits", "JOIN", "ON", "=", "arm", "COPY", "TO", "GROUP", "BY", "\\"]
    junk = ["} " + " ".join(RNG.choice(tokens, size=int(RNG.integers(1, 9))))
            for _ in range(25)]  # a leading "}" is a syntax error whatever follows
    cases = []
    for sql in QUERY_REFUSED + junk:
        cases.append(Case(f"query-{sql[:40]}", lambda f, s=sql: [
            "query", str(run), s.replace("{folder}", str(f)).replace("{run}", str(run)),
            "--out", str(f / "q.csv")]))
    return cases


# ---------------------------------------------------------------- run folders (report)
def _edit_manifest(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def apply(run: Path) -> None:
        m = json.loads((run / "manifest.json").read_text())
        change(m)
        (run / "manifest.json").write_text(json.dumps(m))

    return apply


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(m: dict) -> None:
        *keys, last = path.split(".")
        node = m
        for k in keys:
            node = node[int(k)] if k.isdigit() else node[k]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return change


_DELETE = object()
MANIFEST_EDITS = [
    ("design.weeks", v) for v in ("4", 0, -1, 4.5, True, None, _DELETE)
] + [("replicates", v) for v in (0, "2", 5, -1, 1.0, _DELETE)] + [
    ("seed", v) for v in (-1, "x", 2**64)
] + [("design.arms", v) for v in ([], [{}], [{"name": ""}], [{"name": "a"}, {"name": "a"}],
                                  "placebo", _DELETE)] + [
    ("tables.subjects.sha256", "0" * 64), ("tables.subjects.rows", 1),
    ("tables.visits.bytes", 10), ("tables.visits", _DELETE), ("tables", _DELETE),
    ("tables.doses", {"rows": 1, "bytes": 1, "sha256": "0" * 64}), ("design", _DELETE),
    ("design", "x"), ("design.baseline_weeks", -1), ("design.urine_cutoff_ng_ml", "300"),
]  # fmt: skip


def _report_cases(template: Path) -> list[Case]:
    def report(name: str, spoil: Callable[[Path], None], *extra: str) -> Case:
        def make(folder: Path) -> list[str]:
            run = folder / "run"
            shutil.copytree(template, run)
            spoil(run)
            return ["report", str(run), "--out", str(folder / "r.html"), *extra]

        return Case(f"report-{name}", make)

    def truncate(run: Path) -> None:
        data = (run / "subjects.parquet").read_bytes()
        (run / "subjects.parquet").write_bytes(data[: len(data) // 2])

    def flip(run: Path) -> None:
        data = bytearray((run / "visits.parquet").read_bytes())
        data[len(data) // 3] ^= 0x55
        (run / "visits.parquet").write_bytes(bytes(data))

    def extra_table(run: Path) -> None:
        shutil.copy(run / "subjects.parquet", run / "doses.parquet")

    def other_rows(run: Path) -> None:
        v = pd.read_parquet(run / "visits.parquet")
        v.iloc[: len(v) // 2].to_parquet(run / "visits.parquet", index=False)

    def write(name: str, text: str) -> Callable[[Path], None]:
        return lambda run: (run / name).write_text(text)

    cases = [report(f"manifest-{p}={v!r}"[:60], _edit_manifest(_set(p, v)))
             for p, v in MANIFEST_EDITS]  # fmt: skip
    cases += [
        report("truncated-table", truncate), report("flipped-byte", flip),
        report("extra-table", extra_table), report("overwritten-table", other_rows),
        report("no-visits", lambda run: (run / "visits.parquet").unlink()),
        report("no-manifest", lambda run: (run / "manifest.json").unlink()),
        report("manifest-list", write("manifest.json", "[]")),
        report("manifest-empty", write("manifest.json", "")),
        report("manifest-broken", write("manifest.json", '{"design": ')),
        report("manifest-null", write("manifest.json", "null")),
        report("manifest-infinity", write("manifest.json", '{"seed": Infinity}')),
        report("power-replicates-0", lambda run: None, "--power-replicates", "0"),
        report("power-replicates-neg", lambda run: None, "--power-replicates", "-5"),
        report("seed-neg", lambda run: None, "--seed", "-1"),
        report("replicate-99", lambda run: None, "--replicate", "99"),
        Case("report-missing-folder", lambda f: ["report", str(f / "none"), "--out",
                                                 str(f / "r.html")]),
        Case("report-file-not-folder", lambda f: ["report", str(_write_rows(f, ["a"], [])),
                                                   "--out", str(f / "r.html")]),
    ]  # fmt: skip
    return cases


# ---------------------------------------------------------------- words (endpoints)
WORDS = [
    ("ragged", "who,usePatternUDS\n1,+-,x\n"), ("short", "who,usePatternUDS\n1,+-\n2\n"),
    ("dup-column", "who,usePatternUDS,usePatternUDS\n1,+-,--\n"),
    ("missing-column", "who\n1\n"), ("bad-symbol", "who,usePatternUDS\n1,+X\n"),
    ("missing-who", "who,usePatternUDS\n1,--\n,+-\n"), ("empty", ""),
    ("not-utf8", "who,usePatternUDS\n1,\udcff\n"), ("header-only", "who,usePatternUDS\n"),
    ("lowercase-symbols", "who,usePatternUDS\n1,O\n"),
]


def _words_cases() -> list[Case]:
    def make(text: str, *extra: str) -> Callable[[Path], list[str]]:
        def inner(folder: Path) -> list[str]:
            path = folder / "w.csv"
            path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            return ["endpoints", str(path), "--out", str(folder / "e.csv"), *extra]

        return inner

    cases = [Case(f"words-{n}", make(t)) for n, t in WORDS]
    cases.append(Case("words-unknown-endpoint", make("who,usePatternUDS\n1,+-\n",
                                                     "--endpoints", "Nope_1999")))
    return cases


# ---------------------------------------------------------------- the test
def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def _judge(res, before: dict[str, str], after: dict[str, str]) -> str | None:
    """None for a clean refusal, else what went wrong."""
    exc = res.exception
    if exc is not None and not isinstance(exc, SystemExit):
        return f"traceback: {type(exc).__name__}: {str(exc)[:120]}"
    if res.exit_code == 0:
        return "accepted (exit 0)"
    if res.exit_code != 2:
        return f"exit code {res.exit_code}: {res.output.strip()[:160]}"
    if "Traceback" in res.output:
        return f"traceback in the output: {res.output.strip()[:200]!r}"
    lines = res.output.strip().splitlines()
    usage = lines and lines[0].startswith("Usage: ") and "Invalid value for" in res.output
    if not usage and (len(lines) != 1 or not _ERROR_LINE.match(lines[0])):
        return f"not one error line: {res.output.strip()[:200]!r}"
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        return f"files written or changed: {[name for name, _ in changed][:5]}"
    return None


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz-sources")
    run = write_synthetic_run(folder / "run", n_per_arm=8, weeks=3, replicates=2, seed=7)
    template = write_synthetic_run(folder / "template", n_per_arm=8, weeks=3, replicates=2,
                                   seed=8)
    return run, template


def test_fuzz_every_bad_input_is_refused_cleanly(sources, tmp_path):
    run, template = sources
    cases = (_data_cases() + _option_cases() + _design_cases() + _query_cases(run)
             + _report_cases(template) + _words_cases())  # fmt: skip
    assert len(cases) >= 300
    run_before = _snapshot(run)
    tally: Counter[str] = Counter()
    problems = []
    for i, case in enumerate(cases):
        folder = tmp_path / f"c{i:03d}"
        folder.mkdir()
        args = case.make(folder)
        before = _snapshot(folder)
        res = runner.invoke(app, args)
        problem = _judge(res, before, _snapshot(folder))
        if problem is None and _snapshot(run) != run_before:
            problem = "the shared run folder changed"
        if problem is None:
            first = res.output.strip().split(":", 1)[0]
            tally["UsageError (typer)" if first == "Usage" else first] += 1
        else:
            problems.append(f"{case.name}: {problem}")
        shutil.rmtree(folder)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
    assert not problems, (f"{len(problems)} of {len(cases)} cases not refused cleanly "
                          f"(clean: {summary}):\n" + "\n".join(problems))
    assert sum(tally.values()) == len(cases)
