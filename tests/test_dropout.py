import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

from fastreg import dropout, dropout_backward, dropout_mask
from fastreg._kernels import dropout as K

M64 = (1 << 64) - 1


def _ref_bits(seed, n):
    """Pure-Python r_k from the documented formula in fastreg._kernels.dropout."""
    key = int(K.seed_to_key(seed))
    out = []
    for k in range(n):
        b, o = divmod(k, K.BLOCK)
        c = b * K.HALF + o % K.HALF
        z = (key + (c + 1) * 0x9E3779B97F4A7C15) & M64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        out.append(z & 0xFFFFFFFF if o < K.HALF else z >> 32)
    return np.array(out, dtype=np.uint64)


@pytest.mark.parametrize("n", [1, 2, 7, K.HALF - 1, K.HALF + 3, K.BLOCK, K.BLOCK + 1, 2 * K.BLOCK + K.HALF + 5])
def test_matches_documented_formula(n):
    p = 0.37
    t = round(p * 2**32)
    keep = _ref_bits(11, n) >= t
    np.testing.assert_array_equal(dropout_mask(n, p, seed=11), keep)
    x = np.random.default_rng(0).standard_normal(n)
    y = dropout(x, p, seed=11)
    np.testing.assert_array_equal(y, np.where(keep, x * (1 / (1 - p)), 0.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.77])
def test_exact_scaling(dtype, p):
    x = np.random.default_rng(1).standard_normal((37, 1001)).astype(dtype)
    y = dropout(x, p, seed=5)
    assert y.dtype == dtype and y.shape == x.shape
    kept = y != 0
    scale = dtype(1.0 / (1.0 - p))
    np.testing.assert_array_equal(y[kept], x[kept] * scale)
    np.testing.assert_array_equal(kept, dropout_mask(x.shape, p, seed=5))


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9])
def test_keep_rate_and_mean_binomial(p):
    n = 10_000_000
    m = dropout_mask(n, p, seed=123)
    q = 1 - p
    sd = np.sqrt(q * p / n)
    assert abs(m.mean() - q) < 5 * sd
    y = dropout(np.ones(n, dtype=np.float32), p, seed=321)
    # y = B / q with B ~ Bernoulli(q): mean 1, sd sqrt(p / q) per element.
    assert abs(y.mean(dtype=np.float64) - 1.0) < 5 * np.sqrt(p / q / n)


def _corr(a, b):
    return np.corrcoef(a.astype(np.float64), b.astype(np.float64))[0, 1]


def test_no_correlation():
    p = 0.5
    n = 4_000_000
    m = dropout_mask(n, p, seed=9)
    tol = 5 / np.sqrt(n / 2)
    assert abs(_corr(m[:-1], m[1:])) < tol  # neighbours
    assert abs(_corr(m[:-K.HALF], m[K.HALF:])) < tol  # two halves of one 64-bit hash
    assert abs(_corr(m[:-K.BLOCK], m[K.BLOCK:])) < tol  # consecutive blocks (work items)
    assert abs(_corr(m[: n // 2], m[n // 2 :])) < tol  # the two threads' halves
    rows = m.reshape(2000, 2000)
    assert abs(_corr(rows[:-1].ravel(), rows[1:].ravel())) < tol  # neighbouring rows
    assert abs(_corr(rows[:, :-1].ravel(), rows[:, 1:].ravel())) < tol
    # joint frequencies of neighbouring pairs match independence
    pair = m[:-1].astype(np.int8) * 2 + m[1:]
    freq = np.bincount(pair, minlength=4) / pair.size
    assert np.all(np.abs(freq - 0.25) < 5 * np.sqrt(0.25 * 0.75 / pair.size))
    # different seeds are uncorrelated
    assert abs(_corr(m, dropout_mask(n, p, seed=10))) < 5 / np.sqrt(n)


def test_bits_uniform():
    # 16 equal bins of the 32-bit numbers, through thresholds: chi-square on 2**20 elements.
    n = 1 << 20
    edges = [dropout_mask(n, q / 16, seed=3).sum() for q in range(17)]  # kept with r >= q/16 * 2**32
    counts = -np.diff(edges)
    expected = n / 16
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 40  # 15 dof: P(chi2 > 40) ~ 5e-4


def test_seed_reproducible_and_distinct():
    x = np.random.default_rng(2).standard_normal(10_000)
    np.testing.assert_array_equal(dropout(x, 0.4, seed=42), dropout(x, 0.4, seed=42))
    assert not np.array_equal(dropout(x, 0.4, seed=42), dropout(x, 0.4, seed=43))
    assert not np.array_equal(dropout(x, 0.4), dropout(x, 0.4))  # seed=None: fresh seeds
    assert not np.array_equal(dropout_mask(10_000, 0.5, seed=0), dropout_mask(10_000, 0.5, seed=2**63))


def test_serial_and_parallel_kernels_agree():
    n = 3 * K.BLOCK + 123
    x = np.random.default_rng(3).standard_normal(n).astype(np.float32)
    key, t, s = K.seed_to_key(77), np.uint64(2**31), np.float32(2.0)
    a = K.dropout_serial(x, np.empty_like(x), key, t, s)
    b = K.dropout_parallel(x, np.empty_like(x), key, t, s)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(K.mask_serial(np.empty(n, bool), key, t), K.mask_parallel(np.empty(n, bool), key, t))


_SCRIPT = """
import hashlib, numpy as np, numba
from fastreg import dropout
x = np.arange(3_000_001, dtype=np.float32)
y = dropout(x, 0.3, seed=2024)
print(numba.get_num_threads(), hashlib.sha256(y.tobytes()).hexdigest())
"""


def test_same_output_for_any_thread_count():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, PYTHONPATH=here)
        res = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True)
        nthreads, digest = res.stdout.split()
        assert nthreads == threads
        digests.append(digest)
    x = np.arange(3_000_001, dtype=np.float32)
    digests.append(hashlib.sha256(dropout(x, 0.3, seed=2024).tobytes()).hexdigest())
    assert len(set(digests)) == 1


def test_backward_matches_forward_mask():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((300, 70))
    g = rng.standard_normal((300, 70))
    y = dropout(x, 0.25, seed=99)
    gx = dropout_backward(g, 0.25, seed=99)
    m = dropout_mask(x.shape, 0.25, seed=99)
    np.testing.assert_array_equal(y != 0, m)
    np.testing.assert_array_equal(gx, np.where(m, g * (1 / 0.75), 0.0))
    # vector-Jacobian product: <g, J x> = <J^T g, x> with the diagonal J
    np.testing.assert_allclose((g * y).sum(), (gx * x).sum(), rtol=1e-12)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a[:, ::2],
        lambda a: np.asfortranarray(a),
        lambda a: a.T.copy().T,
        lambda a: a[::-1],
        lambda a: a.reshape(6, 20, 31)[:, ::3].transpose(1, 0, 2),
    ],
)
def test_non_contiguous_same_as_contiguous(make):
    a = np.random.default_rng(5).standard_normal((60, 62))
    v = make(a)
    assert not v.flags.c_contiguous or v.base is not None
    c = np.ascontiguousarray(v)
    np.testing.assert_array_equal(dropout(v, 0.5, seed=8), dropout(c, 0.5, seed=8))
    out = np.empty_like(v, order="F")
    dropout(v, 0.5, seed=8, out=out)
    np.testing.assert_array_equal(out, dropout(c, 0.5, seed=8))


def test_input_not_modified_and_out():
    x = np.random.default_rng(6).standard_normal((50, 40)).astype(np.float32)
    x0 = x.copy()
    y = dropout(x, 0.5, seed=1)
    np.testing.assert_array_equal(x, x0)
    out = np.full_like(x, 7.0)
    r = dropout(x, 0.5, seed=1, out=out)
    assert r is out
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(x, x0)
    r = dropout(x, 0.5, seed=1, out=x)  # in place
    assert r is x
    np.testing.assert_array_equal(x, y)
    # in place on a non-contiguous view
    z = x0.copy()
    dropout(z[:, ::2], 0.5, seed=1, out=z[:, ::2])
    np.testing.assert_array_equal(z[:, ::2], dropout(x0[:, ::2], 0.5, seed=1))
    np.testing.assert_array_equal(z[:, 1::2], x0[:, 1::2])
    # out partially overlapping the input
    w = np.arange(1.0, 101.0)
    expect = dropout(w[:-1].copy(), 0.5, seed=2)
    dropout(w[:-1], 0.5, seed=2, out=w[1:])
    np.testing.assert_array_equal(w[1:], expect)


def test_edge_cases():
    x = np.random.default_rng(7).standard_normal(1000)
    y0 = dropout(x, 0.0, seed=1)
    assert y0 is not x
    np.testing.assert_array_equal(y0, x)
    np.testing.assert_array_equal(dropout(x, 1.0, seed=1), np.zeros_like(x))
    assert dropout(x, 0.5, training=False) is x
    assert dropout(np.empty((0, 3), np.float32), 0.5).shape == (0, 3)
    assert dropout(np.empty((0, 3), np.float32), 0.5).dtype == np.float32
    assert dropout_mask((0,), 0.5, seed=0).shape == (0,)
    assert dropout_mask(5, 0.0, seed=0).all() and not dropout_mask(5, 1.0, seed=0).any()
    s = dropout(np.float64(3.0), 0.5, seed=1)
    assert s.shape == () and float(s) in (0.0, 6.0)
    yi = dropout(np.arange(10), 0.5, seed=1)
    assert yi.dtype == np.float64
    np.testing.assert_array_equal(yi, dropout(np.arange(10.0), 0.5, seed=1))
    # dropped NaN/inf become exactly 0
    bad = np.full(1000, np.nan)
    yb = dropout(bad, 0.5, seed=3)
    assert np.all((yb == 0) | np.isnan(yb)) and (yb == 0).any()


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_bad_p(p):
    with pytest.raises(ValueError, match="'p'"):
        dropout(np.ones(3), p)
    with pytest.raises(ValueError, match="'p'"):
        dropout_backward(np.ones(3), p, seed=0)
    with pytest.raises(ValueError, match="'p'"):
        dropout_mask(3, p, seed=0)


def test_bad_seed_and_out():
    with pytest.raises(ValueError, match="'seed'"):
        dropout(np.ones(3), 0.5, seed=-1)
    with pytest.raises(ValueError, match="'seed'"):
        dropout(np.ones(3), 0.5, seed=2**64)
    with pytest.raises(TypeError, match="'seed'"):
        dropout(np.ones(3), 0.5, seed=1.5)
    with pytest.raises(ValueError, match="'seed'"):
        dropout_backward(np.ones(3), 0.5, seed=None)
    with pytest.raises(ValueError, match="'out'"):
        dropout(np.ones(3), 0.5, seed=0, out=np.empty(4))
    with pytest.raises(ValueError, match="'out'"):
        dropout(np.ones(3), 0.5, seed=0, out=np.empty(3, np.float32))
    with pytest.raises(TypeError):
        dropout(np.ones(3, complex), 0.5, seed=0)
