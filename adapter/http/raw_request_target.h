// The request target exactly as the client sent it ("/Patient?name=a&name=b").
//
// Pistache 0.0.5 parses the query into a hash map: repeated parameters collapse to the first
// and their order is lost, but in FHIR search `a=1&a=2` means AND. The request line is still
// in the connection's parser buffer while the handler runs; this reads it from there. Returns
// nullopt when the buffer does not start with this request's method (the caller then falls back
// to Pistache's parsed query).
#pragma once

#include <pistache/http.h>

#include <memory>
#include <optional>
#include <string>

namespace sp::http {

std::optional<std::string> rawRequestTarget(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                                            const std::string& method);

}  // namespace sp::http
