"""The student release (``build``): what goes in (question notebooks and sheets,
utils, requirements, a README), written aside, leak-checked (``guards.release``),
then put in place of the last release with its zip archive.
"""
