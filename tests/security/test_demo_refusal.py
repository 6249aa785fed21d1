"""Attack: `confide demo` on the service's real vault. It used to pour synthetic families into
live records (where they reach reports, SARs and letters) and add staff accounts with one
published passphrase that anyone reading the source could use. Now it works only on a vault
made with `init --demo` or an empty one, and each demo account gets a random passphrase,
shown once."""

import re

import pytest

from app.errors import ValidationError, WrongCredentials
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.demo import build as demo
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import run_cli, stderr_lines, subprocess_env

OLD_PUBLISHED = "demo passphrase for synthetic staff"


def _counts(session):
    return session.conn.execute("SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM person), "
                                "(SELECT count(*) FROM casefile)").fetchone()[:]


def test_a_vault_with_one_family_is_refused_and_left_as_it_was(session):
    people.create_person(session, PersonInput(kind="parent_carer", first_name="Robin", last_name="Vale"))
    before = _counts(session)
    with pytest.raises(ValidationError, match="only added to a demo vault .* it already holds records"):
        demo.populate(session, staff=2, cases=5, seed=1)
    assert _counts(session) == before and not demo.is_demo_vault(session)


def test_a_vault_with_colleagues_is_refused(session):
    staff.add_staff(session, "robin", "Robin Vale", "caseworker", OTHER_PASSPHRASE)
    with pytest.raises(ValidationError, match="staff accounts"):
        demo.populate(session, staff=2, seed=1)


def test_a_deleted_record_still_counts(session):
    person = people.create_person(session, PersonInput(kind="parent_carer", first_name="Robin", last_name="Vale"))
    session.conn.execute("UPDATE person SET deleted_at = '2026-01-01T00:00:00+00:00' WHERE id = ?", (person.id,))
    with pytest.raises(ValidationError):
        demo.populate(session, staff=1, seed=1)


def test_an_empty_vault_becomes_a_demo_vault_and_can_be_filled_again(session):
    demo.populate(session, staff=2, cases=4, seed=3)
    assert demo.is_demo_vault(session)
    demo.populate(session, staff=1, cases=2, seed=4)  # a demo vault takes more synthetic data
    assert _counts(session)[2] >= 6


def test_demo_staff_get_random_passphrases_printed_once(session, data_dir):
    summary = demo.populate(session, staff=3, seed=9)
    pairs = re.findall(r"^  (\S+)\t(\S+)$", summary, re.M)
    assert len(pairs) == 3 and len({p for _, p in pairs}) == 3
    assert OLD_PUBLISHED not in summary
    session.lock()
    username, passphrase = pairs[0]
    with pytest.raises(WrongCredentials):
        vault_service.unlock(data_dir, username, OLD_PUBLISHED)
    colleague = vault_service.unlock(data_dir, username, passphrase)
    assert colleague.must_change_passphrase  # temporary: changed at first unlock
    colleague.lock()


def test_init_demo_and_the_command_line_refusal(tmp_path):
    env = subprocess_env(tmp_path)
    real = ["--data-dir", tmp_path / "real", "--user", "mgr", "--passphrase-stdin",
            "--device-key-file", tmp_path / "real.key"]
    trial = ["--data-dir", tmp_path / "trial", "--user", "mgr", "--passphrase-stdin",
             "--device-key-file", tmp_path / "trial.key"]
    assert run_cli(["init", *real, "--full-name", "Test Manager"], env, PASSPHRASE + "\n").returncode == 0
    assert run_cli(["staff", "add", *real, "--username", "robin", "--full-name", "Robin Vale"], env,
                   f"{PASSPHRASE}\n{OTHER_PASSPHRASE}\n").returncode == 0
    result = run_cli(["demo", *real, "--staff", "1"], env, PASSPHRASE + "\n")
    assert result.returncode == 1 and len(stderr_lines(result)) == 1
    assert "only added to a demo vault" in result.stderr

    made = run_cli(["init", *trial, "--full-name", "Test Manager", "--demo"], env, PASSPHRASE + "\n")
    assert made.returncode == 0 and "as a demo vault" in made.stdout
    for seed in ("1", "2"):  # a demo vault takes more synthetic data (another seed: ids follow the seed)
        result = run_cli(["demo", *trial, "--staff", "1", "--cases", "2", "--seed", seed], env, PASSPHRASE + "\n",
                         timeout=120)
        assert result.returncode == 0, result.stderr
    assert "temporary passphrases (shown once" in result.stdout
