"""The README quick start's demo runs, tells the whole procedure and leaves a sound repository."""
import json
import os
import subprocess

from conftest import DESK_BIN, SOURCE_DIR


def test_demo_walks_the_procedure(tmp_path):
    target = tmp_path / "helpdesk"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    r = subprocess.run(["bash", str(SOURCE_DIR / "examples" / "demo.sh"), DESK_BIN, str(target)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    # Stage 1: a suggestion from the knowledge base at intake, right after the open.
    opened = out.index("Opened P2 incident")
    assert out.index("Suggested knowledge-base articles:", opened) < out.index("$ desk list", opened)
    # Stage 4/5: the article is used, and a typical problem is captured at closure.
    assert "resolved with KB-" in out
    assert "draft knowledge-base article KB-" in out and "captured" in out
    # A request by mail and its acknowledgement.
    assert "$ desk mail receive" in out and "Auto-Submitted: auto-replied" in out
    assert "已受理" in out
    # Stage 6: the review.
    assert "Service review" in out and "Resolved with a KB article" in out
    check = subprocess.run([DESK_BIN, "-C", str(target), "doctor"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = json.loads(subprocess.run([DESK_BIN, "-C", str(target), "list", "--all", "--format", "json"],
                                       capture_output=True, text=True, env=env, check=True).stdout)
    assert sorted(t["status"] for t in listed) == ["closed", "closed", "closed"]
    assert len(list((target / "kb").glob("KB-*.yaml"))) == 2
