"""Bad protocol files are refused with one error naming the field (library and CLI)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rewardsim.cli import app
from rewardsim.errors import ProtocolError
from rewardsim.lab import load_protocol, parse_protocol

ROOT = Path(__file__).resolve().parents[2]
FR1 = ROOT / "examples" / "lab" / "fr1-unit-doses.toml"
MD = ROOT / "examples" / "lab" / "microdialysis-ip-cocaine-baclofen.toml"


def _data(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _edit(path: Path, fn) -> dict:
    d = copy.deepcopy(_data(path))
    fn(d)
    return d


BAD = [
    ("unknown top-level field", FR1, lambda d: d.update(sesion={}), "'sesion'"),
    ("unknown schedule field", FR1, lambda d: d["schedule"].update(ratios=2),
     "'schedule.ratios'"),
    ("negative unit dose in a condition", FR1,
     lambda d: d["condition"][1]["schedule"].update(unit_dose=-1.0),
     "'condition[1].schedule.unit_dose'"),
    ("species", FR1, lambda d: d["protocol"].update(species="mouse"), "'protocol.species'"),
    ("missing salt", FR1, lambda d: d["schedule"].pop("salt"), "'schedule.salt'"),
    ("rat route", MD, lambda d: d["dose"][0].update(route="smoked"), "dose[0].route"),
    ("cocaine without salt", MD, lambda d: d["dose"][0].pop("salt"), "dose[0].salt"),
    ("off the step grid", MD, lambda d: d["dose"][0].update(time_min=0.005),
     "dose[0].time_min"),
    ("bins outside the session", MD, lambda d: d["dialysis"].update(n_bins=40),
     "dialysis bins run from"),
    ("unknown circuit parameter", MD, lambda d: d.update(subject={"circuit": {"KI": 1.0}}),
     "subject.circuit"),
    ("table of another kind", MD, lambda d: d.update(schedule={"type": "FR", "salt": "hcl",
                                                               "unit_dose": 1.0}),
     "[schedule] belongs"),
    ("condition without a name", FR1, lambda d: d["condition"][0].pop("name"),
     "'condition[0].name'"),
    ("recovery above 1", MD, lambda d: d["dialysis"].update(recovery=1.5),
     "'dialysis.recovery'"),
]


@pytest.mark.parametrize("label,path,edit,field", BAD, ids=[b[0] for b in BAD])
def test_bad_protocol_is_refused_naming_the_field(label, path, edit, field):
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_edit(path, edit))
    msg = str(info.value)
    assert field in msg, msg
    assert "\n" not in msg


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(ProtocolError, match="does not exist"):
        load_protocol(tmp_path / "nothing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[protocol\nname = 1\n", encoding="utf-8")
    with pytest.raises(ProtocolError, match="not valid TOML"):
        load_protocol(bad)


def test_cli_refuses_with_exit_2_and_one_line(tmp_path):
    text = FR1.read_text(encoding="utf-8").replace('type = "FR"', 'type = "VR"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["lab", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ProtocolError: ")
    assert "schedule.type" in lines[0]
    assert not out.exists()


def test_cli_runs_a_protocol(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["lab", str(FR1), "--out", str(out), "--n", "2"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"sessions.csv", "events.csv", "summary.csv", "trajectory.csv", "manifest.json",
            "protocol.toml"} <= names
    assert not any(n.startswith(".") for n in names)  # no temporary file left
