"""`python -m question_bank.generators.figural [--out DIR]` rewrites the committed sample."""

from question_bank.generators.figural import main

if __name__ == "__main__":
    main()
