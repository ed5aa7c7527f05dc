"""Questionnaires and scales as versioned data, and their administrations to an enrolment."""
