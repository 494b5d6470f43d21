"""A short load run on loopback (bench/serve_load.py; bench/serve.sh runs the long one):
16 clients mixing status reads, requester pages, KB searches and new requests against a
generated repository, bounded in time. Checks correctness only (no timing): no request
fails, every 201's ticket is in the repository and in a commit, none is stored twice, and
`desk doctor` finds nothing wrong afterwards."""
import json
import subprocess
import sys

from conftest import SOURCE_DIR, git
from serve_helpers import Server, api_token, setup_portal, sign_in


def test_sixteen_clients_for_a_few_seconds_lose_nothing(desk, tmp_path):
    bench = SOURCE_DIR / "bench"
    subprocess.run([sys.executable, str(bench / "gen_tickets.py"), str(desk.root), "1500"], check=True,
                   capture_output=True)
    subprocess.run([sys.executable, str(bench / "gen_kb.py"), str(desk.root), "200"], check=True, capture_output=True)
    git(desk.root, "init", "-q")
    folder = setup_portal(desk, tmp_path)
    cfg = desk.root / ".desk" / "config.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("  autocommit: false", "  autocommit: true"), encoding="utf-8")
    token = api_token(desk)
    git(desk.root, "add", "-A")
    git(desk.root, "commit", "-q", "-m", "generated")
    assert desk.ok("doctor").out.startswith("ok:")
    with Server(desk, env={"DESK_NOW": None}) as s:
        c = sign_in(s, folder, "load@example.com")
        r = subprocess.run([sys.executable, str(bench / "serve_load.py"), str(desk.root), s.base, token,
                            "--clients", "16", "--seconds", "8", "--session", c.cookies["desk_session"]],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        report = json.loads(r.stdout)
        assert s.stop() == 0
    assert report["errors"] == 0 and report["missing"] == [] and report["duplicated"] == []
    assert report["uncommitted"] == [] and report["unexpected_files"] == 0
    assert report["opened"] > 0 and report["kinds"]["read"]["count"] > 0 and report["kinds"]["kb"]["count"] > 0
    assert "page" in report["kinds"]
    doctor = desk.ok("doctor")
    assert doctor.out.startswith("ok:"), doctor
    assert git(desk.root, "status", "--porcelain", "tickets") == ""
