"""The analysis commands, run in-process: exit codes and exact output lines."""


import pandas as pd
import pytest
from typer.testing import CliRunner

from rewardsim.analysis._synthetic import write_synthetic_run
from rewardsim.cli import app

runner = CliRunner()


def test_endpoints_command(tmp_path):
    words = tmp_path / "words.csv"
    words.write_text("who,usePatternUDS\n10,--+-\n11,oooo\n")
    out = tmp_path / "out.csv"
    args = ["endpoints", str(words), "--out", str(out), "--endpoints", "Coc_tes_1997,Ab_ling_1998"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 2 participants x 2 endpoint columns to {out}\n"
    table = pd.read_csv(out)
    # "--+-" has three negative weeks and no run of four; "oooo" has none.
    assert table.to_dict("list") == {
        "who": [10, 11],
        "Coc_tes_1997": [3.0, 0.0],
        "Ab_ling_1998": [False, False],
    }


def test_endpoints_all_columns(tmp_path):
    words = tmp_path / "words.csv"
    words.write_text("who,usePatternUDS\n1,+-o*_\n")
    result = runner.invoke(app, ["endpoints", str(words), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 0
    assert pd.read_csv(tmp_path / "o.csv").shape == (1, 67)  # who + 66 endpoint columns


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "who,usePatternUDS\n1,+-\n2,+X\n",
            "AnalysisInputError: Use-pattern word for who=2 has unknown symbol 'X' at position 2 "
            "in '+X'; allowed symbols are '+', '-', 'o', '*', '_'.",
        ),
        (
            "id,pattern\n1,+-\n",
            "AnalysisInputError: Words CSV '{path}' needs columns 'usePatternUDS' and a "
            "participant id ('who', or 'id' as in a run folder); got ['id', 'pattern'].",
        ),
    ],
)
def test_endpoints_bad_input(tmp_path, content, message):
    words = tmp_path / "words.csv"
    words.write_text(content)
    result = runner.invoke(app, ["endpoints", str(words), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert result.output == message.format(path=words) + "\n"


@pytest.fixture
def run(tmp_path):
    return write_synthetic_run(tmp_path / "run", n_per_arm=12, weeks=4, replicates=2, seed=3)


def test_words_then_endpoints_keep_replicate_id_and_arm(run, tmp_path):
    words = tmp_path / "words.csv"
    result = runner.invoke(app, ["words", str(run), "--out", str(words)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 48 words (one symbol per week, 4 weeks) to {words}\n"
    w = pd.read_csv(words, dtype={"usePatternUDS": str}, keep_default_na=False)
    assert list(w.columns) == ["replicate", "id", "arm", "usePatternUDS"]
    assert (w["usePatternUDS"].str.len() == 4).all()
    assert w.groupby(["replicate", "arm"]).size().tolist() == [12, 12, 12, 12]
    out = tmp_path / "end.csv"
    result = runner.invoke(app, ["endpoints", str(words), "--out", str(out),
                                 "--endpoints", "Coc_tes_1997"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 48 participants x 1 endpoint columns to {out}\n"
    e = pd.read_csv(out)
    assert list(e.columns) == ["replicate", "id", "arm", "Coc_tes_1997"]
    # Coc_tes_1997 counts '-' weeks: recount from the words by hand.
    assert e["Coc_tes_1997"].tolist() == [x.count("-") for x in w["usePatternUDS"]]
    # The same table straight from the run folder.
    direct = tmp_path / "direct.csv"
    result = runner.invoke(app, ["endpoints", str(run), "--out", str(direct),
                                 "--endpoints", "Coc_tes_1997"])  # fmt: skip
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(direct), e)


def test_query_command(run):
    sql = "SELECT arm, count(*) AS n FROM subjects WHERE replicate = 0 GROUP BY arm ORDER BY arm"
    result = runner.invoke(app, ["query", str(run), sql])
    assert result.exit_code == 0
    assert result.output == "arm,n\nactive,12\nplacebo,12\n"


def test_query_error(run):
    result = runner.invoke(app, ["query", str(run), "SELECT * FROM doses"])
    assert result.exit_code == 2
    assert result.output.startswith("AnalysisInputError: SQL failed: Catalog Error")
    assert result.output.endswith("Tables: subjects, visits.\n")


def test_report_command(run, tmp_path):
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(run), "--out", str(out), "--power-replicates", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_missing_table(run, tmp_path):
    (run / "subjects.parquet").unlink()
    result = runner.invoke(app, ["report", str(run), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert result.output == (
        f"AnalysisInputError: Run folder '{run}' has no subjects.parquet, which manifest.json "
        "lists. The folder was changed after the run finished, or the run was interrupted; "
        "run `rewardsim trial` again into a new folder.\n"
    )


def test_ctn0094_command():
    result = runner.invoke(app, ["ctn0094"])  # the shipped tables by default
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Cocaine words for 3560 CTN-0094 participants"
    assert lines[1].startswith("ever positive (any '+' or '*' week): ")
    assert lines[2].startswith("weekly positive rate: ")
