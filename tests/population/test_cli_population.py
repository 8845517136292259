"""``rewardsim population`` in-process: the example file, and bad input (exit 2, one line
naming the field or the address, nothing written)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.errors import PopulationError
from rewardsim.population import load_scenarios, parse_scenarios

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "population-scenarios.toml"


def run(*args: str):
    return runner.invoke(app, list(args))


def test_example_file_small_population(tmp_path):
    out = tmp_path / "RUN"
    res = run("population", str(EXAMPLE), "--out", str(out), "--size", "300",
              "--chunk-size", "150", "--threads", "2")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip().splitlines()[-1] == (
        f"Wrote {out}: 300 people, 4 scenarios (status_quo, baclofen_outpatient, "
        "admission_24h, travel_for_treatment), 365 days.")
    s = pd.read_parquet(out / "summary.parquet")
    assert set(s["scenario"]) == {"status_quo", "baclofen_outpatient", "admission_24h",
                                  "travel_for_treatment"}
    m = json.loads((out / "manifest.json").read_text())
    assert m["size"] == 300 and set(m["sources"]) >= {"route", "sex", "age", "setting"}
    assert not (out / "per_person.parquet").exists()  # only with --per-person
    assert (out / "report.html").is_file() and (out / "margins.csv").is_file()


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "s.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(("text", "message"), [
    ("[scenarios.fast.residential]\nadmision_delay_hours = 24\n",
     "scenarios.fast.residential.admision_delay_hours: unknown key"),
    ("[scenarios.fast]\nresidentail = {}\n", "scenarios.fast.residentail: unknown key"),
    ("colour = 1\n", "colour: unknown key"),
    ("[population]\nsetting = {none = 0.5, outpatient = 0.4}\n",
     "population.setting: shares sum to 0.9; they must sum to 1"),
    ("[population]\nsize = -5\n", "population.size: Input should be greater than or equal "
                                  "to 1. Got -5"),
    ("[scenarios.x.residential]\nadmission_delay_hours = -1\n",
     "scenarios.x.residential.admission_delay_hours: Input should be greater than or equal "
     "to 0"),
    ("[population]\nroute = {smoked = 0.5, iv = 0.5}\n",
     "population.route: unknown level(s) iv; valid: smoked, intranasal"),
])  # fmt: skip
def test_bad_input_exit_2_one_line_nothing_written(tmp_path, text, message):
    out = tmp_path / "OUT"
    res = run("population", str(_write(tmp_path, text)), "--out", str(out))
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("PopulationError: ")
    assert message in lines[0], lines[0]
    assert not out.exists()


def test_negative_size_option(tmp_path):
    out = tmp_path / "OUT"
    res = run("population", str(EXAMPLE), "--out", str(out), "--size", "-3")
    assert res.exit_code == 2 and "--size must be a positive integer. Got -3" in res.stderr
    assert not out.exists()


def test_unreachable_scheduler_names_the_address(tmp_path):
    with socket.socket() as sock:  # a free port with nothing listening on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "OUT"
    res = run("population", str(EXAMPLE), "--out", str(out), "--size", "100",
              "--scheduler", address, "--scheduler-timeout", "2")
    assert res.exit_code == 2, res.output
    line = res.stderr.strip().splitlines()[-1]
    assert line.startswith(f"PopulationError: --scheduler {address!r}: cannot connect")
    assert not out.exists()


def test_scenarios_are_differences_from_the_status_quo():
    s = parse_scenarios({"status_quo": {"residential": {"stay_days": 21}},
                         "scenarios": {"fast": {"residential": {"admission_delay_hours": 24}}}})
    fast = s.care("fast").residential
    assert fast.stay_days == 21 and fast.admission_delay_hours == 24
    assert s.care("status_quo").residential.admission_delay_hours == 336
    assert s.names == ["status_quo", "fast"]
    assert load_scenarios(EXAMPLE).population.size == 1_700_000


def test_status_quo_is_not_a_scenario_name():
    with pytest.raises(PopulationError, match="scenarios.status_quo"):
        parse_scenarios({"scenarios": {"status_quo": {}}})
