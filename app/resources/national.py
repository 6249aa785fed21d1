"""The network's wording Confide ships (resources/national/): each intervention level's
definition and typical time, and the evaluation questions with their answer scale. The
sources, and what is Confide's own wording, are in docs/national.md."""

import json
from dataclasses import dataclass
from functools import lru_cache

from app import resources

FOLDER = "national"


@dataclass(frozen=True)
class LevelText:
    key: str
    name: str
    definition: str
    typical_time: str


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    levels: tuple[str, ...]
    short: str      # the row label in the report


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    group: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    questions: tuple[Question, ...]
    scale: tuple[Answer, ...]

    def for_level(self, level: str | None) -> tuple[Question, ...]:
        """The questions asked after work at `level` (all of them when the level is not a network one)."""
        asked = tuple(q for q in self.questions if level in q.levels)
        return asked or self.questions

    def group_of(self, answer: str) -> str | None:
        return next((a.group for a in self.scale if a.key == answer), None)


def _load(name: str) -> dict:
    return json.loads(resources.path(FOLDER, name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def levels() -> tuple[LevelText, ...]:
    return tuple(LevelText(**{k: v for k, v in level.items() if k in LevelText.__dataclass_fields__})
                 for level in _load("intervention_levels.json")["levels"])


def level_text(key: str) -> LevelText | None:
    return next((t for t in levels() if t.key == key), None)


@lru_cache(maxsize=1)
def questionnaire() -> Questionnaire:
    data = _load("evaluation.json")
    return Questionnaire(data["version"],
                         tuple(Question(q["key"], q["text"], tuple(q["levels"]), q["short"]) for q in data["questions"]),
                         tuple(Answer(a["key"], a["label"], a["group"]) for a in data["scale"]))
