"""``python -m rewardsim.cli``: the command line."""

from . import main

main()
