"""The hidden checks: one module per exercise, named like the exercise.

Every checks module imports `grader.checkspec` before it declares a check, and checkspec
loads the grading profile, so each `@settings` is built on top of it. The package itself imports nothing: its data
(`housing`) and the calls named ahead (`story`) load without hypothesis, so a grading can
start exercise 4's story before it imports the checks (`grader.ahead`).
"""
