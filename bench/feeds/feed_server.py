#!/usr/bin/env python3
"""A generated Open Referral UK 3.0 feed for bench/feed_bench.sh: N fictional services, fully
nested (organisation, location, schedule, taxonomy term), served as pages of PER_PAGE at
/services?page=<n>&per_page=<any> and one by one at /services/<id>.

usage: feed_server.py PORT N PER_PAGE PORT_FILE"""
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, COUNT, PER_PAGE, PORT_FILE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
NS = uuid.UUID("6f1c1a52-7d0b-4a63-9d53-2b1f0c7e4e10")
TERMS = ["counselling", "walking-groups", "carers-support", "peer-support"]


def service(i):
    sid = str(uuid.uuid5(NS, f"service-{i}"))
    org = str(uuid.uuid5(NS, f"organisation-{i // 10}"))
    loc = str(uuid.uuid5(NS, f"location-{i // 5}"))
    return {
        "id": sid, "name": f"Bench service {i}", "status": "active",
        "description": f"A generated service, number {i}.",
        "url": f"https://bench.example.org/services/{i}", "email": f"service{i}@bench.example.org",
        "minimum_age": 16, "maximum_age": 99, "last_modified": "2026-12-01T09:00:00Z",
        "organization": {"id": org, "name": f"Bench organisation {i // 10}",
                         "description": "A generated organisation."},
        "schedules": [{"id": str(uuid.uuid5(NS, f"schedule-{i}")), "freq": "WEEKLY",
                       "byday": "MO,WE", "opens_at": "10:00", "closes_at": "12:00"}],
        "service_at_locations": [{"id": str(uuid.uuid5(NS, f"sal-{i}")), "location": {
            "id": loc, "location_type": "physical", "name": f"Bench hall {i // 5}",
            "latitude": 53.7, "longitude": -1.5,
            "addresses": [{"id": str(uuid.uuid5(NS, f"address-{i // 5}")),
                           "address_1": f"{i // 5} Bench Street", "city": "Northvale",
                           "state_province": "Northvale", "postal_code": "NV1 1AA",
                           "country": "GB", "address_type": "physical"}]}}],
        "attributes": [{"id": str(uuid.uuid5(NS, f"attribute-{i}")), "taxonomy_term": {
            "id": str(uuid.uuid5(NS, TERMS[i % 4])), "name": TERMS[i % 4],
            "term": TERMS[i % 4],
            "taxonomy": "https://directory.northvale.example.org/taxonomy/activities"}}],
    }


SERVICES = [service(i) for i in range(COUNT)]
BY_ID = {s["id"]: s for s in SERVICES}
PAGES = max(1, (COUNT + PER_PAGE - 1) // PER_PAGE)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/services":
            page = int(parse_qs(url.query).get("page", ["1"])[0])
            items = SERVICES[(page - 1) * PER_PAGE: page * PER_PAGE]
            body = {"total_items": COUNT, "total_pages": PAGES, "page_number": page,
                    "size": len(items), "first_page": page == 1, "last_page": page >= PAGES,
                    "empty": not items, "contents": items}
        elif url.path.startswith("/services/") and url.path[10:] in BY_ID:
            body = BY_ID[url.path[10:]]
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
with open(PORT_FILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
