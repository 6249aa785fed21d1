"""What a case should have before it closes. Closing is still allowed without them (a family
can stop contact at any point), but the person closing it is told what is missing first."""


def closing_gaps(open_actions: int, notes: int, outcomes: int) -> list[str]:
    """Plain sentences, one per gap; empty when nothing is missing."""
    gaps = []
    if open_actions:
        gaps.append(f"{open_actions} action{'s are' if open_actions != 1 else ' is'} still open.")
    if not notes:
        gaps.append("The case has no notes.")
    if not outcomes:
        gaps.append("No outcome is chosen.")
    return gaps
