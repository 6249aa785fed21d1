"""`confide report` from the command line: PDF, JSON, CSV, the encrypted exact version, bad dates."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.support import CHEAP_ENTRY

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"


def run(args, stdin="", cwd=None):
    return subprocess.run([sys.executable, str(CHEAP_ENTRY), *args], input=stdin, capture_output=True,
                          text=True, env=dict(os.environ), cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli-report")
    common = ["--data-dir", str(base / "d"), "--user", "mgr", "--passphrase-stdin",
              "--device-key-file", str(base / "dev.key")]
    assert run(["init", *common, "--full-name", "Test Manager"], PASSPHRASE + "\n").returncode == 0
    result = run(["demo", *common, "--cases", "40", "--seed", "5"], PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    return base, common


def test_json_pdf_and_csv(demo_vault):
    base, common = demo_vault
    result = run(["report", *common, "--from", "2025-04-01", "--to", "2026-03-31"], PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["period"]["label"] == "Financial year 2025-26" and data["small_numbers_suppressed"]
    result = run(["report", *common, "--from", "01/04/2025", "--to", "31/03/2026", "--out", str(base / "r.pdf"),
                  "--csv", str(base / "csv")], PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    assert (base / "r.pdf").read_bytes().startswith(b"%PDF")
    assert (base / "csv" / "topics.csv").read_text().startswith("Topic,Contacts")


def test_exact_report_is_encrypted(demo_vault):
    from pypdf import PdfReader

    base, common = demo_vault
    out = base / "exact.pdf"
    result = run(["report", *common, "--pdf-password-stdin", "--exact", "--from", "2025-04-01",
                  "--to", "2026-03-31", "--out", str(out)], PASSPHRASE + "\nthe-pdf-password\n")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(out)
    assert reader.is_encrypted and reader.trailer["/Encrypt"]["/R"] == 6
    assert reader.decrypt("wrong") == 0 and reader.decrypt("the-pdf-password") != 0


@pytest.mark.parametrize("args,message", [
    (["--from", "31/02/2026", "--to", "2026-03-31"], "not a real date"),
    (["--from", "2026-03-31", "--to", "2026-01-01"], "ends before it starts"),
    (["--from", "2026-01-01", "--to", "2026-03-31", "--format", "pdf"], "--out FILE"),
])
def test_bad_input_gets_one_plain_line(demo_vault, args, message):
    base, common = demo_vault
    result = run(["report", *common, *args], PASSPHRASE + "\n")
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_levels_dry_run_then_apply_inactive_and_the_national_return(demo_vault):
    """docs/national.md from the command line: the mapping is a dry run until --apply, the manager's
    inactivity period and sweep, and the return as CSV and PDF."""
    base, common = demo_vault
    result = run(["levels", *common, "--map", "advice=level_2"], PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    assert "Dry run (nothing changed)" in result.stdout and "Run again with --apply" in result.stdout
    result = run(["levels", *common, "--map", "advice"], PASSPHRASE + "\n")
    assert result.returncode != 0 and "OLD=LEVEL" in result.stderr
    result = run(["levels", *common, "--map", "advice=level_9", "--apply"], PASSPHRASE + "\n")
    assert result.returncode != 0 and "Choose one of" in result.stderr
    result = run(["levels", *common, "--map", "advice=level_2", "--apply"], PASSPHRASE + "\n")
    assert result.returncode == 0 and "Applied: 0 cases" in result.stdout, result.stderr
    result = run(["inactive", *common, "--days", "5"], PASSPHRASE + "\n")
    assert result.returncode != 0 and "between 14 and 730" in result.stderr
    result = run(["inactive", *common, "--days", "60", "--sweep"], PASSPHRASE + "\n")
    assert result.returncode == 0 and "60 days" in result.stdout and "made inactive" in result.stdout
    out = base / "return.csv"
    result = run(["return", *common, "--from", "2025-04-01", "--to", "2026-03-31", "--out", str(out)],
                 PASSPHRASE + "\n")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Service,Period from,Period to,Figure,Row,Column,Value")
    assert "Interventions by level and state at the end of the period" in text and "CAS-" not in text
    result = run(["return", *common, "--from", "2025-04-01", "--to", "2026-03-31", "--out", str(base / "r.pdf")],
                 PASSPHRASE + "\n")
    assert result.returncode == 0 and (base / "r.pdf").read_bytes().startswith(b"%PDF")
