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
#include <vector>

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

// What a response message without a Task reports, in the resources BaRS receivers send:
// - a rejection: an Encounter with status `cancelled` (the receiver's case closed), its
//   `reasonCode` the reason (BaRS `rejected-reasons-bars`), as in refresp02 and valresp04;
// - non-attendance: an Appointment with status `noshow`, as in refresp01.
// The message's focus decides when it is one of them; among the other entries a noshow
// Appointment wins over a cancelled Encounter (it is the more specific news).
enum class ReceiverReportKind { kRejection, kDidNotAttend };

struct ReceiverReport {
  ReceiverReportKind kind = ReceiverReportKind::kRejection;
  std::size_t entry = 0;       // the entry that says so
  rapidjson::Document reason;  // the CodeableConcept to record as the Task's statusReason
};

// nullopt when the message reports neither.
std::optional<ReceiverReport> receiverReportIn(const rapidjson::Value& bundle,
                                               std::size_t focusEntry);

// The successive versions of the held referral Task that a report means, each to go through the
// workflow rules as the receiver's own update; empty when the Task has ended already.
// - rejection: requested/received -> rejected; accepted/in-progress/on-hold -> failed (the
//   receiver gave up work it had taken on); statusReason the report's reason;
// - non-attendance: accepted/in-progress/on-hold -> failed with businessStatus
//   `did-not-attend`; from requested/received first accepted (an appointment was booked, so the
//   referral had been taken on), then failed.
std::vector<rapidjson::Document> taskMovesFor(const rapidjson::Value& held,
                                              const ReceiverReport& report);

}  // namespace sp::messaging
