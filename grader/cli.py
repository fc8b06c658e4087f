def main() -> None:  # placeholder until the grader lands
    raise SystemExit("grade: not built yet")
