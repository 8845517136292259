"""Names and positions of the trial kernel's parameter vector and subject outputs.

Star-imported by the generated kernel (``_kernel_template.py``), whose numba code reads
these module-level integers as compile-time constants.
"""

from ..models.reward_circuit import RewardCircuit

#: The trial kernel's parameters, in vector order (built by ``_cohort.parameter_vector``).
NAMES = (
    # behaviour (models/behaviour.py)
    "B_MU", "B_SD", "WC", "SD_X", "TAU_X", "WW", "CV_WC", "CV_WW", "AMT_SMOKED",
    "AMT_INTRANASAL", "AMT_IV", "SD_AMT_PATIENT", "SD_AMT_DAY", "BURN_IN",
    # measurement (models/measurement.py)
    "CRAVE_SLOPE", "CRAVE_SD", "ANX_BASE", "ANX_SLOPE", "ANX_TRAIT_SD", "ANX_SD",
    "PLACEBO_BSCS", "PLACEBO_HAMA", "SED_HAMA", "DROWSY_BASE", "DROWSY_SLOPE", "DROP_AE",
    "SD_URINE",
    # care (models/care.py)
    "MISS_AFTER_USE", "CUE_TRAVEL", "CUE_RESIDENTIAL",
    # design
    "CUTOFF", "VISIT_ATT", "H0", "DROP_USE", "DROP_W", "P_DOSE", "ADH_SD",
    "B_MIN", "MIN_POS", "SHARE_SMOKED", "SHARE_INTRANASAL", "SHARE_IV", "CLNR", "CLR",
    "OM_CLNR", "OM_CLR", "MAX_ATTEMPTS",
)  # fmt: skip
(
    B_MU, B_SD, WC, SD_X, TAU_X, WW, CV_WC, CV_WW, AMT_SMOKED,
    AMT_IN, AMT_IV, SD_AMT_PATIENT, SD_AMT_DAY, BURN_IN,
    CRAVE_SLOPE, CRAVE_SD, ANX_BASE, ANX_SLOPE, ANX_TRAIT_SD, ANX_SD,
    PLACEBO_BSCS, PLACEBO_HAMA, SED_HAMA, DROWSY_BASE, DROWSY_SLOPE, DROP_AE,
    SD_URINE,
    MISS_AFTER_USE, CUE_TRAVEL, CUE_RESIDENTIAL,
    CUTOFF, VISIT_ATT, H0, DROP_USE, DROP_W, P_DOSE, ADH_SD,
    B_MIN, MIN_POS, SHARE_SMOKED, SHARE_IN, SHARE_IV, CLNR, CLR,
    OM_CLNR, OM_CLR, MAX_ATTEMPTS,
) = range(len(NAMES))  # fmt: skip

#: Position of EC50_BAC in the reward circuit's parameter vector.
EC50_BAC_INDEX = [p.name for p in RewardCircuit.params].index("EC50_BAC")

#: Per-patient outputs of the kernel, in column order.
SUBJECT_COLUMNS = (
    "attempt", "route", "b", "amount_typical_mg", "wc", "ww", "p_dose", "anxiety_trait",
    "baclofen_cl_factor", "baseline_positive_urines", "baseline_urines", "use_days_28",
    "severity", "dropout_day", "sessions", "eligible",
)  # fmt: skip
S_ATTEMPT, S_ROUTE, S_B, S_AMT, S_WC, S_WW, S_PDOSE, S_ANX = range(8)
S_CLF, S_BPOS, S_BURINE, S_USE28, S_SEV, S_DROP, S_SESS, S_ELIG = range(8, 16)
