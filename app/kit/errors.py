"""Base class for expected refusals (time is up, wrong option …).

A refusal is an answer, not a failure: state changes made before it (the attempt's clock
being brought up to date, say) are valid and are committed; any other exception rolls back.
"""


class Refusal(Exception):
    pass
