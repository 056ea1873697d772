"""scikit-learn's estimator checks on fastreg's estimators (no expected failures).

Besides the defaults (dense X -> Gram layout when n_samples > n_features), one non-default
configuration exercises the dense/sparse residual layouts, random selection and the constraint.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNet, Lasso


@parametrize_with_checks([
    ElasticNet(),
    Lasso(),
    ElasticNet(alpha=0.1, l1_ratio=0.7, precompute=False, selection="random", random_state=0,
               positive=True),
])
def test_sklearn_compatible(estimator, check):
    check(estimator)
