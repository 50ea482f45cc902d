// BaRS feedback (`servicerequest-response`) about a referral held here: what the provider's
// report in the message changes on the referral's Task. Pure.
//
// A feedback message names the original request (MessageHeader.response.identifier) and may carry
// a Task: the provider's view of the work (status accepted, rejected, in-progress, completed,
// failed, ...; businessStatus such as did-not-attend; statusReason; output). Its status,
// businessStatus, statusReason and output are applied to the Task held here, which then goes
// through the same workflow rules as a REST update (who may move it, which moves exist). A
// message without a Task is feedback to keep (stored and logged), and moves nothing.
#pragma once

#include <cstddef>
#include <optional>

#include <rapidjson/document.h>

namespace sp::messaging {

// The index of the first Task entry of the message Bundle, if any.
std::optional<std::size_t> reportedTaskEntry(const rapidjson::Value& bundle);

// The held Task with the reported status, businessStatus, statusReason and output; nullopt when
// the report changes none of them.
std::optional<rapidjson::Document> taskAfterFeedback(const rapidjson::Value& held,
                                                     const rapidjson::Value& reported);

}  // namespace sp::messaging
