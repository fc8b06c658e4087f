"""Reference solutions: hidden from learners, imported only by the grader."""
