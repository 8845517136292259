"""Names and positions of the population kernel's care plan and per-person outputs.

Star-imported by the generated kernel (``_kernel_template.py``), whose numba code reads
these module-level integers as compile-time constants.
"""

#: Settings, in kernel order (:data:`rewardsim.population._tables.ATTRIBUTES` ``setting``).
ST_NONE, ST_OUTPATIENT, ST_TWELVE_STEP, ST_PSYCHOTHERAPY, ST_RESIDENTIAL = range(5)

#: Care plan of one setting, one row of the kernel's ``plan`` array.
PLAN = (
    "weeks",          # episode length (weeks); residential: aftercare weeks
    "mask_counselling", "mask_twelve_step", "mask_individual", "mask_group",  # weekday bits
    "attendance",     # probability a scheduled session is attended (before recent use)
    "dose_mg",        # baclofen per dose (0: none)
    "adherence",      # probability a dose is taken
    "delay_h",        # residential: hours from the request (10:00) to admission
    "show_up",        # residential: probability of turning up at admission
    "stay_days",      # residential: planned stay (evenings)
    "completion",     # residential: probability of completing the stay
    "travel_days",    # days away from home cues after discharge
    "return_cue",     # cue on return home (home = 1)
    "return_days",    # days of the return cue
    "aftercare",      # probability of outpatient aftercare after discharge
    "mask_aftercare", # weekday bits of aftercare counselling
    "res_attendance",  # residential: attendance of in-house counselling
)  # fmt: skip
(
    PL_WEEKS, PL_MASK0, PL_MASK1, PL_MASK2, PL_MASK3, PL_ATT, PL_DOSE, PL_ADH, PL_DELAY,
    PL_SHOW, PL_STAY, PL_COMPLETE, PL_TRAVEL, PL_RET_CUE, PL_RET_DAYS, PL_AFTER,
    PL_MASK_AFTER, PL_RES_ATT,
) = range(len(PLAN))  # fmt: skip

#: Per-person outputs of one scenario, in column order (all whole numbers).
OUTPUTS = (
    "use_days", "abstinent_12m", "be_positive_weeks", "screens", "treatment_episodes",
    "treatment_days", "residential_days", "residential_use_days", "waiting_days",
    "no_show", "sessions", "baclofen_doses",
)  # fmt: skip
(
    O_USE, O_ABST, O_POS, O_SCREENS, O_EPIS, O_TXDAYS, O_RESDAYS, O_RESUSE, O_WAIT,
    O_NOSHOW, O_SESS, O_DOSES,
) = range(len(OUTPUTS))  # fmt: skip
N_OUT = len(OUTPUTS)

#: Days at the end of the year without use that count as abstinent at 12 months.
ABSTINENT_DAYS = 30
