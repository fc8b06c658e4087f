"""What grades a class or ships a course: batch grading (jobs, the grading server, the
gradebook), the student copy, the Gradescope bundle and the instructor's consistency check.
It calls the grading API (`grader.api`), never the command line."""
