"""The writers of reports for people and platforms: text and JSON, Gradescope, JUnit."""
