// A one-shot start gate for concurrency tests: every thread waits in arriveAndWait() until all
// `count` have arrived, so their requests reach the server at the same moment.
#pragma once

#include <condition_variable>
#include <mutex>

namespace sp::testing {

class StartGate {
 public:
  explicit StartGate(int count) : remaining_(count) {}
  void arriveAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--remaining_ == 0) {
      open_.notify_all();
      return;
    }
    open_.wait(lock, [this] { return remaining_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_;
  int remaining_;
};

}  // namespace sp::testing
