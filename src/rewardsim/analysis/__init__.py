"""Trial analysis: use-pattern words, published endpoints, statistics, power.

Words and endpoints
    :func:`use_pattern_words`, :func:`compute_endpoints`, :func:`endpoint_table`,
    :data:`ENDPOINTS` (CTNote's 54 opioid-trial endpoints and 4 cocaine-trial ones).
Statistics
    :func:`fit_gee`, :func:`fit_gee_multiple_imputation`, :func:`gee_sensitivity`,
    :func:`retention`, :func:`fit_mixed`, :func:`subgroup_analysis`.
Replicates and the whole trial
    :func:`replicate_power`, :func:`power_curve`, :func:`compare_arms`,
    :func:`analyse_run` (what the report shows).
Run folders and real data
    :func:`load_run`, :func:`query_run`, :func:`load_ctn0094`, :func:`ctn0094_words`,
    :func:`summarise_words`.
CTNote primitives
    :func:`count_matches`, :func:`detect_subpattern`, :func:`detect_in_window`,
    :func:`measure_retention`, :func:`measure_abstinence_period`,
    :func:`recode_missing_visits`, :func:`impute_missing_visits`,
    :func:`view_by_lattice`, :func:`collapse_lattice`, :func:`weight_positive_visits`.
"""

from ._citations import CITATIONS as CITATIONS
from ._citations import Citation as Citation
from ._ctn0094 import CTN0094_DIR as CTN0094_DIR
from ._ctn0094 import Ctn0094 as Ctn0094
from ._ctn0094 import ctn0094_words as ctn0094_words
from ._ctn0094 import load_ctn0094 as load_ctn0094
from ._ctn0094 import summarise_words as summarise_words
from ._ctnote import collapse_lattice as collapse_lattice
from ._ctnote import count_matches as count_matches
from ._ctnote import detect_in_window as detect_in_window
from ._ctnote import detect_subpattern as detect_subpattern
from ._ctnote import impute_missing_visits as impute_missing_visits
from ._ctnote import measure_abstinence_period as measure_abstinence_period
from ._ctnote import measure_retention as measure_retention
from ._ctnote import recode_missing_visits as recode_missing_visits
from ._ctnote import view_by_lattice as view_by_lattice
from ._ctnote import weight_positive_visits as weight_positive_visits
from ._endpoints import ENDPOINTS as ENDPOINTS
from ._endpoints import Endpoint as Endpoint
from ._endpoints import compute_endpoints as compute_endpoints
from ._endpoints import endpoint_table as endpoint_table
from ._mixed import fit_mixed as fit_mixed
from ._mixed import subgroup_analysis as subgroup_analysis
from ._power import PowerResult as PowerResult
from ._power import compare_arms as compare_arms
from ._power import replicate_power as replicate_power
from ._power_curve import power_curve as power_curve
from ._run import RunData as RunData
from ._run import load_run as load_run
from ._run import query_run as query_run
from ._stats import ModelResult as ModelResult
from ._stats import fit_gee as fit_gee
from ._stats import fit_gee_multiple_imputation as fit_gee_multiple_imputation
from ._stats import gee_sensitivity as gee_sensitivity
from ._stats import urine_long as urine_long
from ._survival import RetentionResult as RetentionResult
from ._survival import retention as retention
from ._trial import TrialAnalysis as TrialAnalysis
from ._trial import analyse_run as analyse_run
from ._words import SYMBOLS as SYMBOLS
from ._words import read_words_csv as read_words_csv
from ._words import use_pattern_words as use_pattern_words
from ._words import validate_word as validate_word

__all__ = sorted(
    [
        "CITATIONS", "CTN0094_DIR", "Citation", "Ctn0094", "ctn0094_words", "load_ctn0094",
        "summarise_words",
        "collapse_lattice", "count_matches", "detect_in_window", "detect_subpattern",
        "impute_missing_visits", "measure_abstinence_period", "measure_retention",
        "recode_missing_visits", "view_by_lattice", "weight_positive_visits", "ENDPOINTS",
        "Endpoint", "compute_endpoints", "endpoint_table", "fit_mixed", "subgroup_analysis",
        "PowerResult", "compare_arms", "power_curve", "replicate_power", "RunData", "load_run",
        "query_run",
        "ModelResult", "fit_gee", "fit_gee_multiple_imputation", "gee_sensitivity", "urine_long",
        "RetentionResult", "retention", "TrialAnalysis", "analyse_run", "SYMBOLS",
        "read_words_csv", "use_pattern_words", "validate_word",
    ]
)  # fmt: skip
