#include "keystore/service/serial_worker.h"

#include <gtest/gtest.h>

#include <vector>

namespace postern::keystore::service {
namespace {

TEST(SerialWorker, RunsTasksInOrderAndEverythingPostedBeforeDestruction) {
  std::vector<int> ran;  // only the worker thread touches it until the join
  {
    SerialWorker worker;
    for (int i = 0; i < 100; ++i) worker.post([&ran, i] { ran.push_back(i); });
  }
  ASSERT_EQ(ran.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ran[static_cast<size_t>(i)], i);
}

}  // namespace
}  // namespace postern::keystore::service
