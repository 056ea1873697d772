"""Input and parameter validation shared by every fastreg estimator and solver.

Errors are ``ValueError`` (or ``TypeError`` for a value of the wrong kind) whose message names the
parameter, worded like scikit-learn's so that code catching scikit-learn's errors keeps working.
"""

import sys
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "InvalidParameterError",
    "check_interval",
    "check_choice",
    "check_sample_weight",
    "validate_X_y",
    "validate_X_predict",
    "check_penalty_factor",
    "is_dask_array",
]


class InvalidParameterError(ValueError, TypeError):
    """A parameter of the wrong type or value.

    Like scikit-learn's own ``InvalidParameterError``, it is both a ``ValueError`` and a
    ``TypeError``, so code that catches either from scikit-learn also catches it from fastreg.
    """


def _owner_prefix(name, owner):
    return f"The '{name}' parameter of {owner}" if owner else f"The '{name}' parameter"


def check_interval(
    value, name, *, owner=None, kind=Real, low=None, high=None, closed="both", allow_none=False
):
    """Check that a scalar parameter is a number of ``kind`` inside an interval.

    Parameters
    ----------
    value : object
        The value given by the user.
    name : str
        Parameter name, used in the error message.
    owner : str, optional
        Name of the estimator or function, used in the error message.
    kind : type, default=numbers.Real
        ``numbers.Real`` or ``numbers.Integral``.
    low, high : float or None
        Bounds of the interval; ``None`` means unbounded.
    closed : {'both', 'left', 'right', 'neither'}
        Which bounds are included.
    allow_none : bool, default=False
        Whether ``None`` is accepted (and returned unchanged).

    Returns
    -------
    value : int or float
        The value as a Python scalar.

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and a ``TypeError``) if the value is not a number of the requested
        kind, is NaN or is outside the interval.
    """
    if value is None and allow_none:
        return None
    # an infinite end is always open, as scikit-learn writes it: [0.0, inf)
    left = "[" if closed in ("both", "left") and low is not None else "("
    right = "]" if closed in ("both", "right") and high is not None else ")"
    lo = "-inf" if low is None else repr(float(low)) if kind is Real else str(low)
    hi = "inf" if high is None else repr(float(high)) if kind is Real else str(high)
    kind_name = "an int" if kind is Integral else "a float"
    expected = f"{_owner_prefix(name, owner)} must be {kind_name} in the range {left}{lo}, {hi}{right}."
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise InvalidParameterError(
            f"{expected} Got {value!r} of type {type(value).__name__} instead."
        )
    if kind is Real and np.isnan(value):
        raise InvalidParameterError(f"{expected} Got {value!r} instead.")
    # (an unbounded end is open, as the message says: +-inf is outside, as in scikit-learn)
    too_low = (value == -np.inf if low is None
               else value < low if closed in ("both", "left") else value <= low)
    too_high = (value == np.inf if high is None
                else value > high if closed in ("both", "right") else value >= high)
    if too_low or too_high:
        raise InvalidParameterError(f"{expected} Got {value!r} instead.")
    return int(value) if kind is Integral else float(value)


def check_choice(value, name, choices, *, owner=None):
    """Check that ``value`` is one of ``choices`` (compared with ``==``).

    Raises
    ------
    InvalidParameterError
        (a ``ValueError``) naming the parameter and listing the accepted values.
    """
    for c in choices:
        if isinstance(value, type(c)) and value == c:
            return value
    opts = ", ".join(repr(c) for c in choices)
    raise InvalidParameterError(
        f"{_owner_prefix(name, owner)} must be one of {{{opts}}}. Got {value!r} instead."
    )


def check_sample_weight(sample_weight, n_samples, dtype):
    """Validate ``sample_weight``: 1-D, finite, non-negative, of length ``n_samples``, not all zero.

    A scalar means equal weights and gives ``None`` (unweighted), as in scikit-learn.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
        A new array of ``dtype`` (never the caller's array).
    """
    if sample_weight is None or isinstance(sample_weight, Real):
        if isinstance(sample_weight, Real) and not sample_weight > 0:
            raise ValueError("sample_weight must be positive when given as a scalar.")
        return None
    sw = check_array(
        sample_weight,
        ensure_2d=False,
        dtype=dtype,
        copy=True,
        input_name="sample_weight",
        ensure_min_samples=0,
    )
    if sw.ndim != 1:
        raise ValueError(f"Sample weights must be 1D array or scalar, got {sw.ndim}D array.")
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == ({sw.shape[0]},), expected ({n_samples},)!"
        )
    if np.any(sw < 0):
        raise ValueError("Negative values in data passed to sample_weight.")
    if not np.any(sw > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sw


def check_penalty_factor(penalty_factor, n_features, dtype):
    """Validate a per-feature penalty factor (glmnet's ``penalty.factor``).

    Returns
    -------
    penalty_factor : ndarray of shape (n_features,) or None
        Non-negative finite weights with at least one positive; ``None`` means all ones.
    """
    if penalty_factor is None:
        return None
    pf = check_array(
        penalty_factor, ensure_2d=False, dtype=dtype, copy=True, input_name="penalty_factor"
    )
    if pf.ndim != 1 or pf.shape[0] != n_features:
        raise ValueError(
            f"penalty_factor must be a 1-D array of length n_features={n_features}, "
            f"got shape {pf.shape}."
        )
    if np.any(pf < 0):
        raise ValueError("Negative values in data passed to penalty_factor.")
    if not np.any(pf > 0):
        raise ValueError("penalty_factor must have at least one positive entry.")
    return pf


def validate_X_y(estimator, X, y, *, accept_sparse="csc", order="F", copy=False, multi_output=True,
                 ensure_all_finite=True):
    """Validate training data with scikit-learn's checks and wording.

    Dense X becomes float64 or float32 (float32 is kept), sparse X becomes CSC (or the requested
    format); y gets X's dtype. Sets ``n_features_in_`` and ``feature_names_in_`` on the estimator.
    ``ensure_all_finite=False`` leaves X's check for NaN and infinity to the caller (y is always
    checked).
    """
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=accept_sparse,
        order=order,
        dtype=[np.float64, np.float32],
        copy=copy,
        multi_output=multi_output,
        y_numeric=True,
        accept_large_sparse=False,
        ensure_all_finite=ensure_all_finite,
    )
    if isinstance(y, np.ndarray) and y.dtype == X.dtype:  # validated: only its order may change
        y = np.asfortranarray(y)
    else:  # a cast (to float32 from float64, say) is checked again: 1e300 becomes inf
        y = check_array(y, ensure_2d=False, dtype=X.dtype, order="F", copy=False, input_name="y")
    if sparse.issparse(X) and not X.has_sorted_indices:
        X = X.copy() if not copy else X
        X.sort_indices()
    return X, y


def validate_X_predict(estimator, X):
    """Validate X at predict time against what the estimator saw in ``fit``.

    Raises scikit-learn's ``NotFittedError`` if the estimator is not fitted.
    """
    check_is_fitted(estimator)
    return validate_data(
        estimator,
        X,
        accept_sparse=["csr", "csc", "coo"],
        dtype=[np.float64, np.float32],
        reset=False,
    )


def is_dask_array(X):
    """True if ``X`` is a ``dask.array.Array`` (without importing dask).

    If dask has not been imported, X cannot be a dask array, so ``import fastreg`` and every
    in-memory fit stay free of dask; the dask code (:mod:`fastreg._dask`) is imported only then.
    """
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)
