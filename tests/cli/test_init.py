"""`desk init` and how every command finds its repository (-C, DESK_DIR, walking up)."""
import yaml

from conftest import NOT_FOUND, USAGE, Desk
from foundation_helpers import ID_RE


def new_desk(tmp_repo_dir, name="new"):
    return Desk(tmp_repo_dir / name)


def test_init_writes_commented_config_gitignore_and_gitattributes(tmp_repo_dir):
    d = new_desk(tmp_repo_dir)
    r = d.ok("init", d.root, "--timezone", "Asia/Shanghai", cwd=tmp_repo_dir)
    assert r.out == f"Initialised desk repository in {d.root}\n"
    assert r.err == ""

    config_text = (d.root / ".desk" / "config.yaml").read_text(encoding="utf-8")
    comment_lines = [line for line in config_text.splitlines() if line.lstrip().startswith("#")]
    assert len(comment_lines) >= 10, "the default config explains itself in comments"
    cfg = yaml.safe_load(config_text)
    assert cfg["timezone"] == "Asia/Shanghai"
    assert cfg["types"] == {"incident": "INC", "request": "REQ", "change": "CHG", "consultation": "CON"}
    assert cfg["categories"] == ["network", "server", "database", "application", "end-user-device"]
    assert cfg["impacts"] == ["individual", "department", "company", "core-business"]
    assert cfg["urgencies"] == ["low", "medium", "high", "critical"]
    assert cfg["channels"] == ["phone", "im", "email", "portal", "walk-in"]

    gitignore = (d.root / ".desk" / ".gitignore").read_text(encoding="utf-8")
    assert "cache/" in gitignore.splitlines()

    attributes = (d.root / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("tickets/") and line.endswith("merge=desk") for line in attributes), attributes

    # The new repository is immediately usable and clean.
    assert d.ok("doctor").out.startswith("ok:")
    assert d.ok("list").out == "No tickets match.\n"


def test_init_timezone_option_sets_the_zone_of_timestamps(tmp_repo_dir):
    d = new_desk(tmp_repo_dir)
    d.ok("init", d.root, "--timezone", "Europe/Berlin", cwd=tmp_repo_dir)
    cfg = yaml.safe_load((d.root / ".desk" / "config.yaml").read_text(encoding="utf-8"))
    assert cfg["timezone"] == "Europe/Berlin"
    tid = d.open("--title", "zone check")  # DESK_NOW is 2026-11-27T17:30:00+08:00
    t = d.load(tid)
    assert t["created"] == "2026-11-27T10:30:00+01:00"
    assert t["events"][0]["at"] == "2026-11-27T10:30:00+01:00"


def test_init_keeps_an_existing_gitattributes(tmp_repo_dir):
    d = new_desk(tmp_repo_dir)
    d.root.mkdir()
    (d.root / ".gitattributes").write_text("*.png binary\n", encoding="utf-8")
    d.ok("init", d.root, "--timezone", "UTC", cwd=tmp_repo_dir)
    lines = (d.root / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.png binary"
    assert any("merge=desk" in line for line in lines)


def test_init_refuses_an_existing_repository(desk):
    before = desk.snapshot()
    r = desk.fails(USAGE, "init", desk.root, "--timezone", "UTC")
    assert "already a desk repository" in r.err
    assert "--force" in r.err
    assert desk.snapshot() == before


def test_init_in_the_current_folder_refuses_too(desk):
    before = desk.snapshot()
    desk.fails(USAGE, "init")
    assert desk.snapshot() == before


def test_init_force_rewrites_the_config_and_keeps_tickets(desk):
    tid = desk.open("--title", "kept across init --force")
    ticket_bytes = desk.path_of(tid).read_bytes()
    cfg_path = desk.root / ".desk" / "config.yaml"
    cfg_path.write_text(cfg_path.read_text(encoding="utf-8") + "\n# a hand edit\n", encoding="utf-8")

    r = desk.ok("init", "--force", "--timezone", "UTC")
    assert r.out == f"Reinitialised desk repository in {desk.root}\n"
    text = cfg_path.read_text(encoding="utf-8")
    assert "# a hand edit" not in text
    assert yaml.safe_load(text)["timezone"] == "UTC"
    assert desk.path_of(tid).read_bytes() == ticket_bytes
    assert desk.ok("doctor").code == 0


def test_init_unknown_timezone_fails_and_creates_nothing(tmp_repo_dir):
    d = new_desk(tmp_repo_dir)
    r = d.fails(USAGE, "init", d.root, "--timezone", "Mars/Olympus_Mons", cwd=tmp_repo_dir)
    assert "Mars/Olympus_Mons" in r.err
    assert not (d.root / ".desk").exists()
    # Nothing on disk changes when a command fails: not even the empty folder.
    assert not d.root.exists(), "init with a bad --timezone left the folder behind"


def test_init_force_with_unknown_timezone_keeps_the_old_config(desk):
    before = desk.snapshot()
    desk.fails(USAGE, "init", "--force", "--timezone", "Nowhere/Town")
    assert desk.snapshot() == before


def test_init_with_dash_C_selects_the_folder(tmp_repo_dir):
    d = new_desk(tmp_repo_dir, "via-C")
    d.root.mkdir()
    d.ok("-C", d.root, "init", "--timezone", "UTC", cwd=tmp_repo_dir)
    assert (d.root / ".desk" / "config.yaml").is_file()


def test_dash_C_selects_the_repository_from_outside(desk, tmp_repo_dir):
    r = desk.ok("-C", desk.root, "open", "-q", "--title", "from outside", cwd=tmp_repo_dir)
    tid = r.out.strip()
    assert ID_RE.match(tid)
    assert desk.path_of(tid).is_file()
    listed = desk.ok("-C", desk.root, "list", "--format", "json", cwd=tmp_repo_dir).json()
    assert [t["id"] for t in listed] == [tid]


def test_desk_dir_selects_the_repository(desk, tmp_repo_dir):
    r = desk.ok("open", "-q", "--title", "via DESK_DIR", cwd=tmp_repo_dir, env={"DESK_DIR": str(desk.root)})
    tid = r.out.strip()
    assert desk.path_of(tid).is_file()
    shown = desk.ok("show", tid, "--format", "json", cwd=tmp_repo_dir, env={"DESK_DIR": str(desk.root)}).json()
    assert shown["title"] == "via DESK_DIR"


def test_dash_C_beats_desk_dir(desk, tmp_repo_dir):
    other = new_desk(tmp_repo_dir, "other")
    other.ok("init", other.root, "--timezone", "UTC", cwd=tmp_repo_dir)
    r = desk.ok("-C", desk.root, "open", "-q", "--title", "where?", cwd=tmp_repo_dir,
                env={"DESK_DIR": str(other.root)})
    tid = r.out.strip()
    assert desk.path_of(tid).is_file()
    assert list((other.root / "tickets").rglob("*.yaml")) == []


def test_dash_C_to_a_missing_folder_is_not_found(desk, tmp_repo_dir):
    r = desk.fails(NOT_FOUND, "-C", tmp_repo_dir / "missing", "list", cwd=tmp_repo_dir)
    assert str(tmp_repo_dir / "missing") in r.err


def test_outside_a_repository_every_command_says_so(desk, tmp_repo_dir):
    outside = tmp_repo_dir / "elsewhere"
    outside.mkdir()
    for args in (["list"], ["open", "--title", "x"], ["show", "INC-AAAAAAAA"], ["doctor"],
                 ["log", "INC-AAAAAAAA", "-m", "x"]):
        r = desk.fails(NOT_FOUND, *args, cwd=outside)
        assert "not a desk repository" in r.err, (args, r)
        assert "desk init" in r.err, (args, r)
    assert list(outside.iterdir()) == []


def test_walks_up_from_a_subfolder(desk):
    sub = desk.root / "notes" / "deep" / "er"
    sub.mkdir(parents=True)
    tid = desk.ok("open", "-q", "--title", "from a subfolder", cwd=sub).out.strip()
    assert desk.path_of(tid).parent.parent.parent == desk.root / "tickets"
    assert not (sub / "tickets").exists()
    assert [t["id"] for t in desk.ok("list", "--format", "json", cwd=sub).json()] == [tid]
    assert desk.ok("show", tid, "--format", "json", cwd=desk.root / "tickets").json()["id"] == tid
