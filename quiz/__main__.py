from quiz.cli import main

main(prog_name="quiz")
