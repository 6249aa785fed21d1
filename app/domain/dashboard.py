"""What the manager's dashboard is made of: sections of items, each naming the record behind it
so the screen can open it. Types only: every feature that adds a section builds these."""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Item:
    text: str
    target_type: str  # case, action, paper_file, staff, policy_review, consent, disclosure, sar, complaint
    target_id: str
    severity: str = "overdue"  # overdue, due_soon, info
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    empty_text: str = "Nothing needs attention."


@dataclass
class Dashboard:
    today: date
    open_cases_by_worker: list[tuple[str, str, int]]  # username, full name, open cases
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)
