"""Data protection complaints (s.164A DPA 2018, from 19 June 2026): the register, its
deadlines on the manager's dashboard and its figures in the period report.

The register holds who complained and about what, so it is the manager's alone; the role
matrix of app.services reads REQUIRED_ROLE from here."""

from app.domain.staff import Role

REQUIRED_ROLE = Role.MANAGER  # every public function of this package: register, read, report
ACK_DAYS = 30  # "acknowledge receipt of the complaint within the period of 30 days" (s.164A(3)(b))
