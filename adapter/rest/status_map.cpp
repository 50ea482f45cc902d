#include "rest/status_map.h"

namespace sp::rest {

using fhir::ErrorKind;

int statusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return 400;
    case ErrorKind::kUnauthorized:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kMethodNotAllowed:
      return 405;
    case ErrorKind::kNotAcceptable:
      return 406;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kGone:
      return 410;
    case ErrorKind::kPreconditionFailed:
      return 412;
    case ErrorKind::kPayloadTooLarge:
      return 413;
    case ErrorKind::kUnsupportedMediaType:
      return 415;
    case ErrorKind::kUnprocessable:
      return 422;
    case ErrorKind::kTooEarly:
      return 425;
    case ErrorKind::kTooManyRequests:
      return 429;
    case ErrorKind::kInternal:
      return 500;
    case ErrorKind::kNotImplemented:
      return 501;
    case ErrorKind::kUnavailable:
      return 503;
  }
  return 500;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 425:
      return "Too Early";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

std::string statusLine(int status) {
  const std::string phrase = reasonPhrase(status);
  return std::to_string(status) + (phrase.empty() ? "" : " " + phrase);
}

}  // namespace sp::rest
