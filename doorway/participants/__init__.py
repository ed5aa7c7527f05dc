"""The participant pages and API: her list and search, registration (which enrols
her), the duplicate check, her page, identity, safety flags and consents.

Pages about her that show what is built on her record (enrolments, the duplicate check
of the caseload), so they sit above those, while her models, actions and forms stay in
`doorway.people`, below. Not an app: no models, and the templates stay in
`people/templates/people/`, where the pages have always found them.
"""
