// The size limit on a request's head: which status a request line and headers of a given size
// get. Pure (no Pistache), so the rule is unit-tested; the edge measures and answers.
#pragma once

#include <cstddef>

namespace sp::http {

// 0 when within the limit; 414 when the request target alone is longer than `maxHeaderBytes`;
// otherwise 431 when the whole head (request line and headers) is.
int headLimitStatus(std::size_t targetBytes, std::size_t headBytes, std::size_t maxHeaderBytes);

}  // namespace sp::http
