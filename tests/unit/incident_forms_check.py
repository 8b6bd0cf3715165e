#!/usr/bin/env python3
"""Independent check of the incident form fixtures (tests/data/incident):
the CSV of the corrective-action tracking form parsed by the csv module,
the JSON forms by the json module (schema names, nulls for what is not
filled yet). Usage: incident_forms_check.py <tests/data/incident>."""
import csv
import glob
import io
import json
import os
import sys

HEADER = ["record", "incident", "measure", "kind", "what", "root_cause", "owner", "deadline", "state",
          "percent", "indicator", "unit", "baseline", "target", "direction", "measured", "at", "actor",
          "note", "reason", "new_owner", "new_deadline", "approver"]


def check_csv(path, measures, ledger):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    assert text.endswith("\r\n"), path
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER, (path, rows[0])
    body = [dict(zip(HEADER, r)) for r in rows[1:]]
    assert all(len(r) == len(HEADER) for r in rows), path
    kinds = [r["record"] for r in body]
    assert kinds.count("measure") == measures and kinds.count("ledger") == ledger, (path, kinds)
    for r in body:
        assert r["incident"] and r["measure"], r
        if r["record"] == "measure":
            assert r["deadline"].endswith("+08:00") and float(r["baseline"]) == 3.0, r
        else:
            assert r["at"].endswith("+08:00") and r["actor"], r
    return body


def main():
    d = sys.argv[1]
    done = check_csv(os.path.join(d, "form_corrective_action_complete.csv"), 2, 4)
    assert [r["state"] for r in done if r["record"] == "measure"] == ["done", "done"]
    assert any(r["new_owner"] == "Chen Jie" and r["approver"] == "Zhao Min" for r in done)
    busy = check_csv(os.path.join(d, "form_corrective_action_executing.csv"), 2, 2)
    assert all(r["measured"] == "" for r in busy if r["record"] == "measure")
    check_csv(os.path.join(d, "form_corrective_action_reported.csv"), 0, 0)
    names = glob.glob(os.path.join(d, "form_*.json"))
    assert len(names) == 12, names
    for p in names:
        with open(p, encoding="utf-8") as f:
            doc = json.load(f)
        form = os.path.basename(p)[5:].rsplit("_", 1)[0]
        assert doc["schema"] == "svcq.incident_form/%s/1" % form, (p, doc["schema"])
        assert doc["incident"].startswith("INC-"), p
        if p.endswith("effect_verification_executing.json"):
            assert all(v is None for v in doc["verification"].values()), doc["verification"]
            assert all(i["measured"] is None and i["reached"] is None for i in doc["indicators"])
        if p.endswith("effect_verification_complete.json"):
            assert doc["verification"]["verdict"] == "effective"
            assert doc["verification"]["csat_after"] == 4.6
        if p.endswith("cause_analysis_reported.json"):
            assert doc["confirmation"]["judged_by"] is None and doc["analyses"] == []
        if p.endswith("cause_analysis_complete.json"):
            assert doc["analyses"][0]["root_causes"][0]["ref"] == "a-INC-1:c1"
            assert doc["double_track"] == {"person": None, "process": None}
    print("checked %d JSON forms and 3 CSV forms" % len(names))


if __name__ == "__main__":
    main()
