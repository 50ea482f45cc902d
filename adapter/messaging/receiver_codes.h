// The BaRS receiver error codes (REC_*) and the OperationOutcome every messaging error answers
// with: issue.details.coding from https://fhir.nhs.uk/Codesystem/http-error-codes.
#pragma once

#include <string>
#include <vector>

#include "fhir/errors.h"

namespace sp::messaging {

// "REC_BAD_REQUEST" for 400, ... ; REC_SERVER_ERROR for a status without its own code.
std::string receiverCode(int httpStatus);

// An OperationOutcome whose every issue carries the receiver code of `httpStatus`.
std::string receiverOutcomeJson(int httpStatus, const std::vector<fhir::Issue>& issues);

}  // namespace sp::messaging
