"""Inverted dropout with a fused, counter-based kernel.

The random bits of element ``k`` (C-order index in the logical array) are a pure function of
``(seed, k)`` (see :mod:`fastreg._kernels.dropout`), so a seed fully determines the mask: the forward
result does not depend on the number of threads, the backward pass regenerates the mask instead of
storing it, and a non-contiguous array gets the same mask as its contiguous copy.
"""

import secrets
from numbers import Integral

import numba
import numpy as np

from ._kernels import dropout as _k
from ._validation import check_interval

__all__ = ["dropout", "dropout_backward", "dropout_mask"]

# Below this many elements one thread is faster than waking the pool.
_PARALLEL_MIN = 1 << 20
# Blocks handed to a thread at a time: dynamic scheduling keeps both cores busy on a shared machine.
_CHUNK_BLOCKS = 8


def _check_p(p, owner):
    return check_interval(p, "p", owner=owner, low=0.0, high=1.0)


def _check_seed(seed, owner, allow_none):
    if seed is None:
        if allow_none:
            return secrets.randbits(64)
        raise ValueError(f"The 'seed' parameter of {owner} must be an int in [0, 2**64); got None.")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, Integral):
        raise TypeError(
            f"The 'seed' parameter of {owner} must be an int in [0, 2**64) or None. "
            f"Got {seed!r} of type {type(seed).__name__} instead."
        )
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"The 'seed' parameter of {owner} must be an int in [0, 2**64). Got {seed!r}.")
    return seed


def _threshold(p):
    # Keep iff r >= t with r uniform on [0, 2**32): P(keep) = 1 - t / 2**32.
    return np.uint64(min(round(p * 2.0**32), 2**32))


def _as_float_array(x, name):
    x = np.asarray(x)
    if x.dtype == np.float32 or x.dtype == np.float64:
        return x
    if x.dtype.kind in "biuf":
        return x.astype(np.float64)
    raise TypeError(f"{name} must be an array of real numbers (float32 or float64); got dtype {x.dtype}.")


def _check_out(out, x, owner):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"The 'out' parameter of {owner} must be a numpy.ndarray; got {type(out).__name__}.")
    if out.shape != x.shape or out.dtype != x.dtype:
        raise ValueError(
            f"The 'out' parameter of {owner} must have the shape and dtype of the input, "
            f"{x.shape} {x.dtype}; got {out.shape} {out.dtype}."
        )
    if not out.flags.writeable:
        raise ValueError(f"The 'out' parameter of {owner} is read-only.")


def _run_kernel(src, dst, key, threshold, scale):
    """Fused pass on 1-D contiguous arrays (``dst`` may be ``src``)."""
    if src.shape[0] < _PARALLEL_MIN:
        _k.dropout_serial(src, dst, key, threshold, scale)
        return
    old = numba.get_parallel_chunksize()
    numba.set_parallel_chunksize(_CHUNK_BLOCKS)
    try:
        _k.dropout_parallel(src, dst, key, threshold, scale)
    finally:
        numba.set_parallel_chunksize(old)


def _apply(x, p, seed, out, owner):
    """Shared body of :func:`dropout` (training) and :func:`dropout_backward`."""
    if out is None:
        out = np.empty(x.shape, dtype=x.dtype)  # C order: the kernel writes it directly
    if x.size == 0:
        return out
    if p == 0.0:
        np.copyto(out, x)
        return out
    if p == 1.0:
        out.fill(0)
        return out
    key = _k.seed_to_key(seed)
    threshold = _threshold(p)
    scale = x.dtype.type(1.0 / (1.0 - p))

    same = out is x or (
        out.__array_interface__["data"][0] == x.__array_interface__["data"][0]
        and out.strides == x.strides
    )
    src = x if x.flags.c_contiguous else np.ascontiguousarray(x)
    direct = out.flags.c_contiguous and (same or not np.may_share_memory(src, out))
    dst = out if direct else np.empty(x.shape, dtype=x.dtype)
    _run_kernel(src.reshape(-1), dst.reshape(-1), key, threshold, scale)
    if not direct:
        np.copyto(out, dst)
    return out


def dropout(x, p=0.5, *, seed=None, training=True, out=None):
    """Inverted dropout: keep each element with probability ``1 - p``, scaled by ``1 / (1 - p)``.

    ``y_k = x_k * m_k / (1 - p)`` with independent ``m_k ~ Bernoulli(1 - p)``, so ``E[y] = x``.
    Dropped elements are exactly ``0`` (also when ``x_k`` is inf or NaN). One fused parallel pass
    generates the random bits, compares them with an integer threshold, scales and writes; no array of
    random numbers and no mask is stored.

    Parameters
    ----------
    x : array_like
        Input of any shape and strides. float32 and float64 are preserved; other real dtypes become
        float64.
    p : float, default=0.5
        Drop probability in ``[0, 1]``. It is used as the nearest multiple of ``2**-32``.
    seed : int in [0, 2**64) or None, default=None
        The mask is a pure function of ``(seed, C-order index)``: the same seed and shape give the same
        mask whatever the strides, dtype or number of threads. ``None`` draws a fresh seed.
    training : bool, default=True
        If False, return ``x`` unchanged (copied into ``out`` when given).
    out : ndarray, optional
        Preallocated output of ``x``'s shape and dtype; ``out=x`` works in place. ``x`` is never
        modified otherwise.

    Returns
    -------
    y : ndarray
        ``out`` if given, else a new C-ordered array.

    Raises
    ------
    ValueError
        If ``p`` is NaN or outside ``[0, 1]``, or ``seed`` is outside ``[0, 2**64)``.

    See Also
    --------
    dropout_backward : Gradient of this function, from the same seed.
    dropout_mask : The boolean keep-mask for a seed.

    Notes
    -----
    ``p = 0`` returns a copy and ``p = 1`` returns zeros. A non-contiguous input is first copied to a
    contiguous array (one extra pass); contiguous inputs take one pass.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import dropout
    >>> y = dropout(np.ones(8, dtype=np.float32), p=0.5, seed=0)
    >>> sorted(set(y.tolist())) in ([0.0, 2.0], [0.0], [2.0])
    True
    >>> np.array_equal(y, dropout(np.ones(8, dtype=np.float32), p=0.5, seed=0))
    True
    """
    owner = "dropout"
    p = _check_p(p, owner)
    seed = _check_seed(seed, owner, allow_none=True)
    x = _as_float_array(x, "x")
    if out is not None:
        _check_out(out, x, owner)
    if not training:
        if out is None:
            return x
        if out is not x:
            np.copyto(out, x)
        return out
    return _apply(x, p, seed, out, owner)


def dropout_backward(grad, p, *, seed, out=None):
    """Gradient of :func:`dropout`, regenerating the mask from ``seed``.

    ``dx = grad * m / (1 - p)``, with ``m`` the forward pass's keep-mask (never stored).

    Parameters
    ----------
    grad : array_like
        Gradient with respect to the output of ``dropout(x, p, seed=seed)``; same shape as ``x``.
    p : float
        The drop probability used in the forward pass.
    seed : int in [0, 2**64)
        The seed used in the forward pass.
    out : ndarray, optional
        Preallocated output (``out=grad`` works in place).

    Returns
    -------
    grad_x : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import dropout, dropout_backward
    >>> x = np.arange(1.0, 7.0)
    >>> g = dropout_backward(np.ones(6), 0.3, seed=7)
    >>> np.allclose(dropout(x, 0.3, seed=7), x * g)
    True
    """
    owner = "dropout_backward"
    p = _check_p(p, owner)
    seed = _check_seed(seed, owner, allow_none=False)
    grad = _as_float_array(grad, "grad")
    if out is not None:
        _check_out(out, grad, owner)
    return _apply(grad, p, seed, out, owner)


def dropout_mask(shape, p, *, seed):
    """Boolean keep-mask of :func:`dropout` for ``shape``, ``p`` and ``seed``.

    ``dropout(x, p, seed=seed) == np.where(dropout_mask(x.shape, p, seed=seed), x * s, 0)`` with
    ``s = x.dtype.type(1 / (1 - p))``.

    Parameters
    ----------
    shape : int or tuple of int
    p : float
        Drop probability in ``[0, 1]``.
    seed : int in [0, 2**64)

    Returns
    -------
    mask : ndarray of bool, C order
        True where the element is kept.

    Examples
    --------
    >>> from fastreg import dropout_mask
    >>> m = dropout_mask((2, 3), 0.5, seed=1)
    >>> m.shape, m.dtype
    ((2, 3), dtype('bool'))
    """
    owner = "dropout_mask"
    p = _check_p(p, owner)
    seed = _check_seed(seed, owner, allow_none=False)
    out = np.empty(shape, dtype=np.bool_)
    if out.size == 0:
        return out
    if p == 0.0 or p == 1.0:
        out.fill(p == 0.0)
        return out
    flat = out.reshape(-1)
    key = _k.seed_to_key(seed)
    if flat.shape[0] < _PARALLEL_MIN:
        _k.mask_serial(flat, key, _threshold(p))
    else:
        _k.mask_parallel(flat, key, _threshold(p))
    return out
