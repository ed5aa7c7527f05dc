"""Enrolments and journey events are participant content, so they are not in the admin:
they are reached only through the participant and enrolment pages, which apply
`visible_to(user)` and audit every read. An administrator who must read one breaks
the glass at `/audit/break-glass/`."""
