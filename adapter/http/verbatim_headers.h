// Works around a Pistache 0.0.5 parser fault.
//
// Pistache parses Content-Type and Accept itself, and its media-type parser rejects valid types
// whose subtype merely starts with a known one (`application/json-patch+json` fails as
// "Unfinished Media Type parameter"), answering a plain-text 400 before any handler runs. FHIR
// needs that type for PATCH, and negotiation with parameters (`; version=1.0.0`) is ours to do.
// This replaces Pistache's factories for those two headers with ones that keep the text as sent;
// rest/negotiation.* parses it. Idempotent; call before the endpoint serves.
#pragma once

namespace sp::http {

void keepMediaTypeHeadersVerbatim();

}  // namespace sp::http
