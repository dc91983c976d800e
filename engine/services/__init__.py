"""Use cases: one function each, opening a unit of work, acting, committing.

The API, the pages, the CLI and the scheduler all call these same functions.
"""
