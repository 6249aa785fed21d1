"""Synthetic case-note wording for demo data: plausible SENDIASS notes, no real people."""

import random

OPENERS = [
    "Phoned {client}.", "Met {client} at the school.", "Email from {client}.", "{client} called the helpline.",
    "Home visit with {client}.", "Spoke to {client} after the annual review.", "Letter received from {client}.",
]
MIDDLES = [
    "Discussed how to request an EHC needs assessment for {child}; explained the six-week decision timescale.",
    "{child} has been on a reduced timetable since half term; talked through the school's duties.",
    "Went through the draft EHC plan section by section; Section F is vague about speech and language therapy.",
    "Explained the difference between SEN support and an EHC plan and what the school should already provide.",
    "{child} was excluded for three days; explained the right to make representations to the governors.",
    "Annual review is overdue; advised writing to the local authority and keeping a copy.",
    "The local authority refused to assess; explained mediation and the right of appeal to the tribunal.",
    "Talked about transport to the new placement and the LA's home-to-school transport policy.",
    "Helped prepare the parental views for the needs assessment, focusing on {child}'s sensory needs.",
    "Discussed the tribunal bundle and the deadline for evidence; agreed what to include.",
    "School has suggested a move to a specialist setting; discussed consultation and naming a school.",
    "Health input missing from the plan; explained how to ask the ICB for the therapy report.",
    "Concerned about {child}'s attendance and anxiety; signposted to the emotionally based school avoidance guidance.",
    "Explained how personal budgets work and what the LA must consider.",
    "Mediation meeting booked; went through what to expect and who will attend.",
]
CLOSERS = [
    "Agreed to send the model letter.", "Will call back next week.", "No further action needed for now.",
    "Sent the relevant factsheet by email.", "Parent will let us know the outcome.",
    "Booked a follow-up meeting.", "Advised keeping a diary of incidents.", "",
]


def note_text(rng: random.Random, client: str, child: str) -> str:
    parts = [rng.choice(OPENERS), rng.choice(MIDDLES)]
    if rng.random() < 0.5:
        parts.append(rng.choice(MIDDLES))
    parts.append(rng.choice(CLOSERS))
    return " ".join(p for p in parts if p).format(client=client, child=child)


ACTIONS = [
    "Call back about the assessment decision", "Send model letter requesting an EHC needs assessment",
    "Check the draft plan response deadline", "Chase the school for the provision map",
    "Prepare for the annual review meeting", "Send tribunal appeal guidance", "Book mediation support",
    "Follow up on exclusion representations", "Ask the LA for the transport decision in writing",
]

SAFEGUARDING = [
    "Parent disclosed domestic abuse at home; advised and referred with consent.",
    "Young person said they felt unsafe at home; referral made to children's social care.",
    "Unexplained injury mentioned by parent; discussed with manager and referred to the MASH.",
]

INCIDENTS = [
    "Caller became verbally abusive and threatened to come to the office.",
    "Aggressive behaviour towards the caseworker at a school meeting.",
]

SUMMARIES = [
    "Asked about EHC needs assessments.", "Wanted information on SEN support in school.",
    "Question about school transport.", "Asked how to complain about the school.",
    "Wanted to know about mediation.", "Asked about exclusion rights.", "General question about annual reviews.",
]
