"""scikit-learn's estimator checks on fastreg's estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNet, Lasso


@parametrize_with_checks([ElasticNet(), Lasso()])
def test_sklearn_compatible(estimator, check):
    check(estimator)
