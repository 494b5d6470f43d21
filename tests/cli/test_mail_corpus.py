"""The mail parser on 36 real mails (../shared/data/mail, MANIFEST.json gives each one's
decoded subject, sender, text excerpts, attachment names and whether a robot sent it):
`desk mail parse` must read every one as the manifest says."""
import json

import pytest

from mail_helpers import MAIL_DATA, mail_data_dir, run_mail


# Excerpts desk deliberately does not produce, and why.
NOT_IN_TEXT = {
    ("03", "最新資訊的軟體泡麵站！"): "it is the alt attribute of an image inside an HTML comment; comments are dropped",
}


def manifest_entries():
    path = MAIL_DATA / "MANIFEST.json"
    if not path.is_file():
        return [pytest.param(None, id="corpus-absent")]
    return [pytest.param(e, id=e["file"][:2]) for e in json.loads(path.read_text())]


@pytest.mark.parametrize("entry", manifest_entries())
def test_real_mail_reads_as_the_manifest_says(entry):
    folder = mail_data_dir()
    expected = entry["expected"]
    proc = run_mail(["parse", folder / entry["file"]])
    assert proc.returncode == 0, proc.err
    got = json.loads(proc.out)
    if expected["subject"] is not None:
        assert got["subject"].strip() == expected["subject"].strip()
    if expected["from_address"] is not None:
        assert got["from_address"] == expected["from_address"].lower()
    else:
        assert got["from_address"] == ""
    if expected["from_name"] is not None:
        assert got["from_name"] == expected["from_name"]
    for excerpt in expected["text_contains"]:
        if (entry["file"][:2], excerpt) in NOT_IN_TEXT:
            assert excerpt not in got["text"]
            continue
        assert excerpt in got["text"], f"{excerpt!r} not in the text:\n{got['text'][:3000]}\nnotes: {got['notes']}"
    assert [a["name"] for a in got["attachments"]] == expected["attachment_names"]
    assert (got["sender"] == "robot") == expected["is_auto"], got["sender_reason"]
