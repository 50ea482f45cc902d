#!/usr/bin/env python3
"""Checks a JSON answer of the public directory against an Open Referral UK schema (draft 2020-12,
formats checked: uuid, email, uri, date-time), as directory_feed_pgtest asks.

usage: check_oruk_schema.py SCHEMA ANSWER [--page]

With --page, ANSWER is a paged list: its envelope is checked against the UK OpenAPI's Page
fields and each item of `contents` against SCHEMA (the UK's schema of one list item).
Prints every problem and exits 1 when there is one."""
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker

PAGE = {
    "type": "object",
    "required": ["total_items", "total_pages", "page_number", "size", "first_page",
                 "last_page", "empty", "contents"],
    "properties": {
        "total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"}, "size": {"type": "integer"},
        "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"}, "contents": {"type": "array"},
    },
}


def problems(schema, instance, where):
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{where}{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(instance)]


def main():
    schema = json.load(open(sys.argv[1]))
    answer = json.load(open(sys.argv[2]))
    found = []
    if "--page" in sys.argv[3:]:
        found += problems(PAGE, answer, "page: ")
        for i, item in enumerate(answer.get("contents", [])):
            found += problems(schema, item, f"contents[{i}]: ")
    else:
        found += problems(schema, answer, "")
    for p in found:
        print(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
