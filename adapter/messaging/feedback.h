// BaRS feedback (`servicerequest-response`) about a referral held here: which referral a stored
// pushed request was about, and what the provider's report in the message changes on the
// referral's Task. Pure.
//
// A feedback message names the original request (MessageHeader.response.identifier): one the
// adapter received (its conversation), or one it pushed to the provider (stored as
// Bundle/<Bundle.id>, tagged message-direction `pushed`). It may carry
// a Task: the provider's view of the work (status accepted, rejected, in-progress, completed,
// failed, ...; businessStatus such as did-not-attend; statusReason; output). Its status,
// businessStatus, statusReason and output are applied to the Task held here, which then goes
// through the same workflow rules as a REST update (who may move it, which moves exist). A
// message without a Task is feedback to keep (stored and logged), and moves nothing.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>

namespace sp::messaging {

// What a feedback message is about: the referral, and the Task the provider's report moves. For
// a referral request the adapter pushed: its MessageHeader.focus and its Task entry (the
// referral's Task, or a warm handover's Task).
struct FeedbackTarget {
  std::string referralId;
  std::string taskId;  // empty when the request carried no Task
};

// What a stored pushed request was about; nullopt for a Bundle that is no pushed request.
std::optional<FeedbackTarget> pushedRequestOf(const rapidjson::Value& storedBundle);

// The index of the first Task entry of the message Bundle, if any.
std::optional<std::size_t> reportedTaskEntry(const rapidjson::Value& bundle);

// The held Task with the reported status, businessStatus, statusReason and output; nullopt when
// the report changes none of them.
std::optional<rapidjson::Document> taskAfterFeedback(const rapidjson::Value& held,
                                                     const rapidjson::Value& reported);

}  // namespace sp::messaging
