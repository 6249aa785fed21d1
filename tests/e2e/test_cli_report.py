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
