"""`python -m question_bank.generators.numerik [--out DIR]` rewrites the committed sample."""

from question_bank.generators.numerik import main

if __name__ == "__main__":
    main()
