"""The configuration pages, API and admin of `doorway.programs`: agency, programs,
phases, focus areas, cycles, partner agencies, costs.

Their models are the lowest of all, while these pages read who may configure
(`people.capabilities`) and how many women are in a phase (`enrolments`); so the pages
sit here, beside the other administrators' pages, and the models and their actions
stay in `programs`.
"""
