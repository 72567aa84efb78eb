// batch_norm: hand-computed cases (training, evaluation, running statistics), finite-difference gradients,
// reference-vs-oneDNN parity on awkward shapes, PyTorch fixtures (tests/fixtures/gen_norm.py) and error messages.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor vec(std::vector<float> v) { return from_vector(v, {static_cast<int64_t>(v.size())}); }

using test::error_message;

Tensor grad_leaf(Tensor t) {
  t.requires_grad_();
  return t;
}

}  // namespace

TEST(BatchNorm, HandComputedTraining) {
  // One channel holding 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
  Tensor x = grad_leaf(from_vector(std::vector<float>{1, 2, 3, 4}, {4, 1}));
  Tensor rm = zeros({1}), rv = ones({1});
  Tensor gamma = grad_leaf(vec({2})), beta = grad_leaf(vec({1}));
  Tensor y = batch_norm(x, rm, rv, gamma, beta, true, {.momentum = 0.1, .eps = 0.0});
  const float s = 1.0f / std::sqrt(1.25f);
  EXPECT_ALLCLOSE(y, from_vector(std::vector<float>{1 - 3 * s, 1 - s, 1 + s, 1 + 3 * s}, {4, 1}));
  EXPECT_ALLCLOSE(rm, vec({0.25f}));
  EXPECT_ALLCLOSE(rv, vec({0.9f + 0.1f * 5 / 3.f}));
  EXPECT_FALSE(rm.requires_grad());
  // sum(y) does not depend on x (the normalised values always sum to zero); dgamma = sum(xhat) = 0.
  sum(y).backward();
  EXPECT_ALLCLOSE(x.grad(), zeros({4, 1}), 0, 1e-5);
  EXPECT_ALLCLOSE(gamma.grad(), vec({0}), 0, 1e-5);
  EXPECT_ALLCLOSE(beta.grad(), vec({4}));
}

TEST(BatchNorm, HandComputedEvaluation) {
  // Channel 0: (x - 1) / 2; channel 1: (x + 1) / 0.5 * 2 + 1.
  Tensor x = grad_leaf(from_vector(std::vector<float>{3, 0, 5, -2}, {2, 2}));
  Tensor rm = vec({1, -1}), rv = vec({4, 0.25});
  Tensor gamma = grad_leaf(vec({1, 2})), beta = grad_leaf(vec({0, 1}));
  Tensor y = batch_norm(x, rm, rv, gamma, beta, false, {.eps = 0.0});
  EXPECT_ALLCLOSE(y, from_vector(std::vector<float>{1, 5, 2, -3}, {2, 2}));
  EXPECT_ALLCLOSE(rm, vec({1, -1}));
  sum(y).backward();
  EXPECT_ALLCLOSE(x.grad(), from_vector(std::vector<float>{0.5, 4, 0.5, 4}, {2, 2}));
  EXPECT_ALLCLOSE(gamma.grad(), vec({3, 0}));
  EXPECT_ALLCLOSE(beta.grad(), vec({2, 2}));
}

TEST(BatchNorm, EvaluationGradientUsesStatisticsOfTheForwardPass) {
  Tensor x = grad_leaf(ones({3, 2}));
  Tensor rm = zeros({2}), rv = ones({2});
  Tensor y = batch_norm(x, rm, rv, Tensor(), Tensor(), false, {.eps = 0.0});
  rv.fill_(100.0);
  sum(y).backward();
  EXPECT_ALLCLOSE(x.grad(), ones({3, 2}));
}

TEST(BatchNorm, WeightWithoutBiasAndTrainingWithoutRunningStats) {
  manual_seed(20);
  Tensor x = test::uniform({4, 3, 2});
  Tensor gamma = vec({1, 2, 3});
  Tensor both = batch_norm(x, Tensor(), Tensor(), gamma, zeros({3}), true);
  EXPECT_ALLCLOSE(batch_norm(x, Tensor(), Tensor(), gamma, Tensor(), true), both);
  EXPECT_ALLCLOSE(batch_norm(x, Tensor(), Tensor(), Tensor(), vec({0, 0, 0}), true),
                  batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true));
}

TEST(BatchNorm, FiniteDifferenceGradients) {
  manual_seed(21);
  Tensor rm = test::uniform({3}), rv = add(rand({3}), 0.5);
  const std::vector<std::tuple<std::string, Shape, bool, bool>> cases = {
      {"train 4-D affine", {3, 3, 3, 2}, true, true},     {"train 2-D no affine", {5, 3}, true, false},
      {"train 3-D affine", {2, 3, 4}, true, true},        {"eval 4-D affine", {2, 3, 2, 3}, false, true},
      {"eval 2-D no affine", {4, 3}, false, false},
  };
  for (const auto& [name, shape, training, affine] : cases) {
    std::vector<Tensor> in = {test::uniform(shape, true), affine ? grad_leaf(add(rand({3}), 0.5)) : Tensor(),
                              affine ? test::uniform({3}, true) : Tensor()};
    const bool train = training;
    Fn f = [train, rm, rv](const auto& t) {
      return train ? batch_norm(t[0], Tensor(), Tensor(), t[1], t[2], true)
                   : batch_norm(t[0], rm, rv, t[1], t[2], false);
    };
    EXPECT_TRUE(test::gradcheck(f, in)) << name;
  }
}

TEST(BatchNorm, BackendParityAwkwardShapes) {
  manual_seed(22);
  const std::vector<std::tuple<Shape, bool, bool, bool>> cases = {
      // shape, training, affine, channels-last
      {{1, 5, 6, 7}, true, true, false},  {{2, 3, 5, 7}, true, true, true},   {{7, 5}, true, false, false},
      {{3, 9, 5}, true, true, false},     {{1, 5, 6, 7}, false, true, false}, {{2, 11, 3, 5}, false, false, true},
      {{2, 3, 5, 7}, true, false, true},
  };
  for (const auto& [shape, training, affine, cl] : cases) {
    const int64_t C = shape[1];
    Tensor rm = test::uniform({C}), rv = add(rand({C}), 0.5);
    std::vector<Tensor> in = {test::uniform(shape, true), affine ? grad_leaf(add(rand({C}), 0.5)) : Tensor(),
                              affine ? test::uniform({C}, true) : Tensor()};
    const bool train = training, channels_last = cl;
    Fn f = [train, channels_last, rm, rv](const auto& t) {
      Tensor x = channels_last ? t[0].contiguous(MemoryFormat::channels_last) : t[0];
      Tensor m = rm.clone(), v = rv.clone();  // each backend updates its own copy
      return batch_norm(x, m, v, t[1], t[2], train, {.momentum = 0.2});
    };
    EXPECT_TRUE(test::backend_parity(f, in, 1e-4, 1e-4))
        << shape.str() << (train ? " training" : " eval") << (affine ? " affine" : "") << (cl ? " channels-last" : "");
  }
}

TEST(BatchNorm, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name : {"train_4d", "train_2d", "train_3d_no_affine", "train_momentum_eps", "train_batch1",
                                   "eval_4d", "eval_2d_no_affine"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      auto value = [&](const char* key) { return test::fixture_value("norm", name, key); };
      const bool affine = value("affine") != 0;
      Tensor x = grad_leaf(test::fixture("norm", name, "x"));
      Tensor rm = test::fixture("norm", name, "running_mean"), rv = test::fixture("norm", name, "running_var");
      Tensor w = affine ? grad_leaf(test::fixture("norm", name, "weight")) : Tensor();
      Tensor b = affine ? grad_leaf(test::fixture("norm", name, "bias")) : Tensor();
      const BatchNormOptions options{.momentum = value("momentum"), .eps = value("eps")};
      Tensor y = batch_norm(x, rm, rv, w, b, value("training") != 0, options);
      EXPECT_ALLCLOSE(y, test::fixture("norm", name, "y"), 1e-4, 1e-4);
      EXPECT_ALLCLOSE(rm, test::fixture("norm", name, "new_running_mean"), 1e-5, 1e-6);
      EXPECT_ALLCLOSE(rv, test::fixture("norm", name, "new_running_var"), 1e-5, 1e-6);
      y.backward(test::fixture("norm", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("norm", name, "dx"), 1e-4, 1e-4);
      if (affine) {
        EXPECT_ALLCLOSE(w.grad(), test::fixture("norm", name, "dweight"), 1e-4, 1e-4);
        EXPECT_ALLCLOSE(b.grad(), test::fixture("norm", name, "dbias"), 1e-4, 1e-4);
      }
    }
  }
}

TEST(BatchNorm, ErrorMessages) {
  EXPECT_THROW(batch_norm(ones({8, 3, 4, 4}), zeros({4}), ones({3}), Tensor(), Tensor(), true), Error);
  EXPECT_EQ(error_message([] { batch_norm(ones({8, 3, 4, 4}), zeros({4}), ones({3}), Tensor(), Tensor(), true); }),
            "batch_norm: expected running_mean of shape [3] for input [8, 3, 4, 4], got running_mean [4]");
  EXPECT_EQ(error_message([] { batch_norm(ones({8, 3, 4, 4}), zeros({3}), ones({3, 1}), Tensor(), Tensor(), true); }),
            "batch_norm: expected running_var of shape [3] for input [8, 3, 4, 4], got running_var [3, 1]");
  EXPECT_EQ(error_message([] { batch_norm(ones({8, 3}), Tensor(), Tensor(), ones({5}), zeros({5}), true); }),
            "batch_norm: expected weight of shape [3] for input [8, 3], got weight [5]");
  EXPECT_EQ(error_message([] { batch_norm(ones({8, 3}), Tensor(), Tensor(), ones({3}), zeros({2}), true); }),
            "batch_norm: expected bias of shape [3] for input [8, 3], got bias [2]");
  EXPECT_EQ(error_message([] { batch_norm(ones({5}), Tensor(), Tensor(), Tensor(), Tensor(), true); }),
            "batch_norm: expected input [N, C] or [N, C, *], got input of shape [5]");
  EXPECT_EQ(error_message([] { batch_norm(ones({1, 3}), zeros({3}), ones({3}), Tensor(), Tensor(), true); }),
            "batch_norm: expected more than 1 value per channel when training, got input of shape [1, 3]");
  EXPECT_EQ(error_message([] { batch_norm(ones({2, 3}), Tensor(), Tensor(), Tensor(), Tensor(), false); }),
            "batch_norm: running_mean and running_var must be defined in evaluation mode (input [2, 3])");
}
