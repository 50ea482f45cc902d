#!/usr/bin/env python3
"""Creates, through the API, the template resources that bench/reports/generate.sql clones.

Usage: bench/reports/templates.py BASE_URL [SERVICES]

Everything is written by the server itself (validated against the project's profiles, indexed,
moved through the Task workflow), so the clones are conforming resources with the index rows
the server would have made:
  Organization/tpl-org, HealthcareService/tpl-hs (the templates' service, with room),
  Patient/tpl-pat (postcode NE99 4QA), Observation/tpl-obs (a WEMWBS score of 38),
  ServiceRequest/tpl-sr-<fate> and its Task tpl-sr-<fate>-task for each fate below, moved
  through the workflow to that fate, and the directory the clones are referred to:
  HealthcareService/gen-hs-1 .. gen-hs-SERVICES (capacity and last-reviewed dates vary).
"""
import json
import sys
import urllib.error
import urllib.request

BASE = sys.argv[1].rstrip("/")
SERVICES = int(sys.argv[2]) if len(sys.argv) > 2 else 40
CORPUS = __file__.rsplit("/bench/", 1)[0] + "/tests/data/validation/valid/"
SP = "https://fhir.social-prescribing.example.org"
BUSINESS = SP + "/CodeSystem/task-business-status"


def request(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method,
                                 headers={"Content-Type": "application/fhir+json",
                                          "Accept": "application/fhir+json"})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def put(resource):
    status, body = request("PUT", "/%s/%s" % (resource["resourceType"], resource["id"]), resource)
    if status not in (200, 201):
        sys.exit("templates: PUT %s/%s answered %d: %s" %
                 (resource["resourceType"], resource["id"], status, json.dumps(body)[:800]))
    return body


def corpus(name):
    with open(CORPUS + name) as f:
        return json.load(f)


def coding(code):
    return {"coding": [{"system": BUSINESS, "code": code}]}


def move(task_id, status, business=None, reason=None):
    code, task = request("GET", "/Task/" + task_id)
    if code != 200:
        sys.exit("templates: GET Task/%s answered %d" % (task_id, code))
    task["status"] = status
    if business:
        task["businessStatus"] = coding(business)
    if reason:
        task["statusReason"] = reason
    put(task)


org = corpus("Organization-org-sp-hub.json")
org["id"] = "tpl-org"
org.pop("identifier", None)
put(org)


def service(id_, name, total, free, reviewed):
    hs = corpus("HealthcareService-hs-walk-and-talk-alderton.json")
    hs["id"] = id_
    hs["name"] = name
    hs.pop("identifier", None)
    hs["providedBy"] = {"reference": "Organization/tpl-org"}
    hs["text"]["div"] = '<div xmlns="http://www.w3.org/1999/xhtml"><p>%s</p></div>' % name
    hs.pop("coverageArea", None)
    for ext in hs["extension"]:
        if ext["url"].endswith("/capacity"):
            for sub in ext["extension"]:
                if sub["url"] == "total":
                    sub["valueUnsignedInt"] = total
                elif sub["url"] == "free":
                    sub["valueUnsignedInt"] = free
                elif sub["url"] == "status":
                    sub["valueCode"] = "capacity" if free > 0 else "no-capacity"
        elif ext["url"].endswith("/last-reviewed"):
            ext["valueDate"] = reviewed
    put(hs)


service("tpl-hs", "Template service", 1000000, 1000000, "2025-06-01")
kinds = ["Walking group", "Carers cafe", "Befriending", "Art club", "Money advice",
         "Community garden", "Men's shed", "Singing for wellbeing"]
for k in range(1, SERVICES + 1):
    total = 10 + (k * 7) % 40
    free = (k * 5) % (total + 1)
    reviewed = "2025-%02d-15" % (1 + (k * 5) % 12) if k % 4 else "2024-%02d-10" % (1 + k % 12)
    service("gen-hs-%d" % k, "%s %d" % (kinds[k % len(kinds)], k), total, free, reviewed)

pat = corpus("Patient-pat-pryce.json")
pat["id"] = "tpl-pat"
pat.pop("generalPractitioner", None)
put(pat)

obs = corpus("Observation-obs-pryce-wemwbs-baseline.json")
obs["id"] = "tpl-obs"
obs["subject"] = obs["performer"][0] = {"reference": "Patient/tpl-pat"}
obs["effectiveDateTime"] = "2025-01-01T00:00:00+00:00"
put(obs)

# Each fate: the workflow moves of the referral's Task, as (status, businessStatus, statusReason).
FATES = {
    "completed": [("accepted", None, None), ("in-progress", "first-contact-made", None),
                  ("completed", "discharged", None)],
    "active": [("accepted", None, None), ("in-progress", "first-contact-made", None)],
    "waiting": [],
    "rejected-capacity": [("rejected", None, coding("no-capacity"))],
    "rejected-eligible": [("rejected", None, coding("not-eligible"))],
    "rejected-declined": [("rejected", None, coding("declined-by-person"))],
    "failed": [("accepted", None, None), ("in-progress", "first-contact-made", None),
               ("failed", "did-not-attend", {"text": "Did not attend three sessions"})],
    "cancelled": [("cancelled", None, {"text": "Referral withdrawn by the GP"})],
}
for fate, moves in FATES.items():
    sr = corpus("ServiceRequest-sr-pryce-walking.json")
    sr["id"] = "tpl-sr-" + fate
    for key in ("basedOn", "supportingInfo", "identifier"):
        sr.pop(key, None)
    sr["extension"][0]["valueCoding"] = {"system": SP + "/CodeSystem/referral-route",
                                         "code": "gp", "display": "GP"}
    sr["subject"] = {"reference": "Patient/tpl-pat"}
    sr["requester"] = {"reference": "Organization/tpl-org"}
    sr["performer"] = [{"reference": "HealthcareService/tpl-hs"}]
    sr["authoredOn"] = "2025-01-01T00:00:00+00:00"
    sr["text"]["div"] = '<div xmlns="http://www.w3.org/1999/xhtml"><p>Template referral</p></div>'
    put(sr)
    for status, business, reason in moves:
        move(sr["id"] + "-task", status, business, reason)

print("templates: made %d fates and %d services" % (len(FATES), SERVICES))
