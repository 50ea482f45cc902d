// The request target exactly as the client sent it ("/Patient?name=a&name=b"), and the size of
// the request head (for the header size limit) and of what is buffered so far.
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

// The size of the request's head (request line and headers, up to the blank line) as read from
// the same buffer; nullopt when it cannot be found there.
std::optional<std::size_t> rawRequestHeadBytes(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

// How many bytes of the current request the connection's parser holds (0 when none).
std::size_t bufferedRequestBytes(const std::shared_ptr<Pistache::Tcp::Peer>& peer);

}  // namespace sp::http
