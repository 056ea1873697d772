"""Centering and sample-weight rescaling shared by every linear model.

The weighted least-squares problem with an intercept,

    min_{w, b}  1/2 sum_i s_i (y_i - x_i w - b)^2 + penalty(w),

has ``b = ybar - xbar w`` (weighted means), and becomes an intercept-free problem in
``A = diag(sqrt(s)) (X - 1 xbar^T)`` and ``z = sqrt(s) (y - ybar)``. Dense X is centered and scaled
explicitly (on a copy unless the caller asked for ``copy_X=False``). Sparse X is never densified:
it is only row-scaled, and the kernels subtract ``sqrt(s) xbar_j`` from column j on the fly
(implicit centering, see ``fastreg._kernels.cd``).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Preprocessed", "compute_offsets", "preprocess_data"]


@dataclass
class Preprocessed:
    """Data ready for a solver.

    Attributes
    ----------
    X : ndarray (F-ordered, or C on request) or scipy.sparse CSC (or, on request, CSR) matrix
        ``diag(sqrt(s)) (X - xbar)`` when dense; ``diag(sqrt(s)) X`` when sparse (not centered).
    y : ndarray
        ``sqrt(s) (y - ybar)``, 1-D or 2-D (F-ordered).
    X_offset : ndarray of shape (n_features,)
        Weighted column means ``xbar`` (zeros without intercept).
    y_offset : float or ndarray of shape (n_targets,)
        Weighted mean of y (zero without intercept).
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights, ``None`` when unweighted.
    implicit_center : bool
        True when X is sparse and must be centered on the fly by the kernels.
    """

    X: object
    y: np.ndarray
    X_offset: np.ndarray
    y_offset: object
    sqrt_sw: object
    implicit_center: bool

    @property
    def center_vector(self):
        """The vector ``v`` such that the centered design is ``X - v X_offset^T``."""
        n = self.X.shape[0]
        if self.sqrt_sw is None:
            return np.ones(n, dtype=self.X.dtype)
        return self.sqrt_sw


def compute_offsets(X, y, *, fit_intercept, sample_weight=None):
    """Weighted column means of X and y (zeros without intercept), in X's dtype.

    Factored out of :func:`preprocess_data` for solvers that center on the fly (e.g. block-wise
    Gram matrices) and must not copy X.

    Returns
    -------
    X_offset : ndarray of shape (n_features,)
    y_offset : scalar or ndarray of shape (n_targets,)
    """
    dtype = X.dtype
    n_features = X.shape[1]
    if fit_intercept:
        if sparse.issparse(X):
            if sample_weight is None:
                X_offset = np.asarray(X.mean(axis=0)).ravel().astype(dtype)
            else:
                X_offset = np.asarray(X.T @ sample_weight).ravel() / sample_weight.sum()
                X_offset = X_offset.astype(dtype)
        else:
            X_offset = np.average(X, axis=0, weights=sample_weight).astype(dtype, copy=False)
        y_offset = np.average(y, axis=0, weights=sample_weight)
        y_offset = y_offset.astype(dtype) if isinstance(y_offset, np.ndarray) else dtype.type(y_offset)
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = np.zeros(y.shape[1], dtype=dtype) if y.ndim == 2 else dtype.type(0.0)
    return X_offset, y_offset


def sparse_sq_norms(A, axis):
    """``sum A_ij^2`` along ``axis`` (0: per column, 1: per row) of a CSR or CSC matrix, in
    float64, from the squared data in A's own structure (``A.multiply(A)`` builds a new matrix
    and costs about 2x more: 20 ms on 20000x50000, 10% of a single sparse lasso fit)."""
    A2 = A.__class__((np.square(A.data, dtype=np.float64), A.indices, A.indptr), shape=A.shape)
    return np.asarray(A2.sum(axis=axis)).ravel()


def preprocess_data(X, y, *, fit_intercept, sample_weight=None, copy_X=True, sparse_format="csc",
                    dense_order="F"):
    """Center (weighted) and rescale rows by ``sqrt(sample_weight)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or sparse matrix
        Validated float data.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    fit_intercept : bool
    sample_weight : ndarray of shape (n_samples,) or None
        Validated non-negative weights, used as given (no normalization here).
    copy_X : bool, default=True
        If False, dense X may be modified in place. Without centering and weights X is never
        modified, and ``Preprocessed.X`` may then be the caller's (F-ordered) array itself.
    sparse_format : {'csc', 'csr'}, default='csc'
        Format of ``Preprocessed.X`` for sparse X (coordinate descent reads columns; matrix-free
        products can use either format, and a conversion costs as much as a few products).
    dense_order : {'F', 'C'}, default='F'
        Memory order of ``Preprocessed.X`` for dense X: 'F' for the column access of coordinate
        descent, 'C' for the kernel ``A A^T`` of a wide X (BLAS is 1.5x faster on it, and the
        centered copy of C input is a straight copy).

    Returns
    -------
    Preprocessed
    """
    dtype = X.dtype
    n_samples, n_features = X.shape
    is_sparse = sparse.issparse(X)
    sqrt_sw = None if sample_weight is None else np.sqrt(sample_weight).astype(dtype, copy=False)

    X_offset, y_offset = compute_offsets(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)

    if is_sparse:
        fmt = sparse.csr_matrix if sparse_format == "csr" else sparse.csc_matrix
        Xp = fmt(X)
        if sqrt_sw is not None:
            Xp = fmt(sparse.diags(sqrt_sw) @ Xp)
        elif copy_X and not Xp.has_sorted_indices:
            # fmt(X) shares the arrays of an X in that format: sorting in place would reorder
            # the caller's
            Xp = Xp.copy()
        Xp.sort_indices()
        Xp.data = np.asarray(Xp.data, dtype=dtype)
    else:
        # X is only written to when centering or reweighting; otherwise it is never copied (the
        # caller's array is read, never modified), which matters for tall data. copy_X=False
        # allows in-place centering, but a read-only X (e.g. a memmap opened 'r') is still copied.
        modify = fit_intercept or sqrt_sw is not None
        copy = modify and (copy_X or not X.flags.writeable)
        Xp = (np.array(X, dtype=dtype, order=dense_order, copy=True) if copy
              else np.asarray(X, dtype=dtype, order=dense_order))
        if fit_intercept:
            Xp -= X_offset
        if sqrt_sw is not None:
            Xp *= sqrt_sw[:, None]

    yp = np.array(y, dtype=dtype, order="F", copy=True)
    if fit_intercept:
        yp -= y_offset
    if sqrt_sw is not None:
        yp *= sqrt_sw if yp.ndim == 1 else sqrt_sw[:, None]

    return Preprocessed(
        X=Xp,
        y=yp,
        X_offset=X_offset,
        y_offset=y_offset,
        sqrt_sw=sqrt_sw,
        implicit_center=bool(is_sparse and fit_intercept),
    )
