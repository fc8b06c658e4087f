"""The lesson itself, inside the package: its sections as text (`grade lesson`), and the
L1 vs L2 constraint geometry the lesson page promises as a figure (`grade lesson geometry`).

Nothing here grades anything; the grader's core does not import this package.
"""
