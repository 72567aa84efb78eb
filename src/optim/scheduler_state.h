// Helpers the schedulers share to write and read their SchedulerState (name -> number) maps.
// Internal to src/optim; not a scheduler.
#pragma once

#include <cnn/scheduler.h>

#include <string>
#include <vector>

namespace cnn::sched_detail {

/// values[i] under "NAME.i".
void put_list(SchedulerState& state, const std::string& name, const std::vector<double>& values);
/// "NAME.0" .. "NAME.<count-1>"; throws naming the missing key.
std::vector<double> get_list(const SchedulerState& state, const std::string& name, size_t count);
double get(const SchedulerState& state, const std::string& key);
int64_t get_int(const SchedulerState& state, const std::string& key);
/// The entries whose keys start with `prefix`, with the prefix removed.
SchedulerState sub_state(const SchedulerState& state, const std::string& prefix);
/// Python's a // b (rounds towards minus infinity).
int64_t floor_div(int64_t a, int64_t b);
/// Python's a % b (the sign of b).
int64_t py_mod(int64_t a, int64_t b);

}  // namespace cnn::sched_detail
