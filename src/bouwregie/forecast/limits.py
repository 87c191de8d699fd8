"""What a forecast request may ask for, in one place for the CLI, the web form and the REST API. A module of its
own without numpy or scipy, so the REST API's schema (forecast/rest.py) can state the limits without loading the
forecast's engine when the API is assembled (issue #22)."""

DEFAULT_RUNS = 10_000
DEFAULT_HORIZON = 2035
MAX_RUNS = 100_000
# The seed of the random streams (numpy SeedSequence takes any non-negative integer, but a huge one only costs
# time and does not fit the stored Forecast.seed): 0 … 2³²−1, the range of a classic 32-bit seed, everywhere
# (CLI, web form, REST API; issue #16: a seed of 2^70 ran 30 s and then failed on storing it).
MAX_SEED = 2**32 - 1
