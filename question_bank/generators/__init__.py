"""Deterministic generators of original sample items for the numerik and figural subtests.

Run `python -m question_bank.generators.numerik` or `python -m question_bank.generators.figural`
to rewrite the committed sample; `question_bank.generators.pool.write_pool` writes a larger bank
for load tests.
"""
