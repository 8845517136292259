"""``python -m rewardsim``: the command line."""

from .cli import main

main()
