#include "http/head_limits.h"

namespace sp::http {

int headLimitStatus(std::size_t targetBytes, std::size_t headBytes, std::size_t maxHeaderBytes) {
  if (targetBytes > maxHeaderBytes) return 414;
  if (headBytes > maxHeaderBytes) return 431;
  return 0;
}

}  // namespace sp::http
