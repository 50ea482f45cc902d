#include "search/string_normaliser.h"

#include <cstddef>
#include <cstdint>

namespace sp::search {
namespace {

// U+00C0-U+00FF; nullptr keeps the character (the multiplication and division signs).
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
    "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
    "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y",   // F0
};

// U+0100-U+017F: upper and lower case pairs share their base letter; '*' marks the two
// ligatures, spelt out by latinExtendedA().
constexpr std::string_view kLatinExtendedA =
    "aaaaaaccccccccdd"   // 0100
    "ddeeeeeeeeeegggg"   // 0110
    "gggghhhhiiiiiiii"   // 0120
    "ii**jjkkklllllll"   // 0130
    "lllnnnnnnnnnoooo"   // 0140
    "oo**rrrrrrssssss"   // 0150
    "ssttttttuuuuuuuu"   // 0160
    "uuuuwwyyyzzzzzzs";  // 0170
static_assert(kLatinExtendedA.size() == 128, "one letter per code point U+0100-U+017F");

std::string_view latinExtendedA(std::uint32_t cp) {
  switch (cp) {
    case 0x132:
    case 0x133:
      return "ij";
    case 0x152:
    case 0x153:
      return "oe";
    default:
      return kLatinExtendedA.substr(cp - 0x100, 1);
  }
}

// Sets `out` to the folded spelling of a non-ASCII code point; false when it stays as written.
bool fold(std::uint32_t cp, std::string_view& out) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    const char* folded = kLatin1[cp - 0xC0];
    if (!folded) return false;
    out = folded;
    return true;
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    out = latinExtendedA(cp);
    return true;
  }
  if (cp >= 0x218 && cp <= 0x21B) {  // Ș ș Ț ț
    out = cp < 0x21A ? "s" : "t";
    return true;
  }
  if (cp >= 0x300 && cp <= 0x36F) {  // combining marks
    out = "";
    return true;
  }
  return false;
}

// Decodes the UTF-8 sequence at text[i]: its length, or 0 when it is not valid UTF-8.
std::size_t decode(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (byte(k) & 0x3Fu);
  }
  return length;
}

}  // namespace

std::string normaliseForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) < 0x80) {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t length = decode(text, i, cp);
    std::string_view folded;
    if (length == 0) {
      out += c;
      ++i;
    } else {
      if (fold(cp, folded)) {
        out += folded;
      } else {
        out.append(text.substr(i, length));
      }
      i += length;
    }
  }
  return out;
}

}  // namespace sp::search
