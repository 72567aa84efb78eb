// The scheduler base (torch's _LRScheduler), the multiplicative schedules StepLR, MultiStepLR, ExponentialLR and
// LinearLR, and SequentialLR, with the chainable and closed forms of PyTorch 1.13 in the same order of operations.
// Not the cosine family (scheduler_cosine.cpp) nor ReduceLROnPlateau (scheduler_plateau.cpp).
#include <cnn/scheduler.h>

#include <algorithm>
#include <cmath>

#include "optim/scheduler_state.h"

namespace cnn {

namespace sched_detail {

void put_list(SchedulerState& state, const std::string& name, const std::vector<double>& values) {
  for (size_t i = 0; i < values.size(); ++i) state[fmt::format("{}.{}", name, i)] = values[i];
}

double get(const SchedulerState& state, const std::string& key) {
  auto it = state.find(key);
  CNN_CHECK(it != state.end(),
            "scheduler load_state_dict: missing \"{}\"\nHINT: the state must come from the same "
            "kind of scheduler over the same optimizer",
            key);
  return it->second;
}

int64_t get_int(const SchedulerState& state, const std::string& key) {
  return static_cast<int64_t>(std::llround(get(state, key)));
}

std::vector<double> get_list(const SchedulerState& state, const std::string& name, size_t count) {
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) values.push_back(get(state, fmt::format("{}.{}", name, i)));
  return values;
}

SchedulerState sub_state(const SchedulerState& state, const std::string& prefix) {
  SchedulerState out;
  for (const auto& [key, value] : state)
    if (key.rfind(prefix, 0) == 0) out[key.substr(prefix.size())] = value;
  return out;
}

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t py_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

}  // namespace sched_detail

// ---- LRScheduler ------------------------------------------------------------------------------------------

LRScheduler::LRScheduler(Optimizer& optimizer, bool record_initial_lr) : optimizer_(optimizer) {
  CNN_CHECK(optimizer.num_param_groups() > 0, "scheduler: the optimizer has no parameter groups");
  last_lr_ = group_lrs();
  if (!record_initial_lr) return;
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) {
    if (!optimizer.initial_lr(g)) optimizer.set_initial_lr(g, optimizer.lr(g));
    base_lrs_.push_back(*optimizer.initial_lr(g));
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply(get_lr());
}

void LRScheduler::step_to(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  apply(closed_form_lr());
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  return lrs;
}

void LRScheduler::apply(const std::vector<double>& lrs) {
  for (size_t g = 0; g < lrs.size(); ++g) optimizer_.set_lr(lrs[g], static_cast<int64_t>(g));
  last_lr_ = group_lrs();
}

SchedulerState LRScheduler::state_dict() const {
  SchedulerState s{{"last_epoch", double(last_epoch_)}, {"step_count", double(step_count_)}};
  sched_detail::put_list(s, "base_lrs", base_lrs_);
  sched_detail::put_list(s, "last_lr", last_lr_);
  return s;
}

void LRScheduler::load_state_dict(const SchedulerState& state) {
  last_epoch_ = sched_detail::get_int(state, "last_epoch");
  step_count_ = sched_detail::get_int(state, "step_count");
  base_lrs_ = sched_detail::get_list(state, "base_lrs", base_lrs_.size());
  last_lr_ = sched_detail::get_list(state, "last_lr", optimizer_.num_param_groups());
}

// ---- StepLR, MultiStepLR, ExponentialLR -------------------------------------------------------------------

StepLR::StepLR(Optimizer& optimizer, const StepLROptions& options) : LRScheduler(optimizer), options_(options) {
  CNN_CHECK(options.step_size > 0, "StepLR: step_size must be positive, got {}", options.step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0 || last_epoch_ % options_.step_size != 0) return lrs;
  for (double& lr : lrs) lr *= options_.gamma;
  return lrs;
}

std::vector<double> StepLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(base * std::pow(options_.gamma, double(sched_detail::floor_div(last_epoch_, options_.step_size))));
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, const MultiStepLROptions& options)
    : LRScheduler(optimizer), options_(options) {
  std::sort(options_.milestones.begin(), options_.milestones.end());
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const auto count = std::count(options_.milestones.begin(), options_.milestones.end(), last_epoch_);
  if (count == 0) return lrs;
  for (double& lr : lrs) lr *= std::pow(options_.gamma, double(count));
  return lrs;
}

std::vector<double> MultiStepLR::closed_form_lr() {
  const auto passed = std::upper_bound(options_.milestones.begin(), options_.milestones.end(), last_epoch_) -
                      options_.milestones.begin();
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(options_.gamma, double(passed)));
  return lrs;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  initial_step();
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

std::vector<double> ExponentialLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * std::pow(gamma_, double(last_epoch_)));
  return lrs;
}

// ---- LinearLR ---------------------------------------------------------------------------------------------

LinearLR::LinearLR(Optimizer& optimizer, const LinearLROptions& options) : LRScheduler(optimizer), options_(options) {
  CNN_CHECK(
      options.start_factor >= 0 && options.start_factor <= 1 && options.end_factor >= 0 && options.end_factor <= 1,
      "LinearLR: start_factor and end_factor must lie in [0, 1], got {} and {}", options.start_factor,
      options.end_factor);
  CNN_CHECK(options.total_iters > 0, "LinearLR: total_iters must be positive, got {}", options.total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  const double start = options_.start_factor, end = options_.end_factor;
  const auto total = double(options_.total_iters);
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start;
    return lrs;
  }
  if (last_epoch_ > options_.total_iters) return lrs;
  for (double& lr : lrs) lr = lr * (1.0 + (end - start) / (total * start + double(last_epoch_ - 1) * (end - start)));
  return lrs;
}

std::vector<double> LinearLR::closed_form_lr() {
  const double start = options_.start_factor, end = options_.end_factor;
  const auto passed = double(std::min(options_.total_iters, last_epoch_));
  std::vector<double> lrs;
  for (double base : base_lrs_) lrs.push_back(base * (start + (end - start) * passed / double(options_.total_iters)));
  return lrs;
}

// ---- SequentialLR -----------------------------------------------------------------------------------------

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::unique_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  CNN_CHECK(!schedulers_.empty() && milestones_.size() + 1 == schedulers_.size(),
            "SequentialLR: expected one milestone fewer than schedulers, got {} schedulers and {} milestones",
            schedulers_.size(), milestones_.size());
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    CNN_CHECK(schedulers_[i] != nullptr && &schedulers_[i]->optimizer_ == &optimizer,
              "SequentialLR: scheduler {} is missing or belongs to another optimizer", i);
    CNN_CHECK(!schedulers_[i]->needs_metric(),
              "SequentialLR: scheduler {} needs a metric (ReduceLROnPlateau); "
              "it cannot be chained",
              i);
  }
  last_epoch_ = 0;
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g)
    optimizer.set_lr(*optimizer.initial_lr(g), static_cast<int64_t>(g));
  for (auto& s : schedulers_) --s->last_epoch_;
  schedulers_.front()->initial_step();
  last_lr_ = schedulers_.front()->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const auto idx =
      static_cast<size_t>(std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin());
  LRScheduler& s = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    s.step_to(0);
  else
    s.step();
  last_lr_ = s.get_last_lr();
}

SchedulerState SequentialLR::state_dict() const {
  SchedulerState s = LRScheduler::state_dict();
  for (size_t i = 0; i < schedulers_.size(); ++i)
    for (const auto& [key, value] : schedulers_[i]->state_dict()) s[fmt::format("schedulers.{}.{}", i, key)] = value;
  return s;
}

void SequentialLR::load_state_dict(const SchedulerState& state) {
  LRScheduler::load_state_dict(state);
  for (size_t i = 0; i < schedulers_.size(); ++i)
    schedulers_[i]->load_state_dict(sched_detail::sub_state(state, fmt::format("schedulers.{}.", i)));
}

}  // namespace cnn
