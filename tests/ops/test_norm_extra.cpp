// group_norm, layer_norm, instance_norm, local_response_norm and dropout2d: hand-computed cases, gradients, backend
// parity on awkward shapes, PyTorch fixtures (tests/fixtures/gen_norm_extra.py) and error messages.
#include "test_util.h"

#include <cmath>

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }

using test::error_message;

Tensor fixture(const std::string& name, const std::string& key) { return test::fixture("norm_extra", name, key); }
double value(const std::string& name, const std::string& key) { return test::fixture_value("norm_extra", name, key); }
Tensor optional_fixture(const std::string& name, const std::string& key, bool present) {
  return present ? fixture(name, key).requires_grad_() : Tensor();
}

// Checks y and the gradients of x, weight and bias (those present) against a fixture case after y.backward(dy).
void expect_fixture(const std::string& name, const Tensor& y, const Tensor& x, const Tensor& w, const Tensor& b) {
  EXPECT_ALLCLOSE(y, fixture(name, "y"), 1e-4, 1e-5);
  y.backward(fixture(name, "dy"));
  EXPECT_ALLCLOSE(x.grad(), fixture(name, "dx"), 1e-4, 1e-4);
  if (w.defined()) {
    EXPECT_ALLCLOSE(w.grad(), fixture(name, "dweight"), 1e-4, 1e-4);
  }
  if (b.defined()) {
    EXPECT_ALLCLOSE(b.grad(), fixture(name, "dbias"), 1e-4, 1e-4);
  }
}

}  // namespace

TEST(GroupNorm, HandComputed) {
  const Tensor x = grid({1, 3, 5, 7}, {1, 2, 1, 2});
  const float s5 = 1.0f / std::sqrt(5.0f + 1e-5f), s1 = 1.0f / std::sqrt(1.0f + 1e-5f);
  EXPECT_ALLCLOSE(group_norm(x, 1), grid({-3 * s5, -s5, s5, 3 * s5}, {1, 2, 1, 2}));
  EXPECT_ALLCLOSE(group_norm(x, 2), grid({-s1, s1, -s1, s1}, {1, 2, 1, 2}));
  EXPECT_ALLCLOSE(group_norm(x, 2, grid({2, 3}, {2}), grid({0, 1}, {2})),
                  grid({-2 * s1, 2 * s1, 1 - 3 * s1, 1 + 3 * s1}, {1, 2, 1, 2}));
}

TEST(LayerNorm, HandComputed) {
  const Tensor x = grid({1, 3, 10, 20}, {2, 2});
  const float s1 = 1.0f / std::sqrt(1.0f + 1e-5f), s25 = 5.0f / std::sqrt(25.0f + 1e-5f);
  EXPECT_ALLCLOSE(layer_norm(x, {2}), grid({-s1, s1, -s25, s25}, {2, 2}));
  EXPECT_ALLCLOSE(layer_norm(x, {2}, grid({2, 1}, {2}), grid({0, 1}, {2})),
                  grid({-2 * s1, 1 + s1, -2 * s25, 1 + s25}, {2, 2}));
  EXPECT_ALLCLOSE(layer_norm(x, {2, 2}), group_norm(x.reshape({1, 4}), 1).reshape({2, 2}));
}

TEST(InstanceNorm, EqualsGroupNormPerChannelAndUpdatesRunningStats) {
  manual_seed(1);
  const Tensor x = test::uniform({2, 3, 4, 5});
  EXPECT_ALLCLOSE(instance_norm(x), group_norm(x, 3), 1e-5, 1e-5);
  // Samples {1, 3} and {5, 9}: means 2 and 7, unbiased variances 2 and 8; the running statistics move by
  // momentum towards their averages over the batch.
  Tensor rm = zeros({1}), rv = ones({1});
  instance_norm(grid({1, 3, 5, 9}, {2, 1, 1, 2}), rm, rv);
  EXPECT_ALLCLOSE(rm, grid({0.45f}, {1}));
  EXPECT_ALLCLOSE(rv, grid({1.4f}, {1}));
  // Without input statistics it is batch norm with the running ones.
  EXPECT_ALLCLOSE(instance_norm(x, zeros({3}), full({3}, 4.0), Tensor(), Tensor(), {.use_input_stats = false}),
                  x / std::sqrt(4.0 + 1e-5));
}

TEST(LocalResponseNorm, HandComputed) {
  // d_c = k + alpha/size * (sum of squares in the window); y = x / d^beta. x = 1, 2, 3 across channels.
  const Tensor x = grid({1, 2, 3}, {1, 3, 1, 1});
  EXPECT_ALLCLOSE(local_response_norm(x, 3, {.alpha = 3, .beta = 1, .k = 1}),
                  grid({1 / 6.0f, 2 / 15.0f, 3 / 14.0f}, {1, 3, 1, 1}));
  // An even size looks one channel back and none forward: windows {1}, {1, 2}, {2, 3}.
  EXPECT_ALLCLOSE(local_response_norm(x, 2, {.alpha = 3, .beta = 1, .k = 1}),
                  grid({1 / 2.5f, 2 / 8.5f, 3 / 20.5f}, {1, 3, 1, 1}));
  EXPECT_ALLCLOSE(local_response_norm(x, 1, {.alpha = 1, .beta = 0.5, .k = 0}), grid({1, 1, 1}, {1, 3, 1, 1}));
}

TEST(Dropout2d, DropsWholeChannels) {
  manual_seed(0);
  const Tensor x = ones({4, 50, 3, 3});
  const Tensor y = dropout2d(x, 0.5);
  const std::vector<float> v = y.to_vector<float>();
  int dropped = 0;
  for (size_t channel = 0; channel < 200; ++channel) {
    const float first = v[channel * 9];
    EXPECT_TRUE(first == 0.0f || first == 2.0f) << first;
    for (size_t i = 1; i < 9; ++i) EXPECT_EQ(v[channel * 9 + i], first);
    dropped += first == 0.0f;
  }
  EXPECT_GT(dropped, 70);
  EXPECT_LT(dropped, 130);
  EXPECT_TRUE(dropout2d(x, 0.5, false).is_same(x));
  Tensor w = ones({3, 2, 2}).requires_grad_();
  Tensor z = dropout2d(w, 0.5);
  sum(z).backward();
  EXPECT_EQ(w.grad().to_vector<float>(), z.to_vector<float>());  // the gradient is the mask
}

TEST(NormExtra, FiniteDifferenceGradients) {
  manual_seed(3);
  EXPECT_TRUE(test::gradcheck([](const auto& t) { return group_norm(t[0], 2, t[1], t[2]); },
                              {test::uniform({2, 4, 3, 2}, true), test::uniform({4}, true), test::uniform({4}, true)}));
  EXPECT_TRUE(test::gradcheck([](const auto& t) { return layer_norm(t[0], {3, 2}, t[1], t[2]); },
                              {test::uniform({2, 3, 2}, true), test::uniform({3, 2}, true),
                               test::uniform({3, 2}, true)}));
  EXPECT_TRUE(test::gradcheck([](const auto& t) { return instance_norm(t[0], Tensor(), Tensor(), t[1], t[2]); },
                              {test::uniform({2, 3, 2, 3}, true), test::uniform({3}, true), test::uniform({3}, true)}));
  for (int64_t size : {1, 2, 3, 5})
    EXPECT_TRUE(test::gradcheck(
        [size](const auto& t) { return local_response_norm(t[0], size, {.alpha = 0.5, .beta = 0.75, .k = 1.0}); },
        {test::uniform({2, 5, 2, 3}, true)}))
        << "size " << size;
}

TEST(NormExtra, BackendParityAwkwardShapes) {
  manual_seed(4);
  auto cl = [](const Tensor& t) { return t.contiguous(MemoryFormat::channels_last); };
  EXPECT_TRUE(test::backend_parity([&](const auto& t) { return group_norm(cl(t[0]), 3, t[1], t[2]); },
                                   {test::uniform({3, 9, 5, 7}, true), test::uniform({9}, true),
                                    test::uniform({9}, true)}));
  EXPECT_TRUE(test::backend_parity([](const auto& t) { return layer_norm(t[0], {7}, t[1], t[2]); },
                                   {test::uniform({1, 5, 7}, true), test::uniform({7}, true),
                                    test::uniform({7}, true)}));
  EXPECT_TRUE(test::backend_parity([&](const auto& t) { return instance_norm(cl(t[0])); },
                                   {test::uniform({1, 5, 3, 7}, true)}));
  for (int64_t size : {1, 2, 3, 5, 6})
    for (bool channels_last : {false, true}) {
      Fn f = [&, size, channels_last](const auto& t) {
        return local_response_norm(channels_last ? cl(t[0]) : t[0], size, {.alpha = 0.3, .beta = 0.75, .k = 2.0});
      };
      EXPECT_TRUE(test::backend_parity(f, {test::uniform({2, 7, 5, 3}, true)})) << "size " << size;
    }
  EXPECT_TRUE(test::backend_parity([](const auto& t) { return local_response_norm(t[0], 3); },
                                   {test::uniform({1, 5, 9}, true)}));
}

TEST(NormExtra, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends()) {
    BackendGuard backend_guard(backend_name);
    for (const std::string name : {"group_4d", "group_3d_no_affine", "group_per_channel", "group_single"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      const bool affine = value(name, "affine") != 0;
      Tensor x = fixture(name, "x").requires_grad_();
      Tensor w = optional_fixture(name, "weight", affine), b = optional_fixture(name, "bias", affine);
      expect_fixture(name, group_norm(x, static_cast<int64_t>(value(name, "groups")), w, b, value(name, "eps")), x, w,
                     b);
    }
    for (const std::string name : {"layer_4d_last2", "layer_2d_no_affine", "layer_3d_all"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      const bool affine = value(name, "affine") != 0;
      Tensor x = fixture(name, "x").requires_grad_();
      Tensor w = optional_fixture(name, "weight", affine), b = optional_fixture(name, "bias", affine);
      const Shape ns = affine ? w.shape() : Shape{x.size(-1)};
      expect_fixture(name, layer_norm(x, ns, w, b), x, w, b);
    }
    for (const std::string name :
         {"instance_train_running", "instance_no_stats", "instance_eval", "instance_3d_momentum"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      const bool affine = value(name, "affine") != 0, running = value(name, "running") != 0;
      Tensor x = fixture(name, "x").requires_grad_();
      Tensor w = optional_fixture(name, "weight", affine), b = optional_fixture(name, "bias", affine);
      Tensor rm = running ? fixture(name, "running_mean") : Tensor();
      Tensor rv = running ? fixture(name, "running_var") : Tensor();
      const InstanceNormOptions o{.use_input_stats = value(name, "use_input_stats") != 0,
                                  .momentum = value(name, "momentum")};
      expect_fixture(name, instance_norm(x, rm, rv, w, b, o), x, w, b);
      if (running) {
        EXPECT_ALLCLOSE(rm, fixture(name, "new_running_mean"), 1e-5, 1e-6);
        EXPECT_ALLCLOSE(rv, fixture(name, "new_running_var"), 1e-5, 1e-6);
      }
    }
    for (const std::string name : {"lrn_alexnet", "lrn_strong", "lrn_even_size_3d", "lrn_size_larger_than_channels"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      Tensor x = fixture(name, "x").requires_grad_();
      const LocalResponseNormOptions o{
          .alpha = value(name, "alpha"), .beta = value(name, "beta"), .k = value(name, "k")};
      expect_fixture(name, local_response_norm(x, static_cast<int64_t>(value(name, "size")), o), x, Tensor(), Tensor());
    }
  }
}

TEST(NormExtra, ErrorMessages) {
  EXPECT_EQ(error_message([] { group_norm(ones({2, 6, 4, 4}), 4); }),
            "group_norm: expected the number of channels to be divisible by num_groups, got input of shape "
            "[2, 6, 4, 4] and num_groups=4");
  EXPECT_EQ(error_message([] { group_norm(ones({2, 6, 4, 4}), 3, ones({3})); }),
            "group_norm: expected weight of shape [6] for input [2, 6, 4, 4], got weight [3]");
  EXPECT_EQ(error_message([] { layer_norm(ones({2, 5}), {10}); }),
            "layer_norm: given normalized_shape=[10], expected input with shape [*, 10], but got input of shape "
            "[2, 5]");
  EXPECT_EQ(error_message([] { layer_norm(ones({2, 3, 4}), {3, 4}, ones({4})); }),
            "layer_norm: expected weight of shape [3, 4] for input [2, 3, 4], got weight [4]");
  EXPECT_EQ(error_message([] { instance_norm(ones({2, 3, 1, 1})); }),
            "instance_norm: expected more than 1 spatial element when training, got input of shape [2, 3, 1, 1]");
  EXPECT_EQ(error_message([] { instance_norm(ones({2, 3})); }),
            "instance_norm: expected input [N, C, *] with at least one spatial dimension, got input of shape [2, 3]");
  EXPECT_EQ(error_message([] { instance_norm(ones({2, 3, 4}), Tensor(), Tensor(), Tensor(), Tensor(),
                                             {.use_input_stats = false}); }),
            "instance_norm: running_mean and running_var must be defined when use_input_stats is false (input "
            "[2, 3, 4])");
  EXPECT_EQ(error_message([] { local_response_norm(ones({2, 3}), 2); }),
            "local_response_norm: expected 3-D or higher input [N, C, *], got input of shape [2, 3]");
  EXPECT_EQ(error_message([] { local_response_norm(ones({2, 3, 4}), 0); }),
            "local_response_norm: size must be positive, got 0");
  EXPECT_EQ(error_message([] { dropout2d(ones({2, 3}), 0.5); }),
            "dropout2d: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape [2, 3]");
  EXPECT_EQ(error_message([] { dropout2d(ones({2, 3, 4, 4}), 1.5); }),
            "dropout2d: probability has to be between 0 and 1, but got p=1.5 (input [2, 3, 4, 4])");
}
