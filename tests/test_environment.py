"""The pinned environment: lock file and environment.yml say the same thing."""

from modelrace import environment


def test_lock_and_environment_yml_do_not_drift():
    assert environment.drift() == []


def test_drift_is_detected(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("pandas==3.1.1\nnumpy==2.4.6\n")
    env = tmp_path / "environment.yml"
    env.write_text(environment.render({"pandas": "3.1.1", "numpy": "2.4.5"}))
    assert environment.drift(lock, env) == ["numpy: lock 2.4.6 vs environment.yml 2.4.5"]


def test_required_packages_are_pinned():
    pins = environment.read_lock()
    for name in ("jupyterlab", "pandas", "pyarrow", "matplotlib", "seaborn", "huggingface-hub", "papermill",
                 "nbval", "pytest", "ipykernel", "pooch", "duckdb"):
        assert name in pins, f"{name} missing from requirements.lock"
