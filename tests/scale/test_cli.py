"""lucid-render-sweep and lucid-microscope check their arguments first: one line, exit 2, nothing loaded."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

from lucid.scale import cli, tasks  # noqa: E402


@pytest.fixture
def nothing_loaded(monkeypatch):
    """Fail the test if a model is loaded (no graph may be built before the checks pass)."""

    def load_model(spec):
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr(tasks, "load_model", load_model)


# What the lucid-render-sweep console script runs (setup.py).
SWEEP_COMMAND = "import sys; from lucid.cli import sweep_main; sys.exit(sweep_main())"


def bad_value_cases(tmp_path):
    existing_file = tmp_path / "existing-file"
    existing_file.write_text("not a directory")
    return [
        (["EfficientNetLite0", "block5", "-o", str(existing_file)], "is a file"),
        # Issue 23 row 15: a directory that cannot be made (CI runs as root: permission bits would not stop it).
        (["EfficientNetLite0", "block5", "-o", str(existing_file / "out")], "cannot be created"),
        (["EfficientNetLite0", "block5", "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"], "No Dask"),
        (["EfficientNetLite0", "block5", "-o", str(tmp_path / "out"), "--size", "0"], "at least 1"),
        (["EfficientNetLite0", "block5", "-o", str(tmp_path / "out"), "--size", "1000000"], "at most 2048"),
        (["EfficientNetLite0", "block5", "-o", str(tmp_path / "out"), "--steps", "x"], "must be an integer"),
        (["NoSuchNet", "block5", "-o", str(tmp_path / "out")], "No network named NoSuchNet"),
        ([str(tmp_path / "missing.pb"), "conv1", "-o", str(tmp_path / "out")], "No model file"),
    ]


def test_sweep_checks_every_argument_before_loading_a_model(tmp_path, nothing_loaded, capsys):
    for argv, words in bad_value_cases(tmp_path):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2, argv
        assert err.count("\n") == 1 and err.startswith("lucid-render-sweep: error: ") and words in err, err
    assert not os.path.exists(tmp_path / "out")


def test_microscope_checks_its_arguments_before_loading_a_model(tmp_path, nothing_loaded, capsys):
    cases = [(argv[:1] + argv[2:], words) for argv, words in bad_value_cases(tmp_path)]
    cases.append((["EfficientNetLite0", "-o", str(tmp_path / "out"), "--images", str(tmp_path / "none")], "--images"))
    for argv, words in cases:
        with pytest.raises(SystemExit) as exit_info:
            cli.microscope_main(argv)
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and err.count("\n") == 1 and words in err, err


def test_sweep_command_line_ends_with_one_error_line_and_no_traceback(tmp_path):
    existing_file = tmp_path / "existing-file"
    existing_file.write_text("")
    result = subprocess.run(
        [sys.executable, "-c", SWEEP_COMMAND, "EfficientNetLite0", "block5", "-o", str(existing_file)],
        capture_output=True,
        text=True,
        # As a user runs it: TF_CPP_MIN_LOG_LEVEL unset, so the command itself must keep TF's start-up lines out.
        env={**{k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}, "PYTHONPATH": os.getcwd()},
        timeout=600,  # importing TensorFlow alone took over 120 s at load 44
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lucid-render-sweep: error: -o %s is a file; give a directory (new or from an earlier run) for the results. "
        "(see --help)" % existing_file
    ]


def test_sweep_of_a_keras_file_says_how_to_convert_it(tmp_path, nothing_loaded, capsys):
    keras_file = tmp_path / "model.keras"
    keras_file.write_text("not read")
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(keras_file), "conv1", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "Model.from_keras" in err, err
