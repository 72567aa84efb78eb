// Module: names, state dicts, load errors, modes, parameter counts, printing against PyTorch's text, hooks,
// and initialisation statistics. Layer forwards are in test_layers.cpp.
#include <cnn/nn.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

// The course's first model, as in PyTorch (printed text and parameter count from PyTorch 1.13).
struct SimpleCNN : Module {
  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<MaxPool2d> pool;
  std::shared_ptr<Dropout> dropout;
  std::shared_ptr<Linear> fc1, fc2;
  SimpleCNN() {
    conv1 = register_module("conv1", Conv2d(1, 32, {.kernel_size = 3, .padding = 1}));
    conv2 = register_module("conv2", Conv2d(32, 64, {.kernel_size = 3, .padding = 1}));
    pool = register_module("pool", MaxPool2d(2));
    dropout = register_module("dropout", Dropout(0.25));
    fc1 = register_module("fc1", Linear(3136, 128));
    fc2 = register_module("fc2", Linear(128, 10));
  }
};

struct Block : Module {
  std::shared_ptr<Sequential> features;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<Linear> head;
  Block() {
    features = register_module("features", Sequential(Conv2d(3, 4, {.kernel_size = 3}), ReLU()));
    bn1 = register_module("bn1", BatchNorm2d(4));
    head = register_module("head", Linear(4, 2));
  }
};

std::vector<std::string> keys(const StateDict& d) { return d.keys(); }

TEST(Module, NamesFollowPyTorch) {
  Block b;
  EXPECT_EQ(b.named_parameters().keys(),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "bn1.weight", "bn1.bias", "head.weight",
                                      "head.bias"}));
  EXPECT_EQ(b.named_buffers().keys(),
            (std::vector<std::string>{"bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"}));
  EXPECT_EQ(keys(b.state_dict()),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "bn1.weight", "bn1.bias",
                                      "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                                      "head.weight", "head.bias"}));
  std::vector<std::string> modules;
  for (const auto& [name, m] : b.named_modules()) modules.push_back(name + ":" + m->type_name());
  EXPECT_EQ(modules, (std::vector<std::string>{":Block", "features:Sequential", "features.0:Conv2d",
                                               "features.1:ReLU", "bn1:BatchNorm2d", "head:Linear"}));
  EXPECT_EQ(b.named_children().keys(), (std::vector<std::string>{"features", "bn1", "head"}));
  EXPECT_EQ(b.named_parameters(false).size(), 0u);
  EXPECT_EQ(b.bn1->num_batches_tracked.dtype(), DType::i64);
  EXPECT_EQ(b.bn1->num_batches_tracked.dim(), 0);
  EXPECT_TRUE(b.child("head").get() == b.head.get());
  EXPECT_THROW(b.child("tail"), Error);
}

TEST(Module, ParameterCountsMatchPyTorch) {
  EXPECT_EQ(Conv2d(1, 32, {.kernel_size = 3}).num_parameters(), 320);
  EXPECT_EQ(Linear(3136, 128).num_parameters(), 401536);
  EXPECT_EQ(Conv2d(3, 64, {.kernel_size = 7, .bias = false}).num_parameters(), 9408);
  EXPECT_EQ(BatchNorm2d(64).num_parameters(), 128);
  EXPECT_EQ(BatchNorm2d(64, {.affine = false}).num_parameters(), 0);
  SimpleCNN m;
  EXPECT_EQ(m.num_parameters(), 421642);
  m.fc2->weight.requires_grad_(false);
  EXPECT_EQ(m.num_parameters(true), 421642 - 1280);
}

TEST(Module, SharedParametersCountOnce) {
  Sequential s;
  auto fc = s.push_back(Linear(3, 3));
  s.push_back(fc);
  EXPECT_EQ(s.parameters().size(), 2u);
  EXPECT_EQ(s.num_parameters(), 12);
  EXPECT_EQ(s.state_dict().size(), 4u);  // state_dict keeps every name, as PyTorch
}

TEST(Module, PrintsLikePyTorch) {
  EXPECT_EQ(SimpleCNN().str(),
            "SimpleCNN(\n"
            "  (conv1): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (conv2): Conv2d(32, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
            "  (pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            "  (dropout): Dropout(p=0.25, inplace=False)\n"
            "  (fc1): Linear(in_features=3136, out_features=128, bias=True)\n"
            "  (fc2): Linear(in_features=128, out_features=10, bias=True)\n"
            ")");
}

TEST(Module, PrintsEveryLayerLikePyTorch) {
  Sequential s(Conv2d(3, 64, {.kernel_size = 7, .stride = 2, .padding = 3, .bias = false}), BatchNorm2d(64), ReLU(),
               MaxPool2d({.kernel_size = 3, .stride = 2, .padding = 1}),
               Sequential(Conv2d(64, 64, {.kernel_size = 3, .padding = "same", .dilation = 2, .groups = 4}), ReLU6(),
                          LeakyReLU(0.2)),
               AdaptiveAvgPool2d({1, 1}), AdaptiveMaxPool2d(1), Flatten(), Dropout(), Linear(64, 10, {.bias = false}),
               Sigmoid(), Tanh(), Identity(),
               BatchNorm1d(10, {.eps = 1e-3, .momentum = std::nullopt, .affine = false, .track_running_stats = false}),
               AvgPool2d(2), AvgPool2d({.kernel_size = {2, 3}, .stride = 1, .padding = {1, 0}}),
               MaxPool2d({.kernel_size = {2, 1}, .ceil_mode = true}),
               Conv2d(1, 1, {.kernel_size = {1, 3}, .stride = {2, 1}, .padding = "valid"}), LeakyReLU());
  EXPECT_EQ(s.str(),
            "Sequential(\n"
            "  (0): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)\n"
            "  (1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            "  (2): ReLU()\n"
            "  (3): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)\n"
            "  (4): Sequential(\n"
            "    (0): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), groups=4)\n"
            "    (1): ReLU6()\n"
            "    (2): LeakyReLU(negative_slope=0.2)\n"
            "  )\n"
            "  (5): AdaptiveAvgPool2d(output_size=(1, 1))\n"
            "  (6): AdaptiveMaxPool2d(output_size=1)\n"
            "  (7): Flatten(start_dim=1, end_dim=-1)\n"
            "  (8): Dropout(p=0.5, inplace=False)\n"
            "  (9): Linear(in_features=64, out_features=10, bias=False)\n"
            "  (10): Sigmoid()\n"
            "  (11): Tanh()\n"
            "  (12): Identity()\n"
            "  (13): BatchNorm1d(10, eps=0.001, momentum=None, affine=False, track_running_stats=False)\n"
            "  (14): AvgPool2d(kernel_size=2, stride=2, padding=0)\n"
            "  (15): AvgPool2d(kernel_size=(2, 3), stride=1, padding=(1, 0))\n"
            "  (16): MaxPool2d(kernel_size=(2, 1), stride=(2, 1), padding=0, dilation=1, ceil_mode=True)\n"
            "  (17): Conv2d(1, 1, kernel_size=(1, 3), stride=(2, 1), padding=valid)\n"
            "  (18): LeakyReLU(negative_slope=0.01)\n"
            ")");
  EXPECT_EQ(keys(s.state_dict()),
            (std::vector<std::string>{"0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                      "1.num_batches_tracked", "4.0.weight", "4.0.bias", "9.weight", "17.weight",
                                      "17.bias"}));
}

TEST(Module, StateDictRoundTrip) {
  manual_seed(1);
  Block a;
  manual_seed(2);
  Block b;
  a.bn1->running_mean.fill_(0.5);
  a.bn1->num_batches_tracked.fill_(7);
  EXPECT_FALSE(test::allclose(a.head->weight, b.head->weight));
  const Tensor b_weight = b.head->weight;
  const LoadResult r = b.load_state_dict(a.state_dict());
  EXPECT_TRUE(r.missing_keys.empty() && r.unexpected_keys.empty());
  for (const auto& [name, t] : a.state_dict()) EXPECT_ALLCLOSE(b.state_dict()[name].to(DType::f32), t.to(DType::f32));
  EXPECT_TRUE(b.head->weight.is_same(b_weight));  // copied in place: optimisers keep their handles
  EXPECT_TRUE(b.head->weight.requires_grad());
  EXPECT_EQ(b.bn1->num_batches_tracked.item(), 7);
  // state_dict shares data with the parameters, as PyTorch's (detached) tensors do.
  a.state_dict()["head.bias"].fill_(3.0);
  EXPECT_EQ(a.head->bias.to_vector<float>(), (std::vector<float>{3.0f, 3.0f}));
  EXPECT_FALSE(a.state_dict()["head.bias"].requires_grad());
}

TEST(Module, LoadStateDictReportsEveryProblem) {
  Block b;
  StateDict state = b.state_dict();
  state.erase("head.bias");
  state.insert("head.extra", zeros({1}));
  state.insert("head.weight", zeros({3, 4}));
  try {
    b.load_state_dict(state);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Error(s) in loading state_dict for Block"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Missing key(s) in state_dict: \"head.bias\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("Unexpected key(s) in state_dict: \"head.extra\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("size mismatch for head.weight: copying a param with shape [3, 4] from checkpoint, the shape "
                       "in current model is [2, 4]"),
              std::string::npos)
        << msg;
  }
  state.insert("head.weight", zeros({2, 4}));
  const LoadResult r = b.load_state_dict(state, false);
  EXPECT_EQ(r.missing_keys, std::vector<std::string>{"head.bias"});
  EXPECT_EQ(r.unexpected_keys, std::vector<std::string>{"head.extra"});
  EXPECT_EQ(b.head->weight.to_vector<float>(), std::vector<float>(8, 0.0f));
  state.insert("head.weight", zeros({5}));
  EXPECT_THROW(b.load_state_dict(state, false), Error);  // shape mismatches throw even when not strict
}

TEST(Module, MissingBatchCountsLoadAsZeroAsInPyTorch) {
  Block a, b;
  a.bn1->running_mean.fill_(0.25);
  b.bn1->num_batches_tracked.fill_(9);
  StateDict state = a.state_dict();
  state.erase("bn1.num_batches_tracked");
  const LoadResult r = b.load_state_dict(state);
  EXPECT_TRUE(r.missing_keys.empty()) << r.missing_keys.front();
  EXPECT_EQ(b.bn1->num_batches_tracked.item(), 0);
  EXPECT_EQ(b.bn1->running_mean.to_vector<float>(), std::vector<float>(b.bn1->running_mean.numel(), 0.25f));
  state.erase("bn1.running_mean");  // only the counter may be absent
  EXPECT_THROW(b.load_state_dict(state), Error);
}

TEST(Module, TrainEvalRecurse) {
  Block b;
  EXPECT_TRUE(b.is_training() && b.features->at<ReLU>(1)->is_training());
  b.eval();
  EXPECT_FALSE(b.is_training() || b.bn1->is_training() || (*b.features)[0]->is_training());
  b.train();
  EXPECT_TRUE(b.bn1->is_training() && (*b.features)[-1]->is_training());
  EXPECT_THROW(b.features->at<Linear>(0), Error);
  EXPECT_THROW((*b.features)[2], Error);
}

TEST(Module, ApplyVisitsChildrenFirst) {
  Block b;
  std::vector<std::string> order;
  b.apply([&](Module& m) { order.push_back(m.type_name()); });
  EXPECT_EQ(order, (std::vector<std::string>{"Conv2d", "ReLU", "Sequential", "BatchNorm2d", "Linear", "Block"}));
  b.apply([](Module& m) {
    if (auto* fc = dynamic_cast<Linear*>(&m)) init::zeros_(fc->weight);
  });
  EXPECT_EQ(b.head->weight.to_vector<float>(), std::vector<float>(8, 0.0f));
}

TEST(Module, ZeroGradClearsEveryParameter) {
  Linear fc(3, 2);
  fc.weight.set_grad(ones({2, 3}));
  fc.bias.set_grad(ones({2}));
  fc.zero_grad(false);
  EXPECT_EQ(fc.weight.grad().to_vector<float>(), std::vector<float>(6, 0.0f));
  fc.zero_grad();
  EXPECT_FALSE(fc.weight.grad().defined() || fc.bias.grad().defined());
}

TEST(Module, ForwardHooksSeeInputAndOutputAndCanBeRemoved) {
  Sequential s{Identity(), Identity()};
  std::vector<std::string> seen;
  HookHandle h = s[1]->register_forward_hook([&](Module& m, const Tensor& in, const Tensor& out) {
    seen.push_back(fmt::format("{} {} {}", m.type_name(), in.shape(), out.shape()));
  });
  s(zeros({2, 3}));
  EXPECT_EQ(seen, std::vector<std::string>{"Identity [2, 3] [2, 3]"});
  h.remove();
  s(zeros({2, 3}));
  EXPECT_EQ(seen.size(), 1u);
  h.remove();  // twice is harmless
}

TEST(Module, ForwardOfBaseModuleNamesTheType) {
  Block b;
  try {
    b(zeros({1}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Block: forward"), std::string::npos) << e.what();
  }
}

TEST(Module, GeometryFoldsOverSequential) {
  Sequential s(Conv2d(1, 32, {.kernel_size = 3, .padding = 1}), ReLU(), MaxPool2d(2),
               Conv2d(32, 64, {.kernel_size = 3, .padding = 1}), ReLU(), MaxPool2d(2), Flatten(), Linear(3136, 128));
  EXPECT_EQ(s.output_shape({8, 1, 28, 28}), Shape({8, 128}));
  const int64_t conv1 = 32 * 28 * 28 * 9, conv2 = 64 * 14 * 14 * 32 * 9, fc = 3136 * 128;
  EXPECT_EQ(s.macs({1, 1, 28, 28}), conv1 + conv2 + fc);
  EXPECT_EQ(s.macs({2, 1, 28, 28}), 2 * (conv1 + conv2 + fc));
  const auto g = s[3]->geometry();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->kernel_size, Pair2(3, 3));
  EXPECT_EQ(g->padding, Pair2(1, 1));
  EXPECT_EQ(s[5]->geometry()->stride, Pair2(2, 2));
  EXPECT_FALSE(s[1]->geometry().has_value());
  EXPECT_THROW(s.output_shape({8, 3, 28, 28}), Error);
}

TEST(Init, FansAndGains) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(zeros({64, 32, 3, 3})), std::make_pair(int64_t{288}, int64_t{576}));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(zeros({10, 128})), std::make_pair(int64_t{128}, int64_t{10}));
  EXPECT_THROW(init::calculate_fan_in_and_fan_out(zeros({10})), Error);
  EXPECT_DOUBLE_EQ(init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("conv2d"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("selu"), 0.75);
  EXPECT_THROW(init::calculate_gain("swish"), Error);
  EXPECT_THROW(init::kaiming_uniform_(zeros({4, 4}), {.mode = "fan_avg"}), Error);
}

struct Stats {
  double mean = 0, std = 0, min = 1e30, max = -1e30;
};
Stats stats(const Tensor& t) {
  Stats s;
  const auto v = t.to_vector<float>();
  for (float x : v) s.mean += x, s.min = std::min<double>(s.min, x), s.max = std::max<double>(s.max, x);
  s.mean /= static_cast<double>(v.size());
  for (float x : v) s.std += (x - s.mean) * (x - s.mean);
  s.std = std::sqrt(s.std / static_cast<double>(v.size() - 1));
  return s;
}

TEST(Init, Conv2dDefaultMatchesKaimingUniformWithASqrt5) {
  manual_seed(0);
  Conv2d conv(256, 256, {.kernel_size = 3});
  const double fan_in = 256 * 9, bound = 1.0 / std::sqrt(fan_in);  // gain sqrt(2/(1+5)) * sqrt(3/fan_in)
  const Stats w = stats(conv.weight);
  EXPECT_NEAR(w.mean, 0.0, 0.01 * bound);
  EXPECT_NEAR(w.std, bound / std::sqrt(3.0), 0.01 * bound);
  EXPECT_GE(w.min, -bound);
  EXPECT_LE(w.max, bound);
  EXPECT_LT(w.min, -0.999 * bound);
  EXPECT_GT(w.max, 0.999 * bound);
  const Stats b = stats(conv.bias);
  EXPECT_GE(b.min, -bound);
  EXPECT_LE(b.max, bound);
  EXPECT_FALSE(conv.weight.grad_fn());
}

TEST(Init, LinearBiasBoundAndBatchNormConstants) {
  manual_seed(0);
  Linear fc(400, 2000);
  const Stats b = stats(fc.bias);
  EXPECT_GE(b.min, -0.05);
  EXPECT_LE(b.max, 0.05);
  EXPECT_NEAR(b.std, 0.05 / std::sqrt(3.0), 0.002);
  BatchNorm2d bn(3);
  EXPECT_EQ(bn.weight.to_vector<float>(), std::vector<float>(3, 1.0f));
  EXPECT_EQ(bn.bias.to_vector<float>(), std::vector<float>(3, 0.0f));
  EXPECT_EQ(bn.running_var.to_vector<float>(), std::vector<float>(3, 1.0f));
}

TEST(Init, NormalAndXavierStatistics) {
  manual_seed(0);
  Tensor w = Tensor::empty({512, 256, 3, 3});
  init::kaiming_normal_(w, {.mode = "fan_out", .nonlinearity = "relu"});
  EXPECT_NEAR(stats(w).std, std::sqrt(2.0 / (512 * 9)), 0.01 * std::sqrt(2.0 / (512 * 9)));
  Tensor v = Tensor::empty({1000, 500});
  init::xavier_uniform_(v, 2.0);
  const double bound = 2.0 * std::sqrt(6.0 / 1500.0);
  EXPECT_LE(stats(v).max, bound);
  EXPECT_NEAR(stats(v).std, bound / std::sqrt(3.0), 0.01 * bound);
  init::xavier_normal_(v);
  EXPECT_NEAR(stats(v).std, std::sqrt(2.0 / 1500.0), 0.01 * std::sqrt(2.0 / 1500.0));
  init::normal_(v, 3.0, 0.5);
  EXPECT_NEAR(stats(v).mean, 3.0, 0.01);
  init::constant_(v, 0.25);
  EXPECT_EQ(stats(v).max, 0.25);
  init::uniform_(v, -2, -1);
  EXPECT_GE(stats(v).min, -2.0);
  EXPECT_LE(stats(v).max, -1.0);
}

TEST(Init, TruncNormalStaysInsideItsBounds) {
  manual_seed(0);
  Tensor w = Tensor::empty({20000});
  init::trunc_normal_(w, 0.0, 1.0, -0.5, 0.5);
  EXPECT_GE(stats(w).min, -0.5);
  EXPECT_LE(stats(w).max, 0.5);
  EXPECT_NEAR(stats(w).mean, 0.0, 0.02);
  EXPECT_THROW(init::trunc_normal_(w, 10.0, 1.0, -1.0, 1.0), Error);
}

TEST(Init, SkipInitGuardLeavesTensorsAlone) {
  Tensor w = full({4, 3}, 7.0);
  {
    init::SkipInitGuard skip;
    EXPECT_TRUE(init::is_init_skipped());
    init::kaiming_uniform_(w);
    init::normal_(w);
    init::zeros_(w);
    init::trunc_normal_(w, 0.0, 0.01);
    Linear fc(3, 4);  // builds, with its parameters left as allocated
    EXPECT_EQ(fc.num_parameters(), 16);
  }
  EXPECT_FALSE(init::is_init_skipped());
  EXPECT_EQ(stats(w).min, 7.0);
  EXPECT_EQ(stats(w).max, 7.0);
  init::zeros_(w);
  EXPECT_EQ(stats(w).max, 0.0);
}

}  // namespace
}  // namespace cnn
