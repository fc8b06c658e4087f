"""The quiz for the lesson "L1 regularization (Lasso)": bank, session, grading, export."""
