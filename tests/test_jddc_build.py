"""The JDDC real-reply set is rebuilt from the user's own copy of the source: a changed line must be
refused (the labels would no longer describe it), and the masks must render as values of their kind."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from eval.jddc.build import ANSWER_FILE, CHAT_FILE, file_reader, main, sha1
from eval.jddc.sample import pool
from service.compliance.scoring import load_labelled_set

CHAT_LINES = [
    "s1\tU1\t0\t0\t0\tnan\t我的快递到哪了",
    "s1\tU1\t1\t0\t0\tnan\t配送员:[姓名x]，电话:[电话x] 预计[数字x]-[数字x]天送达#E-s21",
    "s1\tU1\t1\t0\t0\tnan\t请您保持手机号([电话x])畅通 详情见[链接x]",
]
ANSWER_LINES = ["<session a_1>", "好的!@@@!已经提交<sep>NULL<sep>NULL!@@@!这个我们不清楚的哦"]


def _repo(root: Path) -> Path:
    (root / "data").mkdir(parents=True)
    (root / CHAT_FILE).write_text("\n".join(CHAT_LINES) + "\n", encoding="utf-8")
    (root / ANSWER_FILE).write_text("\n".join(ANSWER_LINES) + "\n", encoding="utf-8")
    return root


def _labels(path: Path) -> Path:
    items = [
        {
            "id": "j-1",
            "file": CHAT_FILE,
            "line": 2,
            "sha1": sha1(CHAT_LINES[1]),
            "expected": {"verdict": "block", "categories": ["personal_data"]},
            "split": "dev",
        },
        {
            "id": "j-2",
            "file": CHAT_FILE,
            "line": 3,
            "sha1": sha1(CHAT_LINES[2]),
            "render": {"phone": "masked"},
            "expected": {"verdict": "pass", "categories": []},
            "split": "test",
        },
        {
            "id": "j-3",
            "file": ANSWER_FILE,
            "line": 2,
            "part": 2,
            "sha1": sha1(ANSWER_LINES[1]),
            "expected": {"verdict": "block", "categories": ["banned_phrase"]},
            "split": "test",
            "note": "不清楚 with no follow-up",
        },
    ]
    path.write_text(yaml.safe_dump({"allowed_domains": ["jd.com"], "items": items}, allow_unicode=True))
    return path


def test_builds_dev_and_test_sets_with_rendered_masks(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    out = tmp_path / "out"
    assert main(["--repo", str(repo), "--out", str(out), "--labels", str(_labels(tmp_path / "l.yaml"))]) == 0

    dev = load_labelled_set(out / "jddc.dev.yaml")
    test = load_labelled_set(out / "jddc.test.yaml")
    assert [x.id for x in dev.items] == ["j-1"] and [x.id for x in test.items] == ["j-2", "j-3"]
    assert dev.allowed_domains == ["jd.com"]
    # a phone mask is a full mobile number, numbers read as a range, emoticon codes are dropped
    assert dev.items[0].text == "配送员:王明，电话:13912345678 预计2-5天送达"
    # a label can ask for the customer's own number to be rendered masked; links are platform links
    assert test.items[0].text.startswith("请您保持手机号(139****5678)畅通 详情见https://item.jd.com/")
    # the third agent's reply of a dev_answer line, not the first, without its empty (NULL) message
    assert test.items[1].text == "这个我们不清楚的哦"
    assert test.items[1].expected.categories == ["banned_phrase"]


def test_reads_a_git_dir_like_the_fetched_mirror(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "work")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@e"
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "data"]):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True, env={**env, "PATH": "/usr/bin:/bin"})
    shutil.rmtree(repo / "data")  # only the git objects remain, as in /work/.mirror
    out = tmp_path / "out"
    labels = _labels(tmp_path / "l.yaml")
    assert main(["--repo", str(repo / ".git"), "--out", str(out), "--labels", str(labels)]) == 0
    assert load_labelled_set(out / "jddc.test.yaml").items[1].text == "这个我们不清楚的哦"


def test_refuses_a_changed_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = _repo(tmp_path / "repo")
    changed = [*CHAT_LINES[:2], "s1\tU1\t1\t0\t0\tnan\t请加我微信 abc123"]
    (repo / CHAT_FILE).write_text("\n".join(changed) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--repo", str(repo), "--out", str(out), "--labels", str(_labels(tmp_path / "l.yaml"))]) == 2
    err = capsys.readouterr().err
    assert "j-2" in err and "line 3 changed" in err
    assert not (out / "jddc.dev.yaml").exists()  # nothing half-written


def test_missing_repo_or_line_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labels = _labels(tmp_path / "l.yaml")
    out = str(tmp_path / "o")
    assert main(["--repo", str(tmp_path / "nowhere"), "--out", out, "--labels", str(labels)]) == 2
    assert "repo not found" in capsys.readouterr().err

    repo = _repo(tmp_path / "repo")
    (repo / ANSWER_FILE).write_text("<session a_1>", encoding="utf-8")
    assert main(["--repo", str(repo), "--out", out, "--labels", str(labels)]) == 2
    assert f"{ANSWER_FILE} has no line 2" in capsys.readouterr().err


def test_later_label_batches_are_added_and_ids_stay_unique(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A batch in labels.<name>.yaml beside the main file joins the sets; --no-extra leaves it out; an id
    both files use is refused (the scorer keys results by id)."""
    repo = _repo(tmp_path / "repo")
    main_labels = _labels(tmp_path / "labels.yaml")
    batch = {
        "id": "j-4",
        "file": CHAT_FILE,
        "line": 3,
        "sha1": sha1(CHAT_LINES[2]),
        "expected": {"verdict": "pass", "categories": []},
        "split": "dev",
    }
    extra = tmp_path / "labels.fresh.yaml"
    extra.write_text(yaml.safe_dump({"items": [batch]}), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--repo", str(repo), "--out", str(out), "--labels", str(main_labels)]) == 0
    assert [x.id for x in load_labelled_set(out / "jddc.dev.yaml").items] == ["j-1", "j-4"]
    assert main(["--repo", str(repo), "--out", str(out), "--labels", str(main_labels), "--no-extra"]) == 0
    assert [x.id for x in load_labelled_set(out / "jddc.dev.yaml").items] == ["j-1"]

    extra.write_text(yaml.safe_dump({"items": [{**batch, "id": "j-2"}]}), encoding="utf-8")
    assert main(["--repo", str(repo), "--out", str(out), "--labels", str(main_labels)]) == 2
    assert "j-2 is used twice" in capsys.readouterr().err


def test_shipped_labels_are_well_formed() -> None:
    """The committed labels: unique ids, known splits, coherent expectations, sha1s of 40 hex digits."""
    folder = Path(__file__).parents[1] / "eval" / "jddc"
    data = yaml.safe_load((folder / "labels.yaml").read_text("utf-8"))
    assert len(data["items"]) >= 650
    items = [*data["items"]]
    for batch in sorted(folder.glob("labels.*.yaml")):
        items += yaml.safe_load(batch.read_text("utf-8"))["items"]
    assert len({x["id"] for x in items}) == len(items)
    assert {x["split"] for x in items} == {"dev", "test"}
    for x in items:
        assert len(x["sha1"]) == 40 and x["file"] in (CHAT_FILE, ANSWER_FILE)
        assert (x["expected"]["verdict"] == "pass") == (not x["expected"]["categories"])


def test_sample_pool_is_agent_replies_deduplicated(tmp_path: Path) -> None:
    """The pool the random sample is drawn from: agent rows and non-NULL dev_answer replies, each text once,
    replies with an ID-number mask left out."""
    repo = _repo(tmp_path / "repo")
    extra = [
        "s2\tU2\t1\t0\t0\tnan\t请您保持手机号([电话x])畅通 详情见[链接x]",
        "s2\tU2\t1\t0\t0\tnan\t税号[身份证号x]",
    ]
    (repo / CHAT_FILE).write_text("\n".join([*CHAT_LINES, *extra]) + "\n", encoding="utf-8")
    assert pool(file_reader(repo)) == [
        (CHAT_FILE, 2, 0),
        (CHAT_FILE, 3, 0),
        (ANSWER_FILE, 2, 0),
        (ANSWER_FILE, 2, 2),
    ]
