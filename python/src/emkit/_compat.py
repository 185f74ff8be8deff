"""scikit-learn's base classes, warnings and validation when it is installed.

emkit imports and fits without scikit-learn. When it is installed, the
estimator subclasses its ``BaseEstimator`` and ``DensityMixin`` and raises its
``NotFittedError`` and ``ConvergenceWarning``, so that code written for
``sklearn.mixture.GaussianMixture`` catches the same exceptions. Without it,
small stand-ins with the same names and bases are used.
"""

import inspect

try:  # pragma: no cover - which branch runs depends on the environment
    import sklearn
    from sklearn.base import BaseEstimator, DensityMixin
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        from sklearn.utils.validation import validate_data as _validate_data
    except ImportError:  # scikit-learn < 1.6: a method of BaseEstimator

        def _validate_data(estimator, X, **kwargs):
            return estimator._validate_data(X, **kwargs)

    HAVE_SKLEARN = True
    SKLEARN_VERSION = sklearn.__version__
except ImportError:
    HAVE_SKLEARN = False
    SKLEARN_VERSION = None
    _validate_data = None

    class ConvergenceWarning(UserWarning):
        """EM stopped at max_iter before the likelihood converged."""

    class NotFittedError(ValueError, AttributeError):
        """The estimator is used before it was fitted."""

    class BaseEstimator:
        """get_params, set_params and repr, as scikit-learn's BaseEstimator."""

        @classmethod
        def _get_param_names(cls):
            signature = inspect.signature(cls.__init__)
            return sorted(
                name
                for name, p in signature.parameters.items()
                if name != "self" and p.kind != p.VAR_KEYWORD
            )

        def get_params(self, deep=True):
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params):
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(
                        f"Invalid parameter {name!r} for estimator {self}. "
                        f"Valid parameters are: {valid!r}."
                    )
                setattr(self, name, value)
            return self

        def __repr__(self):
            defaults = inspect.signature(type(self).__init__).parameters
            changed = [
                f"{name}={value!r}"
                for name, value in self.get_params().items()
                if not _same_default(value, defaults[name].default)
            ]
            return f"{type(self).__name__}({', '.join(changed)})"

    class DensityMixin:
        """Marks a density estimator, as scikit-learn's DensityMixin."""

        _estimator_type = "DensityEstimator"

    def check_is_fitted(estimator, attributes=None):
        fitted = [
            name
            for name in vars(estimator)
            if name.endswith("_") and not name.startswith("__")
        ]
        if not fitted:
            raise NotFittedError(
                f"This {type(estimator).__name__} instance is not fitted yet. "
                "Call 'fit' with appropriate arguments before using this "
                "estimator."
            )


def _same_default(value, default):
    try:
        return bool(value is default or value == default)
    except ValueError:  # arrays
        return False
