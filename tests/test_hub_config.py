"""hub/z2jh/config.yaml: valid YAML, nothing secret, and the resources the measurement gives.

``benchmarks/hub_load.py`` measured a class on this machine's hub and wrote
``benchmarks/results/hub_load.csv``; its ``z2jh_resources`` says what follows
for each user's memory and CPU. A new measurement that changes the numbers
fails here until the config follows.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from benchmarks.hub_load import LESSON, z2jh_resources

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "hub" / "z2jh" / "config.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "hub_load.csv"
# KubeSpawner's byte sizes (JupyterHub's ByteSpecification): K, M, G, T are powers of 1024.
UNITS = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024}
SECRET_KEYS = re.compile(r"secret|password|token|api_?key|cookie", re.IGNORECASE)


def mib(size: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT])", size).groups()
    return float(number) * UNITS[unit]


def config() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def results() -> list[dict]:
    with open(RESULTS, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_config_is_yaml_with_the_charts_sections():
    values = config()
    assert set(values) <= {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller"}
    single = values["singleuser"]
    assert {"image", "memory", "cpu", "lifecycleHooks", "storage"} <= set(single)
    assert set(single["memory"]) == set(single["cpu"]) == {"guarantee", "limit"}
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0


def test_the_resources_are_those_of_the_measurement():
    numbers = z2jh_resources(results())
    single = config()["singleuser"]
    assert mib(single["memory"]["guarantee"]) == numbers["memory_guarantee_mib"]
    assert mib(single["memory"]["limit"]) == numbers["memory_limit_mib"]
    assert single["cpu"]["guarantee"] == numbers["cpu_guarantee"]
    assert single["cpu"]["limit"] == numbers["cpu_limit"]


def test_the_limit_holds_every_peak_measured_and_the_guarantee_is_under_it():
    rows = [row for row in results() if row["status"] == "ok"]
    single = config()["singleuser"]
    limit, guarantee = mib(single["memory"]["limit"]), mib(single["memory"]["guarantee"])
    assert max(float(row["peak_user_max_mib"]) for row in rows) < limit
    lesson = [float(row["peak_user_median_mib"]) for row in rows if row["lesson"] == LESSON]
    assert max(lesson) < guarantee <= limit
    assert 0 < single["cpu"]["guarantee"] <= single["cpu"]["limit"]


def test_the_measurement_has_a_class_and_a_training_lesson_that_ran():
    rows = results()
    ok = [row for row in rows if row["status"] == "ok"]
    assert any(row["lesson"] == LESSON and int(row["students"]) >= 10 for row in ok)
    assert any(row["lesson"].startswith("05_") and row["students"] == "1" for row in ok)


def test_the_rule_on_numbers_worked_by_hand():
    def row(lesson, status, median, peak, cpu):
        return {
            "lesson": lesson,
            "status": status,
            "peak_user_median_mib": median,
            "peak_user_max_mib": peak,
            "cpu_user_median_s": cpu,
        }

    rows = [
        row(LESSON, "ok", "700", "760", "8.2"),  # 700 x 1.25 = 875 -> 1024
        row(LESSON, "ok", "820", "900", "9.1"),  # 1025 -> 1280; 9.1 / 60 = 0.152 -> 0.2
        row(LESSON, "failed", "3000", "3000", "60"),  # a class that broke counts for nothing
        row("05_mnist_convnet", "ok", "1900", "1900", "250"),  # 1900 x 1.25 = 2375 -> 2560
        row("11_little_data", "ok", "1500", "2100", "200"),  # 2100 x 1.25 = 2625 -> 2816
    ]
    assert z2jh_resources(rows) == {
        "memory_guarantee_mib": 1280,
        "memory_limit_mib": 2816,
        "cpu_guarantee": 0.2,
        "cpu_limit": 2.0,
    }
    with pytest.raises(ValueError, match="training lesson"):
        z2jh_resources(rows[:3])


def secret_values(node, path="") -> list[str]:
    """The paths of the keys that look secret and hold a value."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if SECRET_KEYS.search(str(key)) and value not in (None, "", [], {}):
                found.append(here)
            found += secret_values(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += secret_values(item, f"{path}[{index}]")
    return found


def test_nothing_secret_is_in_the_config():
    assert secret_values(config()) == []
    assert secret_values({"hub": {"cookieSecret": "abc", "config": {"x": [{"api_token": 1}]}}}) == [
        ".hub.cookieSecret",
        ".hub.config.x[0].api_token",
    ]
    assert config()["hub"]["config"]["JupyterHub"]["authenticator_class"] != "dummy"


def test_the_image_and_the_course_come_from_this_repository():
    text = CONFIG.read_text(encoding="utf-8")
    assert "jupyter-repo2docker --no-run" in text and "--target-repo-dir /srv/course" in text
    hook = " ".join(config()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"])
    assert '/srv/course/scripts/my_work.py --root "$HOME" sync --copies=student' in hook
    assert (ROOT / "scripts" / "my_work.py").is_file() and (ROOT / "environment.yml").is_file()
