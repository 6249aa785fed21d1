"""Service users' evaluations (docs/national.md): the network's questions, offered at closure on
screen or as a printed form. The answers are stored with the day, the level of the work and how
they were given, and nothing that names the case, the family or the worker, so no report or
export can trace them back; the case only records that the evaluation was offered."""

import json
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app import clock
from app.domain.choices import EvaluationMethod
from app.domain.intervention import is_network_level
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.pdf.evaluation_pdf import render_form
from app.resources import national
from app.security.session import Session
from app.services import access, exports
from app.services.casework.cases import EVALUATION_ANSWERED, load_case
from app.services.exports import ExportKind
from app.storage import records
from app.storage.db import transaction


@dataclass(frozen=True)
class Evaluation:
    received_on: str
    level: str | None
    method: str
    answers: dict[str, str]


def _check_answers(answers: dict[str, str], level: str | None) -> dict[str, str]:
    form = national.questionnaire()
    asked = {q.key for q in form.for_level(level)}
    scale = {a.key for a in form.scale}
    chosen = {}
    for key, answer in answers.items():
        if not answer:
            continue    # a question left unanswered is simply not counted
        if key not in asked:
            raise ValidationError(f"{key} is not one of the questions asked after this level of work.", field=key)
        if answer not in scale:
            raise ValidationError("Choose an answer from the scale for each question, or leave it blank.", field=key)
        chosen[key] = answer
    if not chosen:
        raise ValidationError("No question was answered, so there is nothing to record.", field="answers")
    return chosen


@grants(Scope.CASEWORK, "the answers are stored apart from the case")
def record_evaluation(session: Session, case_id: str, answers: dict[str, str], method: str,
                      received_on: date | None = None) -> None:
    """Record a service user's answers after the case's work (at closure on screen, or from the
    printed form when it comes back). Only the case's level and the day are kept with them.

    May raise: ValidationError (an answer off the scale, nothing answered, answers already
    recorded for this case), PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    if case.evaluation == EVALUATION_ANSWERED:
        raise ValidationError("This family's evaluation answers are already recorded for this case; "
                              "recording them again would count them twice.", field="answers")
    method = EvaluationMethod.parse(method, "method").value
    level = case.level if is_network_level(case.level) else None
    chosen = _check_answers(answers, level)
    day = received_on or clock.now().date()
    # Nothing in the row may point back at the moment or the person: a random id (a UUIDv7
    # carries its creation time, which the audit row of this case would match), the day only
    # as its times, and no author.
    midnight = f"{day.isoformat()}T00:00:00+00:00"
    with transaction(session.conn):
        records.insert(session.conn, "service_evaluation", {
            "received_on": day.isoformat(), "level": level, "method": method,
            "questions_version": national.questionnaire().version, "answers": json.dumps(chosen, sort_keys=True),
        }, "", record_id=str(uuid.uuid4()), at=midnight)
        # The case learns only that its answers are in, never which row holds them.
        records.update(session.conn, "casefile", case.id, {"evaluation": EVALUATION_ANSWERED},
                       session.user.username)
        # The audit row names the case (that an evaluation was taken) but never the answers.
        session.audit("evaluation_recorded", "case", case.id, {"method": method})


@grants(Scope.MANAGER, "answers only: no case, person or worker is stored with them")
def evaluations_between(session: Session, start: date, end: date) -> list[Evaluation]:
    return [Evaluation(day, level, method, json.loads(answers)) for day, level, method, answers in session.conn.execute(
        "SELECT received_on, level, method, answers FROM service_evaluation WHERE deleted_at IS NULL "
        "AND received_on BETWEEN ? AND ? ORDER BY received_on", (start.isoformat(), end.isoformat()))]


@grants(Scope.ANY, "the service's questions only, no one's details")
def export_blank_form(session: Session, path: Path) -> Path:
    """The printed evaluation form for a service user to fill in and return (plain PDF: it holds
    the service's wording and nothing about anyone). May raise: OSError."""
    pdf = render_form(session.vault.service_name, national.questionnaire())
    return exports.export_pdf(session, ExportKind.BLANK_FORM, Path(path), pdf, detail={"form": "evaluation"}).path
