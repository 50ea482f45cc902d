// The paged `/services` answers of Open Referral UK feeds: which URL asks for page n, and what a
// page holds. ORUK 3.0 pages are {total_items, total_pages, page_number, size, first_page,
// last_page, empty, contents[]}; ORUK v1 pages are {totalElements, totalPages, number, size,
// first, last, empty, content[]} (some v1 feeds say `contents`, as the v1 OpenAPI does). Page
// headers are often wrong in published files, so the end of a feed is the first of: a page that
// says it is the last, a page number at or past the total pages, an empty page. Pure.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "mapping/oruk_feed.h"

namespace sp::mapping {

// <baseUrl>/services?page=<n>&per_page=<size> (pages count from 1).
std::string orukPageUrl(const OrukFeed& feed, int page);

struct OrukPage {
  const rapidjson::Value* items = nullptr;  // the array of services; null when `error` is set
  std::string itemsName;                    // "contents" or "content", for issue locations
  bool last = true;                         // no page follows this one
  std::string error;                        // why the document is not a page
};

// What `page` (the n-th asked for) holds.
OrukPage readOrukPage(const rapidjson::Value& document, int page);

}  // namespace sp::mapping
