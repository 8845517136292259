"""NONMEM-style event data sets and dosing regimens.

Read and write data sets (:func:`read_dataset`, :func:`write_dataset`), check them against
a model (:func:`validate_dataset`), build dose records (:func:`regimen`,
:func:`parse_regimen`) and write ADDL records out as explicit doses (:func:`expand_addl`).
"""

from ._dataset import NONMEM_COLUMNS as NONMEM_COLUMNS
from ._dataset import read_dataset as read_dataset
from ._dataset import validate_dataset as validate_dataset
from ._dataset import write_dataset as write_dataset
from ._regimen import expand_addl as expand_addl
from ._regimen import parse_regimen as parse_regimen
from ._regimen import regimen as regimen

__all__ = [
    "NONMEM_COLUMNS",
    "expand_addl",
    "parse_regimen",
    "read_dataset",
    "regimen",
    "validate_dataset",
    "write_dataset",
]
