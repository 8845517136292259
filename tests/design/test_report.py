"""The design-space report: one self-contained page (opened in headless Chromium: no
console errors, no request leaving the page, every section, every figure decoded), with
the ranking in order and user-given names escaped."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape

import pytest

from rewardsim.design import discriminate
from rewardsim.report._design import DESIGN_SECTIONS, discriminate_html

from .conftest import make_space

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def result():
    space = make_space(
        replicates=6, curve_n_per_arm=[5, 10], hypotheses=["anti_craving", "none"],
        factors=None, designs=[
            {"name": "<b>urine</b> $x$", "n_per_arm": 10, "measures": "urine"},
            {"name": "scales", "n_per_arm": 10, "measures": "base"},
        ])  # fmt: skip
    return discriminate(space, n_threads=2)


def test_html_holds_the_ranking_in_order_and_escapes_names(result):
    html = discriminate_html(result)
    assert "<b>urine</b>" not in html and "&lt;b&gt;urine&lt;/b&gt; $x$" in html
    body = html[html.index('id="answer"'):html.index('id="hypotheses"')]
    order = [m for m in re.findall(r"<td>(D0\d):", body)]
    assert order == list(result.ranking["design"])
    for heading in DESIGN_SECTIONS.values():
        assert heading in html


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(apt-get install -y chromium)")
def test_report_opens_in_chromium(result, tmp_path):
    out = result.write(tmp_path / "OUT")
    netlog = tmp_path / "netlog.json"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={netlog}", "--v=0",
        "--dump-dom", (out / "report.html").resolve().as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln] == []

    def attr(name):
        m = re.search(rf'<body[^>]*\b{name}="([^"]*)"', proc.stdout)
        assert m, f"<body> has no {name}; the report script did not run"
        return unescape(m.group(1))

    assert json.loads(attr("data-errors")) == []
    assert attr("data-sections").split() == list(DESIGN_SECTIONS)
    decoded, total = map(int, attr("data-figures").split("/"))
    assert total == 3 and decoded == total  # confusion matrices, curves, cost frontier
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requests = [e["params"]["url"] for e in log["events"] if e["type"] == start
                and "file://" in e.get("params", {}).get("network_isolation_key", "")
                and not e["params"]["url"].startswith(("file:", "data:"))]
    assert requests == []
