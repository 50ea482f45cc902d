// Resource ids, version tags and the injected sources of time and new ids.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::fhir {

// FHIR id syntax: [A-Za-z0-9\-\.]{1,64}.
bool isValidId(std::string_view id);

// `W/"3"` for version 3.
std::string weakEtag(std::int64_t versionId);
// Version from an ETag-style header value (`W/"3"`, `"3"` or `3`); nullopt when malformed.
std::optional<std::int64_t> parseEtagVersion(std::string_view header);

using TimePoint = std::chrono::system_clock::time_point;

// FHIR instant with milliseconds in UTC: 2026-11-25T12:00:00.123Z.
std::string formatInstant(TimePoint t);
// HTTP-date (RFC 7231): Wed, 25 Nov 2026 12:00:00 GMT.
std::string formatHttpDate(TimePoint t);
// Parses a FHIR instant/dateTime with time and zone (e.g. 2026-11-25T12:00:00Z,
// 2026-11-25T12:00:00.5+01:00) or a date (2026-11-25, taken as midnight UTC). nullopt if invalid
// or outside the years 1678-2261 that a TimePoint can hold.
std::optional<TimePoint> parseInstant(std::string_view text);
// The same syntax, for the years 0001-9999 that FHIR allows, as milliseconds since 1970-01-01
// (negative before it); nullopt if invalid.
std::optional<std::int64_t> parseInstantMillis(std::string_view text);

// Where the present time comes from; tests inject a fixed clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock : public Clock {
 public:
  TimePoint now() const override;
};

// Where new resource ids come from; tests inject a predictable sequence.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string newId() = 0;
};

// Random version-4 UUIDs (thread-safe).
class UuidGenerator : public IdGenerator {
 public:
  std::string newId() override;
};

bool isUuid(std::string_view text);

}  // namespace sp::fhir
