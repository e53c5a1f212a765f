"""Item calibration (MML-EM) recovers known parameters from simulated responses: the
recovery figures are pinned here with a tolerance and reported in bench/README.md."""

import numpy as np
import pytest

from app.psychometrics import simulation
from app.scoring import calibration


def simulate(model: str, seed: int = 3, persons: int = 2000, items: int = 50, missing=0.0):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.7, 2.0, items), rng.normal(0, 1, items)
    c = rng.uniform(0.1, 0.3, items) if model == "3pl" else np.zeros(items)
    theta = rng.normal(0, 1, persons)
    responses = simulation.keyed(rng, theta, a, b, c)
    responses[rng.random(responses.shape) < missing] = np.nan  # items not on a drawn form
    return responses, a, b, c


def rmse(x, y) -> float:
    return float(np.sqrt(np.mean((x - y) ** 2)))


def test_2pl_recovery_2000_simulees_by_50_items() -> None:
    responses, a, b, _ = simulate("2pl")
    fit = calibration.calibrate(responses, "2pl")
    assert fit.converged
    assert rmse(fit.a, a) < 0.13 and rmse(fit.b, b) < 0.10
    assert np.corrcoef(fit.a, a)[0, 1] > 0.95 and np.corrcoef(fit.b, b)[0, 1] > 0.99
    # the reported standard errors are of the size of the actual errors
    assert fit.se_a.mean() == pytest.approx(rmse(fit.a, a), rel=0.4)
    assert fit.se_b.mean() == pytest.approx(rmse(fit.b, b), rel=0.4)
    assert np.all(fit.se_c == 0)


def test_3pl_recovery_with_items_missing_from_drawn_forms() -> None:
    responses, a, b, c = simulate("3pl", missing=0.3)
    fit = calibration.calibrate(responses, "3pl")
    assert fit.converged
    assert np.corrcoef(fit.b, b)[0, 1] > 0.98 and np.corrcoef(fit.a, a)[0, 1] > 0.8
    assert rmse(fit.b, b) < 0.25 and rmse(fit.c, c) < 0.08
    assert np.all(fit.se_c > 0)


def test_the_marginal_likelihood_rises_to_the_estimate() -> None:
    responses, *_ = simulate("2pl", persons=500, items=20)
    short = calibration.calibrate(responses, "2pl", max_iterations=2)
    full = calibration.calibrate(responses, "2pl")
    assert not short.converged and full.log_likelihood > short.log_likelihood


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="2pl or 3pl"):
        calibration.calibrate(np.zeros((3, 2)), "grm")


def test_proasn_bank_calibrate_reports_saves_and_a_run_names_the_set(
    use_database: str, tmp_path
) -> None:
    import json

    from typer.testing import CliRunner

    from app.cli import app as cli
    from app.db import make_engine, make_sessionmaker, transaction
    from tests.delivery.factories import open_exam
    from tests.scoring.test_service import sit

    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        exam = open_exam(db, tmp_path, people=3)
        for n, best in enumerate((True, False, True)):
            sit(db, exam, n, best=best)
        code = exam.event.code
    engine.dispose()
    runner = CliRunner()
    # the test bank's items have no parameters: nothing to link to
    refused = runner.invoke(cli, ["bank", "calibrate", code])
    assert refused.exit_code == 1 and "jangkar" in refused.output
    out = tmp_path / "kalibrasi.json"
    args = ["bank", "calibrate", code, "--model", "2pl", "--link", "none", "--out", str(out)]
    thin = runner.invoke(cli, [*args, "--save", "Uji CLI"])  # three takers
    assert thin.exit_code == 1 and "--force" in thin.output
    assert out.exists() and "verbal" in out.read_text()  # the estimates are still written
    out.unlink()
    dangling = tmp_path / "putus.json"
    dangling.symlink_to(tmp_path / "tidak-ada" / "x.json")
    link_out = runner.invoke(cli, [*args[:-1], str(dangling), "--save", "Putus", "--force"])
    assert link_out.exit_code == 1 and "--out" in link_out.output
    assert "Disimpan" not in link_out.output and "Traceback" not in link_out.output
    bad_out = runner.invoke(cli, [*args[:-1], str(tmp_path / "tidak-ada" / "x.json")])
    assert bad_out.exit_code == 1 and "--out" in bad_out.output
    result = runner.invoke(cli, [*args, "--save", "Uji CLI", "--force"])
    assert result.exit_code == 0, result.output
    assert "Uji CLI v1" in result.output and "--force" in result.output  # saved thin: said
    assert "verbal (2pl): " in result.output and "sjt (grm): " in result.output
    assert "SE" in result.output and "konvergen" in result.output
    assert "Disimpan: set parameter Uji CLI v1" in result.output
    report = json.loads(out.read_text())
    assert set(report) == {"verbal", "sjt"}
    items = report["verbal"]["items"]  # every verbal item drawn into the three forms
    assert len(items) >= 3 and report["verbal"]["model"] == "2pl"
    assert report["verbal"]["link"] is None
    assert all(item["n"] >= 1 and set(item["se"]) == {"a", "b"} for item in items)
    assert all(len(item["params"]["thresholds"]) == 4 for item in report["sjt"]["items"])
    scored = runner.invoke(cli, ["scores", "run", code, "--parameters", "Uji CLI:1"])
    assert scored.exit_code == 0, scored.output
    unknown = runner.invoke(cli, ["scores", "run", code, "--parameters", "Tidak ada"])
    assert unknown.exit_code == 1 and "tidak ditemukan" in unknown.output
    bad_version = runner.invoke(cli, ["scores", "run", code, "--parameters", "Uji CLI:x"])
    assert bad_version.exit_code == 1 and "versi" in bad_version.output
    assert runner.invoke(cli, ["bank", "calibrate", "tidak-ada"]).exit_code == 1


def test_graded_response_model_recovery() -> None:
    rng = np.random.default_rng(7)
    persons, items, k = 2000, 20, 5
    a = rng.uniform(0.8, 2.0, items)
    thresholds = np.sort(rng.normal(0, 1, (items, k - 1)), axis=1)
    theta = rng.normal(0, 1, persons)
    categories = simulation.graded(rng, theta, a, thresholds)
    categories[rng.random(categories.shape) < 0.2] = np.nan  # not presented
    fit = calibration.calibrate_graded(categories, k)
    assert fit.converged
    assert rmse(fit.a, a) < 0.12 and rmse(fit.thresholds, thresholds) < 0.12
    assert np.corrcoef(fit.a, a)[0, 1] > 0.95
    assert np.all(np.diff(fit.thresholds, axis=1) > 0)
    assert fit.se_a.mean() == pytest.approx(rmse(fit.a, a), rel=0.5)
