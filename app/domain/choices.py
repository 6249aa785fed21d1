"""The fixed lists of casework: each a StrEnum whose values are stored and whose labels are shown."""

from enum import StrEnum

from app.errors import ValidationError


class Choice(StrEnum):
    @property
    def label(self) -> str:
        # Keyed by class as well as value: StrEnum members of different lists with the same
        # value ("professional") compare equal, and must not share a label.
        return LABELS.get((type(self).__name__, self.value), self.value.replace("_", " ").capitalize())

    @classmethod
    def parse(cls, value, field: str):
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.label.lower() for m in cls)
            raise ValidationError(f"Choose one of: {allowed}.", field=field) from None


class PersonKind(Choice):
    CHILD = "child"
    PARENT_CARER = "parent_carer"
    FAMILY_MEMBER = "family_member"
    PROFESSIONAL = "professional"


class SchoolPhase(Choice):
    EARLY_YEARS = "early_years"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    POST_16 = "post_16"
    FURTHER_EDUCATION = "further_education"
    NOT_IN_EDUCATION = "not_in_education"
    OTHER = "other"


class PrimaryNeed(Choice):
    """The four broad areas of need of the SEND Code of Practice (6.28-6.35)."""

    COMMUNICATION_INTERACTION = "communication_interaction"
    COGNITION_LEARNING = "cognition_learning"
    SEMH = "semh"
    SENSORY_PHYSICAL = "sensory_physical"
    NOT_KNOWN = "not_known"


class EhcpStatus(Choice):
    NONE = "none"
    REQUESTED = "requested"
    ASSESSMENT = "assessment"
    DRAFT = "draft"
    PLAN = "plan"
    CEASED = "ceased"
    NOT_KNOWN = "not_known"


class Channel(Choice):
    PHONE = "phone"
    EMAIL = "email"
    FACE_TO_FACE = "face_to_face"
    LETTER = "letter"
    WEB_FORM = "web_form"
    OTHER = "other"


class Route(Choice):
    SELF = "self"
    PROFESSIONAL = "professional"


class CallerRole(Choice):
    PARENT_CARER = "parent_carer"
    CHILD = "child"
    YOUNG_PERSON = "young_person"
    FAMILY_MEMBER = "family_member"
    PROFESSIONAL = "professional"
    ANONYMOUS = "anonymous"


class EnquiryType(Choice):
    GENERAL = "general"
    CASEWORK = "casework"


class Topic(Choice):
    EHC_NEEDS_ASSESSMENT = "ehc_needs_assessment"
    EHC_PLAN = "ehc_plan"
    ANNUAL_REVIEW = "annual_review"
    SEN_SUPPORT = "sen_support"
    EXCLUSION = "exclusion"
    TRIBUNAL = "tribunal"
    MEDIATION = "mediation"
    PLACEMENT = "placement"
    TRANSPORT = "transport"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    COMPLAINT = "complaint"
    OTHER = "other"


class SupportLevel(Choice):
    """Confide's own levels of support, used before the network's intervention levels
    (InterventionLevel). Old cases keep them until the manager maps them (docs/national.md)."""

    INFORMATION = "information"
    ADVICE = "advice"
    CASEWORK = "casework"
    MEETING_SUPPORT = "meeting_support"


class InterventionLevel(Choice):
    """The network's intervention levels (docs/national.md); definitions and typical times are
    shipped wording (resources/national/intervention_levels.json)."""

    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    LEVEL_4 = "level_4"


class CaseStatus(Choice):
    """The network's states of an intervention: open, inactive (no further work planned or no
    contact for the manager's set period; may be reopened), closed (docs/national.md)."""

    OPEN = "open"
    INACTIVE = "inactive"
    CLOSED = "closed"


class EvaluationMethod(Choice):
    ON_SCREEN = "on_screen"
    PAPER = "paper"


class StandardRating(Choice):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_ASSESSED = "not_assessed"


class ClosureReason(Choice):
    RESOLVED = "resolved"
    NO_FURTHER_CONTACT = "no_further_contact"
    CLIENT_WITHDREW = "client_withdrew"
    REFERRED_ON = "referred_on"
    OTHER = "other"


class Outcome(Choice):
    BETTER_INFORMED = "better_informed"
    EHC_ASSESSMENT_AGREED = "ehc_assessment_agreed"
    PLAN_ISSUED_OR_AMENDED = "plan_issued_or_amended"
    PLACEMENT_SECURED = "placement_secured"
    SUPPORT_IN_SCHOOL_IMPROVED = "support_in_school_improved"
    DISPUTE_RESOLVED = "dispute_resolved"
    TRIBUNAL_APPEAL_LODGED = "tribunal_appeal_lodged"
    CONFIDENCE_INCREASED = "confidence_increased"
    OTHER = "other"


class NoteType(Choice):
    PHONE_CALL = "phone_call"
    MEETING = "meeting"
    EMAIL = "email"
    LETTER = "letter"
    ADVICE_GIVEN = "advice_given"
    CASE_REVIEW = "case_review"
    OTHER = "other"


class Relationship(Choice):
    MOTHER = "mother"
    FATHER = "father"
    STEP_PARENT = "step_parent"
    FOSTER_CARER = "foster_carer"
    SPECIAL_GUARDIAN = "special_guardian"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


# Who usually holds parental responsibility (Children Act 1989): a mother always, a father
# in most cases, a special guardian by the order. Only a suggestion: the form still asks, and
# eligibility for casework (R3) reads what was recorded, never this.
USUALLY_WITH_PARENTAL_RESPONSIBILITY = frozenset({Relationship.MOTHER, Relationship.FATHER,
                                                  Relationship.SPECIAL_GUARDIAN})


def usually_has_parental_responsibility(relationship: str | None) -> bool:
    return relationship in USUALLY_WITH_PARENTAL_RESPONSIBILITY


class StatementHow(Choice):
    VERBAL = "verbal"
    WRITTEN = "written"
    WEB = "web"


_LABEL_PAIRS = [
    (PersonKind.CHILD, "Child or young person"),
    (PersonKind.PARENT_CARER, "Parent or carer"),
    (PersonKind.FAMILY_MEMBER, "Other family member"),
    (SchoolPhase.POST_16, "Post-16 (school sixth form)"),
    (PrimaryNeed.COMMUNICATION_INTERACTION, "Communication and interaction"),
    (PrimaryNeed.COGNITION_LEARNING, "Cognition and learning"),
    (PrimaryNeed.SEMH, "Social, emotional and mental health"),
    (PrimaryNeed.SENSORY_PHYSICAL, "Sensory and/or physical"),
    (EhcpStatus.NONE, "No EHC plan"),
    (EhcpStatus.REQUESTED, "Assessment requested"),
    (EhcpStatus.ASSESSMENT, "Being assessed"),
    (EhcpStatus.DRAFT, "Draft plan"),
    (EhcpStatus.PLAN, "Has an EHC plan"),
    (Channel.WEB_FORM, "Web form"),
    (Channel.FACE_TO_FACE, "Face to face"),
    (Route.SELF, "Self-referral"),
    (Route.PROFESSIONAL, "Professional on the family's behalf"),
    (CallerRole.YOUNG_PERSON, "Young person (16-25)"),
    (CallerRole.PARENT_CARER, "Parent or carer"),
    (CallerRole.CHILD, "Child (under 16)"),
    (CallerRole.FAMILY_MEMBER, "Other family member"),
    (EnquiryType.GENERAL, "General information"),
    (Topic.EHC_NEEDS_ASSESSMENT, "EHC needs assessment"),
    (Topic.EHC_PLAN, "EHC plan"),
    (Topic.SEN_SUPPORT, "SEN support"),
    (Topic.PLACEMENT, "Placement / admissions"),
    (SupportLevel.CASEWORK, "Casework support"),
    (InterventionLevel.LEVEL_1, "Level 1: information and advice"),
    (InterventionLevel.LEVEL_2, "Level 2: advice and support"),
    (InterventionLevel.LEVEL_3, "Level 3: casework"),
    (InterventionLevel.LEVEL_4, "Level 4: SEND Tribunal and complex legal casework"),
    (EvaluationMethod.ON_SCREEN, "On screen, at closure"),
    (EvaluationMethod.PAPER, "Printed form"),
    (SupportLevel.MEETING_SUPPORT, "Meeting, mediation or tribunal support"),
    (Outcome.EHC_ASSESSMENT_AGREED, "EHC needs assessment agreed"),
    (Outcome.PLAN_ISSUED_OR_AMENDED, "EHC plan issued or amended"),
    (NoteType.ADVICE_GIVEN, "Advice given"),
]

LABELS = {(type(member).__name__, member.value): text for member, text in _LABEL_PAIRS}
